"""Group commit of awards (carbon/puhui/award_batch.py).

``decide`` is tested without a database on rows shaped like SNAPSHOT_SQL's; the writer is tested on PostgreSQL
(its batched path) and on SQLite (claim by claim): same answers and the same rows as the single path, a resident's
second claim deferred to the next batch, 50 copies of one keyed request awarding once, and a batch that cannot go
on (a resident's lock held elsewhere, a lost connection) falling back claim by claim.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import namedtuple
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Connection, Engine, func, select, text

from carbon.core.db import make_engine, session_factory, session_scope
from carbon.core.errors import Conflict, Unauthorized
from carbon.puhui import award_batch, ledger, methodologies, service
from carbon.puhui import residents as resident_service
from carbon.puhui.models import PuhuiBehaviour, PuhuiIdempotencyKey, PuhuiJournal, PuhuiPosting
from carbon.puhui.ratelimit import MemoryLimiter, RateLimited
from carbon.puhui.wechat import Code2Session

SECRET = "test-openid-secret"
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)

Row = namedtuple("Row", [*service.METHOD_COLUMNS, "id", "earlier", "accounts", "i", "user_id", "route",
                         "request_hash", "status_code", "response", "trip_taken", "new_journal_id",
                         "new_behaviour_id"])
BUS = next(m for m in methodologies.load_all() if m.code == "bus")


def claim(trip: str | None = "T-1", km: int = 8, when: datetime = NOW - timedelta(hours=1)) -> service.Claim:
    return service.Claim(type="bus", quantity=Decimal(km), unit="km", occurred_at=when,
                         operator="ordos-bus" if trip else None, trip_id=trip)


def request(token: str | None = "tok", key: str | None = "k-1", **kw) -> award_batch.AwardRequest:
    c = kw.pop("claim", None) or claim(**kw)
    return award_batch.AwardRequest(token=token, claim=c, fingerprint={"trip": c.trip_id, "km": str(c.quantity)},
                                    idempotency_key=key, route="POST /puhui/behaviours")


def row(i: int, user_id: int | None, **kw) -> Row:
    values = service._method_values(BUS)
    accounts = f"{ledger.user_account(user_id, 'points')}|{10 + 2 * i}|100;" \
               f"{ledger.user_account(user_id, 'reduction_g')}|{11 + 2 * i}|" if user_id else None
    base = {**values, "id": 1, "earlier": None, "accounts": accounts, "i": i, "user_id": user_id,
            "route": None, "request_hash": None, "status_code": None, "response": None, "trip_taken": None,
            "new_journal_id": 500 + i, "new_behaviour_id": 900 + i}
    base.update(kw)
    return Row(**base)


PLATFORM = f"{ledger.ISSUANCE}|1|;{ledger.REDUCTION_ISSUANCE}|2|"


def decide(requests, rows, locked):
    return award_batch.decide(requests, rows, locked, secret=SECRET, now=NOW, platform_accounts=PLATFORM)


# --- decide(): no database ----------------------------------------------------------------------------------------

def test_a_batch_of_residents_is_decided_and_written_in_one_set_of_rows():
    results, later, writes = decide([request(key="a", trip="T-1"), request(key="b", trip="T-2")],
                                    [row(0, 7), row(1, 8)], {7, 8})
    assert later == []
    assert [r.status for r in results] == [201, 201]
    assert [r.body["id"] for r in results] == [900, 901]
    assert results[0].body["points"] == 215  # 8 km x 26.9 g = 215.2 g, rounded down
    rows = {name: json.loads(value) for name, value in writes.items()}
    assert [j["id"] for j in rows["journals"]] == [500, 501]
    assert [b["id"] for b in rows["behaviours"]] == [900, 901]
    assert [b["journal_id"] for b in rows["behaviours"]] == [500, 501]
    for journal_id in (500, 501):  # each journal balances in each asset
        amounts = [p["amount"] for p in rows["postings"] if p["journal_id"] == journal_id]
        assert len(amounts) == 4 and sum(amounts) == 0
    resident_points = [p for p in rows["postings"] if p["account_id"] == 10]
    assert resident_points[0]["balance_after"] == 100 + 215
    assert [k["response"] for k in rows["keys"]] == [results[0].body, results[1].body]


def test_the_writer_inserts_every_column_of_a_planned_behaviour():
    """json_populate_recordset takes only the columns it is told: a key plan_award adds must be in the list."""
    _, _, writes = decide([request(key="a", trip="T-1")], [row(0, 7)], {7})
    [behaviour] = json.loads(writes["behaviours"])
    assert set(behaviour) == set(award_batch._BEHAVIOUR_COLUMNS)


def test_a_residents_second_claim_waits_for_the_next_batch():
    results, later, writes = decide([request(key="a", trip="T-1"), request(key="b", trip="T-2")],
                                    [row(0, 7), row(1, 7)], {7})
    assert results[0].status == 201 and results[1] is None
    assert later == [1]
    assert len(json.loads(writes["behaviours"])) == 1


def test_unknown_expired_or_missing_token_is_401():
    results, _, writes = decide([request(token=None), request(), request()],
                                [row(0, None), row(1, 7), row(2, 8)], {8})
    assert isinstance(results[0], Unauthorized) and "missing" in str(results[0])
    assert isinstance(results[1], Unauthorized)  # its session resolved, but the resident was not locked (erased)
    assert results[2].status == 201
    assert len(json.loads(writes["behaviours"])) == 1


def test_one_trip_claimed_twice_in_a_batch_or_claimed_before():
    results, _, writes = decide([request(key="a", trip="T-9"), request(key="b", trip="T-9"),
                                 request(key="c", trip="T-8")],
                                [row(0, 7), row(1, 8), row(2, 9, trip_taken=True)], {7, 8, 9})
    assert results[0].status == 201
    assert isinstance(results[1], Conflict) and results[1].code == "duplicate_trip"
    assert isinstance(results[2], Conflict) and results[2].code == "duplicate_trip"
    assert len(json.loads(writes["behaviours"])) == 1


def test_a_stored_key_replays_the_same_request_and_refuses_another():
    first = request(key="k")
    digest = service.request_hash(first.fingerprint)
    stored = {"id": 3, "points": 215}
    results, _, writes = decide(
        [first, request(key="k", trip="T-other")],
        [row(0, 7, route=first.route, request_hash=digest, status_code=201, response=stored),
         row(1, 8, route=first.route, request_hash=digest, status_code=201, response=stored)], {7, 8})
    assert results[0].replayed and results[0].body == stored and results[0].status == 201
    assert isinstance(results[1], service.IdempotencyKeyReused)
    assert writes is None  # nothing to insert


def test_a_type_without_methodology_takes_the_single_path_for_its_error():
    results, _, writes = decide([request()], [row(0, 7, id=None)], {7})
    assert results == [award_batch._SINGLE] and writes is None


def test_rule_errors_come_after_authentication_and_do_not_stop_the_batch():
    future = request(key="f", when=NOW + timedelta(hours=2))
    results, _, writes = decide([request(token=None, when=NOW + timedelta(hours=2)), future, request(key="ok")],
                                [row(0, None), row(1, 7), row(2, 8)], {7, 8})
    assert isinstance(results[0], Unauthorized)
    assert getattr(results[1], "code", None) == "occurred_in_future"
    assert results[2].status == 201 and len(json.loads(writes["behaviours"])) == 1


class CountingLimiter(MemoryLimiter):
    def __init__(self):
        super().__init__()
        self.calls: list[list[tuple[str, int]]] = []

    def hit_many(self, checks, window_s=60):
        self.calls.append(list(checks))
        return super().hit_many(checks, window_s)


def test_a_batch_counts_its_rate_limits_in_one_call_once_per_request_and_a_refusal_sticks():
    limiter = CountingLimiter()
    first, second, over = (request(key=k, trip=f"T-{k}") for k in "abc")
    first.limits = second.limits = lambda user_id: [(f"user:{user_id}", 1), ("ip:1.2.3.4", 100)]
    over.limits = lambda user_id: [(f"user:{user_id}", 0), ("ip:1.2.3.4", 100)]
    rows = [row(0, 7), row(1, 8), row(2, 9)]
    award_batch.count_limits(limiter, [(first, 7), (second, 8), (over, 9)])
    assert limiter.calls == [[("user:7", 1), ("ip:1.2.3.4", 100), ("user:8", 1), ("ip:1.2.3.4", 100),
                              ("user:9", 0), ("ip:1.2.3.4", 100)]]
    results, _, _ = decide([first, second, over], rows, {7, 8, 9})
    assert [r.status for r in results[:2]] == [201, 201]
    assert isinstance(results[2], RateLimited) and results[2].retry_after >= 1
    award_batch.count_limits(limiter, [(first, 7), (over, 9)])  # a failed batch's claims on the single path
    assert len(limiter.calls) == 1  # not counted again
    with pytest.raises(RateLimited):  # and the refusal stands
        over.check_limit(9)
    assert limiter.hit("user:7", 1).allowed is False  # the batch's count went to the limiter: 7 used its 1


# --- the writer on a database -----------------------------------------------------------------------------------

@pytest.fixture
def residents(engine):
    with session_scope(engine) as s:
        service.sync_methodologies(s)

    def make(n: int) -> list[tuple[str, int]]:
        with session_scope(engine) as s:
            out = []
            for _ in range(n):
                token, user = service.login(s, identity=Code2Session(openid=uuid.uuid4().hex), secret=SECRET)
                out.append((token, user.id))
            return out

    return make


def run(engine, work):
    """``work(writer)`` in an event loop with a writer on ``engine``; the writer is closed afterwards."""

    async def main():
        writer = award_batch.AwardWriter(session_factory(engine), secret=SECRET)
        try:
            return await work(writer), writer
        finally:
            await writer.close()

    return asyncio.run(main())


def live(trip: str, km: int = 8) -> service.Claim:
    return claim(trip=trip, km=km, when=datetime.now(UTC) - timedelta(hours=1))


def submit(writer, token, c, key, fingerprint=None):
    return writer.submit(award_batch.AwardRequest(token=token, claim=c, fingerprint=fingerprint or {"trip": c.trip_id},
                                                  idempotency_key=key, route="POST /puhui/behaviours"))


def test_the_writer_answers_and_stores_what_the_single_path_does(engine, residents, backend):
    (_token_a, a), (token_b, b) = residents(2)
    with session_scope(engine) as s:
        single = service.record_behaviour(s, user_id=a, claim=live("S-1"), secret=SECRET, idempotency_key="k",
                                          fingerprint={"trip": "S-1"}, route="POST /puhui/behaviours").body
    batched, writer = run(engine, lambda w: submit(w, token_b, live("B-1"), "k"))
    assert {**batched.body, "id": 0} == {**single, "id": 0}
    with session_scope(engine) as s:
        rows = {r.user_id: r for r in s.scalars(select(PuhuiBehaviour))}
        skip = {"id", "user_id", "trip_id", "trip_ref", "journal_id", "occurred_at", "created_at", "_sa_instance_state"}
        assert ({k: v for k, v in vars(rows[a]).items() if k not in skip}
                == {k: v for k, v in vars(rows[b]).items() if k not in skip})
        assert service.user_balance(s, user_id=a) == service.user_balance(s, user_id=b) == single["points"]
        stored = s.scalar(select(PuhuiIdempotencyKey.response).where(PuhuiIdempotencyKey.user_id == b))
        assert stored == batched.body
    if backend == "postgresql":
        assert writer.batches == 1 and writer.fallbacks == 0


def test_claims_that_arrive_together_share_a_batch_and_a_residents_claims_stay_in_order(engine, residents, backend):
    people = residents(4)
    busy_token, busy = people[0]

    async def work(w):
        claims = [submit(w, busy_token, live(f"busy-{n}"), f"busy-{n}") for n in range(8)]  # cap: 6 trips a day
        claims += [submit(w, token, live(f"other-{uid}"), "k") for token, uid in people[1:]]
        return await asyncio.gather(*claims)

    outcomes, writer = run(engine, work)
    points = [o.body["points"] for o in outcomes[:8]]
    assert points == [215] * 6 + [0, 0]  # in submission order, as if each had waited for the lock
    assert [o.body["cap_reason"] for o in outcomes[6:8]] == ["cap_claims", "cap_claims"]
    assert all(o.status == 201 and o.body["points"] == 215 for o in outcomes[8:])
    with session_scope(engine) as s:
        assert service.user_balance(s, user_id=busy) == 6 * 215
        assert s.scalar(select(func.count()).select_from(PuhuiBehaviour)) == 11
        assert s.scalar(select(func.coalesce(func.sum(PuhuiPosting.amount), 0))) == 0
    if backend == "postgresql":
        assert writer.fallbacks == 0 and 8 <= writer.batches < 11  # the other residents rode along


def limited(token: str, n: int, limit: int = 1) -> award_batch.AwardRequest:
    return award_batch.AwardRequest(token=token, claim=live(f"R-{n}"), fingerprint={"n": n}, idempotency_key=f"r-{n}",
                                    route="r", limits=lambda user_id: [(f"user:{user_id}", limit)])


def test_the_writer_counts_rate_limits_once_per_claim(engine, residents):
    limiter = CountingLimiter()
    people = residents(3)

    async def work(w):
        w._limiter = limiter
        return await asyncio.gather(*(w.submit(limited(token, n)) for n, (token, _) in enumerate(people + people[:1])),
                                    return_exceptions=True)

    outcomes, _ = run(engine, work)
    assert [o.status for o in outcomes[:3]] == [201, 201, 201]
    assert isinstance(outcomes[3], RateLimited)  # the first resident's second claim, over its limit of 1
    counted = [key for call in limiter.calls for key, _ in call]
    assert sorted(counted) == sorted([f"user:{uid}" for _, uid in people + people[:1]])  # each claim once


def test_a_batch_waiting_for_a_slow_limiter_does_not_hold_up_the_next(pg_only, engine, residents):
    """The limiter is awaited (Redis: redis-py's asyncio client), so while one batch waits for it the event loop
    runs the next batch on the other lane."""

    class SlowNetworkLimiter(CountingLimiter):
        def __init__(self):
            super().__init__()
            self.entered, self.gate = asyncio.Event(), asyncio.Event()

        async def hit_many_async(self, checks, window_s=60):
            if not self.entered.is_set():  # the first call waits until the test opens the gate
                self.entered.set()
                await self.gate.wait()
            return self.hit_many(checks, window_s)

    (a_token, _), (b_token, _) = residents(2)

    async def work(w):
        w._limiter = limiter = SlowNetworkLimiter()
        first = asyncio.ensure_future(w.submit(limited(a_token, 1)))
        await asyncio.wait_for(limiter.entered.wait(), timeout=5)
        second = await asyncio.wait_for(w.submit(limited(b_token, 2)), timeout=5)
        waiting = not first.done()
        limiter.gate.set()
        return waiting, second, await first

    (waiting, second, first), writer = run(engine, work)
    assert waiting and second.status == 201 and first.status == 201
    assert writer.fallbacks == 0


def test_fifty_copies_of_one_keyed_request_award_once(engine, residents):
    [(token, user_id)] = residents(1)

    async def work(w):
        return await asyncio.gather(*(submit(w, token, live("T-50"), "same-key") for _ in range(50)))

    outcomes, _ = run(engine, work)
    assert len({json.dumps(o.body, sort_keys=True) for o in outcomes}) == 1
    assert sum(not o.replayed for o in outcomes) == 1
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(PuhuiBehaviour)) == 1
        assert s.scalar(select(func.count()).select_from(PuhuiJournal)) == 1
        assert service.user_balance(s, user_id=user_id) == 215


def test_same_key_other_body_and_bad_token_through_the_writer(engine, residents):
    [(token, _)] = residents(1)

    async def work(w):
        first = await submit(w, token, live("T-1"), "k", fingerprint={"a": 1})
        results = await asyncio.gather(submit(w, token, live("T-2"), "k", fingerprint={"a": 2}),
                                       submit(w, "not-a-token", live("T-3"), "k2"), return_exceptions=True)
        return [first, *results]

    (first, reused, stranger), _ = run(engine, work)
    assert first.status == 201
    assert isinstance(reused, service.IdempotencyKeyReused)
    assert isinstance(stranger, Unauthorized)


def test_a_claim_that_fails_in_a_batch_leaves_the_others_saved(engine, residents, backend):
    """Two residents claim one operator trip in the same batch, a third claims another: one 409, two awards. On
    SQLite the failing claim's savepoint is rolled back alone; on PostgreSQL decide() refuses it before writing."""
    people = residents(3)

    async def work(w):
        return await asyncio.gather(submit(w, people[0][0], live("SAME"), "k"), submit(w, people[1][0], live("SAME"), "k"),
                                    submit(w, people[2][0], live("OTHER"), "k"), return_exceptions=True)

    (first, second, other), writer = run(engine, work)
    assert first.status == 201 and other.status == 201
    assert isinstance(second, Conflict) and second.code == "duplicate_trip"
    assert writer.fallbacks == 0 and writer.batches == 1
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(PuhuiBehaviour)) == 2
        assert [service.user_balance(s, user_id=uid) for _, uid in people] == [215, 0, 215]


