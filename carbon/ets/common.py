"""What every ETS workflow module shares: the clock, the audit trail (``ets_events``: who, when, what),
the emitter row lock and the rule that a settled year is immutable.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbon.core.errors import Conflict
from carbon.ets.models import Emitter, Event, Settlement


def utcnow() -> datetime:
    """The current time, looked up as ``carbon.ets.service.utcnow`` at every call: patching that one name
    stands every ETS workflow on a given day (tests/ets/conftest.py does)."""
    from carbon.ets import service  # the facade imports the workflow modules, hence at call time

    return service.utcnow()


def record_event(session: Session, *, entity: str, entity_id: int, action: str, actor: str,
                 emitter_id: int | None = None, from_state: str | None = None, to_state: str | None = None,
                 detail: dict | None = None, at: datetime | None = None) -> Event:
    ev = Event(entity=entity, entity_id=entity_id, emitter_id=emitter_id, action=action, from_state=from_state,
               to_state=to_state, actor=actor, at=at or utcnow(), detail=detail)
    session.add(ev)
    return ev


def events(session: Session, *, emitter_id: int | None = None, entity: str | None = None,
           entity_id: int | None = None) -> list[Event]:
    q = select(Event).order_by(Event.id)
    if emitter_id is not None:
        q = q.where(Event.emitter_id == emitter_id)
    if entity is not None:
        q = q.where(Event.entity == entity)
    if entity_id is not None:
        q = q.where(Event.entity_id == entity_id)
    return list(session.scalars(q))


def lock_emitter(session: Session, emitter: Emitter) -> None:
    """Serialise the writes of one emitter (row lock on PostgreSQL; SQLite has a single writer anyway)."""
    session.execute(select(Emitter.id).where(Emitter.id == emitter.id).with_for_update())


def assert_not_settled(session: Session, emitter: Emitter, year: int) -> None:
    if session.scalar(select(Settlement.id).where(Settlement.emitter_id == emitter.id, Settlement.year == year)):
        raise Conflict(key="ets_year_settled", params={"year": year, "uscc": emitter.uscc}, field="year")
