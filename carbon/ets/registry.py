"""Who takes part: key emitters and their generating units, the data-quality control plan (数据质量控制计划),
verifier organisations, the principals (a token bound to its verifier or emitter) and verifiers'
consultancy for an emitter (a conflict of interest when verifying it; see verification.assign_verifier).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from carbon.core.errors import Conflict, NotFound, ValidationError
from carbon.core.models import ApiToken, Region
from carbon.core.regions import resolve_region
from carbon.ets.common import record_event, utcnow
from carbon.ets.models import INDUSTRIES, Consultancy, Emitter, GeneratingUnit, Principal, Verifier
from carbon.ets.mrv import COOLING, UNIT_TYPES
from carbon.ets.uscc import validate_uscc


def create_emitter(session: Session, *, uscc: str, name: str, industry: str = "power", region: str = "150600",
                   quality_plan_ref: str | None = None, units: list[dict[str, Any]] | None = None,
                   actor: str) -> Emitter:
    code = validate_uscc(uscc)
    if industry not in INDUSTRIES:
        raise ValidationError(key="ets_industry", params={"industries": ", ".join(INDUSTRIES)}, field="industry")
    if not name or not name.strip():
        raise ValidationError(key="ets_name_missing", field="name")
    if session.scalar(select(Emitter.id).where(Emitter.uscc == code)) is not None:
        raise Conflict(key="ets_emitter_registered", params={"code": code}, field="uscc")
    region_code = resolve_region(region)
    reg = session.scalar(select(Region).where(Region.code == region_code))
    if reg is None:
        raise NotFound(key="ets_region_not_in_db", params={"region": region}, field="region")
    e = Emitter(uscc=code, name=name.strip(), industry=industry, region=reg)
    if quality_plan_ref:
        e.quality_plan_ref, e.quality_plan_version, e.quality_plan_at = quality_plan_ref, 1, utcnow()
    session.add(e)
    session.flush()
    record_event(session, entity="emitter", entity_id=e.id, emitter_id=e.id, action="register", actor=actor,
                 detail={"uscc": code, "name": e.name, "industry": industry, "region": region_code})
    for i, u in enumerate(units or []):
        add_unit(session, uscc=code, actor=actor, where=f"units[{i}]", **u)
    return e


def get_emitter(session: Session, *, uscc: str) -> Emitter:
    e = session.scalar(select(Emitter).where(Emitter.uscc == uscc.strip().upper()))
    if e is None:
        raise NotFound(key="ets_no_emitter", params={"uscc": uscc}, field="uscc")
    return e


def list_emitters(session: Session, *, industry: str | None = None) -> list[Emitter]:
    q = select(Emitter).order_by(Emitter.uscc)
    if industry:
        q = q.where(Emitter.industry == industry)
    return list(session.scalars(q))


def add_unit(session: Session, *, uscc: str, code: str, type: str, capacity_mw: float, cooling: str, actor: str,
             where: str = "unit") -> GeneratingUnit:
    e = get_emitter(session, uscc=uscc)
    if type not in UNIT_TYPES:
        raise ValidationError(key="ets_unit_type",
                              params={"where": where, "types": ", ".join(UNIT_TYPES)}, field=f"{where}.type")
    if cooling not in COOLING:
        raise ValidationError(key="ets_cooling",
                              params={"where": where, "coolings": ", ".join(COOLING)}, field=f"{where}.cooling")
    if not capacity_mw or capacity_mw <= 0:
        raise ValidationError(key="ets_capacity_positive", params={"where": where}, field=f"{where}.capacity_mw")
    if any(u.code == code for u in e.units):
        raise Conflict(key="ets_unit_code_registered",
                       params={"where": where, "code": code, "uscc": e.uscc}, field=f"{where}.code")
    u = GeneratingUnit(emitter=e, code=code, type=type, capacity_mw=float(capacity_mw), cooling=cooling)
    session.add(u)
    session.flush()
    record_event(session, entity="unit", entity_id=u.id, emitter_id=e.id, action="register_unit", actor=actor,
                 detail={"code": code, "type": type, "capacity_mw": capacity_mw, "cooling": cooling})
    return u


def record_quality_plan(session: Session, *, uscc: str, ref: str, actor: str) -> Emitter:
    """Put a (new version of the) data-quality control plan (数据质量控制计划) on record."""
    e = get_emitter(session, uscc=uscc)
    if not ref.strip():
        raise ValidationError(key="ets_plan_ref_required", field="ref")
    e.quality_plan_ref, e.quality_plan_version, e.quality_plan_at = ref.strip(), (e.quality_plan_version or 0) + 1, utcnow()
    record_event(session, entity="emitter", entity_id=e.id, emitter_id=e.id, action="quality_plan", actor=actor,
                 detail={"ref": e.quality_plan_ref, "version": e.quality_plan_version})
    session.flush()
    return e


def create_verifier(session: Session, *, name: str, uscc: str | None = None, actor: str) -> Verifier:
    if not name or not name.strip():
        raise ValidationError(key="ets_name_missing", field="name")
    if session.scalar(select(Verifier.id).where(Verifier.name == name.strip())) is not None:
        raise Conflict(key="ets_verifier_exists", params={"name": name}, field="name")
    v = Verifier(name=name.strip(), uscc=validate_uscc(uscc) if uscc else None)
    session.add(v)
    session.flush()
    record_event(session, entity="verifier", entity_id=v.id, action="register", actor=actor, detail={"name": v.name})
    return v


def get_verifier(session: Session, *, verifier_id: int) -> Verifier:
    v = session.get(Verifier, verifier_id)
    if v is None:
        raise NotFound(key="ets_no_verifier", params={"verifier_id": verifier_id}, field="verifier_id")
    return v


def list_verifiers(session: Session) -> list[Verifier]:
    return list(session.scalars(select(Verifier).order_by(Verifier.id)))


def bind_principal(session: Session, *, token_id: int, verifier_id: int | None = None, uscc: str | None = None,
                   actor: str) -> Principal:
    """Bind a verifier token to its organisation or an emitter token to its emitter."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(key="ets_no_token", params={"token_id": token_id}, field="token_id")
    if (verifier_id is None) == (uscc is None):
        raise ValidationError(key="ets_verifier_or_emitter", field="verifier_id")
    if verifier_id is not None and token.role != "verifier":
        raise ValidationError(key="ets_token_not_verifier", params={"token_id": token_id, "role": token.role},
                              field="token_id")
    if uscc is not None and token.role != "emitter":
        raise ValidationError(key="ets_token_not_emitter", params={"token_id": token_id, "role": token.role},
                              field="token_id")
    if session.scalar(select(Principal.id).where(Principal.token_id == token_id)) is not None:
        raise Conflict(key="ets_token_bound", params={"token_id": token_id}, field="token_id")
    p = Principal(token_id=token_id,
                  verifier=get_verifier(session, verifier_id=verifier_id) if verifier_id is not None else None,
                  emitter=get_emitter(session, uscc=uscc) if uscc is not None else None)
    session.add(p)
    session.flush()
    record_event(session, entity="principal", entity_id=p.id, emitter_id=p.emitter_id, action="bind", actor=actor,
                 detail={"token_id": token_id, "verifier_id": verifier_id, "uscc": uscc})
    return p


def principal_of(session: Session, *, token_id: int) -> Principal | None:
    return session.scalar(select(Principal).where(Principal.token_id == token_id))


def list_principals(session: Session) -> list[Principal]:
    return list(session.scalars(select(Principal).order_by(Principal.token_id)))


def record_consultancy(session: Session, *, verifier_id: int, uscc: str, year: int, note: str | None = None,
                       actor: str) -> Consultancy:
    v = get_verifier(session, verifier_id=verifier_id)
    e = get_emitter(session, uscc=uscc)
    c = Consultancy(verifier_id=v.id, emitter_id=e.id, year=year, note=note)
    session.add(c)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(key="ets_consultancy_recorded",
                       params={"verifier_id": v.id, "uscc": e.uscc, "year": year}) from None
    record_event(session, entity="consultancy", entity_id=c.id, emitter_id=e.id, action="record", actor=actor,
                 detail={"verifier_id": v.id, "year": year})
    return c
