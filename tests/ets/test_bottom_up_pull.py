"""A chemical key emitter's verified process CO2 pulled into the city inventory (bottom-up), end to end:
report (method chemical) -> verification concluded -> pull-ets -> compile -> the same figure in 2.B.8."""

from __future__ import annotations

import copy

from carbon.core.db import session_scope
from carbon.ets import service as ets
from carbon.ets.uscc import make_uscc
from carbon.inventory import service as inv
from carbon.inventory.bottom_up import pull_ets_verified

PLANT = make_uscc("91150622MA0N00007")  # 150622 = 准格尔旗
INV_API = "/api/v1/inventories"

# Methanol plant: feedstock coal 1,000,000 t × 0.60 = 600,000 t C; methanol 800,000 t × 12/32 = 300,000 t C;
# process CO2 = 300,000 × 44/12 = 1,100,000 t. The verifier corrects the feedstock to 1,010,000 t:
# 606,000 − 300,000 = 306,000 t C × 44/12 = 1,122,000 t.
REPORT = {"year": 2022, "method": "chemical", "industry": "coal_chemical",
          "facilities": [{"name": "甲醇装置", "flows": [
              {"item": "原料煤", "role": "input", "quantity": 1_000_000, "unit": "t", "carbon_fraction": 0.60},
              {"item": "甲醇", "role": "product", "quantity": 800_000, "unit": "t"}]}]}
CORRECTED = copy.deepcopy(REPORT)
CORRECTED["facilities"][0]["flows"][0]["quantity"] = 1_010_000
ACTIVITY = "region,year,category,item,quantity,unit\n准格尔旗,2022,1.A.2,原煤,1000,t\n".encode()


def _verified_plant(s, verifier_id: int, corrected: dict | None = None) -> int:
    ets.create_emitter(s, uscc=PLANT, name="准格尔旗示例甲醇厂", industry="coal_chemical", region="准格尔旗",
                       quality_plan_ref="DQCP-2022-M", actor="test")
    ets.submit_report(s, uscc=PLANT, payload=REPORT, actor="plant")
    g = ets.assign_verifier(s, uscc=PLANT, year=2022, verifier_id=verifier_id, actor="bureau")
    ets.record_review(s, engagement_id=g.id, kind="document", notes="原料煤化验报告", actor="verifier")
    ets.conclude(s, engagement_id=g.id, conclusion="核查结论: 可信", corrected_payload=corrected, actor="verifier")
    return g.id


def _co2(s, inventory_id: int, region: str, category: str) -> float:
    t = inv.get_results(s, inventory_id=inventory_id, region=region, category=category)
    return float(t[t["gas"] == "CO2"]["mass_t"].sum())


def test_verified_process_co2_reaches_the_inventory(engine, world):
    with session_scope(engine) as s:
        engagement = _verified_plant(s, world.verifier_a, CORRECTED)
        inventory = inv.create_inventory(s, year=2022).id
        inv.import_activity(s, inventory_id=inventory, content=ACTIVITY, filename="a.csv")
        batch = pull_ets_verified(s, inventory_id=inventory, user="bureau")
        assert batch is not None and batch.rows == 1 and batch.filename == "ets-verified-2022.csv"
        result = inv.compile_inventory(s, inventory_id=inventory)
        assert _co2(s, inventory, "150622", "2.B.8.a") == 1_122_000  # the verified (corrected) figure, not the reported
        assert _co2(s, inventory, "150600", "2.B.8.a") == 1_122_000
        (b,) = result.balances
        assert b["method"] == "ets_verified" and b["facility"] == f"{PLANT} 甲醇装置"
        assert f"engagement {engagement}" in b["source"]
        # pulling again replaces the earlier pull: still one row, the same figure
        pull_ets_verified(s, inventory_id=inventory, user="bureau")
        inv.compile_inventory(s, inventory_id=inventory)
        assert _co2(s, inventory, "150622", "2.B.8.a") == 1_122_000
        assert inv.record_count(s, inventory_id=inventory) == 2


def test_nothing_verified_pulls_nothing(engine, world):
    with session_scope(engine) as s:
        ets.create_emitter(s, uscc=PLANT, name="未核查甲醇厂", industry="coal_chemical", region="准格尔旗", actor="test")
        ets.submit_report(s, uscc=PLANT, payload=REPORT, actor="plant")  # reported, not verified
        inventory = inv.create_inventory(s, year=2022).id
        assert pull_ets_verified(s, inventory_id=inventory) is None
        assert inv.record_count(s, inventory_id=inventory) == 0


def test_pull_through_the_api(client, engine, world):
    with session_scope(engine) as s:
        _verified_plant(s, world.verifier_a)
        inventory = inv.create_inventory(s, year=2022).id
    bureau = world.headers["bureau"]
    r = client.post(f"{INV_API}/{inventory}/pull-ets", headers=bureau)
    assert r.status_code == 200, r.text
    assert r.json()["rows"] == 1 and r.json()["batch_id"] is not None
    r = client.post(f"{INV_API}/{inventory}/compile", headers=bureau)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [b["co2"]["value"] for b in body["carbon_balances"]] == [1_100_000]
    assert client.post(f"{INV_API}/{inventory}/pull-ets", headers=world.headers["verifier_a"]).status_code == 403
