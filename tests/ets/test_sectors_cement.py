"""Cement (CETS—AG—02.01—V01—2024): clinker lines, carbide-slag substitution, 熟料盘库, memo of purchased power.

Every expected number is worked by hand in the comments, from the literal inputs.
"""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carbon.cli import app
from carbon.core.errors import UnitError, ValidationError
from carbon.ets.report import compute_report

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "ets" / "cement_2024.json"

# Line 1#: bituminous coal 150,000 t × 25.0 GJ/t = 3,750,000 GJ; × 0.026 tC/GJ = 97,500 tC; × 0.98 = 95,550 tC;
#          × 44/12 = 350,350 t CO2.
# 熟料盘库: sold 400,000 + used 600,000 + closing 30,000 − opening 20,000 = 1,010,000 t clinker.
# Carbide slag 电石渣 100,000 t × CaO 65 % = 65,000 t non-carbonate CaO; w_CaO,nc = 65,000 / 1,010,000.
# E_cli = Q × EF = (0.65 × 1,010,000 − 65,000) × 44/56 + 0.02 × 1,010,000 × 44/40
#       = 591,500 × 11/14 + 20,200 × 1.1 = 464,750 + 22,220 = 486,970 t CO2.
# E_toc = raw meal 1,600,000 t × 0.2 % × 44/12 = 3,200 × 44/12 = 11,733.333333 t CO2.
# E_line = 350,350 + 486,970 + 11,733.333333 = 849,053.333333 → covered 849,053 t.
# Memo: purchased electricity 80,000 MWh × 0.5703 t/MWh (2024 ETS grid factor) = 45,624 t CO2, not covered.
FUEL_T, CLINKER_T, E_CLI, E_TOC = 350_350, 1_010_000, 486_970, 11_733.333333
TOTAL = 849_053.333333


def sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def test_carbide_slag_line_by_hand():
    out = compute_report(sample())
    assert out["method"] == "cement" and out["industry"] == "cement"
    assert "CETS—AG—02.01—V01—2024" in out["guideline"]
    (line,) = out["lines"]
    assert line["clinker_t"] == CLINKER_T and line["clinker_flag"] == "calculated"
    assert line["fuel_emissions_t"] == pytest.approx(FUEL_T, abs=1e-6)
    assert line["process_emissions_t"] == pytest.approx(E_CLI, abs=1e-6)
    assert line["raw_meal_carbon_emissions_t"] == pytest.approx(E_TOC, abs=1e-6)
    assert line["non_carbonate_cao_t"] == 65_000
    # EF_cli = 486,970 / 1,010,000 = 0.48214851485...
    assert line["clinker_factor_t_per_t"] == pytest.approx(0.4821485149, abs=1e-10)  # rounded to 10 decimals
    t = out["total"]
    assert t["direct_emissions_t"] == pytest.approx(TOTAL, abs=1e-6)
    assert t["covered_emissions_t"] == 849_053
    assert t["fuel_emissions_t"] == pytest.approx(FUEL_T) and t["process_emissions_t"] == pytest.approx(E_CLI + E_TOC)
    assert [(r["source"].split()[0], r["gas"]) for r in out["sources"]] == [("fuel", "CO2"), ("clinker", "CO2"),
                                                                           ("raw-meal", "CO2")]
    assert out["gases"] == [{"gas": "CO2", "mass_t": pytest.approx(TOTAL), "co2e_t": pytest.approx(TOTAL)}]


