"""POST /behaviours has a fast path (api/fast_route.py): plain claims skip FastAPI's per-request parameter solving.
Whatever the path, the answer is the same: checked here against the route's standard FastAPI handler alone."""

from __future__ import annotations

import itertools
import json

import fastapi.routing
import pytest

from api.routes import puhui
from tests.puhui.conftest import API, bus

keys = (f"route-key-{i}" for i in itertools.count())
trips = (f"route-trip-{i}" for i in itertools.count())


async def _declined(request):
    return None


@pytest.fixture
def standard_only(monkeypatch):
    """Call to make the award route answer through its standard FastAPI handler alone (the fast path declines)."""
    return lambda: monkeypatch.setattr(puhui.BehaviourRoute, "fast", _declined)


@pytest.fixture
def solved(monkeypatch) -> list[str]:
    """The paths of the requests for which FastAPI solved the endpoint's parameters (its standard handler ran)."""
    paths: list[str] = []
    solve = fastapi.routing.solve_dependencies

    async def counting(*, request, **kwargs):
        paths.append(request.url.path)
        return await solve(request=request, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counting)
    return paths


def send(client, headers, content: bytes, content_type: str | None = "application/json", key: str | None = "new"):
    h = dict(headers)
    if content_type is not None:
        h["Content-Type"] = content_type
    if key is not None:
        h["Idempotency-Key"] = next(keys) if key == "new" else key
    return client.post(f"{API}/behaviours", content=content, headers=h)


def claim(**changes) -> bytes:
    return json.dumps({**bus(8, trip=next(trips)), **changes}).encode()


def test_a_plain_claim_takes_the_fast_path(pclient, resident, solved):
    alice = resident()
    solved.clear()
    r = send(pclient, alice, claim())
    assert r.status_code == 201 and r.json()["points"] == 215
    assert f"{API}/behaviours" not in solved
    r = send(pclient, alice, claim(), key="k" * 201)  # out of bounds: the standard handler words the 422
    assert r.status_code == 422 and r.json()["error"]["field"] == "header.Idempotency-Key"
    assert solved == [f"{API}/behaviours"]


REQUESTS = {  # name -> (content, content type, Idempotency-Key: "new" for a fresh one, None for none)
    "invalid JSON": (b'{"type": "bus", ', "application/json", "new"),
    "empty body": (b"", "application/json", "new"),
    "a JSON list": (b"[1, 2]", "application/json", "new"),
    "text/plain": (claim(), "text/plain", "new"),
    "no content type": (claim(), None, "new"),
    "GPS track": (claim(track=[[39.6, 109.8]]), "application/json", "new"),
    "no time zone": (claim(occurred_at="2025-05-01T08:00:00"), "application/json", "new"),
    "duration not a number": (claim(duration_s="x"), "application/json", "new"),
    "empty key": (claim(), "application/json", ""),
    "key too long": (claim(), "application/json", "k" * 201),
    "rule broken (speed)": (claim(duration_s=60), "application/json", "new"),
    "unknown methodology": (claim(type="metro"), "application/json", "new"),
    "charset parameter, broken rule": (claim(unit="steps"), "application/json; charset=utf-8", "new"),
}


@pytest.mark.parametrize("name", REQUESTS)
def test_the_fast_path_answers_as_the_standard_handler(pclient, resident, standard_only, name):
    alice = resident()
    content, content_type, key = REQUESTS[name]
    fast = send(pclient, alice, content, content_type, key)
    standard_only()
    standard = send(pclient, alice, content, content_type, key)
    assert fast.status_code == standard.status_code == 422, (fast.text, standard.text)
    assert fast.json() == standard.json()
    assert pclient.get(f"{API}/me", headers=alice).json()["points_balance"] == 0


@pytest.mark.parametrize("auth", [None, "Basic YWxpY2U6eA==", "Bearer", "Bearer not-a-token", "bearer {token}"])
def test_the_bearer_scheme_is_read_as_the_standard_handler_reads_it(pclient, resident, standard_only, auth):
    token = resident()["Authorization"].removeprefix("Bearer ")
    headers = {} if auth is None else {"Authorization": auth.format(token=token)}
    content = claim()
    fast = send(pclient, headers, content, key="same-key")
    standard_only()
    standard = send(pclient, headers, content, key="same-key")
    assert (fast.status_code, fast.json().get("error")) == (standard.status_code, standard.json().get("error"))
    if auth == "bearer {token}":  # the scheme is case-insensitive: an award, then its replay
        assert fast.status_code == 201 and standard.headers["Idempotent-Replayed"] == "true"
    else:
        assert fast.status_code == 401


@pytest.mark.parametrize("first_fast", [True, False])
def test_a_retry_replays_whichever_path_took_the_first(pclient, resident, standard_only, first_fast):
    """The stored request hash is the same on both paths: a retry of the same bytes replays, another body is 422."""
    alice = resident()
    content = claim(quantity=8.25, duration_s=1800)
    if not first_fast:
        standard_only()
    first = send(pclient, alice, content, key="retry-key")
    if first_fast:
        standard_only()
    again = send(pclient, alice, content, key="retry-key")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    other = send(pclient, alice, claim(quantity=8.25, duration_s=1801), key="retry-key")
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
