"""碳普惠 claims: one behaviour checked, capped and awarded (the single award path; award_batch.py groups them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import String, bindparam, cast, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from carbon.core.db import utcnow
from carbon.puhui import ledger, methodologies, operators, rules
from carbon.puhui.common import (
    Outcome,
    _insert_journal,
    _posting_rows,
    _statement,
    conflict,
    request_hash,
    stored_outcome,
)
from carbon.puhui.methodology_store import METHOD_COLUMNS, _methodology_of, current_methodology
from carbon.puhui.models import PuhuiAccount, PuhuiBehaviour, PuhuiIdempotencyKey, PuhuiMethodology, PuhuiPosting
from carbon.puhui.privacy import trip_ref
from carbon.puhui.residents import _lock_resident


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
    signed: dict | None = None  # {"record": {...}, "key_id": ..., "signature": ...}: a record the operator signed
    werun: Any = None  # werun.WeRunSteps decrypted for this claim (the session key is already dropped)


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
               route: str, now: datetime, verified: operators.Verified | None = None,
               check_evidence: bool = False) -> PlannedAward:
    """Units, plausibility, caps and the ledger postings of one claim: no database access.

    ``snap`` is a row with the methodology's ``METHOD_COLUMNS`` first, then ``id`` (the methodology row),
    ``earlier`` (``local_date|eligible_quantity;...`` of the resident's claims of this code in the month) and
    ``accounts`` (``key|id|latest balance_after;...``): what ``_award_snapshot`` returns, or the group-commit
    writer's snapshot of many claims (carbon/puhui/award_batch.py). Raises the rule's error (422) when a check fails.

    ``check_evidence`` (issue 17): claims are checked (carbon/puhui/operators.py); ``verified`` is what the check
    found for a claim with evidence or WeRun data; a claim without either is self-reported (the policy's lower cap,
    or 422 ``evidence_required``). Without ``check_evidence`` evidence is taken as given (``unchecked``), as before.
    """
    day = rules.local_date(claim.occurred_at)
    m = _methodology_of(tuple(snap[:len(METHOD_COLUMNS)]))
    quantity = methodologies.to_method_unit(m, claim.quantity, claim.unit)
    has_evidence = bool(claim.operator and claim.trip_id)
    if check_evidence and verified is None:
        verified = operators.self_reported(m)
    rules.check_claim(m, quantity=quantity, occurred_at=claim.occurred_at, now=now, duration_s=claim.duration_s,
                      has_evidence=has_evidence or verified is not None)
    if verified is not None:
        verification = verified.verification
    else:
        verification = "unchecked" if has_evidence else "self_reported"
    m = operators.capped_methodology(m, verified)
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
        cap_reason=cap.reason, pooled_g=0, retired_g=0, created_at=now, verification=verification)
    body = {
        "id": 0,  # the behaviour's id, known after the INSERT
        "reduction_g": points,
        "points": points,
        "methodology": {"code": m.code, "version": m.version},
        "capped": cap.capped,
        "cap_reason": cap.reason,
        "verification": verification,
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


def evidence_check_default() -> bool:
    """Whether evidence is checked when a caller does not say: the setting CARBON_PUHUI_EVIDENCE_CHECK (on)."""
    from carbon.core.settings import get_settings

    return get_settings().puhui_evidence_check


def _verify(session: Session, snap: Any, *, user_id: int, claim: Claim, secret: str,
            now: datetime) -> operators.Verified | None:
    """The check of a claim's evidence or WeRun data (None: neither, a self-report for ``plan_award``)."""
    if not (claim.operator and claim.trip_id) and claim.werun is None:
        return None
    m = _methodology_of(tuple(snap[:len(METHOD_COLUMNS)]))
    quantity = methodologies.to_method_unit(m, claim.quantity, claim.unit)
    if claim.werun is not None:
        return operators.verify_werun(m, quantity=quantity, day=rules.local_date(claim.occurred_at), werun=claim.werun)
    return operators.verify_evidence(session, user_id=user_id, m=m, quantity=quantity, operator_code=claim.operator,
                                     record_id=claim.trip_id, secret=secret, now=now, signed=claim.signed,
                                     occurred_at=claim.occurred_at)


def record_behaviour(session: Session, *, user_id: int, claim: Claim, secret: str, idempotency_key: str | None = None,
                     fingerprint: Any = None, now: datetime | None = None, route: str = "behaviours",
                     locked: bool = False, check_evidence: bool | None = None) -> Outcome:
    """Check, cap and record one behaviour; award its points and grams. See the module docstring for locking.

    ``locked``: the caller already holds the resident's lock in this transaction (``authenticate_and_lock``).
    ``check_evidence``: evidence must match an operator record, WeRun data is checked, other claims are
    self-reported (carbon/puhui/operators.py). None (the default): ``Settings.puhui_evidence_check`` (on unless
    CARBON_PUHUI_EVIDENCE_CHECK=0), so a caller that forgets it checks; False only where evidence is known to be
    taken as given (tests and benches of the ledger itself).

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
    if check_evidence is None:
        check_evidence = evidence_check_default()
    verified = _verify(session, snap, user_id=user_id, claim=claim, secret=secret, now=now) if check_evidence else None
    plan = plan_award(snap, user_id=user_id, claim=claim, secret=secret, digest=digest,
                      idempotency_key=idempotency_key, route=route, now=now, verified=verified,
                      check_evidence=check_evidence)
    if verified is not None and verified.record_id is not None:
        plan.behaviour["operator_record_id"] = verified.record_id
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
        if "trip_ref" in str(exc.orig) or "operator_record_id" in str(exc.orig):
            raise conflict("duplicate_trip", key="puhui_duplicate_trip", field="evidence.trip_id") from None
        raise
    return Outcome(201, body)
