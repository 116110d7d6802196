"""The yearly compliance cycle on the database: allowance allocation (配额分配: the pre-allocation, then the
final one from the verified report with its true-up), surrender (清缴) against the obligation, and settling
the year (compliance and penalty fixed, the year's records immutable). The rules are allocation.py and
settlement.py; the postings go through accounts.apply_operation. Cement, aluminium and steel emitters in 2024-25
follow sector_allocation.py (the 2024、2025年度 steel/cement/aluminium plan) instead of the power rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbon.core.errors import Conflict, ValidationError
from carbon.ets import allocation, ledger, sector_allocation, settlement
from carbon.ets.accounts import apply_operation
from carbon.ets.calendar import beijing_date
from carbon.ets.common import assert_not_settled, lock_emitter, record_event, utcnow
from carbon.ets.models import Allocation, Emitter, Engagement, Settlement, Transaction
from carbon.ets.registry import get_emitter


def _allocation(session: Session, emitter: Emitter, year: int, kind: str) -> Allocation | None:
    return session.scalar(select(Allocation).where(Allocation.emitter_id == emitter.id, Allocation.year == year,
                                                   Allocation.kind == kind))


SECTOR_YEARS = (2024, 2025)


def _is_sector(e: Emitter, year: int) -> bool:
    """Steel, cement and aluminium in 2024-25: sector_allocation.py, not the power rules."""
    return e.industry in sector_allocation.INDUSTRIES and year in SECTOR_YEARS


def allocate_pre(session: Session, *, uscc: str, year: int, basis_t: int, actor: str,
                 idempotency_key: str | None = None) -> Allocation:
    """Issue the 70% pre-allocation of ``year`` on ``basis_t`` (see allocation.pre_allocation; for steel, cement
    and aluminium in 2025 sector_allocation.pre_allocation on the 2024 verified emissions, none in 2024)."""
    e = get_emitter(session, uscc=uscc)
    lock_emitter(session, e)  # concurrent allocations: the second sees the first and gets a Conflict
    assert_not_settled(session, e, year)
    if _is_sector(e, year):
        p = sector_allocation.pre_allocation(year, e.industry, previous_verified_t=basis_t)
        if p.share is None:
            raise ValidationError(key="ets_no_pre_allocation_rule",
                                  params={"year": year, "industry": e.industry, "rule": p.rule}, field="year")
        amount, basis, version = p.pre_allocation_t, {
            "basis_t": basis_t, "share": p.share, "basis": "previous year's verified emissions", "rule": p.rule,
            "source": p.source, "verified": p.verified}, sector_allocation.RULES_VERSION
    else:
        amount = allocation.pre_allocation(year, basis_t=basis_t)
        basis = {"basis_t": basis_t, "share": allocation.rule(year)["pre_allocation"]["share"],
                 "basis": allocation.rule(year)["pre_allocation"]["basis"]}
        version = allocation.RULES_VERSION
    if _allocation(session, e, year, "pre") is not None:
        raise Conflict(key="ets_pre_allocation_exists", params={"uscc": e.uscc, "year": year}, field="year")
    a = Allocation(emitter_id=e.id, year=year, kind="pre", amount_t=amount, basis=basis, rules_version=version,
                   created_at=utcnow())
    session.add(a)
    session.flush()
    if amount:
        apply_operation(session, op=ledger.Operation("issue", e.uscc, "CEA", year, amount, year=year,
                                                     memo=f"pre-allocation {year}"),
                        actor=actor, idempotency_key=idempotency_key)
    record_event(session, entity="allocation", entity_id=a.id, emitter_id=e.id, action="pre_allocate", actor=actor,
                 detail={"year": year, "amount_t": amount, "basis_t": basis_t})
    return a


def _sector_final(e: Emitter, g: Engagement, year: int, lines: list[Any] | None,
                  pre_t: int) -> tuple[int, int, dict[str, Any]]:
    """(quota, obligation, basis) of a steel, cement or aluminium emitter: the lines' quotas on the verified
    covered (direct) emissions, which are also the obligation. 2024 needs no lines (one line = the emitter);
    2025 needs them (output, product, intensity, exemptions), their verified emissions summing to the engagement's."""
    covered = int(g.covered_emissions_t)
    if lines is None:
        if sector_allocation.sector_rule(year, e.industry).method != "verified_emissions":
            raise ValidationError(key="ets_intensity_needs_lines", params={"year": year, "industry": e.industry},
                                  field="lines")
        items = [sector_allocation.LineInput(line_id=e.uscc, verified_t=covered)]
    else:
        items = sector_allocation.line_inputs(lines)
        total = allocation.round_half_up(sum(float(u.verified_t) for u in items))
        if total != covered:
            raise ValidationError(key="ets_lines_verified_sum",
                                  params={"total": total, "covered": covered}, field="lines")
    q = sector_allocation.emitter_quota(year, e.industry, items)
    return q.quota_t, covered, {
        "engagement_id": g.id, "verified_emissions_t": g.verified_emissions_t, "covered_emissions_t": covered,
        "pre_t": pre_t, "true_up_t": q.quota_t - pre_t, "gap_t": covered - q.quota_t,
        "lines": [u.as_dict() for u in q.lines], "rules": q.rules}


