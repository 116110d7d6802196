"""Issue 15 item 2: the bureau's analysis pages (intensity against targets, key categories and uncertainty) and the
notation keys of the results tree, through HTTP. Every figure checked is recomputed here from the stored result rows,
the economic data file and the guideline's equations, not read from the service's output."""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict

import pytest
from sqlalchemy import select

from carbon.core.db import session_scope
from carbon.intensity import service as intensity_service
from carbon.inventory import service
from carbon.inventory.models import EmissionResult, Inventory
from carbon.sample import SAMPLE_DIR
from tests.web.conftest import LOCAL_FACTORS, SAMPLE, compile_sample
from web.format import number, percent, wan_t

ECONOMY = SAMPLE_DIR / "ordos_economy_synthetic.csv"
PLAN = SAMPLE_DIR / "ordos_plan_indicators.csv"
CITY = "150600"


def _economy() -> dict[tuple[str, int], dict]:
    lines = [line for line in ECONOMY.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return {(r["region"], int(r["year"])): r for r in csv.DictReader(lines)}


def _load_economy(engine) -> None:
    with session_scope(engine) as session:
        intensity_service.import_economy(session, content=ECONOMY.read_bytes(), filename=ECONOMY.name)
        intensity_service.import_plan_indicators(session, content=PLAN.read_bytes(), filename=PLAN.name)


def _row(html: str, table: str, attr: str, value: str) -> str:
    body = re.search(rf'<table[^>]*id="{table}".*?</table>', html, re.S)
    assert body, f"table {table} on the page"
    found = re.search(rf'<tr[^>]*{attr}="{re.escape(value)}"[^>]*>(.*?)</tr>', body.group(0), re.S)
    assert found, f"{attr}={value} in {table}"
    return found.group(0)


def _city_results(engine, inventory_id: int) -> list[EmissionResult]:
    with session_scope(engine) as session:
        rows = session.scalars(select(EmissionResult).where(EmissionResult.inventory_id == inventory_id,
                                                            EmissionResult.region_code == CITY)).all()
        session.expunge_all()
        return list(rows)


# --- intensity and targets -----------------------------------------------------------------------------

def test_intensity_of_the_inventory_year_is_recomputed_and_links_to_why(client, engine, sign_in):
    inventory_id = compile_sample(engine)
    _load_economy(engine)
    sign_in()
    page = client.get(f"/console/inventories/{inventory_id}/intensity")
    assert page.status_code == 200, page.text
    # the default numerator: energy CO2 without memo items, from the stored 2022 inventory (no base year asked)
    co2 = sum(r.co2e_t for r in _city_results(engine, inventory_id) if r.sector == "energy" and r.gas == "CO2" and not r.memo)
    city = _economy()[("鄂尔多斯市", 2022)]
    gdp_10k = float(city["gdp"]) * 1e4  # 亿元 -> 万元
    energy_tce = float(city["energy"]) * 1e4  # 万tce -> tce
    row = _row(page.text, "intensity-table", "data-region", CITY)
    assert f">{number(co2 / gdp_10k)}<" in row
    assert f">{number(energy_tce / gdp_10k)}<" in row
    why = re.search(r'class="why" href="([^"]+)"', row).group(1).replace("&amp;", "&")
    assert why == f"/console/inventories/{inventory_id}/explain?region={CITY}&sector=energy&gas=CO2"
    assert f">{wan_t(co2)}<" in row
    explained = client.get(why)
    assert explained.status_code == 200 and f'id="figure">{wan_t(co2, 4)}<' in explained.text
    assert 'data-chart="chart-data"' in page.text and "吨CO2/万元" in page.text


def test_intensity_against_the_plan_targets_with_the_status(client, engine, sign_in):
    compile_sample(engine)
    _load_economy(engine)
    sign_in()
    page = client.get("/console/intensity", params={"year": 2022, "base_year": 2020})
    assert page.status_code == 200, page.text
    econ = _economy()
    # no 2020 inventory: the statistics' energy CO2 for both years (co2_source auto), so no "why" link
    i = {y: float(econ[("鄂尔多斯市", y)]["energy_co2"]) / float(econ[("鄂尔多斯市", y)]["gdp"]) for y in (2020, 2022)}
    row = _row(page.text, "intensity-table", "data-region", CITY)
    assert percent(i[2022] / i[2020] - 1) in row
    assert 'class="why"' not in re.search(r'<table[^>]*id="intensity-table".*?</table>', page.text, re.S).group(0)
    # the plan's carbon-intensity target: −18 % from 2020 to 2025, evaluated on the constant-annual-rate path
    with session_scope(engine) as session:
        target = next(t for t in intensity_service.list_targets(session, city_only=True) if t.metric == "carbon_intensity")
        target_id, reduction = target.id, target.value / 100
    section = re.search(rf'<section class="card target" id="target-{target_id}">.*?</section>', page.text, re.S).group(0)
    achieved = 1 - i[2022] / i[2020]
    expected = 1 - (1 - reduction) ** (2 / 5)
    previous = 1 - (1 - reduction) ** (1 / 5)
    status = "on_track" if achieved >= expected else ("warning" if achieved >= previous else "off_track")
    city_row = re.search(rf'<tr[^>]*data-region="{CITY}"[^>]*data-status="([a-z_]+)"[^>]*>(.*?)</tr>', section, re.S)
    assert city_row.group(1) == status
    assert f"{achieved * 100:.2f}%" in city_row.group(2) and f"{expected * 100:.2f}%" in city_row.group(2)
    assert {"进度正常", "预警", "进度滞后"} & set(re.findall(r'class="status-[a-z_]+">([^<]+)<', section))
    assert 'data-chart="target-chart-' in page.text


def test_intensity_without_data_says_why(client, engine, sign_in):
    compile_sample(engine)
    sign_in()
    page = client.get("/console/intensity", params={"year": 2022})
    assert page.status_code == 422 and 'id="intensity-error"' in page.text


# --- key categories and uncertainty --------------------------------------------------------------------

def _level(rows: list[EmissionResult]) -> list[tuple[tuple[str, str], float]]:
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for r in rows:
        if not r.memo:
            sums[(r.category, r.gas)] += r.co2e_t
    return sorted(sums.items(), key=lambda kv: (-abs(kv[1]), kv[0]))


def test_key_categories_level_and_uncertainty_recomputed(client, engine, sign_in, auth_headers):
    inventory_id = compile_sample(engine)
    sign_in()
    page = client.get(f"/console/inventories/{inventory_id}/key-categories")
    assert page.status_code == 200, page.text
    ranked = _level(_city_results(engine, inventory_id))
    total = sum(abs(v) for _, v in ranked)
    keys, cumulative = 0, 0.0
    for _, v in ranked:
        if cumulative < 0.95 - 1e-12 and v != 0:
            keys += 1
        cumulative += abs(v) / total
    table = re.search(r'<table[^>]*id="level-table".*?</table>', page.text, re.S).group(0)
    assert table.count('<tr class="key"') == keys
    (category, gas), value = ranked[0]
    first = _row(page.text, "level-table", "data-category", category)
    assert f'data-gas="{gas}"' in first and f"{abs(value) / total * 100:.2f}%" in first
    assert 'id="no-trend"' in page.text  # no earlier inventory
    # uncertainty, Approach 1 (Eq. 3.1 per row, Eq. 3.2 for the total) from the rows and percentages assigned
    with session_scope(engine) as session:
        rows, _ = intensity_service.uncertainty_rows(session, inventory_id=inventory_id)
    u = [math.hypot(a, f) for a, f in zip(rows["u_activity_pct"], rows["u_factor_pct"])]
    e = list(rows["emissions"])
    u_total = math.sqrt(sum((ui * ei) ** 2 for ui, ei in zip(u, e))) / abs(sum(e))
    expected_total = sum(r.co2e_t for r in _city_results(engine, inventory_id) if not r.memo and r.co2e_t != 0)
    assert sum(e) == pytest.approx(expected_total, rel=1e-12)
    assert re.search(r'id="u-pct">([^<]+)<', page.text).group(1) == f"{u_total:.2f}"
    assert wan_t(sum(e)) in re.search(r'id="u-total">(.*?)</p>', page.text, re.S).group(1)
    api = client.get(f"/api/v1/intensity/inventories/{inventory_id}/uncertainty", headers=auth_headers()).json()
    assert re.search(r'id="u-pct">([^<]+)<', page.text).group(1) == f"{api['approach1']['u_high_pct']:.2f}"
    mc = client.get(f"/console/inventories/{inventory_id}/key-categories", params={"draws": 500})
    assert mc.status_code == 200 and 'id="u-mc"' in mc.text
    assert client.get(f"/console/inventories/{inventory_id}/key-categories", params={"draws": 5}).status_code == 422


def _year_2021(scale_item: str = "原煤") -> bytes:
    """The sample as a 2021 inventory, with the coal quantities at 80 %: a trend to assess (memo electricity left out)."""
    reader = csv.DictReader(io.StringIO("\n".join(line for line in SAMPLE.read_text(encoding="utf-8").splitlines()
                                                  if not line.startswith("#"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
    writer.writeheader()
    for row in reader:
        if row["year"] == "2021" or row["category"] == "M.electricity":
            continue  # 2021's waste history rows become this year's; no 2021 grid factor is published (memo item)
        if row["year"] == "2022":
            row["year"] = "2021"
        if row["item"] == scale_item and re.fullmatch(r"[0-9.]+", row["quantity"] or ""):
            row["quantity"] = repr(float(row["quantity"]) * 0.8)
        writer.writerow(row)
    return out.getvalue().encode()


def test_key_categories_trend_against_the_previous_year(client, engine, sign_in):
    current = compile_sample(engine)
    with session_scope(engine) as session:
        base = service.create_inventory(session, year=2021)
        service.import_activity(session, inventory_id=base.id, content=_year_2021(), filename="y2021.csv")
        service.compile_inventory(session, inventory_id=base.id, local_factors=LOCAL_FACTORS.read_bytes(),
                                  local_filename=LOCAL_FACTORS.name)
        base_id = base.id
    sign_in()
    page = client.get(f"/console/inventories/{current}/key-categories")
    assert page.status_code == 200, page.text
    assert "与 2021 年清单" in page.text
    e0 = dict(_level(_city_results(engine, base_id)))
    et = dict(_level(_city_results(engine, current)))
    abs0, tot0, tott = sum(abs(v) for v in e0.values()), sum(e0.values()), sum(et.values())
    trend = {}
    for k in set(e0) | set(et):
        b, c = e0.get(k, 0.0), et.get(k, 0.0)
        trend[k] = abs(b) / abs0 * abs((c - b) / abs(b) - (tott - tot0) / abs(tot0)) if b else abs(c) / abs0
    (category, gas), top = sorted(trend.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    first = re.search(r'<table[^>]*id="trend-table".*?<tbody><tr[^>]*data-category="([^"]+)" data-gas="([^"]+)"',
                      page.text, re.S)
    assert (first.group(1), first.group(2)) == (category, gas)
    assert f"{top / sum(trend.values()) * 100:.2f}%" in _row(page.text, "trend-table", "data-category", category)


def test_analysis_pages_are_for_the_bureau_only(client, engine, sign_in):
    inventory_id = compile_sample(engine)
    urls = [f"/console/inventories/{inventory_id}/key-categories", f"/console/inventories/{inventory_id}/intensity",
            "/console/intensity?year=2022", "/console/factors"]
    for url in urls:
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/console/login")
    sign_in("verifier")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403 and "仅供生态环境局" in response.text


def test_the_inventory_page_links_the_analysis_pages(client, engine, sign_in):
    inventory_id = compile_sample(engine)
    sign_in()
    page = client.get(f"/console/inventories/{inventory_id}").text
    for link in ("key-categories", "intensity", "factors"):
        href = re.search(rf'id="link-{link}" href="([^"]+)"', page).group(1)
        assert client.get(href).status_code in (200, 422), href


# --- notation keys in the results tree -----------------------------------------------------------------

TINY = ("region,year,category,item,quantity,unit,note\n"
        "东胜区,2022,1.A.1.a,原煤,368,万t,电力和热力生产用煤\n"
        "达拉特旗,2022,1.A.1.a,原煤,NO,,电厂已关停\n").encode()


def test_notation_keys_appear_in_the_tree(client, engine, sign_in):
    with session_scope(engine) as session:
        inventory = service.create_inventory(session, year=2022)
        service.import_activity(session, inventory_id=inventory.id, content=TINY, filename="tiny.csv")
        service.compile_inventory(session, inventory_id=inventory.id)
        inventory_id = inventory.id
        keys = session.get(Inventory, inventory_id).notation_keys
    assert {"region": "150621", "category": "1.A.1.a", "notation": "NO"}.items() <= next(
        k for k in keys if k["region"] == "150621").items()
    sign_in()
    # the banners of 1.A.1.a: 东胜区 with its figure, 达拉特旗 with its key and note
    page = client.get(f"/console/inventories/{inventory_id}/results", params={"category": "1.A.1.a"}).text
    row = _row(page, "results-table", 'class="notation" data-key', "150621")
    assert 'data-notation="NO"' in row and "电厂已关停" in row and "未发生" in row
    assert 'data-key="150602"' in page and 'class="notation" data-key="150602"' not in page
    # the categories of energy in 达拉特旗: 1.A.1.a is a key there (NO), not a figure
    page = client.get(f"/console/inventories/{inventory_id}/results", params={"sector": "energy", "region": "150621"}).text
    assert 'data-notation="NO"' in _row(page, "results-table", 'class="notation" data-key', "1.A.1.a")
    # the city: every category without a figure has a key (NE when nobody said anything), as the compile stored it
    page = client.get(f"/console/inventories/{inventory_id}/results", params={"sector": "waste"}).text
    stored = {k["category"] for k in keys if k["region"] == CITY and k["notation"] == "NE" and k["category"].startswith("4")}
    assert stored and all(f'class="notation" data-key="{c}"' in page for c in stored)
    assert 'id="notation-legend"' in page


def test_the_sample_city_key_for_crude_oil_is_shown(client, engine, sign_in):
    inventory_id = compile_sample(engine)
    sign_in()
    page = client.get(f"/console/inventories/{inventory_id}/results", params={"sector": "energy"}).text
    row = _row(page, "results-table", 'class="notation" data-key', "1.B.2.a")
    assert 'data-notation="NO"' in row and "no crude oil production in Ordos" in row
    public = client.get(f"/console/inventories/{inventory_id}/results").text
    assert 'class="notation"' not in public  # the sectors of the city: keys are shown at the category level
