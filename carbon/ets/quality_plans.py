"""Data-quality control plans (数据质量控制计划) as versioned documents: per emitter, per version, the list of
monitored parameters (what is measured, how often, by which method or instrument, measured or default).

A new version is a new row (``ets_quality_plans``); no version is ever updated. The emitter's
``quality_plan_ref`` / ``quality_plan_version`` (the plan "on record", registry.py) follow the newest version.
The version that governs a reporting year is the newest one whose ``applies_from`` is not after that year.

``re_reference_plan`` is what the deprecated ``POST /emitters/{uscc}/quality-plan`` (a reference only) does
now: a proper new version, the newest plan's parameters and first year under the new reference; without a
plan record to carry over it refuses and names the route that takes the parameters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbon.core.errors import Conflict, NotFound, ValidationError
from carbon.core.units import is_fraction_unit, parse_unit, ureg
from carbon.ets.common import lock_emitter, record_event, utcnow
from carbon.ets.models import FREQUENCIES, PLAN_SOURCES, Emitter, QualityPlan
from carbon.ets.monthly_check import PARAMETERS, PlanParameter
from carbon.ets.registry import get_emitter

FREQUENCY_ZH = {"每批次": "per_batch", "每日": "daily", "每天": "daily", "每月": "monthly", "每季度": "quarterly",
                "每年": "yearly"}
SOURCE_ZH = {"实测": "measured", "缺省": "default", "计算": "calculated"}
# the English wordings parameter_entries is given (by validate_parameters and monthly.py) -> their catalogue keys
ENTRY_KEYS = {"a plan lists at least one parameter": "ets_sector_plan_empty",
              "a filing holds at least one value": "ets_sector_filing_empty",
              "listed twice": "ets_sector_entry_listed_twice", "filed twice": "ets_sector_entry_filed_twice"}
PLAN_KEYS = {"parameter", "item", "description", "frequency", "method", "instrument", "source", "unit"}


def normalise_source(text: Any, where: str, allowed: tuple[str, ...]) -> str:
    s = SOURCE_ZH.get(text, text) if isinstance(text, str) else text
    if s not in allowed:
        zh = [k for k, v in SOURCE_ZH.items() if v in allowed]
        raise ValidationError(key="ets_sector_one_of_zh", params={"field": where, "allowed": ", ".join(allowed),
                                                                   "zh": "/".join(zh)}, field=where)
    return s


def check_parameter_unit(parameter: str, unit: Any, where: str) -> str:
    """The unit string, checked for the dimension the parameter needs (PARAMETERS[...]["dims"])."""
    if not isinstance(unit, str) or not unit.strip():
        raise ValidationError(key="ets_sector_required", params={"field": where}, field=where)
    dims = PARAMETERS[parameter]["dims"]
    if "" in dims and is_fraction_unit(unit):
        return unit.strip()
    got = parse_unit(unit).dimensionality
    if not any(got == ureg.get_dimensionality(d) for d in dims):
        raise ValidationError(key="ets_sector_plan_unit_dimension", params={
            "where": where, "unit": unit, "got": str(got or "dimensionless"), "parameter": parameter,
            "needs": " or ".join(d or "dimensionless" for d in dims)}, field=where)
    return unit.strip()


def check_parameter_code(code: Any, where: str) -> str:
    if code not in PARAMETERS:
        raise ValidationError(key="ets_sector_not_key_parameter", params={
            "where": where, "code": code, "known": ", ".join(sorted(PARAMETERS))}, field=where)
    return code


def parameter_entries(entries: list[dict[str, Any]], *, field: str, allowed: set[str], empty: str, twice: str):
    """Each entry of a list of key parameters (a plan's, a month's filing) as (where, code, item, entry): no unknown
    field, a known parameter code, and each (parameter, item) once; ``empty`` and ``twice`` word the refusals."""
    if not entries:
        raise ValidationError(key=ENTRY_KEYS.get(empty, "ets_sector_entries_empty"), params={"detail": empty},
                              field=field)
    seen = set()
    for i, entry in enumerate(entries):
        where = f"{field}[{i}]"
        extra = set(entry) - allowed
        if extra:
            raise ValidationError(key="ets_sector_unknown_fields",
                                  params={"where": where, "fields": ", ".join(sorted(extra))},
                                  field=f"{where}.{min(extra)}")
        code = check_parameter_code(entry.get("parameter"), f"{where}.parameter")
        item = (entry.get("item") or "").strip()
        if (code, item) in seen:
            raise ValidationError(key=ENTRY_KEYS.get(twice, "ets_sector_entry_twice"),
                                  params={"where": where, "code": code, "item": item, "twice": twice},
                                  field=f"{where}.parameter")
        seen.add((code, item))
        yield where, code, item, entry


def validate_parameters(parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for where, code, item, p in parameter_entries(parameters, field="parameters", allowed=PLAN_KEYS,
                                                  empty="a plan lists at least one parameter", twice="listed twice"):
        freq = FREQUENCY_ZH.get(p.get("frequency"), p.get("frequency"))
        if freq not in FREQUENCIES:
            raise ValidationError(key="ets_sector_one_of_zh", params={
                "field": f"{where}.frequency", "allowed": ", ".join(FREQUENCIES), "zh": "/".join(FREQUENCY_ZH)},
                field=f"{where}.frequency")
        source = normalise_source(p.get("source", "measured"), f"{where}.source", PLAN_SOURCES)
        method = (p.get("method") or "").strip()
        if source == "measured" and not method:
            raise ValidationError(key="ets_sector_plan_method_required", params={"where": where},
                                  field=f"{where}.method")
        entry = {"parameter": code, "item": item, "description": (p.get("description") or PARAMETERS[code]["zh"]).strip(),
                 "frequency": freq, "method": method, "instrument": (p.get("instrument") or "").strip(),
                 "source": source}
        if p.get("unit") is not None:
            entry["unit"] = check_parameter_unit(code, p["unit"], f"{where}.unit")
        out.append(entry)
    return out


def create_plan(session: Session, *, uscc: str, ref: str, applies_from: int, parameters: list[dict[str, Any]],
                actor: str, note: str | None = None) -> QualityPlan:
    """A new plan version (the previous ones stay as they were)."""
    e = get_emitter(session, uscc=uscc)
    if not ref or not ref.strip():
        raise ValidationError(key="ets_sector_plan_ref_required", field="ref")
    params = validate_parameters(parameters)
    lock_emitter(session, e)
    latest = session.scalar(select(func.max(QualityPlan.version)).where(QualityPlan.emitter_id == e.id)) or 0
    version = max(latest, e.quality_plan_version or 0) + 1
    plan = QualityPlan(emitter=e, version=version, ref=ref.strip(), applies_from=applies_from, parameters=params,
                       note=note, created_by=actor, created_at=utcnow())
    session.add(plan)
    e.quality_plan_ref, e.quality_plan_version, e.quality_plan_at = plan.ref, version, plan.created_at
    session.flush()
    record_event(session, entity="quality_plan", entity_id=plan.id, emitter_id=e.id, action="quality_plan_version",
                 actor=actor, detail={"ref": plan.ref, "version": version, "applies_from": applies_from,
                                      "parameters": len(params)})
    return plan


NEW_ROUTE = "POST /api/v1/ets/emitters/{uscc}/quality-plans"


def re_reference_plan(session: Session, *, uscc: str, ref: str, actor: str) -> QualityPlan:
    """A new plan version under ``ref`` with the newest version's parameters and ``applies_from`` (the old
    reference-only route). No plan record yet: Conflict naming the route that creates one."""
    e = get_emitter(session, uscc=uscc)
    latest = session.scalar(select(QualityPlan).where(QualityPlan.emitter_id == e.id)
                            .order_by(QualityPlan.version.desc()).limit(1))
    if latest is None:
        raise Conflict(key="ets_sector_plan_no_record", params={"uscc": e.uscc, "route": NEW_ROUTE.format(uscc=e.uscc)},
                       field="ref")
    return create_plan(session, uscc=e.uscc, ref=ref, applies_from=latest.applies_from,
                       parameters=[dict(p) for p in latest.parameters], actor=actor,
                       note=f"version {latest.version} under a new reference (POST /quality-plan, deprecated)")


def list_plans(session: Session, *, emitter_id: int) -> list[QualityPlan]:
    return list(session.scalars(select(QualityPlan).where(QualityPlan.emitter_id == emitter_id)
                                .order_by(QualityPlan.version)))


def get_plan(session: Session, *, emitter: Emitter, version: int) -> QualityPlan:
    p = session.scalar(select(QualityPlan).where(QualityPlan.emitter_id == emitter.id, QualityPlan.version == version))
    if p is None:
        raise NotFound(key="ets_sector_plan_not_found", params={"version": version, "uscc": emitter.uscc},
                       field="version")
    return p


def plan_for_year(session: Session, *, emitter_id: int, year: int) -> QualityPlan | None:
    return session.scalar(select(QualityPlan).where(QualityPlan.emitter_id == emitter_id,
                                                    QualityPlan.applies_from <= year)
                          .order_by(QualityPlan.version.desc()).limit(1))


def plan_parameters(plan: QualityPlan) -> list[PlanParameter]:
    return [PlanParameter(parameter=p["parameter"], item=p.get("item", ""), frequency=p["frequency"],
                          source=p["source"]) for p in plan.parameters]
