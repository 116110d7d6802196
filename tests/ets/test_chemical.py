"""Chemical plants (``"method": "chemical"``): fuel combustion + carbon mass balance per facility (IPCC 2006 V3
Eq. 3.17) − CO2 recovered and sold, through ``carbon ets compute``, ``POST /ets/compute`` and report submission.
Every expected figure is worked by hand in the comments."""

from __future__ import annotations

import copy
import importlib.util
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from carbon.cli import app
from carbon.core.auth import hash_token
from carbon.core.db import session_scope
from carbon.core.errors import ValidationError
from carbon.core.models import ApiToken
from carbon.ets import service
from carbon.ets.report import compute_report
from carbon.ets.uscc import make_uscc

API = "/api/v1/ets"
CHEMICAL_EMITTER = make_uscc("91150622MA0N00004")  # 150622 = 准格尔旗

# Methanol plant, 2022. Process: feedstock coal 1,000,000 t × 0.60 = 600,000 t C in; methanol 800,000 t × 12/32
# (default, CH3OH) = 300,000 t C out; (600,000 − 300,000) × 44/12 = 1,100,000 t CO2.
# Fuel: 烟煤 50,000 t × 22 GJ/t = 1,100,000 GJ × 0.026 tC/GJ = 28,600 t C × 0.95 = 27,170 t C × 44/12 = 99,623.3333 t.
# Purchased electricity 10,000 MWh × 0.5703 t/MWh (2022 ETS grid factor) = 5,703 t; heat 1,000 GJ × 0.11 = 110 t.
# E = 1,100,000 + 99,623.3333 + 5,703 + 110 = 1,205,436.3333 t; covered half-up 1,205,436.
METHANOL = {
    "year": 2022, "method": "chemical", "industry": "coal_chemical",
    "fuels": [{"name": "烟煤", "quantity": 50_000, "unit": "t", "ncv": 22, "ncv_unit": "GJ/t",
               "carbon_content": 0.026, "carbon_content_unit": "tC/GJ", "oxidation": 0.95}],
    "facilities": [{"name": "甲醇装置", "flows": [
        {"item": "原料煤", "role": "input", "quantity": 1_000_000, "unit": "t", "carbon_fraction": 0.60},
        {"item": "甲醇", "role": "product", "quantity": 800_000, "unit": "t"}]}],
    "purchased_electricity_mwh": 10_000, "purchased_heat_gj": 1_000,
}
METHANOL_FUEL_T = 50_000 * 22 * 0.026 * 0.95 * 44 / 12  # 99,623.3333
METHANOL_TOTAL_T = 1_100_000 + 99_623.333333 + 5_703 + 110

# Coal-to-olefins (MTO), one facility, no fuels:
#   in:  feedstock coal 3,000,000 t × 62 % = 1,860,000 t C
#   out: ethylene 300,000 t × 12/14 = 257,142.857 t C; propylene 300,000 t × 12/14 = 257,142.857 t C;
#        gasifier slag 200,000 t × 2.5 % = 5,000 t C; CO2 recovered and sold 200,000 t × 12/44 = 54,545.4545 t C
#   CO2 = 1,860,000 × 44/12 − 600,000 × 44/14 − 5,000 × 44/12 − 200,000
#       = 6,820,000 − 1,885,714.2857 − 18,333.3333 − 200,000 = 4,715,952.3810 t  (= 99,035,000 / 21)
OLEFINS = {
    "year": 2022, "method": "chemical", "industry": "coal_chemical",
    "facilities": [{"name": "煤制烯烃装置", "flows": [
        {"item": "原料煤", "role": "input", "quantity": 3_000_000, "unit": "t", "carbon_fraction": 62,
         "carbon_fraction_unit": "%", "source": "measured"},
        {"item": "乙烯", "role": "product", "quantity": 300_000, "unit": "t"},
        {"item": "propylene", "role": "product", "quantity": 300_000, "unit": "t"},
        {"item": "气化炉渣", "role": "waste", "quantity": 200_000, "unit": "t", "carbon_fraction": 2.5,
         "carbon_fraction_unit": "%"},
        {"item": "回收外供CO2", "role": "recovered", "quantity": 200_000}]}],
}

