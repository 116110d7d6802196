"""Monthly key-parameter filings (关键参数月度存证) and their check against the plan and the annual report.

A month's filing is a numbered version holding every value of that month (a full snapshot, not a delta).
A filed month is immutable: filing the month again is a correction, version n+1, and needs a
``correction_reason``; earlier versions stay readable. The check uses each month's newest version.
Each value carries a unit (dimension-checked for its parameter) and a source flag 实测/缺省/计算
(``measured`` / ``default`` / ``calculated``).
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbon.core.errors import Conflict, NotFound, ValidationError
from carbon.ets.calendar import beijing_date
from carbon.ets.common import assert_not_settled, lock_emitter, record_event, utcnow
from carbon.ets.filing import get_report, list_reports
from carbon.ets.models import VALUE_SOURCES, MonthlyFiling, MonthlyValue
from carbon.ets.monthly_check import MonthValue, annual_values, check_year
from carbon.ets.quality_plans import (
    check_parameter_unit,
    normalise_source,
    parameter_entries,
    plan_for_year,
    plan_parameters,
)
from carbon.ets.registry import get_emitter

VALUE_KEYS = {"parameter", "item", "value", "unit", "source", "samples", "batches", "method"}


def _values(values: list[dict[str, Any]]) -> list[MonthlyValue]:
    out = []
    for where, code, item, v in parameter_entries(values, field="values", allowed=VALUE_KEYS,
                                                  empty="a filing holds at least one value", twice="filed twice"):
        x = v.get("value")
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            raise ValidationError(key="ets_value_finite", params={"where": where}, field=f"{where}.value")
        unit = check_parameter_unit(code, v.get("unit"), f"{where}.unit")
        source = normalise_source(v.get("source"), f"{where}.source", VALUE_SOURCES)
        samples, batches = v.get("samples", 0), v.get("batches")
        for name, n in (("samples", samples), ("batches", batches)):
            if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0):
                raise ValidationError(key="ets_whole_number",
                                      params={"where": where, "name": name}, field=f"{where}.{name}")
        if source == "measured" and samples == 0:
            samples = 1  # a measured value stands on at least one measurement
        out.append(MonthlyValue(parameter=code, item=item, value=float(x), unit=unit, source=source, samples=samples,
                                batches=batches, method=(v.get("method") or None)))
    return out


def file_month(session: Session, *, uscc: str, year: int, month: int, values: list[dict[str, Any]], actor: str,
               correction_reason: str | None = None) -> MonthlyFiling:
    """File (version 1) or correct (version n+1, with a reason) one month's key parameters."""
    e = get_emitter(session, uscc=uscc)
    if not 1 <= month <= 12:
        raise ValidationError(key="ets_month_range", field="month")
    today = beijing_date(utcnow())
    if (year, month) > (today.year, today.month):
        raise ValidationError(key="ets_month_not_begun",
                              params={"year": year, "month": month, "today": today.isoformat()},
                              field="month")
    assert_not_settled(session, e, year)
    rows = _values(values)
    lock_emitter(session, e)
    latest = session.scalar(select(func.max(MonthlyFiling.version)).where(
        MonthlyFiling.emitter_id == e.id, MonthlyFiling.year == year, MonthlyFiling.month == month)) or 0
    reason = (correction_reason or "").strip() or None
    if latest and not reason:
        raise Conflict(key="ets_month_filed",
                       params={"year": year, "month": month, "latest": latest}, field="correction_reason")
    if not latest and reason:
        raise ValidationError(key="ets_month_nothing_to_correct",
                              params={"year": year, "month": month}, field="correction_reason")
    f = MonthlyFiling(emitter=e, year=year, month=month, version=latest + 1, correction_reason=reason, filed_by=actor,
                      filed_at=utcnow(), values=rows)
    session.add(f)
    session.flush()
    record_event(session, entity="monthly_filing", entity_id=f.id, emitter_id=e.id,
                 action="correct_month" if latest else "file_month", actor=actor,
                 detail={"year": year, "month": month, "version": f.version, "values": len(rows),
                         "reason": reason})
    return f


def list_filings(session: Session, *, emitter_id: int, year: int, month: int | None = None) -> list[MonthlyFiling]:
    """Every version of the year's (or month's) filings, by month and version."""
    q = (select(MonthlyFiling).where(MonthlyFiling.emitter_id == emitter_id, MonthlyFiling.year == year)
         .order_by(MonthlyFiling.month, MonthlyFiling.version))
    if month is not None:
        q = q.where(MonthlyFiling.month == month)
    return list(session.scalars(q))


def get_filing(session: Session, *, emitter_id: int, year: int, month: int, version: int) -> MonthlyFiling:
    f = session.scalar(select(MonthlyFiling).where(MonthlyFiling.emitter_id == emitter_id, MonthlyFiling.year == year,
                                                   MonthlyFiling.month == month, MonthlyFiling.version == version))
    if f is None:
        raise NotFound(key="ets_no_filing", params={"year": year, "month": month, "version": version}, field="version")
    return f


def latest_filings(session: Session, *, emitter_id: int, year: int) -> dict[int, MonthlyFiling]:
    out: dict[int, MonthlyFiling] = {}
    for f in list_filings(session, emitter_id=emitter_id, year=year):
        out[f.month] = f  # ordered by version: the last one stays
    return out


def check(session: Session, *, uscc: str, year: int, report_id: int | None = None, tolerance: float = 0.01,
          through_month: int | None = None) -> dict[str, Any]:
    """The year's gaps (carbon.ets.monthly_check): its months against its plan and its annual report (the
    given one, else the newest version). ``through_month`` defaults to 12 for a past year, else to the last
    month that has ended."""
    e = get_emitter(session, uscc=uscc)
    if report_id is not None:
        report = get_report(session, report_id=report_id)
        if report.emitter_id != e.id or report.year != year:
            raise NotFound(key="ets_no_emitter_report",
                           params={"year": year, "report_id": report_id, "uscc": e.uscc}, field="report_id")
    else:
        reports = list_reports(session, emitter_id=e.id, year=year)
        report = reports[-1] if reports else None
    if through_month is None:
        today = beijing_date(utcnow())
        through_month = 12 if year < today.year else (today.month - 1 if year == today.year else 0)
    plan = plan_for_year(session, emitter_id=e.id, year=year)
    months = latest_filings(session, emitter_id=e.id, year=year)
    gaps = check_year(
        year=year, plan=plan_parameters(plan) if plan else None,
        months={m: [MonthValue(parameter=v.parameter, item=v.item, value=v.value, unit=v.unit, source=v.source,
                               samples=v.samples, batches=v.batches) for v in f.values] for m, f in months.items()},
        annual=annual_values(report.payload) if report else None, tolerance=tolerance, through_month=through_month)
    return {"uscc": e.uscc, "year": year, "through_month": through_month, "tolerance": tolerance,
            "plan_version": plan.version if plan else None, "plan_ref": plan.ref if plan else None,
            "report_id": report.id if report else None, "report_version": report.version if report else None,
            "months": {str(m): f.version for m, f in sorted(months.items())},
            "gaps": [g.as_dict() for g in gaps]}
