"""Registry of covered entities (重点排放单位名录) by sector and year, and who is late as of a given day.

An emitter is covered in year Y when its direct emissions of Y (``figures``: verified once concluded, else
the newest report; ``covered_emissions_t`` = fuel + process, no indirect electricity or heat) reach the
threshold of ``data/deadlines.json`` (26,000 t CO2e); under it the entity is flagged ``not_covered``;
without figures for Y the coverage is unknown (``None``) and its deadlines still apply.

The deadlines of a cycle are data (``data/deadlines.json``, with their sources). Each milestone's status as of
a Beijing date: ``done`` (met by a record dated on or before the deadline), ``done_late`` (met after it),
``pending`` (not met, deadline not passed), ``late`` (not met, deadline passed), ``not_applicable`` (the
emitter's industry is not subject to it, or the emitter is not covered). What meets a milestone:
report_submitted: a report version for Y; emissions_confirmed: an engagement for Y in state ``final``;
allowances_issued: a final allocation for Y; compliance: a settlement of Y with status ``compliant`` (a
settlement ``non_compliant`` is ``late`` at once).
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbon.core.errors import NotFound, ValidationError
from carbon.ets.calendar import beijing_date
from carbon.ets.common import utcnow
from carbon.ets.filing import figures
from carbon.ets.models import INDUSTRIES, Allocation, Emitter, Engagement, Report, Settlement
from carbon.ets.registry import list_emitters

DEADLINES_FILE = Path(__file__).with_name("data") / "deadlines.json"


@lru_cache(maxsize=1)
def deadline_rules() -> dict[str, Any]:
    return json.loads(DEADLINES_FILE.read_text(encoding="utf-8"))


def deadlines(year: int) -> list[dict[str, Any]]:
    """The milestones of reporting year ``year`` with their dates."""
    rules = deadline_rules()
    if not rules["from_year"] <= year <= rules["to_year"]:
        raise ValidationError(key="ets_no_deadlines",
                              params={"year": year, "first": rules["from_year"], "last": rules["to_year"],
                                      "file": DEADLINES_FILE.name}, field="year")
    return [{"code": m["code"], "zh": m["zh"], "industries": m["industries"], "responsible": m["responsible"],
             "due": date(year + m["year_offset"], m["month"], m["day"]).isoformat(), "sources": m["sources"]}
            for m in rules["milestones"]]


def _status(met_on: date | None, due: date, as_of: date) -> str:
    if met_on is not None and met_on <= as_of:
        return "done" if met_on <= due else "done_late"
    return "late" if as_of > due else "pending"


def _met(session: Session, e: Emitter, year: int) -> dict[str, tuple[date | None, bool]]:
    """When each milestone was met (Beijing date, or None), and whether it failed outright."""
    report = session.scalar(select(Report).where(Report.emitter_id == e.id, Report.year == year)
                            .order_by(Report.version))
    g = session.scalar(select(Engagement).where(Engagement.emitter_id == e.id, Engagement.year == year,
                                                Engagement.state == "final").order_by(Engagement.id))
    a = session.scalar(select(Allocation).where(Allocation.emitter_id == e.id, Allocation.year == year,
                                                Allocation.kind == "final"))
    s = session.scalar(select(Settlement).where(Settlement.emitter_id == e.id, Settlement.year == year))
    confirmed = (g.finalised_at or g.decided_at or g.concluded_at) if g else None
    return {
        "report_submitted": (beijing_date(report.submitted_at) if report else None, False),
        "emissions_confirmed": (beijing_date(confirmed) if confirmed else None, False),
        "allowances_issued": (beijing_date(a.created_at) if a else None, False),
        "compliance": (beijing_date(s.settled_at) if s and s.status == "compliant" else None,
                       bool(s and s.status == "non_compliant")),
    }


def covered_entities(session: Session, *, year: int, industry: str | None = None,
                     as_of: date | None = None) -> dict[str, Any]:
    """Every registered emitter of ``industry`` (default: all) for ``year``: coverage and deadline status."""
    if industry is not None and industry not in INDUSTRIES:
        raise ValidationError(key="ets_industry", params={"industries": ", ".join(INDUSTRIES)}, field="industry")
    rules = deadline_rules()
    milestones = deadlines(year)
    as_of = as_of or beijing_date(utcnow())
    threshold = rules["threshold"]["direct_emissions_t"]
    entities = []
    for e in list_emitters(session, industry=industry):
        try:
            fig = figures(session, uscc=e.uscc, year=year)
            direct, source = fig["covered_emissions_t"], fig["source"]
        except NotFound:
            direct, source = None, None
        covered = None if direct is None else direct >= threshold
        met = _met(session, e, year)
        status = []
        for m in milestones:
            applies = m["industries"] == "all" or e.industry in m["industries"]
            due = date.fromisoformat(m["due"])
            on, failed = met[m["code"]]
            if not applies or covered is False:
                st = "not_applicable"
            elif failed:
                st = "late"
            else:
                st = _status(on, due, as_of)
            status.append({"code": m["code"], "due": m["due"], "responsible": m["responsible"], "status": st,
                           "met_on": on.isoformat() if on else None})
        entities.append({"uscc": e.uscc, "name": e.name, "industry": e.industry, "region": e.region.code,
                         "direct_emissions_t": direct, "emissions_source": source, "covered": covered,
                         "flag": "not_covered" if covered is False else None,
                         "milestones": status, "late": [m["code"] for m in status if m["status"] == "late"]})
    return {"year": year, "as_of": as_of.isoformat(), "industry": industry, "threshold_t": threshold,
            "threshold_sources": rules["threshold"]["sources"], "deadlines": milestones, "entities": entities,
            "late": [x["uscc"] for x in entities if x["late"]]}