# A second facility whose products hold more carbon than its inputs: feedstock 100,000 t × 0.30 = 30,000 t C in,
# ethylene glycol 100,000 t × 24/62 = 38,709.68 t C out.
NEGATIVE = {"name": "乙二醇装置", "flows": [
    {"item": "原料煤", "role": "input", "quantity": 100_000, "unit": "t", "carbon_fraction": 0.30},
    {"item": "乙二醇", "role": "product", "quantity": 100_000, "unit": "t"}]}


def methanol(**changes) -> dict:
    report = copy.deepcopy(METHANOL)
    report.update(changes)
    return report


def cli(tmp_path, report):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return CliRunner().invoke(app, ["ets", "compute", str(path)])


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


# --- hand-worked reports ------------------------------------------------------------------------------------

def test_methanol_plant_through_the_cli(tmp_path):
    r = cli(tmp_path, METHANOL)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert (out["method"], out["industry"]) == ("chemical", "coal_chemical")
    assert "化工生产企业" in out["guideline"]
    t = out["total"]
    assert t["process_emissions_t"] == pytest.approx(1_100_000, rel=1e-12)
    assert t["fuel_emissions_t"] == pytest.approx(99_623.333333, rel=1e-9)
    assert METHANOL_FUEL_T == pytest.approx(99_623.333333, rel=1e-9)  # the arithmetic of the comment
    assert t["electricity_emissions_t"] == pytest.approx(5_703, rel=1e-12)
    assert t["heat_emissions_t"] == pytest.approx(110, rel=1e-12)
    assert t["recovered_co2_t"] == 0
    assert t["emissions_t"] == pytest.approx(METHANOL_TOTAL_T, rel=1e-9)
    assert t["covered_emissions_t"] == 1_205_436
    assert (t["quota_t"], t["gap_t"], t["gap_rate"]) == (None, None, None)
    assert out["allocation"].startswith("not computed: no chemical benchmarks")

    # intermediates of the balance, with units
    (f,) = out["facilities"]
    assert f["name"] == "甲醇装置" and f["process_co2_t"] == pytest.approx(1_100_000, rel=1e-12)
    assert f["carbon_in"] == {"value": pytest.approx(600_000), "unit": "t"}
    assert f["carbon_products"]["value"] == pytest.approx(300_000)
    assert f["carbon_emitted"]["value"] == pytest.approx(300_000)
    assert [fl["carbon"]["value"] for fl in f["flows"]] == [pytest.approx(600_000), pytest.approx(300_000)]
    assert f["flows"][1]["carbon_content"]["value"] == pytest.approx(0.375)
    steps = {s["name"]: s for s in out["steps"]}
    assert steps["E"]["value"] == pytest.approx(METHANOL_TOTAL_T, rel=1e-9) and steps["E"]["unit"] == "t CO2"
    assert [s["name"] for s in out["fuels"][0]["steps"]][-1] == "E_fuel"

    # 实测 / 缺省 flags and the data-quality block
    assert [(fl["source"], fl["source_zh"]) for fl in f["flows"]] == [("measured", "实测"), ("default", "缺省")]
    dq = out["data_quality"]
    assert (dq["carbon_fractions"]["measured"], dq["carbon_fractions"]["default"]) == (1, 1)
    assert [(x["where"], x["item"], x["role"], x["source_zh"]) for x in dq["carbon_fractions"]["flows"]] == [
        ("facilities[0].flows[0]", "原料煤", "input", "实测"), ("facilities[0].flows[1]", "甲醇", "product", "缺省")]
    assert "12/32" in dq["carbon_fractions"]["flows"][1]["ref"]
    assert (dq["fuel_parameters"]["measured"], dq["fuel_parameters"]["default"]) == (3, 0)
    assert [p["where"] for p in dq["fuel_parameters"]["params"]] == [
        "fuels[0].ncv", "fuels[0].carbon_content", "fuels[0].oxidation"]
    (default,) = t["defaults_applied"]
    assert default.startswith("facilities[0].flows[1].carbon_fraction") and "缺省" in default


