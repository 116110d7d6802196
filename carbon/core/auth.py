"""API tokens: issue, authenticate, revoke. Pure session functions; the web layer lives in api/deps.py.

A token is 32 random bytes (``secrets.token_urlsafe``) shown once to whoever created it. Only its
SHA-256 is stored: tokens are high-entropy, so a plain fast hash is enough (no salt/KDF needed, unlike
passwords), and a leaked ``api_tokens`` table grants nothing. Lookup is by the hash's unique index.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbon.core.db import utcnow
from carbon.core.errors import NotFound, Unauthorized, ValidationError
from carbon.core.models import ROLES, ApiToken

__all__ = ["ROLES", "authenticate", "create_token", "hash_token", "revoke_token"]


def hash_token(token: str) -> str:
    """SHA-256 hex of a token: what is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, role: str, name: str) -> str:
    """Create a token for ``role`` and return it. The clear token is not stored anywhere."""
    if role not in ROLES:
        raise ValidationError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}", field="role")
    if not name or not name.strip():
        raise ValidationError("a token needs a name (who or what holds it)", field="name")
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=hash_token(token), role=role, name=name.strip()))
    session.flush()
    return token


def authenticate(session: Session, token: str | None) -> ApiToken:
    """The live ``ApiToken`` for ``token``; ``Unauthorized`` if it is missing, unknown or revoked.

    The three cases share one message so a caller cannot probe which tokens once existed.
    """
    if not token:
        raise Unauthorized("missing bearer token")
    found = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if found is None or found.revoked_at is not None:
        raise Unauthorized("invalid or revoked token")
    return found


def revoke_token(session: Session, token_id: int) -> ApiToken:
    """Mark a token revoked (kept for the audit trail, never deleted). Idempotent."""
    found = session.get(ApiToken, token_id)
    if found is None:
        raise NotFound(f"no token with id {token_id}", field="token_id")
    if found.revoked_at is None:
        found.revoked_at = utcnow()
        session.flush()
    return found
