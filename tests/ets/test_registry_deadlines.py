"""Covered entities (重点排放单位名录) and who is late (GET /ets/registry/{year}): the 26,000 t CO2e threshold of
direct emissions and the deadline of the 2024 report (2025-03-31, carbon/ets/data/deadlines.json)."""

from __future__ import annotations

from tests.ets.helpers import EMITTER_A, EMITTER_B, e1

API = "/api/v1/ets"


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def small_2024_report() -> dict:
    report = e1()
    report["year"] = 2024
    report["units"][0]["fuels"][0]["quantity"] = 10_000  # about 19,600 t CO2 from coal: under 26,000
    return report


def entity(out: dict, uscc: str) -> dict:
    return next(x for x in out["entities"] if x["uscc"] == uscc)


def milestone(x: dict, code: str) -> dict:
    return next(m for m in x["milestones"] if m["code"] == code)


def test_an_emitter_under_the_threshold_is_flagged_not_covered(client, world):
    ok(client.post(f"{API}/emitters/{EMITTER_A}/reports", json=small_2024_report(),
                   headers=world.headers["emitter_a"]), 201)
    out = ok(client.get(f"{API}/registry/2024", params={"as_of": "2025-04-01"}, headers=world.headers["bureau"]))
    assert out["threshold_t"] == 26_000
    a = entity(out, EMITTER_A)
    assert a["direct_emissions_t"] < 26_000
    assert (a["covered"], a["flag"], a["late"]) == (False, "not_covered", [])
    assert {m["status"] for m in a["milestones"]} == {"not_applicable"}
    assert EMITTER_A not in out["late"]


def test_a_covered_emitter_that_reported_in_time(client, world):
    report = e1()
    report["year"] = 2024
    ok(client.post(f"{API}/emitters/{EMITTER_A}/reports", json=report, headers=world.headers["emitter_a"]), 201)
    out = ok(client.get(f"{API}/registry/2024", params={"as_of": "2025-04-01"}, headers=world.headers["bureau"]))
    a = entity(out, EMITTER_A)
    assert (a["covered"], a["flag"]) == (True, None)
    assert milestone(a, "report_submitted")["status"] == "done"
    assert milestone(a, "emissions_confirmed")["status"] == "not_applicable"  # power: not a new sector


def test_without_a_2024_report_late_after_march_31_pending_before(client, world):
    bureau = world.headers["bureau"]
    after = ok(client.get(f"{API}/registry/2024", params={"as_of": "2025-04-01"}, headers=bureau))
    b = entity(after, EMITTER_B)
    assert b["covered"] is None  # no figures: coverage unknown, the deadlines still apply
    assert milestone(b, "report_submitted") == {"code": "report_submitted", "due": "2025-03-31",
                                                "responsible": "emitter", "status": "late", "met_on": None}
    assert b["late"] == ["report_submitted"] and EMITTER_B in after["late"]

    before = ok(client.get(f"{API}/registry/2024", params={"as_of": "2025-03-31"}, headers=bureau))
    b = entity(before, EMITTER_B)
    assert milestone(b, "report_submitted")["status"] == "pending"
    assert b["late"] == [] and EMITTER_B not in before["late"]


def test_industry_filter_and_years_without_deadlines(client, world):
    bureau = world.headers["bureau"]
    out = ok(client.get(f"{API}/registry/2024", params={"industry": "cement"}, headers=bureau))
    assert out["entities"] == []
    r = client.get(f"{API}/registry/2024", params={"industry": "bakery"}, headers=bureau)
    assert r.status_code == 422 and r.json()["error"]["field"] == "industry"
    r = client.get(f"{API}/registry/2022", headers=bureau)
    assert r.status_code == 422 and r.json()["error"]["field"] == "year"
