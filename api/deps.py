"""Typed dependencies for routers: the request's session and the caller's identity.

Usage in a router::

    @router.get("/things")
    def list_things(session: SessionDep, user: CurrentUser): ...

    @router.post("/things", dependencies=[require_role("bureau")])
    def create_thing(session: SessionDep): ...

    @router.post("/reports")
    def submit(session: SessionDep, user: Annotated[ApiToken, require_role("emitter", "bureau")]): ...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from carbon.core.auth import authenticate
from carbon.core.db import session_scope
from carbon.core.errors import Forbidden, Unauthorized
from carbon.core.models import ROLES, ApiToken

class StrictBearer(HTTPBearer):
    """``Authorization: Bearer <token>``, or no Authorization header at all (``None``: anonymous).

    Any other Authorization header (``Basic ...``, a bare token, ``Bearer`` without a token) is a 401 with
    ``WWW-Authenticate: Bearer`` (issue 19): treating it as anonymous would hide a misconfigured client and let
    a public answer stand in for the one it meant to ask for."""

    async def __call__(self, request: Request) -> HTTPAuthorizationCredentials | None:  # type: ignore[override]
        authorization = request.headers.get("Authorization")
        if authorization is None:
            return None
        scheme, _, credentials = authorization.strip().partition(" ")
        credentials = credentials.strip()
        if scheme.lower() != "bearer" or not credentials or " " in credentials:
            raise Unauthorized(key="auth_malformed_header", field="Authorization")
        return HTTPAuthorizationCredentials(scheme="Bearer", credentials=credentials)


bearer = StrictBearer(auto_error=False, scheme_name="HTTPBearer", description="API token: `Authorization: Bearer <token>`")


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: commit once after the endpoint succeeded, roll back on any error.

    Used with ``scope="function"`` (below) so the commit happens *before* the response is sent: a
    failing commit then becomes an error response instead of a 200 for data that was never saved.
    """
    with session_scope(request.app.state.session_factory) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def get_current_user(session: SessionDep, credentials: BearerDep) -> ApiToken:
    if credentials is None:
        raise Unauthorized(key="auth_missing_token")
    return authenticate(session, credentials.credentials)


def get_optional_user(session: SessionDep, credentials: BearerDep) -> ApiToken | None:
    """The caller if a token was sent, else ``None`` (public). A token that *was* sent but is bad is
    still a 401: silently downgrading to public would hide a client's misconfiguration."""
    if credentials is None:
        return None
    return authenticate(session, credentials.credentials)


CurrentUser = Annotated[ApiToken, Depends(get_current_user)]
OptionalUser = Annotated[ApiToken | None, Depends(get_optional_user)]


def require_role(*roles: str) -> Any:
    """A dependency admitting only callers with one of ``roles`` (401 without a token, 403 otherwise).

    Roles are explicit: list "bureau" too where the bureau may act (DESIGN §5 gives it everything),
    so a forgotten role fails closed with a visible 403.
    """
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"require_role needs roles from {ROLES}, got {roles}")

    def check_role(user: CurrentUser) -> ApiToken:
        if user.role not in roles:
            raise Forbidden(key="auth_role_forbidden", params={"role": user.role, "roles": ", ".join(roles)})
        return user

    return Depends(check_role)


BureauUser = Annotated[ApiToken, require_role("bureau")]