def allocate_final(session: Session, *, uscc: str, year: int, actor: str, idempotency_key: str | None = None,
                   lines: list[Any] | None = None) -> Allocation:
    """Final allocation from the verified report; the true-up (final − pre) is issued or taken back.

    Steel, cement and aluminium in 2024-25: sector_allocation.emitter_quota on ``lines`` (dicts or
    ``sector_allocation.LineInput``; required for 2025), obligation = the verified covered emissions."""
    e = get_emitter(session, uscc=uscc)
    lock_emitter(session, e)  # concurrent allocations: the second sees the first and gets a Conflict
    assert_not_settled(session, e, year)
    if _allocation(session, e, year, "final") is not None:
        raise Conflict(key="ets_final_allocation_exists", params={"uscc": e.uscc, "year": year}, field="year")
    g = session.scalar(select(Engagement).where(Engagement.emitter_id == e.id, Engagement.year == year,
                                                Engagement.state == "final"))
    if g is None:
        raise Conflict(key="ets_verification_not_final", params={"uscc": e.uscc, "year": year}, field="year")
    pre = _allocation(session, e, year, "pre")
    pre_t = pre.amount_t if pre else 0
    if _is_sector(e, year):
        quota_t, obligation_t, basis = _sector_final(e, g, year, lines, pre_t)
        version = sector_allocation.RULES_VERSION
    else:
        total = g.verified_result["total"]
        if total.get("quota_t") is None:
            raise Conflict(key="ets_no_allocation_computed",
                           params={"uscc": e.uscc, "year": year, "reason": g.verified_result.get("allocation", "")},
                           field="year")
        quota_t, obligation_t, version = int(total["quota_t"]), int(total["obligation_t"]), allocation.RULES_VERSION
        basis = {"engagement_id": g.id, "verified_emissions_t": g.verified_emissions_t,
                 "covered_emissions_t": g.covered_emissions_t, "pre_t": pre_t,
                 "true_up_t": allocation.true_up(final_t=quota_t, pre_t=pre_t),
                 "gap_t": total["gap_t"], "gap_rate": total["gap_rate"], "cap_top_up_t": total["cap_top_up_t"],
                 "ccer_limit_t": total["ccer_limit_t"], "borrowing_limit_t": total["borrowing_limit_t"],
                 "rules": g.verified_result["rules"]}
    delta = allocation.true_up(final_t=quota_t, pre_t=pre_t)
    a = Allocation(emitter_id=e.id, year=year, kind="final", amount_t=quota_t, obligation_t=obligation_t,
                   rules_version=version, basis=basis, created_at=utcnow())  # the ETS clock (covered.py)
    session.add(a)
    session.flush()
    if delta:
        kind = "issue" if delta > 0 else "take_back"
        apply_operation(session, op=ledger.Operation(kind, e.uscc, "CEA", year, abs(delta), year=year,
                                                     memo=f"true-up {year}"),
                        actor=actor, idempotency_key=idempotency_key)
    record_event(session, entity="allocation", entity_id=a.id, emitter_id=e.id, action="final_allocate", actor=actor,
                 detail={"year": year, "amount_t": a.amount_t, "obligation_t": a.obligation_t, "true_up_t": delta})
    return a


def allocations(session: Session, *, emitter_id: int) -> list[Allocation]:
    return list(session.scalars(select(Allocation).where(Allocation.emitter_id == emitter_id)
                                .order_by(Allocation.year, Allocation.kind.desc())))


def _obligation(session: Session, e: Emitter, year: int) -> int:
    final = _allocation(session, e, year, "final")
    if final is None or final.obligation_t is None:
        raise Conflict(key="ets_no_final_allocation", params={"uscc": e.uscc, "year": year}, field="year")
    return final.obligation_t


