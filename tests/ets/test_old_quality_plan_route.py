"""Issue 14 leftover: the old ``POST /emitters/{uscc}/quality-plan`` (a reference only) bumped the emitter's plan
version without a plan record, so ``GET /quality-plans`` and the monthly check never saw that version. It now
makes a proper version (the newest one's parameters under the new reference) and says it is deprecated; without a
plan record to carry over it refuses (409) and names the new route."""

from __future__ import annotations

from tests.ets.helpers import EMITTER_A, EMITTER_B
from tests.ets.test_monthly_api import API, PLAN, ok


def test_old_route_creates_a_versioned_plan_record(client, world):
    h = world.headers["emitter_a"]
    first = ok(client.post(f"{API}/emitters/{EMITTER_A}/quality-plans", json=PLAN, headers=h), 201)
    r = client.post(f"{API}/emitters/{EMITTER_A}/quality-plan", json={"ref": "DQCP-2024-A2"}, headers=h)
    body = ok(r)
    assert r.headers["Deprecation"] == "true"
    assert f"/api/v1/ets/emitters/{EMITTER_A}/quality-plans" in r.headers["Link"]
    # the emitter's fields as before, and the plan record it made
    assert (body["uscc"], body["quality_plan_ref"], body["quality_plan_version"]) == (
        EMITTER_A, "DQCP-2024-A2", first["version"] + 1)
    plan = body["plan"]
    assert (plan["version"], plan["ref"], plan["applies_from"]) == (first["version"] + 1, "DQCP-2024-A2", 2024)
    assert plan["parameters"] == first["parameters"]
    versions = ok(client.get(f"{API}/emitters/{EMITTER_A}/quality-plans", headers=world.headers["bureau"]))
    assert [(v["version"], v["ref"]) for v in versions] == [(first["version"], "DQCP-2024-A"),
                                                          (first["version"] + 1, "DQCP-2024-A2")]
    got = ok(client.get(f"{API}/emitters/{EMITTER_A}/quality-plans/{plan['version']}", headers=world.headers["bureau"]))
    assert got["parameters"] == first["parameters"]


def test_old_route_without_a_plan_record_refuses_and_names_the_new_route(client, world):
    bureau = world.headers["bureau"]
    before = ok(client.get(f"{API}/emitters/{EMITTER_B}", headers=bureau))
    r = client.post(f"{API}/emitters/{EMITTER_B}/quality-plan", json={"ref": "DQCP-X"},
                    headers={**bureau, "Accept-Language": "en"})
    assert r.status_code == 409, r.text
    err = r.json()["error"]
    assert err["field"] == "ref"
    assert f"POST /api/v1/ets/emitters/{EMITTER_B}/quality-plans" in err["message"]
    zh = client.post(f"{API}/emitters/{EMITTER_B}/quality-plan", json={"ref": "DQCP-X"}, headers=bureau).json()["error"]
    assert "数据质量控制计划" in zh["message"] and zh["code"] == err["code"]
    after = ok(client.get(f"{API}/emitters/{EMITTER_B}", headers=bureau))
    assert after["quality_plan_version"] == before["quality_plan_version"]  # nothing bumped
    assert ok(client.get(f"{API}/emitters/{EMITTER_B}/quality-plans", headers=bureau)) == []
