"""The award hot path (service.authenticate_and_lock, service.record_behaviour's one-SELECT snapshot, the
statement cache and, on PostgreSQL, the single-statement write) on both backends.

What could go stale: statements are cached per process (SQL structure only), methodologies are parsed through a
cache keyed by the row's full content. A new version must reach the very next award, and two databases holding
different rows under the same (code, version) must each get their own factor.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from carbon.core import migrate
from carbon.core.db import make_engine, session_scope
from carbon.core.errors import Conflict, Unauthorized
from carbon.puhui import methodologies, privacy, residents, service
from carbon.puhui.models import PuhuiBehaviour, PuhuiIdempotencyKey, PuhuiJournal
from carbon.puhui.wechat import Code2Session

SECRET = "test-openid-secret"


def login(session, name=None) -> tuple[str, int]:
    token, user = service.login(session, identity=Code2Session(openid=name or uuid.uuid4().hex), secret=SECRET)
    return token, user.id


def bus(trip: str, km: int = 8) -> service.Claim:
    return service.Claim(type="bus", quantity=Decimal(km), unit="km",
                         occurred_at=datetime.now(UTC) - timedelta(hours=1), operator="ordos-bus", trip_id=trip)


def bus_v2(factor: str) -> dict:
    v1 = next(m for m in methodologies.load_all() if m.code == "bus")
    data = {k: v for k, v in v1.as_dict().items() if v is not None}
    data.update(version=2, factor=factor, source="test", valid_from="2020-01-01")
    return data


def test_a_new_methodology_version_reaches_the_next_award(session):
    service.sync_methodologies(session)
    _, uid = login(session)
    first = service.record_behaviour(session, user_id=uid, claim=bus("A"), secret=SECRET).body
    assert first["methodology"] == {"code": "bus", "version": 1} and first["points"] == 215  # 8 x 26.9 = 215.2
    service.add_methodology(session, data=bus_v2("30"), origin="test")
    second = service.record_behaviour(session, user_id=uid, claim=bus("B"), secret=SECRET).body
    assert second["methodology"] == {"code": "bus", "version": 2} and second["points"] == 240  # 8 x 30


def test_same_code_and_version_with_other_content_in_another_database(session, tmp_path):
    """The stale-cache case: database A and database B both hold bus v2, with factors 30 and 20 g/km."""
    service.sync_methodologies(session)
    service.add_methodology(session, data=bus_v2("30"), origin="test")
    _, uid = login(session)
    assert service.record_behaviour(session, user_id=uid, claim=bus("A"), secret=SECRET).body["points"] == 240  # 8 x 30

    other = f"sqlite:///{tmp_path / 'other.db'}"
    migrate.upgrade(other)
    engine = make_engine(other)
    try:
        with session_scope(engine) as s:
            service.sync_methodologies(s)
            service.add_methodology(s, data=bus_v2("20"), origin="test")
            _, uid_b = login(s)
            body = service.record_behaviour(s, user_id=uid_b, claim=bus("A"), secret=SECRET).body
            assert body["methodology"]["version"] == 2 and body["points"] == 160  # 8 x 20
    finally:
        engine.dispose()
    # and back in A: still 30 g/km
    assert service.record_behaviour(session, user_id=uid, claim=bus("C"), secret=SECRET).body["points"] == 240


def test_authenticate_and_lock(session):
    token, uid = login(session)
    assert service.authenticate_and_lock(session, token) == uid
    for bad in (None, "", "not-a-token"):
        with pytest.raises(Unauthorized):
            service.authenticate_and_lock(session, bad)
    later = datetime.now(UTC) + service.SESSION_TTL + timedelta(seconds=1)
    with pytest.raises(Unauthorized):  # past the 30-day session
        service.authenticate_and_lock(session, token, now=later)
    privacy.erase(session, user_id=uid)
    with pytest.raises(Unauthorized):
        service.authenticate_and_lock(session, token)


def test_fully_capped_award_with_a_key_replays(session):
    """No journal (0 points): the general write path, also on PostgreSQL. Bus: at most 6 trips a day earn."""
    service.sync_methodologies(session)
    _, uid = login(session)
    for i in range(6):
        assert service.record_behaviour(session, user_id=uid, claim=bus(f"T{i}"), secret=SECRET).body["points"] == 215
    claim = bus("T7")
    first = service.record_behaviour(session, user_id=uid, claim=claim, secret=SECRET, idempotency_key="k7")
    assert (first.body["points"], first.body["capped"], first.replayed) == (0, True, False)
    again = service.record_behaviour(session, user_id=uid, claim=claim, secret=SECRET, idempotency_key="k7")
    assert again.replayed and again.body == first.body
    assert session.scalar(select(func.count()).select_from(PuhuiBehaviour)) == 7
    assert session.scalar(select(func.count()).select_from(PuhuiJournal)) == 6


def test_keyed_award_stores_exactly_the_response(session):
    """With a key and points: on PostgreSQL the one-statement write builds the stored JSON in the database."""
    service.sync_methodologies(session)
    _, uid = login(session)
    first = service.record_behaviour(session, user_id=uid, claim=bus("K"), secret=SECRET, idempotency_key="k")
    stored = session.scalar(select(PuhuiIdempotencyKey.response).where(PuhuiIdempotencyKey.key == "k"))
    assert stored == first.body and first.body["id"] == session.scalar(select(PuhuiBehaviour.id))
    assert service.user_balance(session, user_id=uid) == 215


def test_a_waiter_gives_up_on_a_held_resident_lock(session, engine, monkeypatch):
    """PostgreSQL: an award waiting for a resident's row lock stops after LOCK_WAIT_MS with a 409 instead of
    holding its worker thread for ever (with every pool thread waiting, the holder could never commit)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row-lock waits are a PostgreSQL matter; SQLite has a single writer")
    token, uid = login(session)
    session.commit()
    monkeypatch.setattr(residents, "LOCK_WAIT_MS", 200)
    with session_scope(engine) as holder:
        assert service.authenticate_and_lock(holder, token) == uid  # holds the lock until the block ends
        with session_scope(engine) as waiter:
            t0 = datetime.now(UTC)
            with pytest.raises(Conflict, match="still being processed"):
                service.authenticate_and_lock(waiter, token)
            assert datetime.now(UTC) - t0 < timedelta(seconds=3)