def test_coal_to_olefins_with_recovered_co2_sold():
    out = compute_report(OLEFINS)
    t = out["total"]
    assert t["process_emissions_t"] == pytest.approx(99_035_000 / 21, rel=1e-12)
    assert t["process_emissions_t"] == pytest.approx(4_715_952.380952, abs=1e-6)
    assert t["recovered_co2_t"] == pytest.approx(200_000, rel=1e-12)
    assert t["fuel_emissions_t"] == 0 and t["electricity_emissions_t"] == 0 and t["heat_emissions_t"] == 0
    assert t["emissions_t"] == pytest.approx(4_715_952.380952, abs=1e-6)
    assert t["covered_emissions_t"] == 4_715_952
    f = out["facilities"][0]
    assert f["carbon_in"]["value"] == pytest.approx(1_860_000)
    assert f["carbon_products"]["value"] == pytest.approx(600_000 * 12 / 14)   # 514,285.714
    assert f["carbon_wastes"]["value"] == pytest.approx(5_000)
    assert f["carbon_recovered"]["value"] == pytest.approx(200_000 * 12 / 44)  # 54,545.45
    assert f["recovered_co2_t"] == pytest.approx(200_000)
    dq = out["data_quality"]["carbon_fractions"]
    assert (dq["measured"], dq["default"]) == (2, 3)  # coal and slag measured; ethylene, propylene, CO2 default
    assert [x["source"] for x in dq["flows"]] == ["measured", "default", "default", "measured", "default"]
    assert len(out["total"]["defaults_applied"]) == 3


def test_two_facilities_add_up():
    # the methanol plant (1,100,000) + the olefin plant (4,715,952.380952) in one report, no fuels
    report = {"year": 2022, "method": "chemical",
              "facilities": [METHANOL["facilities"][0], OLEFINS["facilities"][0]]}
    out = compute_report(report)
    assert out["industry"] == "chemical"
    assert out["total"]["process_emissions_t"] == pytest.approx(1_100_000 + 4_715_952.380952, abs=1e-6)
    assert [w["where"] for w in out["data_quality"]["carbon_fractions"]["flows"]][2] == "facilities[1].flows[0]"


# --- bad input ---------------------------------------------------------------------------------------------

def test_negative_balance_through_the_cli_names_the_facility(tmp_path):
    report = methanol(facilities=[METHANOL["facilities"][0], NEGATIVE])
    r = cli(tmp_path, report)
    assert r.exit_code == 2
    assert "乙二醇装置" in r.output and "碳平衡为负" in r.output and "(字段 facilities[1])" in r.output
    assert "30,000" in r.output  # the figures: inputs carry 30,000 t C


@pytest.mark.parametrize("fraction, unit", [(0.60, None), (0.60, ""), (0.60, "1"), (0.60, "dimensionless"),
                                            (60, "%")])
def test_carbon_fraction_units(fraction, unit):
    report = methanol(fuels=[], purchased_electricity_mwh=0, purchased_heat_gj=0)
    flow = report["facilities"][0]["flows"][0]
    flow["carbon_fraction"] = fraction
    if unit is not None:
        flow["carbon_fraction_unit"] = unit
    out = compute_report(report)
    assert out["total"]["process_emissions_t"] == pytest.approx(1_100_000, rel=1e-12)
    assert out["total"]["emissions_t"] == pytest.approx(1_100_000, rel=1e-12)


@pytest.mark.parametrize("quantity, unit, fraction, fraction_unit", [
    (100_000_000, "Nm3", 0.53, "kg/Nm3"), (10_000, "万Nm3", 5.3, "t/万Nm3")])
def test_volume_flow(quantity, unit, fraction, fraction_unit):
    # natural gas 100,000,000 Nm3 × 0.53 kg C/Nm3 = 53,000 t C; methanol 120,000 t × 12/32 = 45,000 t C;
    # (53,000 − 45,000) × 44/12 = 29,333.3333 t CO2
    out = compute_report({"year": 2022, "method": "chemical", "industry": "chemical", "facilities": [
        {"name": "天然气制甲醇", "flows": [
            {"item": "天然气", "role": "input", "quantity": quantity, "unit": unit, "carbon_fraction": fraction,
             "carbon_fraction_unit": fraction_unit},
            {"item": "methanol", "role": "product", "quantity": 120_000, "unit": "t"}]}]})
    assert out["total"]["process_emissions_t"] == pytest.approx(29_333.333333, rel=1e-9)
    assert out["facilities"][0]["carbon_in"]["value"] == pytest.approx(53_000)


