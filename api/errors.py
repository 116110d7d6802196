"""Map errors to HTTP once, for every router: ``{"error": {"code", "message", "field"}}``.

Routers raise ``carbon.core.errors`` exceptions (or let services raise them) and never build error
responses themselves. ``code`` and ``field`` are for machines; ``message`` is for people, in Chinese unless the
request's Accept-Language starts with ``en`` or, without that header, CARBON_LANG=en (carbon/core/messages.py). A row
report keeps ``rows`` (reasons in English) and adds ``row_messages``, one line per bad row in that language.
Unexpected exceptions become a 500 with the same shape and no stack trace (the
trace goes to the server log).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from carbon.core import messages
from carbon.core.errors import (
    CarbonError,
    Conflict,
    Forbidden,
    ImportRejected,
    LimitExceeded,
    NotFound,
    TooLarge,
    Unauthorized,
    ValidationError,
)

STATUS_BY_ERROR: tuple[tuple[type[CarbonError], int], ...] = (
    (TooLarge, 413),  # before ValidationError: an upload or body beyond input_max_upload_bytes
    (ValidationError, 422),  # includes UnitError, GWPError, FactorError, ImportRejected, LimitExceeded (rows, columns, ...)
    (NotFound, 404),
    (Conflict, 409),
    (Forbidden, 403),
    (Unauthorized, 401),
)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
}


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict:
    return {"error": {"code": code, "message": message, "field": field, **extra}}


def request_lang(request: Request | None) -> str:
    """``en`` or ``zh`` for a request: its Accept-Language header if it has one, else CARBON_LANG."""
    header = request.headers.get("accept-language") if request is not None else None
    if header and header.strip() not in ("*", ""):
        return messages.normalise(header)
    return messages.current_lang()


def status_for(exc: CarbonError) -> int:
    """The error's own ``status`` if it names one (rate limits 429, WeChat's answers, a PDF renderer missing 503,
    an award whose outcome is unknown 503), else by its class."""
    own = getattr(exc, "status", None)
    if isinstance(own, int):
        return own
    for cls, status in STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return status
    return 400  # a domain error nobody mapped yet: the request was wrong, not the server


async def carbon_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CarbonError)
    extra: dict[str, Any] = {}
    lang = request_lang(request)
    if isinstance(exc, ImportRejected):
        extra["rows"] = [e.as_dict() for e in exc.errors]
        extra["row_messages"] = [e.text(lang) for e in exc.errors]
    if isinstance(exc, LimitExceeded):
        extra.update(exc.as_dict())  # limit, limit_value, actual, setting
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else {}
    if getattr(exc, "retry_after", None):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse(
        error_body(exc.code, exc.text(lang), exc.field, **extra), status_code=status_for(exc), headers=headers or None
    )


def _dotted(loc: tuple | list) -> str:
    return ".".join(str(part) for part in loc)


async def request_validation_handler(request: Request, exc: Exception) -> JSONResponse:
    """Pydantic request errors: the first bad field in ``field``, every one of them in ``details``."""
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    first = errors[0] if errors else {"loc": (), "msg": "invalid request", "type": "invalid"}
    lang = request_lang(request)
    details = [{"field": _dotted(e.get("loc", ())), "message": messages.request_error_text(e, lang)}
               for e in errors]
    field = _dotted(first.get("loc", ())) or None
    body = error_body("validation_error", messages.request_error_text(first, lang), field, details=details)
    return JSONResponse(body, status_code=422)


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors (unknown route 404, 405, …) in our shape too."""
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    return JSONResponse(
        error_body(code, str(exc.detail)), status_code=exc.status_code, headers=getattr(exc, "headers", None)
    )


async def unexpected_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Starlette re-raises the exception after this response, so the server logs the traceback once."""
    return JSONResponse(error_body("internal_error", "internal server error"), status_code=500)


async def unstorable_value_handler(request: Request, exc: Exception) -> JSONResponse:
    """A value the database refused (a number beyond its column, text it cannot hold): the request's fault, a 422.

    A safety net: parameters and fields carry bounds the database can hold (api/params.py), so this is reached only
    by a field nobody bounded yet. Its message cannot name the field; the log has the database's own words."""
    import logging

    logging.getLogger("carbon.api").warning("value refused by the database in %s %s: %s", request.method,
                                            request.url.path, exc)
    return JSONResponse(error_body("validation_error", messages.text("value_out_of_range", request_lang(request))),
                        status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    from sqlalchemy.exc import DataError

    app.add_exception_handler(DataError, unstorable_value_handler)
    app.add_exception_handler(OverflowError, unstorable_value_handler)
    app.add_exception_handler(CarbonError, carbon_error_handler)
    app.add_exception_handler(RequestValidationError, request_validation_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(Exception, unexpected_error_handler)
