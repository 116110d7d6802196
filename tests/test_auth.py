"""Token creation, authentication and revocation (pure session functions, both backends)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from carbon.core.auth import ROLES, authenticate, create_token, revoke_token
from carbon.core.errors import NotFound, Unauthorized, ValidationError
from carbon.core.models import ApiToken


def test_create_and_authenticate(session):
    token = create_token(session, "verifier", "内蒙古某核查机构")
    user = authenticate(session, token)
    assert (user.role, user.name) == ("verifier", "内蒙古某核查机构")
    assert user.created_at.tzinfo is not None


def test_only_the_hash_is_stored(session):
    token = create_token(session, "bureau", "x")
    stored = session.scalar(select(ApiToken))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.token_hash, stored.name}


def test_tokens_are_unique(session):
    assert len({create_token(session, "citizen", f"c{i}") for i in range(20)}) == 20


@pytest.mark.parametrize("token", [None, "", "not-a-token"])
def test_bad_token(session, token):
    with pytest.raises(Unauthorized):
        authenticate(session, token)


def test_revoked_token(session):
    token = create_token(session, "emitter", "x")
    user = authenticate(session, token)
    revoke_token(session, user.id)
    with pytest.raises(Unauthorized):
        authenticate(session, token)
    assert revoke_token(session, user.id).revoked_at is not None  # idempotent


def test_revoke_unknown(session):
    with pytest.raises(NotFound):
        revoke_token(session, 12345)


def test_create_validates(session):
    assert ROLES == ("bureau", "verifier", "emitter", "citizen")
    with pytest.raises(ValidationError) as err:
        create_token(session, "admin", "x")
    assert err.value.field == "role"
    with pytest.raises(ValidationError):
        create_token(session, "bureau", "  ")
