"""Rate limiter: fixed windows with a fake clock; Redis shared counting when Redis is up, and the fallback
to in-process counting when it is not (never an error)."""

from __future__ import annotations

import uuid

import pytest

from carbon.puhui.ratelimit import MemoryLimiter, RateLimited, RedisLimiter, enforce


class Clock:
    def __init__(self, t: float = 1_000_020.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


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


def test_redis_counts_are_shared_between_limiters():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.2).ping()
    except Exception:  # noqa: BLE001
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    key = f"test:{uuid.uuid4().hex}"
    a = RedisLimiter("redis://127.0.0.1:6379/0")
    b = RedisLimiter("redis://127.0.0.1:6379/0")  # another API worker
    assert a.hit(key, 2).allowed and b.hit(key, 2).allowed
    assert not a.hit(key, 2).allowed  # the third request in the window, whichever worker gets it
    assert a.backend == "redis"