def test_unknown_method_names_all_three():
    with pytest.raises(ValidationError) as exc:
        compute_report({"year": 2022, "method": "chem"})
    assert exc.value.field == "method" and "'power', 'generic' or 'chemical'" in exc.value.message


# --- API -----------------------------------------------------------------------------------------------------

def test_compute_through_the_api(client, world):
    out = ok(client.post(f"{API}/compute", json=METHANOL, headers=world.headers["verifier_a"]))
    assert out["method"] == "chemical"
    assert out["total"]["emissions_t"] == pytest.approx(METHANOL_TOTAL_T, rel=1e-9)
    assert out["total"]["covered_emissions_t"] == 1_205_436
    out = ok(client.post(f"{API}/compute", json=OLEFINS, headers=world.headers["emitter_a"]))
    assert out["total"]["recovered_co2_t"] == pytest.approx(200_000)


def _flow_change(i: int, **changes) -> dict:
    report = copy.deepcopy(METHANOL)
    report["facilities"][0]["flows"][i].update(changes)
    return report


@pytest.mark.parametrize("report, field", [
    (methanol(facilities=[METHANOL["facilities"][0], NEGATIVE]), "facilities[1]"),
    (_flow_change(0, carbon_fraction_unit="kg/Nm3"), "facilities[0].flows[0].carbon_fraction_unit"),  # t × kg/Nm3
    (_flow_change(0, carbon_fraction_unit="t/TJ"), "facilities[0].flows[0].carbon_fraction_unit"),
    (_flow_change(0, carbon_fraction_unit="bananas"), "facilities[0].flows[0].carbon_fraction_unit"),
    (_flow_change(1, unit="bananas"), "facilities[0].flows[1].unit"),
    (_flow_change(0, carbon_fraction=60), "facilities[0].flows[0].carbon_fraction"),  # 60 without "%"
    (_flow_change(0, role="feedstock"), "facilities[0].flows[0].role"),
    (_flow_change(1, source="measured"), "facilities[0].flows[1].source"),  # measured, but no value given
    (methanol(industry="cement"), "industry"),
    (methanol(processes=[]), "report.processes"),
])
def test_bad_input_is_a_422_with_the_json_path(client, world, report, field):
    r = client.post(f"{API}/compute", json=report, headers=world.headers["emitter_a"])
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
    if field == "facilities[1]":
        assert "乙二醇装置" in r.json()["error"]["message"]


def _chemical_emitter(engine, make_token) -> dict:
    """Register the chemical emitter and bind a token to it; returns its Authorization header."""
    with session_scope(engine) as s:
        service.create_emitter(s, uscc=CHEMICAL_EMITTER, name="准格尔旗某煤制甲醇厂", industry="coal_chemical",
                               region="准格尔旗", quality_plan_ref="DQCP-2022-C", actor="test")
    token = make_token("emitter", "煤制甲醇厂")
    with session_scope(engine) as s:
        token_id = s.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_token(token)))
        service.bind_principal(s, token_id=token_id, uscc=CHEMICAL_EMITTER, actor="test")
    return {"Authorization": f"Bearer {token}"}


