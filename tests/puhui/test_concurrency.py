"""Concurrency on PostgreSQL (skipped on SQLite, which has a single writer): threads, each with its own
session and connection, released together by a barrier, through the service layer as the API calls it.

- 50 residents redeem the last item in stock at once: exactly one gets it, 49 get 409 out_of_stock, and only
  one redemption reaches the ledger.
- One resident's phone retries one Idempotency-Key 50 times at once: one award, 50 identical responses.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from carbon.core.db import make_engine, session_scope, utcnow
from carbon.core.errors import Conflict
from carbon.puhui import service
from carbon.puhui.models import PuhuiBehaviour, PuhuiJournal, PuhuiRedemption, PuhuiReward
from carbon.puhui.wechat import Code2Session

SECRET = "test-openid-secret"
N = 50


@pytest.fixture
def pg_engine(backend, migrated_url):
    if backend != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (SQLite has one writer)")
    engine = make_engine(migrated_url, pool_size=N + 2, max_overflow=0)
    yield engine
    engine.dispose()


def run_together(n, work):
    """Run ``work(i)`` in n threads started at the same moment; returns results (or exceptions) by index."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def target(i):
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[i] = exc

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def bus_claim(trip):
    return service.Claim(type="bus", quantity=Decimal(8), unit="km", occurred_at=utcnow() - timedelta(hours=1),
                         operator="ordos-bus", trip_id=trip)


def test_last_item_in_stock_goes_to_exactly_one(pg_engine):
    with session_scope(pg_engine) as s:
        users = []
        for i in range(N):
            _, user = service.login(s, identity=Code2Session(openid=f"r{i}"), secret=SECRET)
            service.record_behaviour(s, user_id=user.id, claim=bus_claim(f"T{i}"), secret=SECRET)  # 215 points
            users.append(user.id)
        reward_id = service.create_reward(s, name="最后一张乘车券", cost_points=200, stock=1).id

    def redeem(i):
        with session_scope(pg_engine) as s:
            return service.redeem(s, user_id=users[i], reward_id=reward_id, idempotency_key=f"k{i}").body

    results = run_together(N, redeem)
    wins = [r for r in results if isinstance(r, dict)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == N - 1, [type(r) for r in results]
    assert {e.code for e in losses} == {"out_of_stock"}
    with session_scope(pg_engine) as s:
        assert s.scalar(select(PuhuiReward.stock).where(PuhuiReward.id == reward_id)) == 0
        assert s.scalar(select(func.count()).select_from(PuhuiRedemption)) == 1
        assert s.scalar(select(func.count()).select_from(PuhuiJournal).where(PuhuiJournal.kind == "redemption")) == 1
        balances = sorted(service.user_balance(s, user_id=u) for u in users)
        assert balances == [15] + [215] * (N - 1)  # only the winner paid


def test_fifty_replays_of_one_key_award_once(pg_engine):
    with session_scope(pg_engine) as s:
        _, user = service.login(s, identity=Code2Session(openid="retrying-phone"), secret=SECRET)
        uid = user.id
    claim = bus_claim("T-replay")
    fingerprint = {"same": "body"}

    def award(_i):
        with session_scope(pg_engine) as s:
            return service.record_behaviour(s, user_id=uid, claim=claim, secret=SECRET, idempotency_key="one-key",
                                            fingerprint=fingerprint)

    results = run_together(N, award)
    assert all(isinstance(r, service.Outcome) for r in results), [r for r in results if not isinstance(r, service.Outcome)]
    assert len({str(r.body) for r in results}) == 1 and results[0].body["points"] == 215
    assert sum(not r.replayed for r in results) == 1
    with session_scope(pg_engine) as s:
        assert s.scalar(select(func.count()).select_from(PuhuiBehaviour)) == 1
        assert s.scalar(select(func.count()).select_from(PuhuiJournal).where(PuhuiJournal.kind == "award")) == 1
        assert service.user_balance(s, user_id=uid) == 215
        assert s.execute(text("SELECT count(*) FROM puhui_idempotency_keys")).scalar() == 1


def test_one_trip_claimed_by_many_residents_at_once_counts_once(pg_engine):
    with session_scope(pg_engine) as s:
        users = [service.login(s, identity=Code2Session(openid=f"t{i}"), secret=SECRET)[1].id for i in range(10)]

    def claim(i):
        with session_scope(pg_engine) as s:
            return service.record_behaviour(s, user_id=users[i], claim=bus_claim("shared-trip"), secret=SECRET)

    results = run_together(10, claim)
    assert sum(isinstance(r, service.Outcome) for r in results) == 1
    assert all(r.code == "duplicate_trip" for r in results if not isinstance(r, service.Outcome))
