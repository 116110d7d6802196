"""碳普惠 residents: WeChat login, session tokens, the resident's row lock, display name, footprint, key pruning.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from carbon.core.db import UTCDateTime, utcnow
from carbon.core.errors import Conflict, NotFound, Unauthorized, ValidationError
from carbon.puhui import ledger
from carbon.puhui.common import Outcome, _statement, stored_outcome
from carbon.puhui.models import PuhuiAccount, PuhuiIdempotencyKey, PuhuiSession, PuhuiUser
from carbon.puhui.privacy import openid_hash
from carbon.puhui.wechat import Code2Session


# --- residents and sessions ------------------------------------------------------------------------------

SESSION_TTL = timedelta(days=30)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def login(session: Session, *, identity: Code2Session, secret: str, now: datetime | None = None) -> tuple[str, PuhuiUser]:
    """The resident for a WeChat identity (created on first login) and a new session token for them.

    Only the HMAC of the openid is stored. ``identity.session_key`` is dropped here: nothing in this project
    needs it yet (it would decrypt WeRun data), and what is not stored cannot leak.
    """
    now = now or utcnow()
    digest = openid_hash(secret, identity.openid)
    user = session.scalar(select(PuhuiUser).where(PuhuiUser.openid_hash == digest))
    if user is None:
        try:
            with session.begin_nested():
                user = PuhuiUser(openid_hash=digest, created_at=now)
                session.add(user)
                session.flush()
                session.add_all([PuhuiAccount(key=ledger.user_account(user.id, asset), asset=asset, user_id=user.id)
                                 for asset in ledger.ASSETS])
                session.flush()
        except IntegrityError:  # the same resident's first login, twice at once: the other one created them
            user = session.scalar(select(PuhuiUser).where(PuhuiUser.openid_hash == digest))
            if user is None:
                raise
    user.last_login_at = now
    token = secrets.token_urlsafe(32)
    session.add(PuhuiSession(token_hash=hash_token(token), user_id=user.id, created_at=now, expires_at=now + SESSION_TTL))
    session.flush()
    return token, user


def authenticate(session: Session, token: str | None, *, now: datetime | None = None) -> int:
    """The resident id for a session token; Unauthorized if missing, unknown, expired or erased."""
    if not token:
        raise Unauthorized(key="puhui_token_missing")
    now = now or utcnow()
    row = session.execute(
        select(PuhuiSession.user_id, PuhuiSession.expires_at)
        .join(PuhuiUser, PuhuiUser.id == PuhuiSession.user_id)
        .where(PuhuiSession.token_hash == hash_token(token), PuhuiUser.erased_at.is_(None))
    ).first()
    if row is None or row.expires_at <= now:
        raise Unauthorized(key="puhui_session_invalid")
    return row.user_id


LOCK_WAIT_MS = 5000  # how long an award waits for the resident's row lock (PostgreSQL) before a 409


def authenticate_and_lock(session: Session, token: str | None, *, now: datetime | None = None) -> int:
    """``authenticate`` and ``lock_user`` in one statement: the resident id for a session token, their row locked
    for the rest of the transaction. Unauthorized if the token is missing, unknown, expired or erased.

    The hot path of ``POST /behaviours`` (one round trip instead of a separate session plus two statements).
    PostgreSQL: ``SELECT ... FOR UPDATE OF puhui_users``; a waiter re-checks the locked row, so an erasure committed
    meanwhile makes it a 401. SQLite: ``UPDATE ... RETURNING`` as the transaction's first statement takes the write
    lock up front (see ``lock_user``).
    """
    if not token:
        raise Unauthorized(key="puhui_token_missing")
    now = now or utcnow()
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"

    def build():
        session_user = select(PuhuiSession.user_id).where(
            PuhuiSession.token_hash == bindparam("token_hash"),
            PuhuiSession.expires_at > bindparam("now", type_=UTCDateTime()))
        if sqlite:
            return (update(PuhuiUser.__table__)
                    .where(PuhuiUser.id == session_user.scalar_subquery(), PuhuiUser.erased_at.is_(None))
                    .values(erased_at=PuhuiUser.erased_at).returning(PuhuiUser.id))
        return (select(PuhuiUser.id).where(PuhuiUser.id.in_(session_user), PuhuiUser.erased_at.is_(None))
                .with_for_update(of=PuhuiUser.__table__))

    stmt = _statement(("authenticate_and_lock", sqlite), build)
    if not sqlite:
        # A waiter gives up after LOCK_WAIT instead of holding its worker thread for ever: with every thread of the
        # pool waiting on one resident's lock, the holder could not get a thread to finish and commit.
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'")
    try:
        user_id = conn.execute(stmt, {"token_hash": hash_token(token), "now": now}).scalar()
    except OperationalError as exc:
        if getattr(getattr(exc, "orig", None), "sqlstate", None) == "55P03":  # lock_not_available
            raise Conflict(key="puhui_resident_busy", field="authorization") from None
        raise
    if user_id is None:
        raise Unauthorized(key="puhui_session_invalid")
    return user_id


def _lock_resident(session: Session, user_id: int) -> None:
    """``lock_user`` in one statement, without loading the ORM object (the award path)."""
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"

    def build():
        if sqlite:
            return (update(PuhuiUser.__table__)
                    .where(PuhuiUser.id == bindparam("user_id"), PuhuiUser.erased_at.is_(None))
                    .values(erased_at=PuhuiUser.erased_at).returning(PuhuiUser.id))
        return (select(PuhuiUser.id).where(PuhuiUser.id == bindparam("user_id"), PuhuiUser.erased_at.is_(None))
                .with_for_update())

    if conn.execute(_statement(("lock", sqlite), build), {"user_id": user_id}).scalar() is None:
        raise Unauthorized(key="puhui_account_gone")


def lock_user(session: Session, user_id: int) -> PuhuiUser:
    """Lock the resident's row for the rest of the transaction: every write to their balance goes through here.

    PostgreSQL: ``SELECT ... FOR UPDATE``. SQLite has no row locks and one writer; a transaction that read
    first and then writes fails at once with "database is locked" if another one committed in between (see
    carbon/core/db.py), so on SQLite the lock is a no-op UPDATE that takes the write lock up front (waiting up to
    ``busy_timeout``). Call it before any other statement of the transaction on SQLite.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(PuhuiUser).where(PuhuiUser.id == user_id).values(erased_at=PuhuiUser.erased_at))
    user = session.scalar(select(PuhuiUser).where(PuhuiUser.id == user_id).with_for_update()
                          .execution_options(populate_existing=True))
    if user is None or user.erased_at is not None:
        raise Unauthorized(key="puhui_account_gone")
    return user


