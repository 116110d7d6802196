"""The console's session cookie: signed, HttpOnly, SameSite=Strict, holding no token.

The cookie holds ``{"t": token id or null, "c": CSRF token, "e": expiry}`` as base64url JSON plus an HMAC-SHA256
of it under a key derived from ``CARBON_TOKEN_SECRET``. The bearer token itself is never stored: sign-in checks it
as the API does (``carbon.core.auth.authenticate``) and keeps the token's row id; every request re-reads that row,
so revoking the token ends the session. The CSRF token is per session, new at every sign-in and sign-out, and
every POST of the console must carry it (``web.deps.checked_form``).

The API does not look at this cookie at all (api/deps.py reads the Authorization header only), so a page that
another site makes a browser load cannot use the session against ``/api/...``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

COOKIE = "carbon_console"
MAX_AGE_S = 8 * 3600  # one working day


@dataclass
class WebSession:
    token_id: int | None
    csrf: str
    expires: int

    @classmethod
    def new(cls, token_id: int | None = None) -> WebSession:
        return cls(token_id=token_id, csrf=secrets.token_urlsafe(32), expires=int(time.time()) + MAX_AGE_S)


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), b"carbon web console session v1", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def dump(session: WebSession, secret: str) -> str:
    body = _b64(json.dumps({"t": session.token_id, "c": session.csrf, "e": session.expires},
                           separators=(",", ":")).encode("utf-8"))
    mac = _b64(hmac.new(_key(secret), body.encode("ascii"), hashlib.sha256).digest())
    return f"{body}.{mac}"


def load(value: str | None, secret: str) -> WebSession | None:
    """The session in a cookie value; None if it is missing, altered, malformed or expired."""
    if not value or value.count(".") != 1:
        return None
    body, mac = value.split(".")
    want = _b64(hmac.new(_key(secret), body.encode("ascii"), hashlib.sha256).digest())
    if not hmac.compare_digest(mac, want):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        session = WebSession(token_id=data["t"], csrf=str(data["c"]), expires=int(data["e"]))
    except (ValueError, KeyError, TypeError):
        return None
    if session.token_id is not None and not isinstance(session.token_id, int):
        return None
    return session if session.expires > time.time() else None


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))