def test_intermediates_carry_units_and_flags():
    out = compute_report(sample())
    steps = {s["name"]: s for s in out["lines"][0]["steps"]}
    assert (steps["Q_cli"]["unit"], steps["Q_cli"]["flag"], steps["Q_cli"]["flag_zh"]) == ("t", "calculated", "计算")
    assert (steps["clinker_cao"]["value"], steps["clinker_cao"]["flag_zh"]) == (0.65, "实测")
    assert steps["opening"]["flag"] == "measured" and steps["opening"]["value"] == 20_000
    assert steps["EF_cli"]["unit"] == "t/t" and "44/56" in steps["EF_cli"]["ref"]
    assert steps["E_toc"]["unit"] == "t CO2" and steps["E_toc"]["value"] == pytest.approx(E_TOC)
    assert steps["w_CaO_nc"]["value"] == pytest.approx(65_000 / 1_010_000)
    fuel_params = {p["name"]: p for p in out["lines"][0]["fuels"][0]["params"]}
    assert fuel_params["NCV"]["flag_zh"] == "实测" and fuel_params["OF"]["value"] == pytest.approx(0.98)


def test_purchased_electricity_is_a_memo_not_in_the_total():
    with_elec = compute_report(sample())
    without = sample()
    del without["purchased_electricity_mwh"]
    without = compute_report(without)
    memo = with_elec["indirect_memo"]
    # 80,000 MWh × 0.5703 t/MWh = 45,624 t CO2
    assert memo["in_covered_total"] is False
    assert memo["electricity"]["grid_factor"]["value"] == 0.5703
    assert memo["co2_t"] == pytest.approx(45_624)
    assert with_elec["total"]["indirect_memo_t"] == pytest.approx(45_624)
    assert with_elec["total"]["covered_emissions_t"] == without["total"]["covered_emissions_t"] == 849_053
    assert without["indirect_memo"] is None
    assert all("electric" not in r["source"] for r in with_elec["sources"])


def test_substitution_lowers_process_emissions_by_hand():
    # Without the carbide slag: E_cli = 656,500 × 11/14 + 22,220 = 515,821.428571 + 22,220 = 538,041.428571;
    # the deduction is 65,000 t CaO × 44/56 = 51,071.428571 t CO2.
    report = sample()
    del report["lines"][0]["substitutes"]
    out = compute_report(report)
    assert out["lines"][0]["process_emissions_t"] == pytest.approx(538_041.428571, abs=1e-6)
    assert 538_041.428571 - E_CLI == pytest.approx(51_071.428571, abs=1e-6)


def test_metered_clinker_and_enterprise_fuels_by_hand():
    # Metered 1.2 万t... no: 120 万t = 1,200,000 t clinker, no substitutes:
    # E_cli = 1,200,000 × (0.65 × 44/56 + 0.02 × 44/40) = 1,200,000 × (0.510714285714 + 0.022) = 639,257.142857
    # Enterprise diesel outside the lines: 1,000 t × 43.0 GJ/t = 43,000 GJ × 0.0202 tC/GJ = 868.6 tC × 0.98
    #   = 851.228 tC × 44/12 = 3,121.169333 t CO2.
    report = sample()
    line = report["lines"][0]
    del line["clinker_stock"], line["substitutes"]
    line.update(clinker=120, clinker_unit="万t")
    report["fuels"] = [{"name": "柴油", "quantity": 1000, "unit": "t", "ncv": 43.0, "ncv_unit": "GJ/t",
                        "carbon_content": 0.0202, "carbon_content_unit": "t/GJ", "oxidation": 0.98}]
    out = compute_report(report)
    assert out["lines"][0]["clinker_t"] == 1_200_000 and out["lines"][0]["clinker_flag"] == "measured"
    assert out["lines"][0]["process_emissions_t"] == pytest.approx(639_257.142857, abs=1e-6)
    # total = 350,350 + 639,257.142857 + 11,733.333333 + 3,121.169333 = 1,004,461.645523
    assert out["total"]["direct_emissions_t"] == pytest.approx(1_004_461.645523, abs=1e-5)
    assert out["sources"][-1]["where"] == "fuels"


def test_two_lines_sum():
    report = sample()
    second = copy.deepcopy(report["lines"][0])
    second["name"] = "2#熟料线"
    report["lines"].append(second)
    out = compute_report(report)
    assert out["total"]["covered_emissions_t"] == 1_698_107  # 2 × 849,053.333333 = 1,698,106.666667
    assert out["clinker_t"] == 2_020_000


