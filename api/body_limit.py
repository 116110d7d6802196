"""A bound on every request body (issue 19): pure ASGI, installed by api/main.py.

A request whose ``Content-Length`` is above the limit is answered 413 before the app runs; a body without one
(chunked) is counted as it streams and refused at the first chunk past the limit, so no more than the limit
is ever buffered. Both answers have the usual error shape (api/errors.py). FastAPI's own ``max_body_size``
does the same but answers the declared case in plain text ("Content Too Large"), whatever the app's handlers say.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body
from carbon.core import messages


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, setting: str = "CARBON_INPUT_MAX_UPLOAD_BYTES") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.setting = setting

    def message(self, size: int, at_least: bool = False, lang: str | None = None) -> str:
        """The refusal in ``lang`` (Chinese unless English is asked for, as every error: carbon/core/messages.py)."""
        return messages.text("limit_body_at_least" if at_least else "limit_body", lang, size=f"{size:,}",
                             limit=f"{self.max_bytes:,}", setting=self.setting)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        asked = headers.get("accept-language")
        lang = messages.normalise(asked) if asked and asked.strip() not in ("*", "") else messages.current_lang()
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            body = error_body("too_large", self.message(int(declared), lang=lang), None, limit="body_bytes",
                              limit_value=self.max_bytes, actual=int(declared), setting=self.setting)
            await JSONResponse(body, status_code=413, headers={"Connection": "close"})(scope, receive, send)
            return
        total = 0

        async def counted() -> Message:
            nonlocal total
            message = await receive()
            if message["type"] == "http.request":
                total += len(message.get("body", b""))
                if total > self.max_bytes:  # FastAPI lets an HTTPException out of body parsing; api/errors.py shapes it
                    raise HTTPException(413, self.message(total, at_least=True, lang=lang))
            return message

        await self.app(scope, counted, send)
