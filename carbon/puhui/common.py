"""Shared pieces of the 碳普惠 services: the Outcome of a write, 409 codes, per-resident idempotency helpers,
and the ledger persistence (journals, postings, balances).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from carbon.core.errors import Conflict, NotFound, ValidationError
from carbon.puhui import ledger
from carbon.puhui.models import PuhuiAccount, PuhuiIdempotencyKey, PuhuiJournal, PuhuiPosting


POLICY = ledger.load_policy()
TRACKED = ("user:", ledger.POOL)  # accounts whose postings carry balance_after (must never go negative)


def conflict(code: str, message: str | None = None, field: str | None = None, *, key: str | None = None,
             params: dict | None = None) -> Conflict:
    """A 409 with its own ``code`` (``insufficient_points``, ``duplicate_trip``, ...), worded by ``key``."""
    exc = Conflict(message, field=field, key=key, params=params)
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


# --- per-resident idempotency ------------------------------------------------------------------------------

def request_hash(fingerprint: Any) -> str:
    canonical = json.dumps(fingerprint, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def stored_outcome(found: Any, route: str, digest: str) -> Outcome:
    """The stored response for a key seen before; IdempotencyKeyReused when it came with another request."""
    if found.route != route or found.request_hash != digest:
        raise IdempotencyKeyReused(key="puhui_idempotency_key_reused", params={"route": found.route},
                                   field="Idempotency-Key")
    return Outcome(found.status_code, found.response, replayed=True)


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
        raise NotFound(key="puhui_ledger_accounts_missing", params={"accounts": ", ".join(sorted(missing))})
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
        raise NotFound(key="puhui_ledger_accounts_missing", params={"accounts": ", ".join(sorted(keys - found.keys()))})
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
                raise ledger.InsufficientBalance(key="puhui_balance_negative", params={"account": p.account,
                                                                                       "after": after})
        values.append({"journal_id": row.id, "account_id": ids[p.account], "amount": p.amount,
                       "balance_after": after, "created_at": now})
    session.execute(PuhuiPosting.__table__.insert(), values)
    return row.id


def _posting_rows(journal: ledger.Journal, found: dict[str, tuple[int, int]]) -> list[dict]:
    """The postings of ``journal`` as rows, for a caller that has already read the accounts under the lock
    (``found``: key -> (id, latest balance_after)); InsufficientBalance if a tracked account would go negative."""
    missing = {p.account for p in journal.postings} - found.keys()
    if missing:
        raise NotFound(key="puhui_ledger_accounts_missing", params={"accounts": ", ".join(sorted(missing))})
    rows = []
    for p in journal.postings:
        after = None
        if p.account.startswith(TRACKED):
            after = found[p.account][1] + p.amount
            if after < 0:
                raise ledger.InsufficientBalance(key="puhui_balance_negative", params={"account": p.account,
                                                                                       "after": after})
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
                     "created_at", "verification")


def user_balance(session: Session, *, user_id: int, asset: str = "points") -> int:
    ids = _account_ids(session, {ledger.user_account(user_id, asset)})
    return _balance(session, ids[ledger.user_account(user_id, asset)])



def _points_account(session: Session, user_id: int) -> int:
    key = ledger.user_account(user_id, "points")
    return _account_ids(session, {key})[key]
