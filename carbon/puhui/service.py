"""碳普惠 services: login, claims, the points ledger, redemption, expiry, pooling and offset claims.

Keyword-only functions on a session; none of them commits (the request or the CLI job commits once).

Concurrency. Every write that touches a resident's balance first locks that resident's row
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite has a single writer anyway). Under the lock the service
checks the Idempotency-Key, the caps (which read the resident's earlier claims) and the balance, then appends
the journal with ``balance_after`` on the resident's postings. So:

- 50 concurrent replays of one key: one runs, the other 49 wait for the lock, then find the key and replay
  the stored response (one award);
- the last reward in stock: ``UPDATE puhui_rewards SET stock = stock - 1 WHERE id = :id AND stock > 0`` is
  atomic; the second buyer's update waits for the first commit, re-reads the row and updates nothing: 409;
- the same operator trip claimed by two residents at once: the unique ``trip_ref`` index lets one commit and
  the other gets 409.

The API decides awards in groups (carbon/puhui/award_batch.py: one transaction for the claims that arrive
together, on PostgreSQL) with ``plan_award`` below; ``record_behaviour`` is the single path it falls back to, and
what the CLI, SQLite and the tests use.

The single award path keeps the same lock and the same checks in few round trips:
``authenticate_and_lock`` (token -> resident, locked, one statement), one SELECT for everything read after the
lock (methodology row, Idempotency-Key, the period's earlier claims, the ledger accounts and their balances), then
Core INSERTs for the journal, its postings, the behaviour and the key. Statements are built once per process (SQL
only); methodologies are read from the database on every award and only their parsing is cached, keyed by the
row's full content, so a new version or another database is never served from a stale cache.

Lock order is resident, then the pool account, then a reward row: no two services take them the other way
round, so they cannot deadlock.

Time: every function takes ``now`` (default: the current UTC time) so tests can place claims and expiry
runs in time without sleeping.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import String, bindparam, cast, func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from carbon.core.db import UTCDateTime, utcnow
from carbon.core.errors import Conflict, NotFound, Unauthorized, ValidationError
from carbon.puhui import ledger, methodologies, rules
from carbon.puhui.methodologies import Methodology
from carbon.puhui.models import (
    PuhuiAccount,
    PuhuiBehaviour,
    PuhuiClaimAllocation,
    PuhuiIdempotencyKey,
    PuhuiJournal,
    PuhuiMethodology,
    PuhuiOffsetClaim,
    PuhuiPosting,
    PuhuiRedemption,
    PuhuiReward,
    PuhuiSession,
    PuhuiUser,
)
from carbon.puhui.privacy import openid_hash, trip_ref
from carbon.puhui.wechat import Code2Session

SESSION_TTL = timedelta(days=30)
POLICY = ledger.load_policy()
TRACKED = ("user:", ledger.POOL)  # accounts whose postings carry balance_after (must never go negative)


def conflict(code: str, message: str, field: str | None = None) -> Conflict:
    exc = Conflict(message, field=field)
    exc.code = code
    return exc


class IdempotencyKeyReused(ValidationError):
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class Outcome:
    """What a write returns: the HTTP status and body, and whether it was a replay of an earlier request."""

    status: int
    body: dict
    replayed: bool = False


_STATEMENTS: dict[Any, Any] = {}  # SQL structure only (no data), built once per process: see _statement


def _statement(name: Any, build):
    """A Core statement with bind parameters, built once. Building a large Core statement costs more Python than
    running it (coercions); the award path runs the same few statements every time with new parameters."""
    stmt = _STATEMENTS.get(name)
    if stmt is None:
        stmt = _STATEMENTS[name] = build()
    return stmt


# --- residents and sessions ------------------------------------------------------------------------------

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
        raise Unauthorized("missing bearer token")
    now = now or utcnow()
    row = session.execute(
        select(PuhuiSession.user_id, PuhuiSession.expires_at)
        .join(PuhuiUser, PuhuiUser.id == PuhuiSession.user_id)
        .where(PuhuiSession.token_hash == hash_token(token), PuhuiUser.erased_at.is_(None))
    ).first()
    if row is None or row.expires_at <= now:
        raise Unauthorized("invalid or expired session; log in again")
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
        raise Unauthorized("missing bearer token")
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
            raise Conflict("another request of this resident is still being processed; retry shortly",
                           field="authorization") from None
        raise
    if user_id is None:
        raise Unauthorized("invalid or expired session; log in again")
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
        raise Unauthorized("this account no longer exists")


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
        raise Unauthorized("this account no longer exists")
    return user


def set_display_name(session: Session, *, user_id: int, display_name: str | None) -> PuhuiUser:
    user = lock_user(session, user_id)
    name = (display_name or "").strip() or None
    if name is not None and len(name) > 64:
        raise ValidationError("display_name: at most 64 characters", field="display_name")
    user.display_name = name
    session.flush()
    return user


# --- per-resident idempotency ------------------------------------------------------------------------------

def request_hash(fingerprint: Any) -> str:
    canonical = json.dumps(fingerprint, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def stored_outcome(found: Any, route: str, digest: str) -> Outcome:
    """The stored response for a key seen before; IdempotencyKeyReused when it came with another request."""
    if found.route != route or found.request_hash != digest:
        raise IdempotencyKeyReused(f"Idempotency-Key was already used for a different request ({found.route}); "
                                   "use a new key for a new request", field="Idempotency-Key")
    return Outcome(found.status_code, found.response, replayed=True)


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


def _remember(session: Session, user_id: int, key: str | None, route: str, digest: str, outcome: Outcome,
              now: datetime) -> Outcome:
    if key is not None:
        session.add(PuhuiIdempotencyKey(user_id=user_id, key=key, route=route, request_hash=digest,
                                        status_code=outcome.status, response=outcome.body, created_at=now))
        session.flush()
    return outcome


# --- ledger persistence -------------------------------------------------------------------------------------

def _account_ids(session: Session, keys: set[str]) -> dict[str, int]:
    rows = session.execute(select(PuhuiAccount.key, PuhuiAccount.id).where(PuhuiAccount.key.in_(keys))).all()
    found = {k: i for k, i in rows}
    missing = keys - found.keys()
    if missing:
        raise NotFound(f"ledger accounts missing: {', '.join(sorted(missing))} (run the migrations)")
    return found


def _balance(session: Session, account_id: int) -> int:
    """Balance of a tracked account: its latest ``balance_after`` (the sum of its postings, kept under lock)."""
    value = session.scalar(select(PuhuiPosting.balance_after).where(PuhuiPosting.account_id == account_id)
                           .order_by(PuhuiPosting.id.desc()).limit(1))
    return int(value or 0)


def _sum(session: Session, account_id: int) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(PuhuiPosting.amount), 0))
                              .where(PuhuiPosting.account_id == account_id)))


def post(session: Session, journal: ledger.Journal, *, now: datetime) -> int:
    """Append one balanced journal; returns its id. ``balance_after`` for residents' accounts and the pool,
    which the caller has locked; InsufficientBalance if one would go negative."""
    keys = {p.account for p in journal.postings}
    latest = (select(PuhuiPosting.balance_after).where(PuhuiPosting.account_id == PuhuiAccount.id)
              .order_by(PuhuiPosting.id.desc()).limit(1).scalar_subquery())
    found = {k: (i, b) for k, i, b in session.execute(select(PuhuiAccount.key, PuhuiAccount.id, latest)
                                                      .where(PuhuiAccount.key.in_(keys)))}
    if keys - found.keys():
        raise NotFound(f"ledger accounts missing: {', '.join(sorted(keys - found.keys()))} (run the migrations)")
    ids = {k: i for k, (i, _) in found.items()}
    row = PuhuiJournal(kind=journal.kind, reference=journal.reference, created_at=now)
    session.add(row)
    session.flush()
    values = []
    for p in journal.postings:
        after = None
        if p.account.startswith(TRACKED):
            after = int(found[p.account][1] or 0) + p.amount
            if after < 0:
                raise ledger.InsufficientBalance(f"{p.account} would go to {after}")
        values.append({"journal_id": row.id, "account_id": ids[p.account], "amount": p.amount,
                       "balance_after": after, "created_at": now})
    session.execute(PuhuiPosting.__table__.insert(), values)
    return row.id


def _posting_rows(journal: ledger.Journal, found: dict[str, tuple[int, int]]) -> list[dict]:
    """The postings of ``journal`` as rows, for a caller that has already read the accounts under the lock
    (``found``: key -> (id, latest balance_after)); InsufficientBalance if a tracked account would go negative."""
    missing = {p.account for p in journal.postings} - found.keys()
    if missing:
        raise NotFound(f"ledger accounts missing: {', '.join(sorted(missing))} (run the migrations)")
    rows = []
    for p in journal.postings:
        after = None
        if p.account.startswith(TRACKED):
            after = found[p.account][1] + p.amount
            if after < 0:
                raise ledger.InsufficientBalance(f"{p.account} would go to {after}")
        rows.append({"account_id": found[p.account][0], "amount": p.amount, "balance_after": after})
    return rows


_POSTING_COLUMNS = ("journal_id", "account_id", "amount", "balance_after", "created_at")


def _insert_journal(conn, journal: ledger.Journal, postings: list[dict], *, now: datetime) -> int:
    """Two Core statements: the journal (RETURNING its id), then all its postings in one multi-row INSERT."""
    jt, pt = PuhuiJournal.__table__, PuhuiPosting.__table__
    journal_id = conn.execute(_statement("journal", lambda: insert(jt).returning(jt.c.id)),
                              {"kind": journal.kind, "reference": journal.reference, "created_at": now}).scalar_one()
    n = len(postings)
    stmt = _statement(("postings", n), lambda: insert(pt).values(
        [{c: bindparam(f"{c}_{i}", type_=pt.c[c].type) for c in _POSTING_COLUMNS} for i in range(n)]))
    params = {}
    for i, row in enumerate(postings):
        params.update({f"journal_id_{i}": journal_id, f"created_at_{i}": now,
                       **{f"{c}_{i}": row[c] for c in ("account_id", "amount", "balance_after")}})
    conn.execute(stmt, params)
    return journal_id


# the keys of plan_award's behaviour row, as the batched writer inserts them (carbon/puhui/award_batch.py)
BEHAVIOUR_COLUMNS = ("user_id", "methodology_id", "code", "version", "quantity", "unit", "quantity_in_unit",
                     "eligible_quantity", "occurred_at", "local_date", "duration_s", "operator", "trip_id", "trip_ref",
                     "reduction_exact", "reduction_g", "points", "capped", "cap_reason", "pooled_g", "retired_g",
                     "created_at")


def user_balance(session: Session, *, user_id: int, asset: str = "points") -> int:
    ids = _account_ids(session, {ledger.user_account(user_id, asset)})
    return _balance(session, ids[ledger.user_account(user_id, asset)])


# --- methodologies -------------------------------------------------------------------------------------------

METHOD_COLUMNS = ("code", "version", "name_zh", "behaviour", "quantity_unit", "factor", "factor_unit", "confidence",
                  "baseline", "source", "cap_period", "cap_claims", "cap_quantity", "speed_min_kmh", "speed_max_kmh",
                  "step_length_m", "max_quantity_per_claim", "window_days", "evidence_required", "valid_from", "note")


def _row_values(row: PuhuiMethodology) -> tuple:
    return tuple(getattr(row, c) for c in METHOD_COLUMNS)


@lru_cache(maxsize=256)
def _methodology_of(values: tuple) -> Methodology:
    row = {c: ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v))
           for c, v in zip(METHOD_COLUMNS, values, strict=True)}
    return methodologies.from_row(row)


def as_methodology(row: PuhuiMethodology) -> Methodology:
    return _methodology_of(_row_values(row))


def _method_values(m: Methodology) -> dict:
    def text(v):
        return None if v is None else str(v)

    return {"code": m.code, "version": m.version, "name_zh": m.name_zh, "behaviour": m.behaviour,
            "quantity_unit": m.quantity_unit, "factor": str(m.factor), "factor_unit": m.factor_unit,
            "confidence": m.confidence, "baseline": m.baseline, "source": m.source, "cap_period": m.cap_period,
            "cap_claims": m.cap_claims, "cap_quantity": text(m.cap_quantity), "speed_min_kmh": text(m.speed_min_kmh),
            "speed_max_kmh": text(m.speed_max_kmh), "step_length_m": text(m.step_length_m),
            "max_quantity_per_claim": text(m.max_quantity_per_claim), "window_days": m.window_days,
            "evidence_required": m.evidence_required, "valid_from": m.valid_from, "note": m.note}


def current_methodology(session: Session, *, code: str, on: date) -> PuhuiMethodology:
    """The newest version of ``code`` in force on ``on`` (valid_from <= on)."""
    row = session.scalar(select(PuhuiMethodology)
                         .where(PuhuiMethodology.code == code, PuhuiMethodology.valid_from <= on)
                         .order_by(PuhuiMethodology.version.desc()).limit(1))
    if row is None:
        known = session.scalars(select(PuhuiMethodology.code).distinct()).all()
        raise ValidationError(f"type {code!r} has no methodology in force on {on}; known: {', '.join(sorted(known))}",
                              field="type")
    return row


def list_methodologies(session: Session, *, code: str | None = None) -> list[PuhuiMethodology]:
    q = select(PuhuiMethodology).order_by(PuhuiMethodology.code, PuhuiMethodology.version)
    if code:
        q = q.where(PuhuiMethodology.code == code)
    return list(session.scalars(q))


def add_methodology(session: Session, *, data: dict, origin: str, now: datetime | None = None) -> PuhuiMethodology:
    """A new methodology, or a new version of one (``version`` omitted: the next one). Existing versions are
    never changed: the same (code, version) again is a 409."""
    data = dict(data)
    code = str(data.get("code", "")).strip()
    latest = session.scalar(select(func.max(PuhuiMethodology.version)).where(PuhuiMethodology.code == code))
    if data.get("version") is None:
        data["version"] = (latest or 0) + 1
    strings = {k: ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v)) for k, v in data.items()}
    m = methodologies.from_row(strings)
    if session.scalar(select(PuhuiMethodology.id).where(PuhuiMethodology.code == m.code,
                                                        PuhuiMethodology.version == m.version)) is not None:
        raise conflict("methodology_exists", f"{m.ref} exists; versions are never edited, add version "
                       f"{(latest or 0) + 1}", field="version")
    row = PuhuiMethodology(**_method_values(m), origin=origin[:120], created_at=now or utcnow())
    session.add(row)
    session.flush()
    return row


@dataclass
class SyncReport:
    added: list[str]
    unchanged: int


def sync_methodologies(session: Session, *, now: datetime | None = None) -> SyncReport:
    """Insert the shipped editions' methodologies that the database lacks. A stored row that differs from the
    file is an error (a data file was edited in place)."""
    stored = {(r.code, r.version): r for r in list_methodologies(session)}
    added, unchanged = [], 0
    for m in methodologies.load_all():
        row = stored.get((m.code, m.version))
        if row is not None:
            if as_methodology(row) != m:
                raise conflict("methodology_changed", f"{m.ref} in the data files differs from the stored row: "
                               "never edit a methodology in place, add a version")
            unchanged += 1
            continue
        session.add(PuhuiMethodology(**_method_values(m), origin="data files", created_at=now or utcnow()))
        added.append(m.ref)
    session.flush()
    return SyncReport(added, unchanged)


# --- claims ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    type: str
    quantity: Decimal
    unit: str
    occurred_at: datetime
    duration_s: int | None = None
    operator: str | None = None
    trip_id: str | None = None


def _num(value: Decimal) -> str:
    """A decimal as plain text without exponent or trailing zeros ('215.2', '8', '20000')."""
    return format(value.normalize(), "f")


def _build_snapshot(with_key: bool):
    m, b, k, a, p = (PuhuiMethodology.__table__.c, PuhuiBehaviour.__table__.c, PuhuiIdempotencyKey.__table__.c,
                     PuhuiAccount.__table__.c, PuhuiPosting.__table__.c)
    earlier = (select(func.aggregate_strings(cast(b.local_date, String) + "|" + b.eligible_quantity, ";"))
               .where(b.user_id == bindparam("user_id"), b.code == bindparam("code"),
                      b.local_date >= bindparam("first"), b.local_date <= bindparam("last"))
               .scalar_subquery())
    latest = (select(p.balance_after).where(p.account_id == a.id).order_by(p.id.desc()).limit(1)
              .correlate(PuhuiAccount.__table__).scalar_subquery())
    accounts = (select(func.aggregate_strings(a.key + "|" + cast(a.id, String) + "|"
                                              + func.coalesce(cast(latest, String), ""), ";"))
                .where(a.key.in_([bindparam("acct_1"), bindparam("acct_2"), bindparam("acct_3"), bindparam("acct_4")]))
                .scalar_subquery())
    extra = []
    if with_key:
        extra = [select(k.route + "|" + k.request_hash)
                 .where(k.user_id == bindparam("user_id"), k.key == bindparam("key"))
                 .scalar_subquery().label("key_hit")]
    return (select(*(m[c] for c in METHOD_COLUMNS), m.id, earlier.label("earlier"), accounts.label("accounts"),
                   *extra)
            .where(m.code == bindparam("code"), m.valid_from <= bindparam("day"))
            .order_by(m.version.desc()).limit(1))


def _award_snapshot(session: Session, *, user_id: int, code: str, day: date, key: str | None):
    """Everything the award reads, in ONE statement (run after the resident's lock, so it sees every commit
    made before the lock was granted): the methodology of ``code`` in force on ``day`` (all its columns), the
    Idempotency-Key's route and request hash, the resident's eligible quantities of ``code`` in ``day``'s month
    (``local_date|quantity;...``: covers a daily and a monthly cap period; the caller filters by the period),
    and the award's four ledger accounts with their latest ``balance_after`` (``key|id|balance;...``).
    None when no methodology of ``code`` is in force on ``day``."""
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    stmt = _statement(("snapshot", key is not None), lambda: _build_snapshot(key is not None))
    params = {"user_id": user_id, "code": code, "day": day, "first": first, "last": last,
              "acct_1": ledger.ISSUANCE, "acct_2": ledger.REDUCTION_ISSUANCE,
              "acct_3": ledger.user_account(user_id, "points"), "acct_4": ledger.user_account(user_id, "reduction_g")}
    if key is not None:
        params["key"] = key
    return session.connection().execute(stmt, params).first()


def _replay(session: Session, user_id: int, key: str, route: str, digest: str) -> Outcome | None:
    k = PuhuiIdempotencyKey.__table__.c
    found = session.connection().execute(select(k.route, k.request_hash, k.status_code, k.response)
                                         .where(k.user_id == user_id, k.key == key)).first()
    if found is None:
        return None
    return stored_outcome(found, route, digest)


@dataclass(frozen=True)
class PlannedAward:
    """The writes of one award, decided under the resident's lock from what ``_award_snapshot`` read.

    ``body`` is the response with ``"id": 0`` until the behaviour row has its id; ``behaviour``, ``postings`` and
    ``key`` are the rows to insert without their ids; ``journal`` and ``postings`` are None when nothing is earned
    (fully capped); ``key`` is None without an Idempotency-Key."""

    journal: ledger.Journal | None
    postings: list[dict] | None
    behaviour: dict
    body: dict
    key: dict | None


def plan_award(snap: Any, *, user_id: int, claim: Claim, secret: str, digest: str, idempotency_key: str | None,
               route: str, now: datetime) -> PlannedAward:
    """Units, plausibility, caps and the ledger postings of one claim: no database access.

    ``snap`` is a row with the methodology's ``METHOD_COLUMNS`` first, then ``id`` (the methodology row),
    ``earlier`` (``local_date|eligible_quantity;...`` of the resident's claims of this code in the month) and
    ``accounts`` (``key|id|latest balance_after;...``): what ``_award_snapshot`` returns, or the group-commit
    writer's snapshot of many claims (carbon/puhui/award_batch.py). Raises the rule's error (422) when a check fails.
    """
    day = rules.local_date(claim.occurred_at)
    m = _methodology_of(tuple(snap[:len(METHOD_COLUMNS)]))
    quantity = methodologies.to_method_unit(m, claim.quantity, claim.unit)
    has_evidence = bool(claim.operator and claim.trip_id)
    rules.check_claim(m, quantity=quantity, occurred_at=claim.occurred_at, now=now, duration_s=claim.duration_s,
                      has_evidence=has_evidence)
    ref = trip_ref(secret, claim.operator, claim.trip_id) if has_evidence else None  # unique: see the INSERT below
    bounds = rules.period_bounds(m, day)
    earlier = []
    if bounds is not None and snap.earlier:
        lo, hi = bounds[0].isoformat(), bounds[1].isoformat()
        for item in snap.earlier.split(";"):
            on, _, q = item.partition("|")
            if lo <= on <= hi:
                earlier.append(Decimal(q))
    cap = rules.apply_caps(m, quantity=quantity, earlier=earlier)
    exact = methodologies.reduction_g(m, cap.eligible)
    points = methodologies.points_for(exact)

    journal = ledger.award(user_id, points, points)  # 1 point = 1 g: the same whole grams in both assets
    postings = None
    if journal is not None:
        found = {}
        for item in (snap.accounts or "").split(";"):
            if item:
                account, account_id, balance = item.split("|")
                found[account] = (int(account_id), int(balance) if balance else 0)
        postings = _posting_rows(journal, found)
    behaviour = dict(
        user_id=user_id, methodology_id=snap.id, code=m.code, version=m.version, quantity=_num(claim.quantity),
        unit=claim.unit, quantity_in_unit=_num(quantity), eligible_quantity=_num(cap.eligible),
        occurred_at=claim.occurred_at, local_date=day, duration_s=claim.duration_s,
        operator=claim.operator if has_evidence else None, trip_id=claim.trip_id if has_evidence else None,
        trip_ref=ref, reduction_exact=_num(exact), reduction_g=points, points=points, capped=cap.capped,
        cap_reason=cap.reason, pooled_g=0, retired_g=0, created_at=now)
    body = {
        "id": 0,  # the behaviour's id, known after the INSERT
        "reduction_g": points,
        "points": points,
        "methodology": {"code": m.code, "version": m.version},
        "capped": cap.capped,
        "cap_reason": cap.reason,
        "calculation": {
            "quantity": _num(quantity), "unit": m.quantity_unit, "eligible_quantity": _num(cap.eligible),
            "factor": str(m.factor), "factor_unit": m.factor_unit, "reduction_g_exact": _num(exact),
            "rounding": "points = reduction rounded down to whole grams, after caps",
        },
    }
    key = None
    if idempotency_key is not None:
        key = dict(user_id=user_id, key=idempotency_key, route=route, request_hash=digest, status_code=201,
                   created_at=now)
    return PlannedAward(journal, postings, behaviour, body, key)


def record_behaviour(session: Session, *, user_id: int, claim: Claim, secret: str, idempotency_key: str | None = None,
                     fingerprint: Any = None, now: datetime | None = None, route: str = "behaviours",
                     locked: bool = False) -> Outcome:
    """Check, cap and record one behaviour; award its points and grams. See the module docstring for locking.

    ``locked``: the caller already holds the resident's lock in this transaction (``authenticate_and_lock``).

    Written for few round trips: the lock (one statement, or none when ``locked``), one SELECT for everything read
    (``_award_snapshot``), then Core INSERTs: the journal, its postings (one multi-row statement), the behaviour,
    the Idempotency-Key. Same rules and the same order of checks as
    the rest of this module: the key first (replay or 422), then the methodology, units, plausibility, caps.
    """
    now = now or utcnow()
    digest = request_hash(fingerprint if fingerprint is not None else claim.__dict__)
    if not locked:
        _lock_resident(session, user_id)
    day = rules.local_date(claim.occurred_at)
    snap = _award_snapshot(session, user_id=user_id, code=claim.type, day=day, key=idempotency_key)
    if idempotency_key is not None and (snap is None or snap.key_hit is not None):
        replayed = _replay(session, user_id, idempotency_key, route, digest)
        if replayed is not None:
            return replayed
    if snap is None:
        current_methodology(session, code=claim.type, on=day)  # raises the 422 naming the known types
        raise AssertionError("unreachable: no methodology in force")  # pragma: no cover
    plan = plan_award(snap, user_id=user_id, claim=claim, secret=secret, digest=digest,
                      idempotency_key=idempotency_key, route=route, now=now)
    conn = session.connection()
    journal, postings, behaviour, body, key = plan.journal, plan.postings, plan.behaviour, plan.body, plan.key
    try:
        journal_id = _insert_journal(conn, journal, postings, now=now) if postings is not None else None
        bt = PuhuiBehaviour.__table__
        body["id"] = conn.execute(_statement("behaviour", lambda: insert(bt).returning(bt.c.id)),
                                  {**behaviour, "journal_id": journal_id}).scalar_one()
        if key is not None:
            conn.execute(_statement("key", lambda: insert(PuhuiIdempotencyKey.__table__)), {**key, "response": body})
    except IntegrityError as exc:  # this trip was claimed before, or by a concurrent request that committed first
        if "trip_ref" in str(exc.orig):
            raise conflict("duplicate_trip", "this operator trip has already been claimed",
                           field="evidence.trip_id") from None
        raise
    return Outcome(201, body)


# --- expiry -------------------------------------------------------------------------------------------------

def _points_account(session: Session, user_id: int) -> int:
    key = ledger.user_account(user_id, "points")
    return _account_ids(session, {key})[key]


def due_expiry(session: Session, *, user_id: int, now: datetime, policy: ledger.ExpiryPolicy = POLICY) -> int:
    """Points of ``user_id`` that have expired by ``now`` and are still on the account (FIFO)."""
    account = _points_account(session, user_id)
    cutoff = policy.earned_before_expires(now)
    earned_before = int(session.scalar(select(func.coalesce(func.sum(PuhuiPosting.amount), 0)).where(
        PuhuiPosting.account_id == account, PuhuiPosting.amount > 0, PuhuiPosting.created_at < cutoff)))
    debited = -int(session.scalar(select(func.coalesce(func.sum(PuhuiPosting.amount), 0)).where(
        PuhuiPosting.account_id == account, PuhuiPosting.amount < 0)))
    return max(0, earned_before - debited)


def apply_expiry(session: Session, *, user_id: int, now: datetime | None = None,
                 policy: ledger.ExpiryPolicy = POLICY) -> int:
    """Post the expiry of ``user_id``'s due points (caller holds the resident's lock). Returns the points."""
    now = now or utcnow()
    points = due_expiry(session, user_id=user_id, now=now, policy=policy)
    if points:
        cutoff = policy.earned_before_expires(now).astimezone(policy.tz).date()
        post(session, ledger.expiry(user_id, points, reference=f"earned before {cutoff}"), now=now)
    return points


def expire_all(session: Session, *, now: datetime | None = None, policy: ledger.ExpiryPolicy = POLICY) -> dict:
    """The expiry job: every resident holding points earned before the cut-off. Idempotent."""
    now = now or utcnow()
    cutoff = policy.earned_before_expires(now)
    user_ids = session.scalars(
        select(PuhuiAccount.user_id).distinct().join(PuhuiPosting, PuhuiPosting.account_id == PuhuiAccount.id)
        .where(PuhuiAccount.asset == "points", PuhuiAccount.user_id.is_not(None), PuhuiPosting.amount > 0,
               PuhuiPosting.created_at < cutoff).order_by(PuhuiAccount.user_id)).all()
    residents = points = 0
    for uid in user_ids:
        user = session.scalar(select(PuhuiUser).where(PuhuiUser.id == uid).with_for_update())
        if user is None:
            continue
        n = apply_expiry(session, user_id=uid, now=now, policy=policy)
        if n:
            residents += 1
            points += n
    return {"as_of": now.isoformat(), "earned_before": cutoff.isoformat(), "residents": residents, "points": points,
            "policy_version": policy.version}


# --- rewards and redemption --------------------------------------------------------------------------------

def list_rewards(session: Session, *, include_inactive: bool = False) -> list[PuhuiReward]:
    q = select(PuhuiReward).order_by(PuhuiReward.id)
    if not include_inactive:
        q = q.where(PuhuiReward.active.is_(True))
    return list(session.scalars(q))


def create_reward(session: Session, *, name: str, cost_points: int, stock: int, description: str = "",
                  now: datetime | None = None) -> PuhuiReward:
    if not name.strip():
        raise ValidationError("a reward needs a name", field="name")
    if cost_points <= 0:
        raise ValidationError("cost_points must be positive", field="cost_points")
    if stock < 0:
        raise ValidationError("stock must not be negative", field="stock")
    reward = PuhuiReward(name=name.strip(), description=description, cost_points=cost_points, stock=stock,
                         active=True, created_at=now or utcnow())
    session.add(reward)
    session.flush()
    return reward


def update_reward(session: Session, *, reward_id: int, name: str | None = None, description: str | None = None,
                  cost_points: int | None = None, active: bool | None = None, stock_add: int | None = None) -> PuhuiReward:
    """Change a reward. Stock changes are relative (``stock_add``), applied atomically, so a restock never
    overwrites redemptions happening at the same moment."""
    reward = session.get(PuhuiReward, reward_id)
    if reward is None:
        raise NotFound(f"no reward {reward_id}", field="reward_id")
    if name is not None:
        if not name.strip():
            raise ValidationError("a reward needs a name", field="name")
        reward.name = name.strip()
    if description is not None:
        reward.description = description
    if cost_points is not None:
        if cost_points <= 0:
            raise ValidationError("cost_points must be positive", field="cost_points")
        reward.cost_points = cost_points
    if active is not None:
        reward.active = active
    session.flush()
    if stock_add:
        result = session.execute(update(PuhuiReward).where(PuhuiReward.id == reward_id,
                                                           PuhuiReward.stock + stock_add >= 0)
                                 .values(stock=PuhuiReward.stock + stock_add))
        if result.rowcount == 0:
            raise conflict("stock_negative", "stock cannot go below zero", field="stock_add")
        session.refresh(reward)
    return reward


def redeem(session: Session, *, user_id: int, reward_id: int, idempotency_key: str | None = None,
           now: datetime | None = None, route: str = "redemptions") -> Outcome:
    """Spend points on one reward: 409 ``insufficient_points`` or ``out_of_stock``; 404 for an unknown or
    withdrawn reward. Due expiry is applied first, so expired points are never spent."""
    now = now or utcnow()
    digest = request_hash({"reward_id": reward_id})
    replayed = _lock_and_replay(session, user_id, idempotency_key, route, digest)
    if replayed is not None:
        return replayed
    reward = session.get(PuhuiReward, reward_id)
    if reward is None or not reward.active:
        raise NotFound(f"no reward {reward_id}", field="reward_id")
    apply_expiry(session, user_id=user_id, now=now)
    balance = user_balance(session, user_id=user_id)
    if balance < reward.cost_points:
        raise conflict("insufficient_points", f"this reward costs {reward.cost_points} points; the balance is "
                       f"{balance}", field="reward_id")
    taken = session.execute(update(PuhuiReward).where(PuhuiReward.id == reward_id, PuhuiReward.stock > 0,
                                                      PuhuiReward.active.is_(True))
                            .values(stock=PuhuiReward.stock - 1))
    if taken.rowcount == 0:
        raise conflict("out_of_stock", "this reward is out of stock", field="reward_id")
    journal_id = post(session, ledger.redemption(user_id, reward.cost_points, reference=f"reward:{reward_id}"), now=now)
    redemption = PuhuiRedemption(user_id=user_id, reward_id=reward_id, points_spent=reward.cost_points,
                                 balance_after=balance - reward.cost_points, voucher_code=secrets.token_hex(8),
                                 journal_id=journal_id, created_at=now)
    session.add(redemption)
    session.flush()
    body = {"id": redemption.id, "points_spent": redemption.points_spent, "balance_after": redemption.balance_after,
            "reward_id": reward_id, "voucher_code": redemption.voucher_code}
    return _remember(session, user_id, idempotency_key, route, digest, Outcome(201, body), now)


# --- the resident's view ----------------------------------------------------------------------------------------

def profile(session: Session, *, user_id: int, now: datetime | None = None) -> dict:
    """Balance (net of points already expired but not yet posted by the job), reductions, what expires next."""
    now = now or utcnow()
    user = session.get(PuhuiUser, user_id)
    if user is None or user.erased_at is not None:
        raise Unauthorized("this account no longer exists")
    stale = due_expiry(session, user_id=user_id, now=now)
    balance = user_balance(session, user_id=user_id) - stale
    next_cut = POLICY.expires_at(POLICY.earned_before_expires(now))  # the next expiry moment
    expiring = due_expiry(session, user_id=user_id, now=next_cut) - stale
    reductions = session.execute(select(func.coalesce(func.sum(PuhuiBehaviour.reduction_g), 0),
                                        func.coalesce(func.sum(PuhuiBehaviour.pooled_g), 0), func.count())
                                 .where(PuhuiBehaviour.user_id == user_id)).one()
    return {
        "user_id": user_id,
        "display_name": user.display_name,
        "points_balance": balance,
        "reduction_g_total": int(reductions[0]),
        "reduction_g_pooled": int(reductions[1]),
        "reduction_g_available": user_balance(session, user_id=user_id, asset="reduction_g"),
        "behaviours": int(reductions[2]),
        "points_expiring": {"points": max(0, expiring), "at": next_cut.isoformat()},
        "expiry_policy": {"version": POLICY.version, "rule": POLICY.rule, "years_after": POLICY.years_after},
        "created_at": user.created_at.isoformat(),
    }


def ledger_page(session: Session, *, user_id: int, asset: str = "points", limit: int = 50, offset: int = 0) -> dict:
    if asset not in ledger.ASSETS:
        raise ValidationError(f"asset must be one of {', '.join(ledger.ASSETS)}", field="asset")
    key = ledger.user_account(user_id, asset)
    account = _account_ids(session, {key})[key]
    total = session.scalar(select(func.count()).select_from(PuhuiPosting).where(PuhuiPosting.account_id == account))
    rows = session.execute(
        select(PuhuiPosting.id, PuhuiPosting.journal_id, PuhuiJournal.kind, PuhuiJournal.reference, PuhuiPosting.amount,
               PuhuiPosting.balance_after, PuhuiPosting.created_at, PuhuiBehaviour.id.label("behaviour_id"),
               PuhuiBehaviour.code, PuhuiRedemption.id.label("redemption_id"), PuhuiRedemption.reward_id)
        .join(PuhuiJournal, PuhuiJournal.id == PuhuiPosting.journal_id)
        .outerjoin(PuhuiBehaviour, PuhuiBehaviour.journal_id == PuhuiPosting.journal_id)
        .outerjoin(PuhuiRedemption, PuhuiRedemption.journal_id == PuhuiPosting.journal_id)
        .where(PuhuiPosting.account_id == account).order_by(PuhuiPosting.id.desc()).limit(limit).offset(offset)).all()
    items = [{
        "id": r.id, "journal_id": r.journal_id, "kind": r.kind, "amount": r.amount, "balance_after": r.balance_after,
        "created_at": r.created_at.isoformat(), "reference": r.reference,
        "behaviour": {"id": r.behaviour_id, "type": r.code} if r.behaviour_id else None,
        "redemption": {"id": r.redemption_id, "reward_id": r.reward_id} if r.redemption_id else None,
    } for r in rows]
    return {"asset": asset, "items": items, "total": int(total), "limit": limit, "offset": offset}


# --- the closed loop: pooling and offset claims -----------------------------------------------------------------

def _lock_pool(session: Session) -> None:
    session.execute(select(PuhuiAccount.id).where(PuhuiAccount.key == ledger.POOL).with_for_update())


def contribute(session: Session, *, user_id: int, reduction_g: int | None = None, idempotency_key: str | None = None,
               now: datetime | None = None, route: str = "contributions") -> Outcome:
    """Pool a resident's reductions (all not yet pooled, or ``reduction_g`` of them, oldest first) into the
    platform account, from which the bureau retires them against offset claims."""
    now = now or utcnow()
    digest = request_hash({"reduction_g": reduction_g})
    replayed = _lock_and_replay(session, user_id, idempotency_key, route, digest)
    if replayed is not None:
        return replayed
    available = user_balance(session, user_id=user_id, asset="reduction_g")
    grams = available if reduction_g is None else reduction_g
    if grams <= 0:
        raise conflict("nothing_to_pool", "no reductions left to pool", field="reduction_g")
    if grams > available:
        raise conflict("insufficient_reductions", f"only {available} g are not pooled yet", field="reduction_g")
    _lock_pool(session)
    left = grams
    for b in session.scalars(select(PuhuiBehaviour).where(PuhuiBehaviour.user_id == user_id,
                                                          PuhuiBehaviour.reduction_g > PuhuiBehaviour.pooled_g)
                             .order_by(PuhuiBehaviour.id)):
        take = min(left, b.reduction_g - b.pooled_g)
        b.pooled_g += take
        left -= take
        if left == 0:
            break
    if left:  # the ledger and the behaviour records disagree: refuse rather than pool grams nobody earned
        raise conflict("ledger_mismatch", "the reduction ledger and the behaviour records disagree")
    journal_id = post(session, ledger.contribution(user_id, grams, reference="pool"), now=now)
    session.flush()
    body = {"id": journal_id, "reduction_g": grams,
            "reduction_g_available": user_balance(session, user_id=user_id, asset="reduction_g")}
    return _remember(session, user_id, idempotency_key, route, digest, Outcome(201, body), now)


def pool_status(session: Session) -> dict:
    ids = _account_ids(session, {ledger.POOL, ledger.RETIRED})
    return {"available_g": _sum(session, ids[ledger.POOL]), "retired_g": _sum(session, ids[ledger.RETIRED]),
            "claims": int(session.scalar(select(func.count()).select_from(PuhuiOffsetClaim)))}


def retire(session: Session, *, name: str, beneficiary: str, reduction_g: int, note: str = "",
           created_by: str | None = None, now: datetime | None = None) -> PuhuiOffsetClaim:
    """Retire pooled grams against a named claim, oldest pooled behaviours first. Each behaviour's
    ``retired_g`` can never pass its ``pooled_g`` (CHECK), and the pool cannot go negative: no gram is retired
    twice."""
    now = now or utcnow()
    if not name.strip() or not beneficiary.strip():
        raise ValidationError("an offset claim needs a name and a beneficiary", field="name")
    if reduction_g <= 0:
        raise ValidationError("reduction_g must be positive", field="reduction_g")
    _lock_pool(session)
    available = pool_status(session)["available_g"]
    if reduction_g > available:
        raise conflict("insufficient_pool", f"the pool holds {available} g", field="reduction_g")
    journal_id = post(session, ledger.retirement(reduction_g, reference="offset claim"), now=now)
    claim = PuhuiOffsetClaim(name=name.strip(), beneficiary=beneficiary.strip(), note=note, reduction_g=reduction_g,
                             journal_id=journal_id, created_by=created_by, created_at=now)
    session.add(claim)
    session.flush()
    left = reduction_g
    for b in session.scalars(select(PuhuiBehaviour).where(PuhuiBehaviour.pooled_g > PuhuiBehaviour.retired_g)
                             .order_by(PuhuiBehaviour.id)):
        take = min(left, b.pooled_g - b.retired_g)
        b.retired_g += take
        session.add(PuhuiClaimAllocation(claim_id=claim.id, behaviour_id=b.id, grams=take))
        left -= take
        if left == 0:
            break
    if left:
        raise conflict("ledger_mismatch", "the pool ledger and the behaviour records disagree")
    session.flush()
    return claim


def claim_detail(session: Session, *, claim_id: int) -> dict:
    """The public, traceable record of an offset claim: which behaviours (methodology, version, day) gave
    how many grams. No resident is named."""
    claim = session.get(PuhuiOffsetClaim, claim_id)
    if claim is None:
        raise NotFound(f"no offset claim {claim_id}", field="claim_id")
    rows = session.execute(
        select(PuhuiClaimAllocation.behaviour_id, PuhuiClaimAllocation.grams, PuhuiBehaviour.code,
               PuhuiBehaviour.version, PuhuiBehaviour.local_date)
        .join(PuhuiBehaviour, PuhuiBehaviour.id == PuhuiClaimAllocation.behaviour_id)
        .where(PuhuiClaimAllocation.claim_id == claim_id).order_by(PuhuiClaimAllocation.behaviour_id)).all()
    return {**claim_summary(claim), "allocations": [
        {"behaviour_id": r.behaviour_id, "grams": r.grams, "methodology": {"code": r.code, "version": r.version},
         "date": r.local_date.isoformat()} for r in rows]}


def claim_summary(claim: PuhuiOffsetClaim) -> dict:
    return {"id": claim.id, "name": claim.name, "beneficiary": claim.beneficiary, "note": claim.note,
            "reduction_g": claim.reduction_g, "journal_id": claim.journal_id, "created_at": claim.created_at.isoformat()}


def list_claims(session: Session, *, limit: int = 50, offset: int = 0) -> dict:
    total = session.scalar(select(func.count()).select_from(PuhuiOffsetClaim))
    rows = session.scalars(select(PuhuiOffsetClaim).order_by(PuhuiOffsetClaim.id.desc()).limit(limit).offset(offset))
    return {"items": [claim_summary(c) for c in rows], "total": int(total), "limit": limit, "offset": offset}


# --- summaries and statistics -----------------------------------------------------------------------------------

def year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = rules.CHINA_TZ
    return datetime(year, 1, 1, tzinfo=tz).astimezone(UTC), datetime(year + 1, 1, 1, tzinfo=tz).astimezone(UTC)


def yearly_summary(session: Session, *, user_id: int, year: int) -> dict:
    """One resident's year: reductions by methodology, points earned/redeemed/expired, and the footprint."""
    from carbon.puhui.models import PuhuiFootprint

    user = session.get(PuhuiUser, user_id)
    if user is None or user.erased_at is not None:
        raise Unauthorized("this account no longer exists")
    by_method = session.execute(
        select(PuhuiBehaviour.code, func.count(), func.coalesce(func.sum(PuhuiBehaviour.reduction_g), 0))
        .where(PuhuiBehaviour.user_id == user_id, PuhuiBehaviour.local_date >= date(year, 1, 1),
               PuhuiBehaviour.local_date <= date(year, 12, 31))
        .group_by(PuhuiBehaviour.code).order_by(PuhuiBehaviour.code)).all()
    start, end = year_bounds(year)
    account = _points_account(session, user_id)
    flows = dict(session.execute(
        select(PuhuiJournal.kind, func.coalesce(func.sum(PuhuiPosting.amount), 0))
        .join(PuhuiJournal, PuhuiJournal.id == PuhuiPosting.journal_id)
        .where(PuhuiPosting.account_id == account, PuhuiPosting.created_at >= start, PuhuiPosting.created_at < end)
        .group_by(PuhuiJournal.kind)).all())
    reduction = sum(int(r[2]) for r in by_method)
    fp = session.scalar(select(PuhuiFootprint).where(PuhuiFootprint.user_id == user_id, PuhuiFootprint.year == year))
    footprint = fp.result if fp is not None else None
    share = None
    if footprint and footprint.get("total_kg"):
        share = f"{Decimal(reduction) / Decimal(footprint['total_kg'] * 1000) * 100:.2f}"
    return {
        "year": year,
        "display_name": user.display_name,
        "reduction_g": reduction,
        "by_methodology": [{"code": c, "behaviours": int(n), "reduction_g": int(g)} for c, n, g in by_method],
        "points_earned": int(flows.get("award", 0)),
        "points_redeemed": -int(flows.get("redemption", 0)),
        "points_expired": -int(flows.get("expiry", 0)),
        "footprint": footprint,
        "reduction_share_of_footprint_pct": share,
    }