@contextmanager
def row_locked(url: str, user_id: int) -> Iterator[Connection]:
    """Another connection holds the resident's row lock until the block ends (or its rollback())."""
    holder = make_engine(url)
    try:
        with holder.connect() as conn:
            conn.execute(text("SELECT id FROM puhui_users WHERE id = :id FOR UPDATE"), {"id": user_id})
            yield conn
            conn.rollback()
    finally:
        holder.dispose()


async def until_a_lock_is_awaited(engine: Engine) -> None:
    """Poll until a session of this database waits for a lock, e.g. a batch's lock statement (each poll in a
    transaction of its own: pg_stat_activity is read once per transaction)."""
    for _ in range(1000):
        with engine.connect() as conn:
            if conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND wait_event_type = 'Lock'")).scalar():
                return
        await asyncio.sleep(0.01)
    raise AssertionError("nobody waited for a lock within 10 s")


@pytest.fixture
def pg_only(backend):
    if backend != "postgresql":
        pytest.skip("the batched path and its fallback are PostgreSQL's (SQLite runs claim by claim)")


def test_a_resident_locked_elsewhere_makes_the_batch_fall_back_claim_by_claim(pg_only, engine, residents,
                                                                              migrated_url, monkeypatch):
    monkeypatch.setattr(resident_service, "LOCK_WAIT_MS", 300)
    (locked_token, locked), (free_token, free) = residents(2)
    with row_locked(migrated_url, locked):

        async def work(w):
            return await asyncio.gather(submit(w, locked_token, live("L-1"), "k"),
                                        submit(w, free_token, live("F-1"), "k"), return_exceptions=True)

        (blocked, passed), writer = run(engine, work)
    assert isinstance(blocked, Conflict)  # the single path's 409: another request of this resident is running
    assert passed.status == 201 and passed.body["points"] == 215
    assert writer.fallbacks == 1
    with session_scope(engine) as s:
        assert service.user_balance(s, user_id=free) == 215 and service.user_balance(s, user_id=locked) == 0