@pytest.mark.parametrize(("mutate", "field", "error"), [
    (lambda r: r["lines"][0].pop("clinker_cao"), "lines[0].clinker_cao", ValidationError),
    (lambda r: r["lines"][0].update(clinker_cao=65, clinker_cao_unit=None), "lines[0].clinker_cao", ValidationError),
    (lambda r: r["lines"][0].update(clinker=1, clinker_unit="t"), "lines[0].clinker", ValidationError),
    (lambda r: r["lines"][0].pop("raw_meal_toc"), "lines[0].raw_meal_toc", ValidationError),
    (lambda r: r["lines"][0].update(raw_meal_unit="MWh"), "lines[0].raw_meal_unit", UnitError),
    (lambda r: r["lines"][0]["clinker_stock"].update(unit="GJ"), "lines[0].clinker_stock.unit", UnitError),
    (lambda r: r["lines"][0]["clinker_stock"].pop("sold"), "lines[0].clinker_stock.sold", ValidationError),
    (lambda r: r["lines"][0]["substitutes"][0].pop("cao"), "lines[0].substitutes[0].cao", ValidationError),
    (lambda r: r["lines"][0]["substitutes"][0].update(quantity=2_000_000), "lines[0].substitutes", ValidationError),
    (lambda r: r["lines"][0]["fuels"][0].update(ncv_unit="t"), "lines[0].fuels[0].ncv_unit", UnitError),
    (lambda r: r["lines"][0].update(kiln="x"), "lines[0].kiln", ValidationError),
    (lambda r: r.update(lines=[]), "lines", ValidationError),
    (lambda r: r.update(method="steel"), "method", ValidationError),
])
def test_bad_input_names_the_field(mutate, field, error):
    report = sample()
    mutate(report)
    with pytest.raises(error) as exc:
        compute_report(report)
    assert exc.value.field == field


def test_generic_method_for_cement_still_works():
    # "method": "generic" keeps the old contract: 1,000 t clinker × 0.5 t/t = 500 t.
    out = compute_report({"year": 2024, "method": "generic", "industry": "cement",
                          "processes": [{"name": "熟料", "quantity": 1000, "unit": "t", "factor": 0.5, "factor_unit": "t/t"}]})
    assert out["method"] == "generic" and out["total"]["covered_emissions_t"] == 500


def test_method_equal_to_the_industry_dispatches():
    report = sample()
    report["method"] = "cement"
    assert compute_report(report)["total"]["covered_emissions_t"] == 849_053


def test_cli_on_the_sample_file():
    r = CliRunner().invoke(app, ["ets", "compute", str(SAMPLE)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["total"]["covered_emissions_t"] == 849_053
    assert out["indirect_memo"]["co2_t"] == pytest.approx(45_624)


def test_cli_bad_input_exit_2_with_field(tmp_path):
    report = sample()
    del report["lines"][0]["clinker_mgo"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    r = CliRunner().invoke(app, ["ets", "compute", str(path)])
    assert r.exit_code == 2 and "lines[0].clinker_mgo" in r.output


def test_sector_defaults_table_is_documented():
    path = ROOT / "carbon" / "ets" / "data" / "sector_defaults.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    for col in ("key", "value", "unit", "source_document", "table_clause", "verified", "applied"):
        assert col in rows[0]
    assert {r["verified"] for r in rows} <= {"true", "false"}
    by_key = {r["key"]: r for r in rows}
    assert float(by_key["cement.co2_per_cao"]["value"]) == pytest.approx(44 / 56)
    assert float(by_key["cement.co2_per_mgo"]["value"]) == pytest.approx(44 / 40)
    assert float(by_key["steel.ef_caco3_stoich"]["value"]) == pytest.approx(44 / 100)
    assert float(by_key["steel.ef_camgco3_stoich"]["value"]) == pytest.approx(88 / 184)
    # a default from a repost or memory is never verified, and never applied as a number
    for r in rows:
        if r["verified"] == "false" and r["value"]:
            assert r["applied"] == "no", r["key"]
