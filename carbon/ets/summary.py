"""What the verification and settlement summary of an emitter-year shows (rendered to HTML / PDF by
render.py). A cement, aluminium or steel emitter's summary has a sector block (sector_disclosure.py): its
facilities, covered emissions by source and gas, product output and intensity, the purchased-energy memo.

``year_summary_data`` is the bureau's view of a year: one block per sector with its entities, covered
emissions, intensities, allocation and compliance state.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from carbon.core.errors import Conflict, NotFound
from carbon.ets.calendar import beijing_date
from carbon.ets.common import utcnow
from carbon.ets.compliance import allocations, compliance
from carbon.ets.filing import figures
from carbon.ets.models import Emitter
from carbon.ets.registry import get_emitter, list_emitters
from carbon.ets.sector_disclosure import SECTORS, intensity, is_sector_result, sector_content
from carbon.ets.verification import get_engagement


def summary_data(session: Session, *, uscc: str, year: int) -> dict[str, Any]:
    """What the verification and settlement summary shows."""
    e = get_emitter(session, uscc=uscc)
    f = figures(session, uscc=uscc, year=year)
    g = get_engagement(session, engagement_id=f["engagement_id"]) if f["engagement_id"] else None
    try:
        comp = compliance(session, uscc=uscc, year=year)
    except Conflict:
        comp = None
    result = f["result"]
    method = result.get("method", "power")
    chemical = method == "chemical"
    return {
        "emitter": {"uscc": e.uscc, "name": e.name, "industry": e.industry, "region": e.region.name_zh,
                    "quality_plan": e.quality_plan_ref, "quality_plan_version": e.quality_plan_version},
        "year": year, "figures": {k: v for k, v in f.items() if k != "result"},
        "total": result["total"], "units": result.get("units", []), "method": method,
        # chemical method: the carbon balance of each facility and where the carbon fractions came from
        # (always passed, empty otherwise: the template is StrictUndefined)
        "facilities": result.get("facilities", []) if chemical else [],
        "data_quality": result.get("data_quality", {}) if chemical else {},
        "engagement": None if g is None else {
            "verifier": g.verifier.name, "state": g.state, "conclusion": g.conclusion,
            "concluded_on": beijing_date(g.concluded_at).isoformat() if g.concluded_at else None,
            "recheck_outcome": g.recheck_outcome,
            "nonconformities": [{"parameter": n.parameter, "description": n.description, "status": n.status,
                                 "conservative_adjustment_t": n.conservative_adjustment_t, "correction": n.correction}
                                for n in g.nonconformities]},
        "allocations": [{"kind": a.kind, "amount_t": a.amount_t, "obligation_t": a.obligation_t,
                         "method": allocation_method(a.basis), "rules_version": a.rules_version}
                        for a in allocations(session, emitter_id=e.id) if a.year == year],
        "sector": sector_content(result, covered_t=f["covered_emissions_t"], verification=None)
        if is_sector_result(result) else None,
        "compliance": comp, "generated_at": beijing_date(utcnow()).isoformat(),
    }


def allocation_method(basis: Any) -> str | None:
    """The rule an allocation followed (``basis.rules.method``: verified_emissions, intensity, ...), if recorded."""
    rules = basis.get("rules") if isinstance(basis, dict) else None
    return rules.get("method") if isinstance(rules, dict) else None


# --- the city's year, sector by sector ----------------------------------------------------------------------

INDUSTRY_ZH = {"power": "发电", "cement": "水泥熟料生产", "aluminium": "铝冶炼", "steel": "钢铁生产",
               "coal_chemical": "煤化工", "chemical": "化工", "other": "其他"}
POWER_UNIT = "t CO2/MWh"


def entity_row(session: Session, e: Emitter, year: int) -> dict[str, Any] | None:
    """One emitter in its sector block: figures that stand, intensity, allocation, compliance (None: no report)."""
    try:
        f = figures(session, uscc=e.uscc, year=year)
    except NotFound:
        return None
    result = f["result"]
    try:
        comp = compliance(session, uscc=e.uscc, year=year)
    except Conflict:
        comp = None
    if is_sector_result(result):
        s = sector_content(result, covered_t=f["covered_emissions_t"], verification=None)
        output, value, unit = s["product"]["output_t"], s["intensity"], s["intensity_unit"]
    else:
        output, value, unit = None, result["total"].get("intensity_t_per_mwh"), POWER_UNIT
    allocs = {a.kind: a for a in allocations(session, emitter_id=e.id) if a.year == year}
    final = allocs.get("final")
    return {"uscc": e.uscc, "name": e.name, "region": e.region.name_zh, "source": f["source"], "state": f["state"],
            "covered_emissions_t": f["covered_emissions_t"], "output_t": output, "intensity": value,
            "intensity_unit": unit if value is not None else None,
            "pre_allocation_t": allocs["pre"].amount_t if "pre" in allocs else None,
            "allocation_t": final.amount_t if final else None,
            "allocation_method": allocation_method(final.basis) if final else None,
            "compliance_status": comp["status"] if comp else "not_allocated",
            "shortfall_t": comp["shortfall_t"] if comp else None}


def sector_block(industry: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A sector's entities and totals; its intensity is Σ covered / Σ output over the entities with an output."""
    with_output = [r for r in rows if r["output_t"]]
    output = sum(r["output_t"] for r in with_output)
    status: dict[str, int] = {}
    for r in rows:
        status[r["compliance_status"]] = status.get(r["compliance_status"], 0) + 1
    product = SECTORS.get(industry)
    return {"industry": industry, "industry_zh": INDUSTRY_ZH.get(industry, industry), "entities": rows,
            "count": len(rows), "covered_emissions_t": sum(r["covered_emissions_t"] for r in rows),
            "product_zh": product[2] if product else None, "output_t": output if with_output else None,
            "intensity": intensity(sum(r["covered_emissions_t"] for r in with_output), output) if with_output else None,
            "intensity_unit": product[4] if product else (POWER_UNIT if industry == "power" else None),
            "allocation_t": sum(r["allocation_t"] or 0 for r in rows),
            "allocated": sum(1 for r in rows if r["allocation_t"] is not None), "status_counts": status}


def year_summary_data(session: Session, *, year: int) -> dict[str, Any]:
    """The city's key emitters of ``year`` in one block per sector (power first, then the 2024-25 sectors)."""
    by_industry: dict[str, list[dict[str, Any]]] = {}
    for e in list_emitters(session):
        row = entity_row(session, e, year)
        if row is not None:
            by_industry.setdefault(e.industry, []).append(row)
    order = [i for i in INDUSTRY_ZH if i in by_industry]
    return {"year": year, "sectors": [sector_block(i, by_industry[i]) for i in order],
            "generated_at": beijing_date(utcnow()).isoformat()}