def test_chemical_report_submitted_and_verified(client, world, engine, make_token):
    ec, bureau, va = _chemical_emitter(engine, make_token), world.headers["bureau"], world.headers["verifier_a"]

    rep = ok(client.post(f"{API}/emitters/{CHEMICAL_EMITTER}/reports", json=METHANOL, headers=ec), 201)
    assert rep["reported_emissions_t"] == 1_205_436  # half-up of 1,205,436.3333
    assert rep["result"]["method"] == "chemical" and rep["result"]["data_quality"]["carbon_fractions"]["default"] == 1
    bad = client.post(f"{API}/emitters/{CHEMICAL_EMITTER}/reports",
                      json=methanol(facilities=[METHANOL["facilities"][0], NEGATIVE]), headers=ec)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "facilities[1]"
    assert len(ok(client.get(f"{API}/emitters/{CHEMICAL_EMITTER}/reports", headers=ec))) == 1

    g = ok(client.post(f"{API}/engagements", json={"uscc": CHEMICAL_EMITTER, "year": 2022,
                                                   "verifier_id": world.verifier_a}, headers=bureau), 201)
    url = f"{API}/engagements/{g['id']}"
    ok(client.post(f"{url}/reviews", json={"kind": "document", "notes": "原料煤含碳量化验报告"}, headers=va))
    ok(client.post(f"{url}/nonconformities", json={"parameter": "甲醇 carbon_fraction",
                                                   "description": "甲醇纯度未检测", "conservative_adjustment_t": 2_000},
                   headers=va), 201)
    g = ok(client.post(f"{url}/conclusion", json={"conclusion": "核查结论: 数据基本可信"}, headers=va))
    # 1,205,436.3333 + 2,000 unresolved = 1,207,436.3333 -> 1,207,436; covered 1,205,436 + 2,000
    assert (g["verified_emissions_t"], g["covered_emissions_t"], g["conservative_adjustment_t"]) == (
        1_207_436, 1_207_436, 2_000)
    assert g["verified_result"]["total"]["conservative_adjustment_t"] == 2_000
    fig = ok(client.get(f"{API}/emitters/{CHEMICAL_EMITTER}/figures/2022", headers=ec))
    assert (fig["source"], fig["emissions_t"], fig["reported_emissions_t"]) == ("verified", 1_207_436, 1_205_436)

    html = client.get(f"{API}/emitters/{CHEMICAL_EMITTER}/summary/2022.html", headers=ec)
    assert html.status_code == 200 and "1,207,436" in html.text and "甲醇纯度未检测" in html.text
    assert "CH3OH: 12/32" in html.text  # the default used, listed by the summary (total.defaults_applied)
    if importlib.util.find_spec("weasyprint") is not None:
        pdf = client.get(f"{API}/emitters/{CHEMICAL_EMITTER}/summary/2022.pdf", headers=ec)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


# --- the verification summary (HTML) -------------------------------------------------------------------------

def _verified_chemical_summary(client, world, engine, make_token, report) -> str:
    """Register the chemical emitter, submit ``report``, verify it (one unresolved non-conformity of 2,000 t) and
    return the summary HTML, as test_chemical_report_submitted_and_verified does."""
    ec, va = _chemical_emitter(engine, make_token), world.headers["verifier_a"]
    ok(client.post(f"{API}/emitters/{CHEMICAL_EMITTER}/reports", json=report, headers=ec), 201)
    g = ok(client.post(f"{API}/engagements", json={"uscc": CHEMICAL_EMITTER, "year": 2022,
                                                   "verifier_id": world.verifier_a}, headers=world.headers["bureau"]),
           201)
    url = f"{API}/engagements/{g['id']}"
    ok(client.post(f"{url}/reviews", json={"kind": "document", "notes": "原料煤含碳量化验报告"}, headers=va))
    ok(client.post(f"{url}/nonconformities", json={"parameter": "甲醇 carbon_fraction",
                                                   "description": "甲醇纯度未检测", "conservative_adjustment_t": 2_000},
                   headers=va), 201)
    ok(client.post(f"{url}/conclusion", json={"conclusion": "核查结论: 数据基本可信"}, headers=va))
    html = client.get(f"{API}/emitters/{CHEMICAL_EMITTER}/summary/2022.html", headers=ec)
    assert html.status_code == 200, html.text
    return html.text


def _row(html: str, label: str) -> str:
    """The table row (<tr>...</tr>) of the summary whose first cell starts with ``label``."""
    start = html.index(f"<tr><td>{label}")
    return html[start:html.index("</tr>", start)]


def test_summary_of_a_verified_chemical_report_shows_the_carbon_balance(client, world, engine, make_token):
    html = _verified_chemical_summary(client, world, engine, make_token, METHANOL)
    assert "1,207,436" in html and "甲醇纯度未检测" in html  # verified figure and non-conformity, as before
    # the emissions table: process emissions 1,100,000 t (600,000 − 300,000 t C × 44/12), no CO2 recovered
    assert "1,100,000" in _row(html, "其中：过程排放（碳平衡）")
    assert '<td class="num">0</td>' in _row(html, "回收外供CO2")
    # the carbon-balance section, one table per facility
    section = html[html.index("<h2>过程排放（碳平衡）"):html.index("<h2>核查 Verification</h2>")]
    assert "设施：甲醇装置" in section
    coal, methanol_row = _row(section, "原料煤"), _row(section, "甲醇")
    for cell in ("投入", "1,000,000 t", "0.6000", "600,000", "实测"):  # 1,000,000 t × 0.60 = 600,000 t C, measured
        assert cell in coal, (cell, coal)
    for cell in ("产品", "800,000 t", "0.3750", "300,000", "缺省"):    # 800,000 t × 12/32 = 300,000 t C, default
        assert cell in methanol_row, (cell, methanol_row)
    for head in ("投入碳 (t C)", "产品碳 (t C)", "废弃物碳 (t C)", "回收CO2折碳 (t C)", "过程排放 (t CO2)",
                 "回收外供CO2 (t)"):
        assert head in section
    totals = section[section.index("<tr><td class=\"num\">600,000"):]
    assert totals.index("300,000") < totals.index("1,100,000")  # carbon in, products ..., process CO2
    assert "数据质量（碳含量）：实测 1 项 / 缺省 1 项" in section