def set_display_name(session: Session, *, user_id: int, display_name: str | None) -> PuhuiUser:
    user = lock_user(session, user_id)
    name = (display_name or "").strip() or None
    if name is not None and len(name) > 64:
        raise ValidationError(key="puhui_display_name_long", field="display_name")
    user.display_name = name
    session.flush()
    return user


def _lock_and_replay(session: Session, user_id: int, key: str | None, route: str, digest: str) -> Outcome | None:
    """``lock_user``, then the Idempotency-Key lookup: the stored outcome, or None (go on).

    Two statements on purpose. On PostgreSQL (READ COMMITTED) a ``SELECT ... FOR UPDATE`` that waited for the lock
    re-checks the locked row only; a key row joined in the same statement would come from the snapshot taken
    *before* the wait and miss the key the other request just committed (the concurrency test caught exactly
    that). The lookup after the lock is a new statement with a new snapshot.
    """
    lock_user(session, user_id)
    if key is None:
        return None
    found = session.scalar(select(PuhuiIdempotencyKey).where(PuhuiIdempotencyKey.user_id == user_id,
                                                             PuhuiIdempotencyKey.key == key))
    if found is None:
        return None
    return stored_outcome(found, route, digest)


def prune_keys(session: Session, *, older_than: timedelta = timedelta(days=90), now: datetime | None = None) -> int:
    """Drop idempotency keys older than every claim window (a replay that old would be 'claim_too_old')."""
    cutoff = (now or utcnow()) - older_than
    rows = session.scalars(select(PuhuiIdempotencyKey).where(PuhuiIdempotencyKey.created_at < cutoff)).all()
    for r in rows:
        session.delete(r)
    session.flush()
    return len(rows)



# --- personal footprint --------------------------------------------------------------------------------------

def save_footprint(session: Session, *, user_id: int, answers: Any, raw: dict, now: datetime | None = None) -> dict:
    """Compute and keep a resident's footprint for one year (a new answer replaces that year's previous one)."""
    from carbon.factors.library import load_library
    from carbon.puhui import footprint
    from carbon.puhui.models import PuhuiFootprint

    lock_user(session, user_id)
    result = footprint.compute(answers, load_library(profile="CN"))
    old = session.scalar(select(PuhuiFootprint).where(PuhuiFootprint.user_id == user_id,
                                                      PuhuiFootprint.year == answers.year))
    if old is not None:
        session.delete(old)
        session.flush()
    session.add(PuhuiFootprint(user_id=user_id, year=answers.year, answers=raw, result=result, created_at=now or utcnow()))
    session.flush()
    return result


def get_footprint(session: Session, *, user_id: int, year: int) -> dict:
    from carbon.puhui.models import PuhuiFootprint

    fp = session.scalar(select(PuhuiFootprint).where(PuhuiFootprint.user_id == user_id, PuhuiFootprint.year == year))
    if fp is None:
        raise NotFound(key="puhui_footprint_not_found", params={"year": year}, field="year")
    return {"answers": fp.answers, "result": fp.result}
