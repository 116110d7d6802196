"""Public disclosure (信息公开) of an emitter's final verified figures and compliance for a year: computed,
then published once as a fixed record.

Power's fields are the contract of every disclosure; a cement, aluminium or steel emitter's disclosure has
beside them ``sector_disclosure``, the sector's own format (sector_disclosure.py): covered emissions by source
and gas, the product output and intensity, the purchased-energy memo and the verification state.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbon.core.errors import Conflict, NotFound
from carbon.ets.calendar import beijing_date
from carbon.ets.common import record_event
from carbon.ets.compliance import compliance
from carbon.ets.filing import figures
from carbon.ets.models import Disclosure, Emitter, Engagement
from carbon.ets.registry import get_emitter
from carbon.ets.sector_disclosure import is_sector_result, sector_content
from carbon.ets.verification import get_engagement


def disclosure_figures(session: Session, *, uscc: str, year: int) -> dict[str, Any]:
    e = get_emitter(session, uscc=uscc)
    f = figures(session, uscc=uscc, year=year)
    if f["source"] != "verified" or f["state"] != "final":
        raise Conflict(key="ets_sector_disclose_final_only", params={"uscc": e.uscc, "year": year}, field="year")
    total = f["result"]["total"]
    try:
        comp = compliance(session, uscc=uscc, year=year)
    except Conflict:
        comp = None
    g = get_engagement(session, engagement_id=f["engagement_id"])
    out = {
        "uscc": e.uscc, "name": e.name, "industry": e.industry, "region": e.region.code, "region_name": e.region.name_zh,
        "year": year, "verified_emissions_t": f["emissions_t"], "covered_emissions_t": f["covered_emissions_t"],
        "intensity_t_per_mwh": total.get("intensity_t_per_mwh"), "intensity_basis": total.get("intensity_basis"),
        "verifier": g.verifier.name, "concluded_on": beijing_date(g.concluded_at).isoformat() if g.concluded_at else None,
        "recheck_outcome": g.recheck_outcome,
        "compliance_status": comp["status"] if comp else "not_allocated",
        "obligation_t": comp["obligation_t"] if comp else None,
        "surrendered_t": (comp["surrendered_cea_t"] + comp["surrendered_ccer_t"]) if comp else None,
        "shortfall_t": comp["shortfall_t"] if comp else None,
    }
    if is_sector_result(f["result"]):
        out["sector_disclosure"] = sector_content(f["result"], covered_t=f["covered_emissions_t"],
                                                  verification=verification_state(g))
    return out


def verification_state(g: Engagement) -> dict[str, Any]:
    """Who verified, how it ended, and what stayed open (estimated conservatively)."""
    return {"verifier": g.verifier.name, "state": g.state,
            "concluded_on": beijing_date(g.concluded_at).isoformat() if g.concluded_at else None,
            "recheck_outcome": g.recheck_outcome, "conservative_adjustment_t": g.conservative_adjustment_t or 0,
            "open_nonconformities": sum(1 for n in g.nonconformities if n.status != "resolved")}


def publish_disclosure(session: Session, *, uscc: str, year: int, actor: str) -> Disclosure:
    e = get_emitter(session, uscc=uscc)
    if session.scalar(select(Disclosure.id).where(Disclosure.emitter_id == e.id, Disclosure.year == year)):
        raise Conflict(key="ets_sector_already_disclosed", params={"uscc": e.uscc, "year": year}, field="year")
    d = Disclosure(emitter=e, year=year, figures=disclosure_figures(session, uscc=uscc, year=year))
    session.add(d)
    session.flush()
    record_event(session, entity="disclosure", entity_id=d.id, emitter_id=e.id, action="publish", actor=actor,
                 detail={"year": year})
    return d


def list_disclosures(session: Session, *, year: int | None = None) -> list[Disclosure]:
    q = select(Disclosure).order_by(Disclosure.year, Disclosure.id)
    if year is not None:
        q = q.where(Disclosure.year == year)
    return list(session.scalars(q))


def get_disclosure(session: Session, *, uscc: str, year: int) -> Disclosure:
    d = session.scalar(select(Disclosure).join(Emitter).where(Emitter.uscc == uscc.strip().upper(),
                                                             Disclosure.year == year))
    if d is None:
        raise NotFound(key="ets_sector_no_disclosure", params={"uscc": uscc, "year": year}, field="uscc")
    return d
