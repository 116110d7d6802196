"""碳普惠 closed loop: residents pool reductions; the bureau retires them against offset claims.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbon.core.db import utcnow
from carbon.core.errors import NotFound, ValidationError
from carbon.puhui import ledger
from carbon.puhui.common import Outcome, _account_ids, _remember, _sum, conflict, post, request_hash, user_balance
from carbon.puhui.models import (PuhuiAccount, PuhuiBehaviour, PuhuiClaimAllocation, PuhuiJournal, PuhuiOffsetClaim,
                                 PuhuiPosting)
from carbon.puhui.residents import _lock_and_replay


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
        raise conflict("nothing_to_pool", key="puhui_nothing_to_pool", field="reduction_g")
    if grams > available:
        raise conflict("insufficient_reductions", key="puhui_insufficient_reductions", params={"available": available},
                       field="reduction_g")
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
        raise conflict("ledger_mismatch", key="puhui_reduction_ledger_mismatch")
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
        raise ValidationError(key="puhui_offset_claim_names", field="name")
    if reduction_g <= 0:
        raise ValidationError(key="puhui_must_be_positive", params={"name": "reduction_g"}, field="reduction_g")
    _lock_pool(session)
    available = pool_status(session)["available_g"]
    if reduction_g > available:
        raise conflict("insufficient_pool", key="puhui_insufficient_pool", params={"available": available},
                       field="reduction_g")
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
        raise conflict("ledger_mismatch", key="puhui_pool_ledger_mismatch")
    session.flush()
    return claim


def claim_detail(session: Session, *, claim_id: int) -> dict:
    """The public, traceable record of an offset claim: which behaviours (methodology, version, day) gave
    how many grams. No resident is named."""
    claim = session.get(PuhuiOffsetClaim, claim_id)
    if claim is None:
        raise NotFound(key="puhui_offset_claim_not_found", params={"id": claim_id}, field="claim_id")
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


def pool_overview(session: Session) -> dict:
    """The pool for the bureau's console: grams pooled (every contribution credited to ``pool:platform``), retired
    (``platform:retired``) and still available (the pool's balance), each from the ledger; the same figures from the
    behaviour records (``pooled_g``, ``retired_g``), by methodology; and whether the two agree. A retirement moves
    grams from the pool to ``platform:retired`` once, so pooled = retired + available and nothing is counted twice."""
    ids = _account_ids(session, {ledger.POOL, ledger.RETIRED})
    pooled = int(session.scalar(select(func.coalesce(func.sum(PuhuiPosting.amount), 0))
                                .join(PuhuiJournal, PuhuiJournal.id == PuhuiPosting.journal_id)
                                .where(PuhuiPosting.account_id == ids[ledger.POOL],
                                       PuhuiJournal.kind == "contribution")))
    retired, available = _sum(session, ids[ledger.RETIRED]), _sum(session, ids[ledger.POOL])
    by_code = session.execute(
        select(PuhuiBehaviour.code, func.coalesce(func.sum(PuhuiBehaviour.pooled_g), 0),
               func.coalesce(func.sum(PuhuiBehaviour.retired_g), 0))
        .where(PuhuiBehaviour.pooled_g > 0).group_by(PuhuiBehaviour.code).order_by(PuhuiBehaviour.code)).all()
    methods = [{"code": c, "pooled_g": int(p), "retired_g": int(r), "available_g": int(p) - int(r)}
               for c, p, r in by_code]
    claimed = int(session.scalar(select(func.coalesce(func.sum(PuhuiOffsetClaim.reduction_g), 0))))
    allocated = int(session.scalar(select(func.coalesce(func.sum(PuhuiClaimAllocation.grams), 0))))
    consistent = (pooled == retired + available == sum(m["pooled_g"] for m in methods)
                  and retired == claimed == allocated == sum(m["retired_g"] for m in methods))
    return {"pooled_g": pooled, "retired_g": retired, "available_g": available, "by_methodology": methods,
            "claims_g": claimed, "allocated_g": allocated, "consistent": consistent,
            "claims": int(session.scalar(select(func.count()).select_from(PuhuiOffsetClaim)))}
