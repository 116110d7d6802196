"""Intensity and report-job endpoints through HTTP, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import time

import pytest

from carbon.reporting import jobs as report_jobs
from carbon.reporting import service as report_service
from carbon.reporting.render import Rendered
from tests.inventory.store_helpers import ACTIVITY_CSV, energy_factors  # noqa: F401  (autouse fixture)

API = "/api/v1"

# 达拉特旗 2020: 1000 万t / 100 亿元 = 1e7 t / 1e6 万元 = 10 t/万元; 2022: 1080/120 = 9 (−10 %).
# 准格尔旗 2020: 200/100 = 2; 2022: 242/110 = 2.2 (+10 %).
# City (sum of banners): 2020 1200/200 = 6; 2022 1322/230 = 5.747826 -> −4.2029 %.
ECONOMY = """region,year,gdp,unit,price_base_year,energy,energy_unit,energy_co2,energy_co2_unit
达拉特旗,2020,100,亿元,2020,300,万tce,1000,万t
准格尔旗,2020,100,亿元,2020,100,万tce,200,万t
达拉特旗,2022,120,亿元,2020,330,万tce,1080,万t
准格尔旗,2022,110,亿元,2020,110,万tce,242,万t
""".encode()

BAD_ECONOMY = """region,year,gdp,unit,price_base_year
达拉特旗,2022,120,亿元,
火星,2022,1,亿元,2020
准格尔旗,2022,110,公顷,2020
""".encode()


def upload(client, path, content, headers, name="economy.csv"):
    return client.post(f"{API}{path}", files={"file": (name, content, "text/csv")}, headers=headers)


def test_economy_intensity_targets_and_evaluation(client, auth_headers):
    bureau = auth_headers("bureau")
    assert client.get(f"{API}/intensity", params={"year": 2022}).status_code == 401
    assert client.get(f"{API}/intensity", params={"year": 2022}, headers=auth_headers("citizen")).status_code == 403

    bad = upload(client, "/intensity/economy", BAD_ECONOMY, bureau)
    assert bad.status_code == 422
    cells = {(r["row"], r["column"]) for r in bad.json()["error"]["rows"]}
    assert cells == {(2, "price_base_year"), (3, "region"), (4, "unit")}
    assert client.get(f"{API}/intensity/economy", headers=bureau).json()["items"] == []  # nothing half-written

    key = {"Idempotency-Key": "economy-1", **bureau}
    first = upload(client, "/intensity/economy", ECONOMY, key)
    assert first.status_code == 201 and first.json()["rows"] == 4
    again = upload(client, "/intensity/economy", ECONOMY, key)
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    stored = client.get(f"{API}/intensity/economy", params={"year": 2022}, headers=bureau).json()["items"]
    assert sorted(r["gdp_yuan"] for r in stored) == [11_000_000_000, 12_000_000_000]  # 110 and 120 亿元, exact

    r = client.get(f"{API}/intensity", params={"year": 2022, "base_year": 2020}, headers=bureau)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["numerator"], body["co2_source"], body["price_base_year"]) == ("energy_co2", "statistics", 2020)
    assert "memo items excluded" in body["numerator_definition"]
    rows = {x["region"]: x for x in body["items"]}
    assert rows["150621"]["intensity_t_per_10k_cny"] == pytest.approx(9.0)
    assert rows["150622"]["change_vs_base_pct"] == pytest.approx(10.0)
    assert rows["150600"]["intensity_t_per_10k_cny"] == pytest.approx(1322 / 230)
    assert rows["150600"]["change_vs_base_pct"] == pytest.approx(-4.2029, abs=1e-4)
    # energy intensity, city: 2020 400/200 = 2 tce/万元 -> 2022 440/230 = 1.913043 (−4.3478 %)
    assert rows["150600"]["energy_change_vs_base_pct"] == pytest.approx((440 / 230 / 2 - 1) * 100)
    # no inventory for 2020: asking for inventory-based CO2 says so
    r = client.get(f"{API}/intensity", params={"year": 2022, "base_year": 2020, "co2_source": "inventory"}, headers=bureau)
    assert r.status_code == 422 and "2020" in r.json()["error"]["message"]

    t = client.post(f"{API}/intensity/targets", headers=bureau, json={
        "metric": "carbon_intensity", "base_year": 2020, "target_year": 2025, "value": 18, "label": "单位GDP二氧化碳排放降低"})
    assert t.status_code == 201, t.text
    tid = t.json()["id"]
    assert t.json()["numerator"] == "energy_co2"
    d = client.post(f"{API}/intensity/targets/{tid}/decompose", headers=bureau,
                    json={"method": "intensity_level", "adopt": True})
    assert d.status_code == 200, d.text
    d = d.json()
    assert d["meets"] and d["implied_city_reduction_pct"] == pytest.approx(18.0)
    assert len(d["adopted"]) == 2
    banner = {b["region"]: b for b in d["banners"]}
    assert banner["150621"]["reduction_pct"] > banner["150622"]["reduction_pct"]  # the intensive banner cuts more
    assert len(client.get(f"{API}/intensity/targets/{tid}", headers=bureau).json()["banner_targets"]) == 2

    ev = client.get(f"{API}/intensity/targets/{tid}/evaluation", params={"year": 2022}, headers=bureau).json()
    status = {e["region"]: e["status"] for e in ev["items"]}
    # City: −4.20 % achieved; the −18 % path needs 7.63 % by 2022 and 3.89 % by 2021 -> one year behind: warning
    assert status["150600"] == "warning"
    assert status["150622"] == "off_track"  # intensity rose
    assert "one year behind" in ev["status_rule"]

    cap = client.post(f"{API}/intensity/targets", headers=bureau, json={
        "metric": "energy_total", "base_year": 2020, "target_year": 2025, "value": 500, "unit": "万tce"}).json()
    assert cap["value"] == pytest.approx(5_000_000) and cap["unit"] == "tce"
    split = client.get(f"{API}/intensity/targets/{cap['id']}/cap-split", headers=bureau).json()
    # base-year consumption 300 : 100 -> 375 and 125 万tce of the 500 万tce cap
    assert [round(x["cap"]) for x in split["items"]] == [3_750_000, 1_250_000]


def test_plan_indicators(client, auth_headers):
    bureau = auth_headers("bureau")
    csv = ("code,seq,group_zh,name_zh,name_en,unit,kind,direction,baseline_year,baseline,target_year,target,target_text,"
           "target_metric,source,2021,2022\n"
           "non_fossil_share,12,应对气候变化,非化石能源占一次能源消费比例,Non-fossil share,%,expected,increase,2020,3.1,2025,"
           "22.6,,non_fossil_share,plan,5.0,6.9\n"
           "energy_total,13,能源,能源消费总量,Total energy,万tce,binding,max,2020,,2025,7870,,energy_total,plan,7000,8000\n")
    r = upload(client, "/intensity/plan-indicators", csv.encode(), bureau, "plan.csv")
    assert r.status_code == 201 and r.json() == {"indicators": 2, "added": 2, "updated": 0, "targets": 2}
    items = {i["code"]: i for i in client.get(f"{API}/intensity/plan-indicators", headers=bureau).json()["items"]}
    # (6.9 − 3.1)/(22.6 − 3.1) = 19.49 % of the way after 2 of 5 years (40 %, one year's share 20 %) -> off_track
    assert items["non_fossil_share"]["progress_pct"] == pytest.approx(3.8 / 19.5 * 100)
    assert items["non_fossil_share"]["status"] == "off_track"
    assert items["energy_total"]["status"] == "off_track"  # 8000 > 7870 cap
    assert client.get(f"{API}/intensity/plan-indicators", params={"year": 2021}, headers=bureau).json()[
        "items"][1]["status"] == "on_track"  # 7000 ≤ 7870
    targets = client.get(f"{API}/intensity/targets", headers=bureau).json()
    assert {t["metric"] for t in targets} == {"non_fossil_share", "energy_total"}


def _compiled_inventory(client, bureau) -> int:
    iid = client.post(f"{API}/inventories", json={"year": 2022}, headers=bureau).json()["id"]
    assert client.post(f"{API}/inventories/{iid}/activity", files={"file": ("a.csv", ACTIVITY_CSV, "text/csv")},
                       headers=bureau).status_code == 201
    assert client.post(f"{API}/inventories/{iid}/compile", headers=bureau).status_code == 200
    return iid


def test_key_categories_and_uncertainty_of_a_stored_inventory(client, auth_headers):
    bureau = auth_headers("bureau")
    iid = _compiled_inventory(client, bureau)
    k = client.get(f"{API}/intensity/inventories/{iid}/key-categories", headers=bureau).json()
    level = k["level"]
    assert [x["rank"] for x in level] == list(range(1, len(level) + 1))
    assert level[0]["category"] == "1.A.1.a" and level[0]["gas"] == "CO2" and level[0]["key"]
    assert level[-1]["cumulative"] == pytest.approx(1.0)
    shares = [x["share"] for x in level]
    assert shares == sorted(shares, reverse=True)
    u = client.get(f"{API}/intensity/inventories/{iid}/uncertainty", params={"draws": 2000, "seed": 5},
                   headers=bureau).json()
    a1, a2 = u["approach1"], u["approach2"]
    assert a1["low_t"] < a1["total_t"] < a1["high_t"] and a2["seed"] == 5 and a2["draws"] == 2000
    again = client.get(f"{API}/intensity/inventories/{iid}/uncertainty", params={"draws": 2000, "seed": 5},
                       headers=bureau).json()
    assert again["approach2"] == a2  # seeded: the same interval


def test_report_job_runs_in_the_background_and_downloads(client, auth_headers, monkeypatch):
    """The job machinery (queue, worker thread, status, download). The PDF itself is tested in tests/reporting,
    once; here the layout step is replaced to keep this test fast."""
    monkeypatch.setattr(report_service, "html_to_pdf", lambda html: Rendered(pdf=b"%PDF-1.7 fake " + html[:20].encode(), pages=3))
    bureau = auth_headers("bureau")
    assert client.post(f"{API}/reports/inventory", json={"year": 2022}, headers=bureau).status_code == 404  # no inventory
    _compiled_inventory(client, bureau)
    r = client.post(f"{API}/reports/inventory", json={"year": 2022, "draws": 500},
                    headers={"Idempotency-Key": "report-1", **bureau})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] in ("queued", "running", "done")
    deadline = time.monotonic() + 60
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
        job = client.get(f"{API}/reports/jobs/{job['id']}", headers=bureau).json()
    assert job["status"] == "done", job
    assert job["pages"] == 3 and job["download"].endswith(f"/reports/jobs/{job['id']}/pdf")
    pdf = client.get(job["download"], headers=bureau)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) == job["size_bytes"]
    replay = client.post(f"{API}/reports/inventory", json={"year": 2022, "draws": 500},
                         headers={"Idempotency-Key": "report-1", **bureau})
    assert replay.json()["id"] == job["id"]  # a retried submit does not queue a second job


def test_job_claim_is_exclusive_stale_jobs_are_retaken_and_failures_recorded(session, monkeypatch):
    from datetime import timedelta

    from carbon.core.db import session_factory, utcnow
    from carbon.reporting.models import ReportJob

    a = ReportJob(kind="inventory", status="queued", year=2022, params={}, created_at=utcnow(), attempts=0)
    b = ReportJob(kind="inventory", status="running", year=2022, params={}, created_at=utcnow(), attempts=1,
                  started_at=utcnow() - report_jobs.lease() - timedelta(minutes=1))
    session.add_all([a, b])
    session.commit()
    assert report_service.claim(session, worker="w1") == a.id
    assert report_service.claim(session, worker="w2") == b.id  # stale: its worker died
    assert report_service.claim(session, worker="w3") is None  # nothing left, nothing claimed twice
    session.commit()
    report_service.run_job(session_factory(session.get_bind()), a.id)  # params lack a year: the job fails
    session.expire_all()
    failed = session.get(ReportJob, a.id)
    assert failed.status == "failed" and failed.error and failed.attempts == 1
