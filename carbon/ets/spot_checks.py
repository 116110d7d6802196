"""Random spot checks (双随机、一公开): the inspectors, the draw of emitters and inspectors from a stored,
published seed (the draw itself is inspection.py) and the result for each emitter drawn.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbon.core.errors import Conflict, NotFound, ValidationError
from carbon.ets import inspection
from carbon.ets.common import record_event, utcnow
from carbon.ets.models import Inspection, Inspector
from carbon.ets.registry import get_emitter, list_emitters


def add_inspector(session: Session, *, name: str, unit: str | None = None, actor: str) -> Inspector:
    if not name.strip():
        raise ValidationError(key="ets_name_missing", field="name")
    i = Inspector(name=name.strip(), unit=unit)
    session.add(i)
    session.flush()
    record_event(session, entity="inspector", entity_id=i.id, action="register", actor=actor, detail={"name": i.name})
    return i


def create_inspection(session: Session, *, year: int, k: int, per_emitter: int = 2, seed: str | None = None,
                      industry: str | None = None, actor: str) -> Inspection:
    """Draw emitters and inspectors from a seed that is stored and published with the population."""
    population = [e.uscc for e in list_emitters(session, industry=industry)]
    pool = [str(i.id) for i in session.scalars(select(Inspector).where(Inspector.active.is_(True)))]
    seed = seed if seed is not None else inspection.new_seed()
    d = inspection.draw(seed, emitters=population, k=k, inspectors=pool, per_emitter=per_emitter)
    row = Inspection(year=year, seed=seed, population=sorted(population), population_sha256=d.population_sha256, k=k,
                     per_emitter=per_emitter, selected={u: [int(i) for i in d.inspectors[u]] for u in d.emitters},
                     results={}, created_by=actor)
    session.add(row)
    session.flush()
    record_event(session, entity="inspection", entity_id=row.id, action="draw", actor=actor,
                 detail={"seed": seed, "population_sha256": d.population_sha256, "selected": d.emitters})
    return row


def get_inspection(session: Session, *, inspection_id: int) -> Inspection:
    i = session.get(Inspection, inspection_id)
    if i is None:
        raise NotFound(key="ets_no_inspection", params={"inspection_id": inspection_id}, field="inspection_id")
    return i


def list_inspections(session: Session) -> list[Inspection]:
    return list(session.scalars(select(Inspection).order_by(Inspection.id)))


def record_inspection_result(session: Session, *, inspection_id: int, uscc: str, passed: bool, finding: str,
                             actor: str) -> Inspection:
    i = get_inspection(session, inspection_id=inspection_id)
    code = uscc.strip().upper()
    if code not in i.selected:
        raise ValidationError(key="ets_not_drawn", params={"code": code, "inspection_id": inspection_id}, field="uscc")
    if code in (i.results or {}):
        raise Conflict(key="ets_result_recorded", params={"code": code}, field="uscc")
    i.results = {**(i.results or {}), code: {"passed": passed, "finding": finding, "at": utcnow().isoformat()}}
    session.flush()
    record_event(session, entity="inspection", entity_id=i.id, action="result", actor=actor,
                 emitter_id=get_emitter(session, uscc=code).id, detail={"uscc": code, "passed": passed})
    return i