def stats(session: Session) -> dict:
    """Platform totals for the bureau, all derived from the ledger (sums of postings per platform account)."""
    totals = dict(session.execute(
        select(PuhuiAccount.key, func.coalesce(func.sum(PuhuiPosting.amount), 0))
        .join(PuhuiPosting, PuhuiPosting.account_id == PuhuiAccount.id, isouter=True)
        .where(PuhuiAccount.user_id.is_(None)).group_by(PuhuiAccount.key)).all())
    residents = session.execute(select(func.count(), func.count(PuhuiUser.erased_at))).one()
    return {
        "residents": int(residents[0]) - int(residents[1]), "erased": int(residents[1]),
        "behaviours": int(session.scalar(select(func.count()).select_from(PuhuiBehaviour))),
        "points_issued": -int(totals.get(ledger.ISSUANCE, 0)),
        "points_redeemed": int(totals.get(ledger.REDEEMED, 0)),
        "points_expired": int(totals.get(ledger.EXPIRED, 0)),
        "points_forfeited": int(totals.get(ledger.FORFEITED, 0)),
        "reduction_g_recorded": -int(totals.get(ledger.REDUCTION_ISSUANCE, 0)),
        "reduction_g_pooled_available": int(totals.get(ledger.POOL, 0)),
        "reduction_g_retired": int(totals.get(ledger.RETIRED, 0)),
        "conservation": {asset: int(session.scalar(
            select(func.coalesce(func.sum(PuhuiPosting.amount), 0))
            .join(PuhuiAccount, PuhuiAccount.id == PuhuiPosting.account_id).where(PuhuiAccount.asset == asset)))
            for asset in ledger.ASSETS},
    }


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
        raise NotFound(f"no footprint for {year}; answer the questionnaire first", field="year")
    return {"answers": fp.answers, "result": fp.result}
