"""Monthly key-parameter filings (关键参数月度存证) and data-quality control plans through the API: idempotent
filing, corrections as new versions, who may read and write, the check of a year as a verifier sees it.

The clock stands at 2024-06-03 (tests/ets/conftest.py): January to May 2024 have ended, June has begun."""

from __future__ import annotations

from tests.ets.helpers import EMITTER_A, e1

API = "/api/v1/ets"
MONTHLY = f"{API}/emitters/{EMITTER_A}/monthly"

PLAN = {"ref": "DQCP-2024-A", "applies_from": 2024, "parameters": [
    {"parameter": "coal_consumption", "item": "原煤", "frequency": "每月", "method": "入炉皮带秤", "source": "实测",
     "unit": "t"},
    {"parameter": "coal_ncv", "item": "原煤", "frequency": "daily", "method": "GB/T 213", "source": "measured",
     "unit": "GJ/t"},
]}


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def month_body(coal_t: float = 125_000.0, *, coal_source: str = "实测", ncv_samples: int = 31,
               reason: str | None = None) -> dict:
    body = {"values": [
        {"parameter": "coal_consumption", "item": "原煤", "value": coal_t, "unit": "t", "source": coal_source},
        {"parameter": "coal_ncv", "item": "原煤", "value": 20.1, "unit": "GJ/t", "source": "measured",
         "samples": ncv_samples},
    ]}
    if reason is not None:
        body["correction_reason"] = reason
    return body


