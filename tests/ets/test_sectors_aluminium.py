"""Aluminium smelting (CETS—AG—04.01—V01—2024): fuel, anode consumption, CF4 and C2F6 with a stated GWP set.

Every expected number is worked by hand in the comments, from the literal inputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carbon.cli import app
from carbon.core.errors import UnitError, ValidationError
from carbon.ets.report import compute_report

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "ets" / "aluminium_2024.json"

# P_Al = 500,000 t.
# Fuel: natural gas 1,000 万Nm3 × 389.31 GJ/万Nm3 = 389,310 GJ; × 0.01532 tC/GJ = 5,964.2292 tC; × 0.99
#       = 5,904.586908 tC; × 44/12 = 21,650.151996 t CO2.
# Anode: EF = 0.42 × (1 − 0.02 − 0.005) × 44/12 = 0.4095 × 44/12 = 1.5015 t CO2/t Al; × 500,000 = 750,750 t CO2.
# PFC (slope method): EF_CF4 = 0.143 × 0.1 = 0.0143 kg/t; m_CF4 = 500,000 × 0.0143 / 1000 = 7.15 t CF4.
#       EF_C2F6 = 0.0143 × 0.121 = 0.0017303 kg/t; m_C2F6 = 500,000 × 0.0017303 / 1000 = 0.86515 t C2F6.
# AR5 (CF4 6,630; C2F6 11,100): 7.15 × 6,630 = 47,404.5; 0.86515 × 11,100 = 9,603.165 t CO2e.
#   E = 21,650.151996 + 750,750 + 47,404.5 + 9,603.165 = 829,407.816996 → 829,408 t.
# AR4 (CF4 7,390; C2F6 12,200): 7.15 × 7,390 = 52,838.5; 0.86515 × 12,200 = 10,554.83 t CO2e.
#   E = 21,650.151996 + 750,750 + 52,838.5 + 10,554.83 = 835,793.481996 → 835,793 t.
# Memo: 6,800,000 MWh × 0.5703 = 3,878,040 t CO2, not covered.
FUEL, ANODE = 21_650.151996, 750_750


def sample(**changes) -> dict:
    report = json.loads(SAMPLE.read_text(encoding="utf-8"))
    report.update(changes)
    return report


def rows(out):
    return {r["gas"]: r for r in out["sources"] if r["gas"] != "CO2"}


def test_smelter_with_ar5_stated_by_hand():
    out = compute_report(sample())
    assert out["method"] == "aluminium" and "CETS—AG—04.01—V01—2024" in out["guideline"]
    assert out["gwp"]["set"] == "AR5" and out["gwp"]["values"] == {"CF4": 6630, "C2F6": 11100}
    assert out["gwp"]["source"].startswith("bureau's choice")
    co2 = [r for r in out["sources"] if r["gas"] == "CO2"]
    assert [r["co2e_t"] for r in co2] == [pytest.approx(FUEL, abs=1e-6), pytest.approx(ANODE, abs=1e-6)]
    pfc = rows(out)
    assert (pfc["CF4"]["mass_t"], pfc["CF4"]["co2e_t"], pfc["CF4"]["gwp"]) == (7.15, pytest.approx(47_404.5), 6630)
    assert (pfc["C2F6"]["mass_t"], pfc["C2F6"]["co2e_t"]) == (pytest.approx(0.86515), pytest.approx(9_603.165))
    assert out["total"]["direct_emissions_t"] == pytest.approx(829_407.816996, abs=1e-6)
    assert out["total"]["covered_emissions_t"] == 829_408
    gases = {g["gas"]: g for g in out["gases"]}
    assert gases["CF4"]["mass_t"] == 7.15 and gases["CO2"]["mass_t"] == pytest.approx(FUEL + ANODE)


def test_a_second_gwp_choice_gives_another_co2e():
    out = compute_report(sample(gwp_set="AR4", gwp_source="guideline's value (AR4), as stated"))
    pfc = rows(out)
    assert out["gwp"]["set"] == "AR4"
    assert pfc["CF4"]["mass_t"] == 7.15 and pfc["CF4"]["co2e_t"] == pytest.approx(52_838.5)
    assert pfc["C2F6"]["co2e_t"] == pytest.approx(10_554.83)
    assert out["total"]["covered_emissions_t"] == 835_793


def test_gwp_values_stated_in_the_report():
    # SAR values stated explicitly: 7.15 × 6,500 = 46,475; 0.86515 × 9,200 = 7,959.38;
    # E = 21,650.151996 + 750,750 + 46,475 + 7,959.38 = 826,834.531996 → 826,835.
    out = compute_report(sample(gwp_values={"CF4": 6500, "C2F6": 9200}, gwp_source="bureau notice, SAR values"))
    assert out["gwp"]["values"] == {"CF4": 6500.0, "C2F6": 9200.0}
    assert out["gwp"]["values_from"] == "stated in the report (gwp_values)"
    assert out["total"]["covered_emissions_t"] == 826_835


def test_direct_pfc_factors_by_hand():
    # EF_CF4 0.034 kg/t and EF_C2F6 0.0034 kg/t given: m_CF4 = 500,000 × 0.034 / 1000 = 17 t; m_C2F6 = 1.7 t.
    # AR5: 17 × 6,630 = 112,710; 1.7 × 11,100 = 18,870. E = 21,650.151996 + 750,750 + 112,710 + 18,870
    #      = 903,980.151996 → 903,980.
    out = compute_report(sample(pfc={"ef_cf4": 0.034, "ef_cf4_unit": "kg/t", "ef_c2f6": 3.4, "ef_c2f6_unit": "g/t"}))
    pfc = rows(out)
    assert pfc["CF4"]["mass_t"] == pytest.approx(17) and pfc["C2F6"]["mass_t"] == pytest.approx(1.7)
    assert out["total"]["covered_emissions_t"] == 903_980


def test_steps_and_flags():
    out = compute_report(sample())
    steps = {s["name"]: s for s in out["steps"]}
    assert steps["EF_anode"]["value"] == pytest.approx(1.5015) and steps["EF_anode"]["flag_zh"] == "计算"
    assert steps["net_consumption"]["flag_zh"] == "实测" and steps["net_consumption"]["unit"] == "t/t"
    assert steps["m_CF4"]["unit"] == "t CF4" and steps["E_PFC"]["unit"] == "t CO2e"
    assert steps["E_PFC"]["value"] == pytest.approx(57_007.665)


def test_purchased_electricity_memo_only():
    out = compute_report(sample())
    assert out["indirect_memo"]["co2_t"] == pytest.approx(3_878_040)
    assert out["indirect_memo"]["in_covered_total"] is False
    no_elec = sample()
    del no_elec["purchased_electricity_mwh"]
    assert compute_report(no_elec)["total"]["covered_emissions_t"] == 829_408


@pytest.mark.parametrize(("mutate", "field", "error"), [
    (lambda r: r.pop("gwp_set"), "gwp_set", ValidationError),
    (lambda r: r.update(gwp_set="AR7"), "gwp_set", ValidationError),
    (lambda r: (r.update(gwp_values={"CF4": 1, "C2F6": 2}), r.pop("gwp_source")), "gwp_source", ValidationError),
    (lambda r: r.update(gwp_values={"CF4": 6630}), "gwp_values.C2F6", ValidationError),
    (lambda r: r.pop("aluminium"), "report.aluminium", ValidationError),
    (lambda r: r.update(aluminium_unit="MWh"), "report.aluminium_unit", UnitError),
    (lambda r: r["anode"].pop("sulphur"), "anode.sulphur", ValidationError),
    (lambda r: r["anode"].update(net_consumption_unit="t"), "anode.net_consumption_unit", UnitError),
    (lambda r: r.update(pfc={"ef_cf4": 0.034, "ef_cf4_unit": "kg/t"}), "pfc.ef_c2f6", ValidationError),
    (lambda r: r["pfc"].pop("c2f6_cf4_ratio"), "pfc.c2f6_cf4_ratio", ValidationError),
    (lambda r: r.pop("pfc"), "report.pfc", ValidationError),
])
def test_bad_input_names_the_field(mutate, field, error):
    report = sample()
    mutate(report)
    with pytest.raises(error) as exc:
        compute_report(report)
    assert exc.value.field == field


def test_cli_on_the_sample_file():
    r = CliRunner().invoke(app, ["ets", "compute", str(SAMPLE)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["total"]["covered_emissions_t"] == 829_408
    assert {g["gas"] for g in out["gases"]} == {"CO2", "CF4", "C2F6"}
