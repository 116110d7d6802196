"""The emitter's yearly emission reports (排放报告): submitted as numbered versions, each computed at once
(the computation itself is report.compute_report), and the figures that stand for a year: the verified
ones once a verification has concluded, the latest reported ones before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbon.core.errors import NotFound, ValidationError
from carbon.ets import allocation
from carbon.ets.common import assert_not_settled, record_event, utcnow
from carbon.ets.models import Emitter, Engagement, Report
from carbon.ets.registry import get_emitter
from carbon.ets.report import compute_report
from carbon.ets.verification import VERIFIED_STATES


def _check_units(emitter: Emitter, payload: dict[str, Any]) -> None:
    """A power report's units must be the emitter's registered units (same type and cooling)."""
    if payload.get("method", "power") != "power" or not emitter.units:
        return
    registered = {u.code: u for u in emitter.units}
    for i, u in enumerate(payload.get("units") or []):
        reg = registered.get(u.get("id"))
        if reg is None:
            raise ValidationError(key="ets_unit_not_registered",
                                  params={"i": i, "id": u.get("id"), "uscc": emitter.uscc,
                                          "registered": ", ".join(sorted(registered))}, field=f"units[{i}].id")
        for attr in ("type", "cooling"):
            if u.get(attr) != getattr(reg, attr):
                raise ValidationError(key="ets_unit_differs",
                                      params={"i": i, "attr": attr, "value": u.get(attr),
                                              "registered": getattr(reg, attr)}, field=f"units[{i}].{attr}")


def submit_report(session: Session, *, uscc: str, payload: dict[str, Any], actor: str) -> Report:
    """A new version of the emitter's yearly report, computed at once (bad input: nothing stored)."""
    e = get_emitter(session, uscc=uscc)
    result = compute_report(payload)
    year = result["year"]
    assert_not_settled(session, e, year)
    _check_units(e, payload)
    version = (session.scalar(select(func.max(Report.version)).where(Report.emitter_id == e.id, Report.year == year))
               or 0) + 1
    r = Report(emitter=e, year=year, version=version, payload=payload, result=result,
               reported_emissions_t=allocation.round_half_up(result["total"]["emissions_t"]), submitted_by=actor,
               submitted_at=utcnow())  # the ETS clock: the report deadline is judged on it (covered.py)
    session.add(r)
    session.flush()
    record_event(session, entity="report", entity_id=r.id, emitter_id=e.id, action="submit", actor=actor,
                 detail={"year": year, "version": version, "reported_emissions_t": r.reported_emissions_t})
    return r


def get_report(session: Session, *, report_id: int) -> Report:
    r = session.get(Report, report_id)
    if r is None:
        raise NotFound(key="ets_no_report", params={"report_id": report_id}, field="report_id")
    return r


def list_reports(session: Session, *, emitter_id: int, year: int | None = None) -> list[Report]:
    q = select(Report).where(Report.emitter_id == emitter_id).order_by(Report.year, Report.version)
    if year is not None:
        q = q.where(Report.year == year)
    return list(session.scalars(q))


def figures(session: Session, *, uscc: str, year: int) -> dict[str, Any]:
    """The emitter's figures for ``year``: the verified ones once concluded (they supersede the reported)."""
    e = get_emitter(session, uscc=uscc)
    g = session.scalar(select(Engagement).where(Engagement.emitter_id == e.id, Engagement.year == year,
                                                Engagement.state.in_(VERIFIED_STATES)).order_by(Engagement.id.desc()))
    if g is not None:
        return {"source": "verified", "state": g.state, "engagement_id": g.id, "report_version": g.report.version,
                "emissions_t": g.verified_emissions_t, "covered_emissions_t": g.covered_emissions_t,
                "reported_emissions_t": g.report.reported_emissions_t, "result": g.verified_result}
    reports = list_reports(session, emitter_id=e.id, year=year)
    if not reports:
        raise NotFound(key="ets_no_year_report", params={"year": year, "uscc": e.uscc}, field="year")
    r = reports[-1]
    return {"source": "reported", "state": None, "engagement_id": None, "report_version": r.version,
            "emissions_t": r.reported_emissions_t, "covered_emissions_t": int(r.result["total"]["covered_emissions_t"]),
            "reported_emissions_t": r.reported_emissions_t, "result": r.result}
