"""Steel (GB/T 32151.5-2015 carbon mass balance; no CETS steel guideline found): fuels, fluxes, carbon in − out.

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

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "ets" / "steel_2024.json"

# Fuel: bituminous coal 100,000 t × 25.0 GJ/t = 2,500,000 GJ; × 0.026 tC/GJ = 65,000 tC; × 0.98 = 63,700 tC;
#       × 44/12 = 233,566.666667 t CO2.
# Fluxes: limestone 300,000 t × 90 % × 0.44 (stoichiometric 44/100, 缺省) = 118,800 t CO2;
#         dolomite 100,000 t × 95 % × 0.471 (measured factor) = 44,745 t CO2. E_flux = 163,545 t CO2.
# C_in  = coke 1,000,000 t × 85 % + electrodes 2,000 t × 99 % = 850,000 + 1,980 = 851,980 t C.
# C_out = crude steel 2,500,000 t × 0.2 % + crude benzene 10,000 t × 92 % = 5,000 + 9,200 = 14,200 t C.
# E_C   = (851,980 − 14,200) × 44/12 = 837,780 × 44/12 = 3,071,860 t CO2.
# E     = 233,566.666667 + 163,545 + 3,071,860 = 3,468,971.666667 → 3,468,972 t.
# Memo: 500,000 MWh × 0.5703 = 285,150 t CO2, not covered.


def sample(**changes) -> dict:
    report = json.loads(SAMPLE.read_text(encoding="utf-8"))
    report.update(changes)
    return report


def test_mass_balance_by_hand():
    out = compute_report(sample())
    assert out["method"] == "steel" and out["guideline"].startswith("GB/T 32151.5-2015")
    assert "no CETS steel guideline found" in out["guideline"]
    steps = {s["name"]: s for s in out["steps"]}
    assert steps["E_flux"]["value"] == pytest.approx(163_545)
    assert steps["C_in"]["value"] == pytest.approx(851_980) and steps["C_in"]["unit"] == "t C"
    assert steps["C_out"]["value"] == pytest.approx(14_200)
    assert steps["E_C"]["value"] == pytest.approx(3_071_860)
    assert steps["R_fixed"]["value"] == pytest.approx(14_200 * 44 / 12)  # 52,066.666667
    t = out["total"]
    assert t["fuel_emissions_t"] == pytest.approx(233_566.666667, abs=1e-6)
    assert t["direct_emissions_t"] == pytest.approx(3_468_971.666667, abs=1e-6)
    assert t["covered_emissions_t"] == 3_468_972
    lime, dolo = out["fluxes"]
    assert lime["emissions_t"] == pytest.approx(118_800) and dolo["emissions_t"] == pytest.approx(44_745)
    assert lime["params"][2]["flag_zh"] == "缺省" and dolo["params"][2]["flag_zh"] == "实测"


def test_stoichiometric_dolomite_default_by_hand():
    # Without its measured factor, dolomite takes 88/184: 100,000 × 0.95 × 88/184 = 8,360,000/184 = 45,434.782609.
    report = sample()
    del report["fluxes"][1]["factor"], report["fluxes"][1]["factor_unit"]
    out = compute_report(report)
    assert out["fluxes"][1]["emissions_t"] == pytest.approx(45_434.782609, abs=1e-6)
    assert "stoichiometry" in out["fluxes"][1]["params"][2]["ref"]


def test_purchased_electricity_memo_only():
    out = compute_report(sample())
    assert out["indirect_memo"]["co2_t"] == pytest.approx(285_150)
    bare = sample()
    del bare["purchased_electricity_mwh"]
    assert compute_report(bare)["total"]["covered_emissions_t"] == out["total"]["covered_emissions_t"] == 3_468_972


@pytest.mark.parametrize(("mutate", "field", "error"), [
    (lambda r: r["fluxes"][0].update(mineral="magnesite"), "fluxes[0].mineral", ValidationError),
    (lambda r: r["fluxes"][0].pop("purity"), "fluxes[0].purity", ValidationError),
    (lambda r: r["carbon_inputs"][0].pop("carbon"), "carbon_inputs[0].carbon", ValidationError),
    (lambda r: r["carbon_inputs"][0].update(role="product"), "carbon_inputs[0].role", ValidationError),
    (lambda r: r["carbon_outputs"][0].update(unit="GJ"), "carbon_outputs[0].unit", UnitError),
    (lambda r: r["carbon_outputs"][0].update(carbon=50), "carbon_outputs", ValidationError),
    (lambda r: r["carbon_inputs"][0].update(carbon=85, carbon_unit=None), "carbon_inputs[0].carbon", ValidationError),
    (lambda r: r.update(slag=1), "report.slag", ValidationError),
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
    assert json.loads(r.output)["total"]["covered_emissions_t"] == 3_468_972
