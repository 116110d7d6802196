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
        raise ValidationError(key="auth_unknown_role", params={"role": role, "known": ", ".join(ROLES)}, field="role")
    if not name or not name.strip():
        raise ValidationError(key="auth_token_name_missing", field="name")
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=hash_token(token), role=role, name=name.strip()))
    session.flush()
    return token


def authenticate(session: Session, token: str | None) -> ApiToken:
    """The live ``ApiToken`` for ``token``; ``Unauthorized`` if it is missing, unknown or revoked.

    The three cases share one message so a caller cannot probe which tokens once existed.
    """
    if not token:
        raise Unauthorized(key="auth_missing_token")
    found = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if found is None or found.revoked_at is not None:
        raise Unauthorized(key="auth_invalid_token")
    return found


def revoke_token(session: Session, token_id: int) -> ApiToken:
    """Mark a token revoked (kept for the audit trail, never deleted). Idempotent."""
    found = session.get(ApiToken, token_id)
    if found is None:
        raise NotFound(key="auth_token_not_found", params={"id": token_id}, field="token_id")
    if found.revoked_at is None:
        found.revoked_at = utcnow()
        session.flush()
    return found