def test_a_batch_waiting_for_a_lock_does_not_hold_up_the_others_nor_its_residents_next_claim(
        pg_only, engine, residents, migrated_url):
    """Two lanes: while one batch waits for a resident locked elsewhere, the next batch runs on the other connection.
    That resident's next claim is not in it (it would make the other lane wait too, and could overtake the first):
    it waits, and is decided after the first, in order."""
    (a_token, a), (b_token, b) = residents(2)
    with row_locked(migrated_url, a) as holder:

        async def work(w):
            first = asyncio.ensure_future(submit(w, a_token, live("A-1"), "a-1"))
            await until_a_lock_is_awaited(engine)  # the first batch is waiting for the lock
            second = asyncio.ensure_future(submit(w, a_token, live("A-2"), "a-2"))
            other = await asyncio.wait_for(submit(w, b_token, live("B-1"), "b-1"), timeout=3)
            waiting = not first.done() and not second.done()
            holder.rollback()  # the lock is released
            return waiting, other, await first, await second

        (waiting, other, first, second), writer = run(engine, work)
    assert waiting and other.status == 201
    assert first.status == second.status == 201 and first.body["id"] < second.body["id"]
    assert writer.fallbacks == 0
    with session_scope(engine) as s:
        assert service.user_balance(s, user_id=a) == 2 * 215 and service.user_balance(s, user_id=b) == 215