def test_summary_of_olefins_recovered_co2_and_a_volume_flow(client, world, engine, make_token):
    # the olefin plant (4,715,952.38 t, 200,000 t CO2 sold) and natural gas to methanol: 10,000 万Nm3 × 5.3 t C/万Nm3
    # = 53,000 t C in, 120,000 t × 12/32 = 45,000 t C out, (53,000 − 45,000) × 44/12 = 29,333.33 t CO2.
    # Process emissions 4,715,952.38 + 29,333.33 = 4,745,285.71 t.
    gas = {"name": "天然气制甲醇", "flows": [
        {"item": "天然气", "role": "input", "quantity": 10_000, "unit": "万Nm3", "carbon_fraction": 5.3,
         "carbon_fraction_unit": "t/万Nm3"},
        {"item": "methanol", "role": "product", "quantity": 120_000, "unit": "t"}]}
    report = {**OLEFINS, "facilities": [OLEFINS["facilities"][0], gas]}
    html = _verified_chemical_summary(client, world, engine, make_token, report)
    assert "4,745,286" in _row(html, "其中：过程排放（碳平衡）")
    assert "200,000" in _row(html, "回收外供CO2")
    section = html[html.index("<h2>过程排放（碳平衡）"):html.index("<h2>核查 Verification</h2>")]
    assert section.index("设施：煤制烯烃装置") < section.index("设施：天然气制甲醇")
    slag, sold = _row(section, "气化炉渣"), _row(section, "回收外供CO2")
    assert "废弃物" in slag and "0.0250" in slag and "5,000" in slag          # 200,000 t × 2.5 %
    assert "回收CO2" in sold and "0.2727" in sold and "54,545" in sold      # 200,000 t × 12/44
    # olefin plant totals: 1,860,000 in, 514,286 products, 5,000 wastes, 54,545 recovered, 4,715,952 t CO2, 200,000 t
    olefins = section[section.index("设施：煤制烯烃装置"):section.index("设施：天然气制甲醇")]
    totals = olefins[olefins.index('<tr><td class="num">1,860,000'):]
    positions = [totals.index(x) for x in ("1,860,000", "514,286", "5,000", "54,545", "4,715,952", "200,000")]
    assert positions == sorted(positions)
    # a carbon content per volume keeps its digits: 5.3 t C/万Nm3 = 0.00053 t C/Nm3 (never "0.0005")
    gas_row = _row(section, "天然气")
    assert "0.0005300" in gas_row and "53,000" in gas_row and "实测" in gas_row
    assert "29,333" in section[section.index("设施：天然气制甲醇"):]
    assert "数据质量（碳含量）：实测 3 项 / 缺省 4 项" in section


def test_power_summary_has_no_carbon_balance(client, world, engine):
    from carbon.ets import render
    from tests.ets.helpers import E1_REPORT, EMITTER_A

    with session_scope(engine) as s:
        service.submit_report(s, uscc=EMITTER_A, payload=E1_REPORT, actor="t")
        data = service.summary_data(s, uscc=EMITTER_A, year=2022)
    assert (data["method"], data["facilities"], data["data_quality"]) == ("power", [], {})
    html = render.summary_html(data)
    assert "报告排放量（未核查）" in html and "2,946,003" in html and "机组 Units" in html
    for absent in ("过程排放", "回收外供", "碳平衡", "数据质量（碳含量）", "设施："):
        assert absent not in html
