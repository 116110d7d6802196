"""Request guards every route shares (issues 17 and 19), pure ASGI, installed by api/main.py.

- ``TextGuard``: text a database cannot store is a 422 before any route runs: a NUL character (PostgreSQL's text
  refuses it) or text that is not UTF-8 / has a lone surrogate (``"\\ud800"`` in JSON) in the path, the query
  string or a JSON body. The error names the field (``query.name``, ``body.a.b``, ``path``).
- ``CatchAll``: an unexpected exception becomes the usual 500 JSON answer and the connection stays open for the
  client's next request. (Starlette's ServerErrorMiddleware re-raises after its 500, and uvicorn then closes the
  connection: a keep-alive client saw its next request fail too.) The traceback goes to the log once.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import HTTP_CODES, error_body, request_lang
from carbon.core import messages

log = logging.getLogger("carbon.api")


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored as text (a NUL, a lone surrogate) as a message key (carbon/core/messages.py),
    or None."""
    if "\x00" in text:
        return "text_nul"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "text_surrogate"
    return None


def _bytes_problem(raw: bytes) -> str | None:
    if b"\x00" in raw:
        return "text_nul_raw"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "text_not_utf8"
    return None


def _query_problem(query: bytes) -> tuple[str, str] | None:
    for pair in query.split(b"&"):
        name, _, value = pair.partition(b"=")
        name_raw = unquote_to_bytes(name.replace(b"+", b" "))
        label = name_raw.decode("utf-8", "replace") or "query"
        for raw in (name_raw, unquote_to_bytes(value.replace(b"+", b" "))):
            problem = _bytes_problem(raw)
            if problem:
                return f"query.{label}", problem
    return None


def json_problem(value: Any, where: str = "body") -> tuple[str, str] | None:
    """The first string (key or value) in a decoded JSON document that cannot be stored, with its dotted path."""
    if isinstance(value, str):
        problem = text_problem(value)
        return (where, problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = text_problem(key)
            if problem:
                return f"{where}.{key.encode('utf-8', 'backslashreplace').decode()}", f"in_key:{problem}"
            found = json_problem(item, f"{where}.{key}")
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = json_problem(item, f"{where}.{i}")
            if found:
                return found
    return None


def _is_json(scope: Scope) -> bool:
    content_type = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


async def _refuse(scope: Scope, receive: Receive, send: Send, field: str, problem: str) -> None:
    """A 422 naming the field; ``problem`` is a message key (``in_key:`` before it when a JSON key is at fault)."""
    lang = request_lang(Request(scope))
    key = problem.removeprefix("in_key:")
    message = messages.text(key, lang)
    if key != problem:
        message = messages.text("text_in_key", lang, problem=message)
    body = error_body("validation_error", messages.text("text_refused", lang, field=field, problem=message), field,
                      details=[{"field": field, "message": message}])
    await JSONResponse(body, status_code=422)(scope, receive, send)


class TextGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path_problem = text_problem(scope.get("path", "")) or _bytes_problem(scope.get("raw_path") or b"")
        if path_problem:
            await _refuse(scope, receive, send, "path", path_problem)
            return
        query = _query_problem(scope.get("query_string", b""))
        if query:
            await _refuse(scope, receive, send, *query)
            return
        if not _is_json(scope):
            await self.app(scope, receive, send)
            return
        # A JSON body is read here (the body limit is enforced while it streams), checked, and handed on as is.
        chunks: list[bytes] = []
        try:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    await self.app(scope, _replay([message]), send)
                    return
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
        except HTTPException as exc:  # the body limit's 413, raised from inside receive()
            body = error_body(HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}"), str(exc.detail))
            await JSONResponse(body, status_code=exc.status_code)(scope, receive, send)
            return
        body = b"".join(chunks)
        found = _body_problem(body)
        if found:
            await _refuse(scope, receive, send, *found)
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)


def _body_problem(body: bytes) -> tuple[str, str] | None:
    problem = _bytes_problem(body)
    if problem:
        return "body", problem
    if b"\\u" not in body:  # no escapes: no NUL or surrogate can be in it (a raw NUL is not valid JSON anyway)
        return None
    try:
        document = json.loads(body)
    except ValueError:
        return None  # not JSON: the route's validation says so, in its own words
    return json_problem(document)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()  # after the body: a disconnect, when the client goes
        return {"type": "http.disconnect"}

    return receive


class CatchAll:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            if started:
                raise  # half a response is out: only closing the connection can tell the client
            log.exception("unexpected error in %s %s", scope.get("method"), scope.get("path"))
            response = JSONResponse(error_body("internal_error", "internal server error"), status_code=500)
            await response(scope, receive, send)