def _surrendered(session: Session, uscc: str, year: int) -> dict[str, int]:
    rows = session.execute(select(Transaction.asset, func.sum(Transaction.amount_t))
                           .where(Transaction.kind == "surrender", Transaction.owner == uscc, Transaction.year == year)
                           .group_by(Transaction.asset))
    out = {"CEA": 0, "CCER": 0}
    out.update({a: int(s) for a, s in rows})
    return out


def surrender(session: Session, *, uscc: str, year: int, asset: str, vintage: int, amount_t: int, actor: str,
              idempotency_key: str | None = None) -> Transaction:
    """Surrender (清缴) allowances or CCER for ``year``: within the obligation, CCER ≤ 5% of it, never
    overdrawing (the emitter row is locked, so concurrent surrenders are serialised)."""
    e = get_emitter(session, uscc=uscc)
    if idempotency_key is not None:
        found = session.scalar(select(Transaction).where(Transaction.idempotency_key == idempotency_key))
        if found is not None:
            return apply_operation(session, op=ledger.Operation("surrender", e.uscc, asset, vintage, amount_t, year=year),
                                   actor=actor, idempotency_key=idempotency_key)
    lock_emitter(session, e)
    assert_not_settled(session, e, year)
    obligation = _obligation(session, e, year)
    done = _surrendered(session, e.uscc, year)
    settlement.check_surrender(obligation_t=obligation, surrendered_cea_t=done["CEA"], surrendered_ccer_t=done["CCER"],
                               asset=asset, amount_t=amount_t, vintage=vintage, year=year)
    return apply_operation(session, op=ledger.Operation("surrender", e.uscc, asset, vintage, amount_t, year=year),
                           actor=actor, idempotency_key=idempotency_key)


def compliance(session: Session, *, uscc: str, year: int, now: datetime | None = None,
               average_price_fen: int | None = None) -> dict[str, Any]:
    e = get_emitter(session, uscc=uscc)
    settled = session.scalar(select(Settlement).where(Settlement.emitter_id == e.id, Settlement.year == year))
    if settled is not None:
        return {"year": year, "obligation_t": settled.obligation_t, "surrendered_cea_t": settled.surrendered_cea_t,
                "surrendered_ccer_t": settled.surrendered_ccer_t, "shortfall_t": settled.shortfall_t,
                "deadline": settlement.surrender_deadline(year, e.industry).isoformat(), "status": settled.status,
                "penalty": settled.penalty, "settled": True, "settled_at": settled.settled_at.isoformat()}
    done = _surrendered(session, e.uscc, year)
    c = settlement.compliance(year, obligation_t=_obligation(session, e, year), surrendered_cea_t=done["CEA"],
                              surrendered_ccer_t=done["CCER"], as_of=beijing_date(now or utcnow()),
                              average_price_fen=average_price_fen, industry=e.industry)
    return {**c.as_dict(), "settled": False, "settled_at": None}


def settle(session: Session, *, uscc: str, year: int, actor: str, average_price_fen: int | None = None,
           now: datetime | None = None) -> Settlement:
    """Close ``year`` for the emitter: compliance and penalty are fixed, the year's records become immutable.
    Refused while the emitter is still inside the deadline with a shortfall (status pending)."""
    e = get_emitter(session, uscc=uscc)
    lock_emitter(session, e)
    assert_not_settled(session, e, year)
    c = compliance(session, uscc=uscc, year=year, now=now, average_price_fen=average_price_fen)
    if c["status"] == "pending":
        raise Conflict(key="ets_surrender_still_open",
                       params={"uscc": e.uscc, "deadline": c["deadline"], "shortfall_t": c["shortfall_t"]},
                       field="year")
    s = Settlement(emitter_id=e.id, year=year, obligation_t=c["obligation_t"], surrendered_cea_t=c["surrendered_cea_t"],
                   surrendered_ccer_t=c["surrendered_ccer_t"], shortfall_t=c["shortfall_t"], status=c["status"],
                   penalty=c["penalty"], settled_by=actor, settled_at=now or utcnow())
    session.add(s)
    session.flush()
    record_event(session, entity="settlement", entity_id=s.id, emitter_id=e.id, action="settle", actor=actor,
                 to_state=s.status, detail={"year": year, "shortfall_t": s.shortfall_t, "penalty": s.penalty})
    return s
