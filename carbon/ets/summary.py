"""What the verification and settlement summary of an emitter-year shows (rendered to HTML / PDF by
render.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from carbon.core.errors import Conflict
from carbon.ets.calendar import beijing_date
from carbon.ets.common import utcnow
from carbon.ets.compliance import allocations, compliance
from carbon.ets.filing import figures
from carbon.ets.registry import get_emitter
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
        "allocations": [{"kind": a.kind, "amount_t": a.amount_t, "obligation_t": a.obligation_t}
                        for a in allocations(session, emitter_id=e.id) if a.year == year],
        "compliance": comp, "generated_at": beijing_date(utcnow()).isoformat(),
    }