def test_plan_versions(client, world):
    h = world.headers["emitter_a"]
    first = ok(client.post(f"{API}/emitters/{EMITTER_A}/quality-plans", json=PLAN, headers=h), 201)
    assert first["parameters"][0]["frequency"] == "monthly" and first["parameters"][0]["source"] == "measured"
    second = ok(client.post(f"{API}/emitters/{EMITTER_A}/quality-plans", json={**PLAN, "ref": "DQCP-2024-A2"},
                            headers=world.headers["bureau"]), 201)
    assert second["version"] == first["version"] + 1
    versions = ok(client.get(f"{API}/emitters/{EMITTER_A}/quality-plans", headers=h))
    assert [p["ref"] for p in versions][-2:] == ["DQCP-2024-A", "DQCP-2024-A2"]
    got = ok(client.get(f"{API}/emitters/{EMITTER_A}/quality-plans/{first['version']}", headers=h))
    assert got == first
    assert client.get(f"{API}/emitters/{EMITTER_A}/quality-plans/99", headers=h).status_code == 404
    bad = {**PLAN, "parameters": [{**PLAN["parameters"][0], "unit": "GJ/t"}]}
    r = client.post(f"{API}/emitters/{EMITTER_A}/quality-plans", json=bad, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "parameters[0].unit"


def test_filing_is_idempotent(client, world):
    h = {**world.headers["emitter_a"], "Idempotency-Key": "monthly-2024-01"}
    a = client.post(f"{MONTHLY}/2024/1", json=month_body(), headers=h)
    b = client.post(f"{MONTHLY}/2024/1", json=month_body(), headers=h)
    assert a.status_code == b.status_code == 201 and a.json() == b.json()
    assert b.headers.get("Idempotent-Replayed") == "true"
    assert a.json()["version"] == 1
    assert len(ok(client.get(f"{MONTHLY}/2024", headers=h))) == 1  # stored once
    # the same key for another request is refused
    assert client.post(f"{MONTHLY}/2024/1", json=month_body(1.0), headers=h).status_code == 422


def test_a_correction_is_a_new_version_and_the_first_stays(client, world):
    h = world.headers["emitter_a"]
    v1 = ok(client.post(f"{MONTHLY}/2024/2", json=month_body(100_000.0), headers=h), 201)
    r = client.post(f"{MONTHLY}/2024/2", json=month_body(110_000.0), headers=h)
    assert r.status_code == 409 and r.json()["error"]["field"] == "correction_reason"
    v2 = ok(client.post(f"{MONTHLY}/2024/2", json=month_body(110_000.0, reason="皮带秤校准后重算"), headers=h), 201)
    assert (v1["version"], v2["version"]) == (1, 2)
    assert v2["correction_reason"] == "皮带秤校准后重算"
    listed = ok(client.get(f"{MONTHLY}/2024", headers=h))
    assert [(f["month"], f["version"], f["values"][0]["value"]) for f in listed] == [(2, 1, 100_000.0),
                                                                                       (2, 2, 110_000.0)]
    assert listed[0] == v1  # version 1 unchanged
    # a correction of a month never filed is refused; a month that has not begun too
    r = client.post(f"{MONTHLY}/2024/3", json=month_body(reason="x"), headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "correction_reason"
    r = client.post(f"{MONTHLY}/2024/7", json=month_body(), headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "month"


def test_another_emitter_or_verifier_can_neither_read_nor_write(client, world):
    ok(client.post(f"{MONTHLY}/2024/1", json=month_body(), headers=world.headers["emitter_a"]), 201)
    eb, vb = world.headers["emitter_b"], world.headers["verifier_b"]
    assert client.post(f"{MONTHLY}/2024/1", json=month_body(reason="x"), headers=eb).status_code == 404
    assert client.post(f"{MONTHLY}/2024/2", json=month_body(), headers=vb).status_code == 403
    for who in (eb, vb):
        assert client.get(f"{MONTHLY}/2024", headers=who).status_code == 404
        assert client.get(f"{MONTHLY}/2024/check", headers=who).status_code == 404
        assert client.get(f"{API}/emitters/{EMITTER_A}/quality-plans", headers=who).status_code == 404
    assert client.post(f"{API}/emitters/{EMITTER_A}/quality-plans", json=PLAN, headers=eb).status_code == 404
    assert client.get(f"{API}/registry/2024", headers=world.headers["emitter_a"]).status_code == 403
    assert len(ok(client.get(f"{MONTHLY}/2024", headers=world.headers["bureau"]))) == 1


def test_a_bad_unit_is_a_422_naming_the_field(client, world):
    h = world.headers["emitter_a"]
    body = month_body()
    body["values"][1]["unit"] = "t"  # an NCV in tonnes
    r = client.post(f"{MONTHLY}/2024/1", json=body, headers={**h, "Accept-Language": "en"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "values[1].unit"
    assert "coal_ncv needs" in r.json()["error"]["message"]
    body["values"][1]["unit"] = "furlongs"
    r = client.post(f"{MONTHLY}/2024/1", json=body, headers=h)
    assert r.status_code == 422
    del body["values"][1]["unit"]
    r = client.post(f"{MONTHLY}/2024/1", json=body, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "body.values.1.unit"
    assert ok(client.get(f"{MONTHLY}/2024", headers=h)) == []


def test_the_assigned_verifier_sees_the_gaps(client, world):
    ea, bureau, va = world.headers["emitter_a"], world.headers["bureau"], world.headers["verifier_a"]
    report = e1()
    report["year"] = 2024
    ok(client.post(f"{API}/emitters/{EMITTER_A}/reports", json=report, headers=ea), 201)
    ok(client.post(f"{API}/engagements", json={"uscc": EMITTER_A, "year": 2024, "verifier_id": world.verifier_a},
                   headers=bureau), 201)
    # before any plan: the check says so
    assert [g["kind"] for g in ok(client.get(f"{MONTHLY}/2024/check", headers=va))["gaps"]] == ["no_plan"]
    plan = ok(client.post(f"{API}/emitters/{EMITTER_A}/quality-plans", json=PLAN, headers=ea), 201)
    ok(client.post(f"{MONTHLY}/2024/1", json=month_body(), headers=ea), 201)
    ok(client.post(f"{MONTHLY}/2024/2", json=month_body(ncv_samples=10), headers=ea), 201)  # daily: needs 29
    ok(client.post(f"{MONTHLY}/2024/4", json=month_body(coal_source="缺省"), headers=ea), 201)
    ok(client.post(f"{MONTHLY}/2024/5", json=month_body(), headers=ea), 201)  # May: 31 NCV samples
    out = ok(client.get(f"{MONTHLY}/2024/check", headers=va))
    assert (out["through_month"], out["plan_version"]) == (5, plan["version"])
    assert out["months"] == {"1": 1, "2": 1, "4": 1, "5": 1}
    assert [(g["kind"], g["parameter"], g["month"]) for g in out["gaps"]] == [
        ("missing_month", "coal_consumption", 3),
        ("default_where_measured", "coal_consumption", 4),
        ("frequency_below_plan", "coal_ncv", 2),
        ("missing_month", "coal_ncv", 3),
    ]
    assert client.get(f"{MONTHLY}/2024/check", headers=bureau).json() == out
    assert ok(client.get(f"{API}/emitters/{EMITTER_A}/quality-plans", headers=va))[-1]["ref"] == "DQCP-2024-A"
    assert len(ok(client.get(f"{MONTHLY}/2024", headers=va))) == 4
    # the verifier reads, it does not file
    assert client.post(f"{MONTHLY}/2024/3", json=month_body(), headers=va).status_code == 403
