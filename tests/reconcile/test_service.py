"""Reconciliation against the database: a verified power plant in 达拉特旗 beside a compiled inventory."""

from __future__ import annotations

import pytest

from carbon.core.db import session_scope
from carbon.core.errors import NotFound
from carbon.ets import service as ets
from carbon.ets.uscc import make_uscc
from carbon.inventory import service as inv
from carbon.reconcile import service
from tests.ets.helpers import e1

PLANT = make_uscc("91150621MA0N00031")  # 150621 = 达拉特旗
DALAD = "150621"
VERIFIED_T = 2_946_003  # example E-1 (tests/ets/test_service.py)


def _activity(coal_t: int) -> bytes:
    return f"region,year,category,item,quantity,unit\n达拉特旗,2022,1.A.1.a,原煤,{coal_t},t\n".encode()


def _verified_plant(s, verifier_id: int, industry: str = "power") -> int:
    ets.create_emitter(s, uscc=PLANT, name="达拉特旗示例电厂", industry=industry, region="达拉特旗",
                       quality_plan_ref="DQCP-2022-D", actor="test",
                       units=[{"code": "1", "type": "coal_300_plus", "capacity_mw": 600, "cooling": "water"}])
    ets.submit_report(s, uscc=PLANT, payload=e1(), actor="plant")
    g = ets.assign_verifier(s, uscc=PLANT, year=2022, verifier_id=verifier_id, actor="bureau")
    ets.record_review(s, engagement_id=g.id, kind="document", notes="燃煤台账", actor="verifier")
    ets.conclude(s, engagement_id=g.id, conclusion="核查结论: 可信", actor="verifier")
    return g.id


def _compiled(s, coal_t: int) -> int:
    inventory = inv.create_inventory(s, year=2022).id
    inv.import_activity(s, inventory_id=inventory, content=_activity(coal_t), filename="a.csv")
    inv.compile_inventory(s, inventory_id=inventory)
    return inventory


def _row(body, region, scope):
    (row,) = [r for r in body["rows"] if r["region"] == region and r["scope"] == scope]
    return row


def _inventory_t(s, inventory_id):
    return float(service.inventory_frame(s, inventory_id=inventory_id)
                 .query("region == @DALAD and category.str.startswith('1.A.1.a')", engine="python")["co2e_t"].sum())


def test_verified_power_plant_beside_the_compiled_inventory(engine, world):
    with session_scope(engine) as s:
        _verified_plant(s, world.verifier_a)
        inventory = _compiled(s, 3_000_000)
        body = service.reconcile(s, year=2022)
        inv_t = _inventory_t(s, inventory)
    assert inv_t > VERIFIED_T
    assert body["inventory"]["id"] == inventory and body["inventory"]["status"] == "compiled"
    row = _row(body, DALAD, "1.A.1.a")
    assert row["emitters_t"] == VERIFIED_T and row["n_emitters"] == 1 and row["status"] == "ok"
    assert row["inventory_t"] == pytest.approx(inv_t)
    assert row["coverage"] == pytest.approx(VERIFIED_T / inv_t)
    city = _row(body, "150600", "1.A.1.a")
    assert city["inventory_t"] == pytest.approx(inv_t) and city["emitters_t"] == VERIFIED_T
    assert body["findings"] == []
    assert [e["uscc"] for e in body["emitters"]] == [PLANT]  # the world's unverified emitters are not there
    assert body["puhui"]["retired_g"] == 0 and body["puhui"]["city_total_co2e_t"] == pytest.approx(inv_t)


def test_the_plant_exceeding_a_small_inventory_is_a_finding(engine, world):
    with session_scope(engine) as s:
        _verified_plant(s, world.verifier_a)
        _compiled(s, 1_000)
        body = service.reconcile(s, year=2022)
    (f,) = body["findings"]
    assert f["kind"] == "emitters_exceed_inventory" and f["region"] == DALAD and f["uscc_list"] == [PLANT]
    assert _row(body, DALAD, "1.A.1.a")["status"] == "exceeds"


def test_unmapped_industry_and_override_file(engine, world):
    with session_scope(engine) as s:
        _verified_plant(s, world.verifier_a, industry="other")
        _compiled(s, 3_000_000)
        body = service.reconcile(s, year=2022)
        assert [f["kind"] for f in body["findings"]] == ["missing_mapping"]
        assert _row(body, DALAD, "1.A.1.a")["coverage"] == 0.0
        fixed = service.reconcile(s, year=2022, mapping_text=f"industry,uscc,categories\n,{PLANT},1.A.1.a\n")
    assert fixed["findings"] == [] and _row(fixed, DALAD, "1.A.1.a")["emitters_t"] == VERIFIED_T


def test_no_inventory_of_the_year(engine, world):
    with session_scope(engine) as s, pytest.raises(NotFound):
        service.reconcile(s, year=2021)


def test_api_is_bureau_only(client, engine, world):
    with session_scope(engine) as s:
        _verified_plant(s, world.verifier_a)
        _compiled(s, 3_000_000)
    r = client.get("/api/v1/reconcile", params={"year": 2022}, headers=world.headers["bureau"])
    assert r.status_code == 200, r.text
    assert _row(r.json(), DALAD, "1.A.1.a")["emitters_t"] == VERIFIED_T
    assert client.get("/api/v1/reconcile", params={"year": 2022}, headers=world.headers["verifier_a"]).status_code == 403
    assert client.get("/api/v1/reconcile", params={"year": 2022}).status_code == 401
    assert client.get("/api/v1/reconcile", params={"year": 2019}, headers=world.headers["bureau"]).status_code == 404


def test_cli(engine, world, migrated_url, monkeypatch):
    from typer.testing import CliRunner

    from carbon.cli import app
    from carbon.core.settings import get_settings

    with session_scope(engine) as s:
        _verified_plant(s, world.verifier_a)
        _compiled(s, 3_000_000)
    monkeypatch.setenv("CARBON_DATABASE_URL", migrated_url)
    get_settings.cache_clear()
    r = CliRunner().invoke(app, ["reconcile", "--year", "2022"])
    assert r.exit_code == 0, r.output
    assert "达拉特旗" in r.output and "1.A.1.a" in r.output
    r = CliRunner().invoke(app, ["reconcile", "--year", "2022", "--json"])
    assert r.exit_code == 0 and '"emitters_t": 2946003.0' in r.output
