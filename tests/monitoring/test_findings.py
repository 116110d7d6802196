"""Issue 16 point 3: a CEMS comparison's finding is opened by the engagement's verifier as a non-conformity of the
verification workflow (carbon/monitoring/findings.py, POST /monitoring/engagements/{id}/nonconformity).

Worked by hand: 24 hours of 250 000 mg/m3 CO2 (0.25 kg/m3) at 500 m3/s = 125 kg/s = 450 t/h → 10 800 t measured;
against a calculated 9 600 t the deviation is +12.5 %, past power's 10 % threshold → a finding; the conservative
adjustment is the excess, 10 800 − 9 600 = 1 200 t."""

from __future__ import annotations

from datetime import timedelta

from carbon.core.db import session_scope
from carbon.ets import service as ets
from carbon.monitoring import service
from tests.ets.conftest import fixed_now, world  # noqa: F401
from tests.ets.helpers import E1_REPORT, EMITTER_A
from tests.monitoring.test_ingest import START, day_frames

ETS = "/api/v1/ets"


def _engagement(client, world, engine) -> int:
    with session_scope(engine) as s:
        service.register_stack(s, uscc=EMITTER_A, code="1#", mn="MN-A-1")
        service.ingest_frames(s, frames=day_frames("MN-A-1"))
    assert client.post(f"{ETS}/emitters/{EMITTER_A}/reports", json=E1_REPORT,
                       headers=world.headers["emitter_a"]).status_code == 201
    g = client.post(f"{ETS}/engagements", json={"uscc": EMITTER_A, "year": 2022, "verifier_id": world.verifier_a},
                    headers=world.headers["bureau"]).json()
    assert client.post(f"{ETS}/engagements/{g['id']}/reviews", json={"kind": "document", "notes": "文件评审"},
                       headers=world.headers["verifier_a"]).status_code == 200
    return g["id"]


def test_the_verifier_opens_the_finding_as_a_nonconformity_once(client, world, engine):
    gid = _engagement(client, world, engine)
    url = f"/api/v1/monitoring/engagements/{gid}/nonconformity"
    body = {"start": START.isoformat(), "end": (START + timedelta(hours=24)).isoformat(), "calculated_t": 9600}
    va = world.headers["verifier_a"]

    # others cannot: another organisation's verifier (not its engagement), the emitter, the bureau (not a verifier)
    assert client.post(url, json=body, headers=world.headers["verifier_b"]).status_code == 404
    assert client.post(url, json=body, headers=world.headers["emitter_a"]).status_code == 403
    assert client.post(url, json=body, headers=world.headers["bureau"]).status_code == 403
    # no finding under a 15 % threshold: 409 and nothing written
    r = client.post(url, json={**body, "threshold_pct": 15}, headers=va)
    assert r.status_code == 409, r.text
    assert client.get(f"{ETS}/engagements/{gid}", headers=va).json()["nonconformities"] == []

    r = client.post(url, json=body, headers=va)
    assert r.status_code == 201, r.text
    nc = r.json()["nonconformity"]
    assert nc["parameter"] == "CEMS" and nc["status"] == "open"
    assert nc["conservative_adjustment_t"] == 10_800 - 9_600
    assert "+12.50%" in nc["description"] and "10,800.0 t" in nc["description"] and "9,600.0 t" in nc["description"]
    assert r.json()["comparison"]["finding"]["kind"] == "cems_deviation"

    again = client.post(url, json=body, headers=va)  # the same finding again: the same non-conformity
    assert again.status_code == 200 and again.json()["nonconformity"]["id"] == nc["id"]
    g = client.get(f"{ETS}/engagements/{gid}", headers=va).json()
    assert [n["id"] for n in g["nonconformities"]] == [nc["id"]]
    # it is a non-conformity of the workflow like any other: the emitter corrects it, the verifier resolves it
    assert client.post(f"{ETS}/engagements/{gid}/nonconformities/{nc['id']}/correction",
                       json={"correction": "补充2#排放口燃料台账"}, headers=world.headers["emitter_a"]).status_code == 200
    assert client.post(f"{ETS}/engagements/{gid}/nonconformities/{nc['id']}/resolve", headers=va).status_code == 200
    events = client.get(f"{ETS}/engagements/{gid}/events", headers=va).json()
    assert [e["action"] for e in events].count("raise_nonconformity") == 1


def test_below_calculation_the_adjustment_is_zero(client, world, engine):
    gid = _engagement(client, world, engine)
    body = {"start": START.isoformat(), "end": (START + timedelta(hours=24)).isoformat(), "calculated_t": 13_000}
    r = client.post(f"/api/v1/monitoring/engagements/{gid}/nonconformity", json=body, headers=world.headers["verifier_a"])
    assert r.status_code == 201, r.text  # −16.9 %: a finding, but verified emissions are never lowered by it
    assert r.json()["nonconformity"]["conservative_adjustment_t"] == 0