def test_a_lost_connection_falls_back_then_reconnects(pg_only, engine, residents):
    people = residents(3)

    async def work(w):
        first = await submit(w, people[0][0], live("C-1"), "k")
        [conn] = [lane.conn for lane in w._lanes if lane.conn is not None]  # one claim at a time: one connection
        pid = (await (await conn.execute("SELECT pg_backend_pid() AS pid")).fetchone()).pid
        await conn.rollback()
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        second = await submit(w, people[1][0], live("C-2"), "k")  # the batch fails; the single path answers
        third = await submit(w, people[2][0], live("C-3"), "k")  # a new connection
        return first, second, third

    outcomes, writer = run(engine, work)
    assert [o.status for o in outcomes] == [201, 201, 201]
    assert writer.fallbacks == 1 and writer.batches == 2
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(PuhuiBehaviour)) == 3


def test_a_connection_lost_after_the_commit_was_sent_never_awards_twice(pg_only, engine, residents):
    """The batch's INSERT and COMMIT were sent, then the connection broke: the batch may have been saved. A keyed claim
    is decided again (its key replays if it was saved); an unkeyed one gets 503 outcome_unknown, never a second try."""
    (keyed_token, keyed), (bare_token, bare) = residents(2)

    class Broken:
        broken = closed = True

        async def close(self):
            pass

    async def work(w):
        async def lost(requests, lane):
            lane.writes_sent = True
            lane.conn = Broken()
            raise ConnectionError("server closed the connection unexpectedly")

        w._batch = lost
        return await asyncio.gather(submit(w, keyed_token, live("K-1"), "k"),
                                    w.submit(award_batch.AwardRequest(token=bare_token, claim=live("U-1"),
                                                                      fingerprint={}, idempotency_key=None,
                                                                      route="POST /puhui/behaviours")),
                                    return_exceptions=True)

    (decided, unknown), writer = run(engine, work)
    assert decided.status == 201  # the single path: nothing was saved by the fake batch, so it awards now
    assert isinstance(unknown, award_batch.OutcomeUnknown) and unknown.status == 503
    assert writer.fallbacks == 1
    with session_scope(engine) as s:
        assert service.user_balance(s, user_id=keyed) == 215 and service.user_balance(s, user_id=bare) == 0


def test_outcome_unknown_is_a_503_with_the_one_error_shape(pclient, resident):
    from tests.puhui.conftest import API, bus

    headers = resident("alice")
    real = pclient.app.state.puhui_awards

    class Lost:
        loop = real.loop

        async def submit(self, request):
            raise award_batch.OutcomeUnknown("the connection to the database was lost")

    pclient.app.state.puhui_awards = Lost()
    try:
        r = pclient.post(f"{API}/behaviours", json=bus(), headers=headers)
    finally:
        pclient.app.state.puhui_awards = real
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "outcome_unknown"
