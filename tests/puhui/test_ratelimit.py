"""Rate limiter: fixed windows with a fake clock; Redis shared counting when Redis is up, and the fallback
to in-process counting when it is not (never an error)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from carbon.puhui.ratelimit import MemoryLimiter, RateLimited, RedisLimiter, enforce


class Clock:
    def __init__(self, t: float = 1_000_020.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def redis_url() -> str:
    """The machine's Redis (skip when it does not answer)."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.2).ping()
    except Exception:  # noqa: BLE001
        pytest.skip(f"Redis not reachable at {url}")
    return url


def test_memory_limiter_window_and_retry_after():
    clock = Clock(600.0 + 15)  # 15 s into a minute window
    limiter = MemoryLimiter(clock)
    assert [limiter.hit("user:1", 3).allowed for _ in range(4)] == [True, True, True, False]
    assert limiter.hit("user:1", 3).retry_after == 45  # the window ends at 660
    assert limiter.hit("user:2", 3).allowed  # other keys are counted apart
    clock.t = 660.0
    assert limiter.hit("user:1", 3).allowed  # a new window


def test_enforce_raises_with_the_longest_retry_after():
    limiter = MemoryLimiter(Clock(615.0))
    enforce(limiter, [("user:1", 1), ("ip:1.2.3.4", 10)])
    with pytest.raises(RateLimited) as info:
        enforce(limiter, [("user:1", 1), ("ip:1.2.3.4", 10)])
    assert info.value.retry_after == 45
    assert "resident" in info.value.message


def test_unreachable_redis_falls_back_to_memory():
    limiter = RedisLimiter("redis://127.0.0.1:1/0")  # nothing listens on port 1
    assert [limiter.hit("user:1", 2).allowed for _ in range(3)] == [True, True, False]


def test_redis_counts_are_shared_between_limiters(redis_url):
    key = f"test:{uuid.uuid4().hex}"
    a = RedisLimiter(redis_url)
    b = RedisLimiter(redis_url)  # another API worker
    assert a.hit(key, 2).allowed and b.hit(key, 2).allowed
    assert not a.hit(key, 2).allowed  # the third request in the window, whichever worker gets it
    assert a.backend == "redis"


def test_redis_counts_many_keys_in_one_round_trip(redis_url):
    """A batch of awards counts all its limits in one command; a key repeated in it is counted in order."""
    key = uuid.uuid4().hex
    limiter = RedisLimiter(redis_url)
    limiter.hit_many([(f"warm-up:{key}", 1)])  # the server learns the script (SCRIPT LOAD) on first use
    commands = []
    execute = limiter._client.execute_command
    limiter._client.execute_command = lambda *a, **kw: commands.append(a[0]) or execute(*a, **kw)
    decisions = limiter.hit_many([(f"user:{key}", 2), (f"ip:{key}", 10), (f"user:{key}", 2), (f"user:{key}", 2)])
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.count for d in decisions] == [1, 1, 2, 3]
    assert commands == ["EVALSHA"]  # one round trip
    assert not limiter.hit(f"user:{key}", 2).allowed  # shared with single hits


def test_memory_limiter_counts_many_keys_like_single_hits():
    limiter = MemoryLimiter(Clock(615.0))
    decisions = limiter.hit_many([("user:1", 2), ("user:1", 2), ("ip:1", 5), ("user:1", 2)])
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[3].retry_after == 45


def test_redis_async_counts_share_the_keys_of_the_sync_client(redis_url):
    key = uuid.uuid4().hex
    limiter = RedisLimiter(redis_url)
    assert limiter.hit(f"user:{key}", 3).allowed  # 1, through the blocking client

    async def batch():
        try:
            return await limiter.hit_many_async([(f"user:{key}", 3), (f"user:{key}", 3), (f"ip:{key}", 1)])
        finally:
            await limiter.aclose()  # the application's shutdown closes this event loop's connection

    decisions = asyncio.run(batch())
    assert [(d.allowed, d.count) for d in decisions] == [(True, 2), (True, 3), (True, 1)]
    assert not limiter.hit(f"user:{key}", 3).allowed  # 4


def test_unreachable_redis_falls_back_to_memory_without_blocking_an_event_loop():
    limiter = RedisLimiter("redis://127.0.0.1:1/0")  # nothing listens on port 1
    decisions = asyncio.run(limiter.hit_many_async([("user:1", 2)] * 3))
    assert [d.allowed for d in decisions] == [True, True, False]
