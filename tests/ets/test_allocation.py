"""Every allocation rule of ets.md §3 against hand-computed values (examples.md E-1 and our own cases)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from carbon.cli import app
from carbon.core.errors import ValidationError
from carbon.ets import allocation as al
from tests.ets.helpers import e1


def unit(**kw) -> al.UnitAllocationInput:
    base = dict(id="u", type="coal_300_plus", cooling="water", load_factor=0.9, heat_ratio=0.0, supplied_mwh=1_000_000,
                generated_mwh=1_050_000, heat_supplied_gj=0.0, emissions_t=0.0)
    base.update(kw)
    return al.UnitAllocationInput(**base)


def compute_cli(tmp_path, report) -> dict:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["ets", "compute", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_example_e1_through_the_cli(tmp_path):
    out = compute_cli(tmp_path, e1())
    u, t = out["units"][0], out["total"]
    # E_fuel = 1.5e6 × 20 × 0.027 × 0.99 × 44/12 = 2,940,300; E_elec = 10,000 × 0.5703 = 5,703; E = 2,946,003
    assert u["fuel_emissions_t"] == pytest.approx(2_940_300, rel=1e-9)
    assert u["electricity_emissions_t"] == pytest.approx(5_703, rel=1e-9)
    assert u["emissions_t"] == pytest.approx(2_946_003, rel=1e-9)
    assert u["intensity_t_per_mwh"] == pytest.approx(0.94469, rel=1e-5)  # 2,946,003 / 3,118,500
    assert u["load_factor"] == pytest.approx(0.9167, rel=1e-4)  # 3.3e6 / (600 × 6000)
    assert u["correction_factors"] == {"cooling": 1.0, "heat_supply": 1.0, "load": 1.0}
    # quota = 0.8177 × 3,118,500 = 2,549,997.45 -> 2,549,997 (half-up); deficit 396,006; 13.44%
    assert (u["quota_t"], t["quota_t"], t["gap_t"]) == (2_549_997, 2_549_997, 396_006)
    assert t["gap_rate"] == pytest.approx(0.1344, abs=5e-5)
    assert t["ccer_limit_t"] == 147_300  # floor(0.05 × 2,946,003 = 147,300.15)
    assert t["defaults_applied"] == [] and t["emissions_t"] == pytest.approx(2_946_003)


def test_example_e1_with_default_carbon_content_says_so(tmp_path):
    report = e1()
    del report["units"][0]["fuels"][0]["carbon_content"], report["units"][0]["fuels"][0]["carbon_content_unit"]
    out = compute_cli(tmp_path, report)
    assert out["units"][0]["fuel_emissions_t"] == pytest.approx(3_359_565, rel=1e-9)
    assert len(out["total"]["defaults_applied"]) == 1 and "0.03085" in out["total"]["defaults_applied"][0]


def test_cli_bad_input_names_the_field(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(e1(cooling="sea")), encoding="utf-8")
    result = CliRunner().invoke(app, ["ets", "compute", str(path)])
    assert result.exit_code != 0 and "units[0].cooling" in result.output


def test_2019_air_cooled_chp_with_heat():
    # 0.979 × 1,000,000 × Fl 1.05 × Fr (1 − 0.22 × 0.2 = 0.956) = 982,720.2; Ff = 1 (CHP, not condensing);
    # heat 0.126 × 2,000,000 GJ = 252,000 -> 1,234,720.2 -> 1,234,720
    q = al.unit_quota(unit(type="coal_under_300", cooling="air", heat_ratio=0.2, heat_supplied_gj=2_000_000,
                           load_factor=0.6), 2019)
    assert q.correction_factors == pytest.approx({"cooling": 1.05, "heat_supply": 0.956, "load": 1.0})
    assert q.electricity_quota_t == pytest.approx(982_720.2)
    assert q.heat_quota_t == pytest.approx(252_000)
    assert q.quota_t == 1_234_720


@pytest.mark.parametrize("f, ff, quota", [
    (0.90, 1.0, 821_800),            # F ≥ 85%: 0.8218 × 1e6
    (0.82, 1.0042, 825_252),         # 1 + 0.0014 × (85 − 82) = 1.0042; 821,800 × 1.0042 = 825,251.56
    (0.78, 1.0102, 830_182),         # 1.007 + 0.0016 × (80 − 78) = 1.0102; 830,182.36
    (0.70, 1.030225, 846_639),       # 1.015^(16 − 14) = 1.030225; 846,638.905
])
def test_2021_load_correction_bands(f, ff, quota):
    q = al.unit_quota(unit(load_factor=f), 2021)
    assert q.correction_factors["load"] == pytest.approx(ff)
    assert q.quota_t == quota


def test_load_correction_only_for_conventional_coal_condensing_units():
    assert al.unit_quota(unit(type="coal_unconventional", load_factor=0.7), 2021).correction_factors["load"] == 1.0
    assert al.unit_quota(unit(load_factor=0.7, heat_ratio=0.1, heat_supplied_gj=1), 2021).correction_factors["load"] == 1.0


def test_2022_cooling_air_and_back_pressure():
    assert al.unit_quota(unit(cooling="air"), 2022).quota_t == 858_585  # 0.8177 × 1e6 × 1.05
    assert al.unit_quota(unit(cooling="back_pressure"), 2022).quota_t == 817_700


def test_2022_gas_heat_supply_and_never_in_deficit():
    # gas, α 0.3: Fr = 1 − 0.6 × 0.3 = 0.82; 0.3901 × 500,000 × 0.82 = 159,941; heat 0.0557 × 1e6 = 55,700
    # -> 215,641. Emissions 200,000: no top-up. Emissions 250,000: topped up by 34,359 to 250,000, gap 0.
    gas = dict(type="gas", cooling="air", heat_ratio=0.3, supplied_mwh=500_000, heat_supplied_gj=1_000_000)
    q = al.unit_quota(unit(**gas, emissions_t=200_000), 2022)
    assert q.correction_factors == pytest.approx({"cooling": 1.0, "heat_supply": 0.82, "load": 1.0})
    assert (q.benchmark_quota_t, q.gas_top_up_t, q.quota_t) == (215_641, 0, 215_641)
    q = al.unit_quota(unit(**gas, emissions_t=250_000), 2022)
    assert (q.benchmark_quota_t, q.gas_top_up_t, q.quota_t, q.gap_t) == (215_641, 34_359, 250_000, 0)


def test_2023_generated_basis_and_peak_regulation():
    # 2023: basis = generated; F 0.60 < 0.65: 1.015^(16 − 12) = 1.061363550625; 0.7950 × 1e6 × that = 843,784.02
    q = al.unit_quota(unit(load_factor=0.6, generated_mwh=1_000_000, cooling="air"), 2023)
    assert q.basis == "generated" and set(q.correction_factors) == {"peak_regulation"}  # no cooling or heat factor
    assert q.correction_factors["peak_regulation"] == pytest.approx(1.061363550625)
    assert q.quota_t == 843_784
    # F 0.70 ≥ 0.65: no correction; 2024 benchmark 0.7910 × 1e6; coal heat 0.1033 × 100,000 GJ = 10,330
    assert al.unit_quota(unit(load_factor=0.7, generated_mwh=1_000_000), 2023).quota_t == 795_000
    assert al.unit_quota(unit(load_factor=0.7, generated_mwh=1_000_000, heat_supplied_gj=100_000,
                              heat_ratio=0.1), 2024).quota_t == 801_330


def test_2023_purchased_electricity_is_outside_the_obligation(tmp_path):
    report = e1()
    report["year"] = 2023
    out = compute_cli(tmp_path, report)
    t = out["total"]
    # E = 2,940,300 + 10,000 × 0.5703; covered = fuel only = 2,940,300; quota 0.7950 × 3,300,000 = 2,623,500
    assert t["emissions_t"] == pytest.approx(2_946_003) and t["covered_emissions_t"] == 2_940_300
    assert t["quota_t"] == 2_623_500 and t["gap_t"] == 316_800
    assert t["borrowing_limit_t"] is None  # abolished from 2023


def test_2022_gap_cap_tops_allocation_up_to_80_percent_and_borrowing():
    # quota 0.8177 × 800,000 = 654,160 against 1,000,000 t: gap 34.58% > 20% -> allocation 800,000 (top-up
    # 145,840), gap 200,000 = 20%; borrowing ≥ 10% -> 50% × 200,000 = 100,000
    q = al.emitter_quota([unit(supplied_mwh=800_000, emissions_t=1_000_000)], 2022)
    assert (q.benchmark_quota_t, q.cap_top_up_t, q.quota_t, q.obligation_t, q.gap_t) == (
        654_160, 145_840, 800_000, 1_000_000, 200_000)
    assert q.gap_rate == pytest.approx(0.34584)
    assert q.borrowing_limit_t == 100_000
    # gap below 10%: 700,000 − 654,160 = 45,840 (6.5%) -> nothing to borrow
    assert al.emitter_quota([unit(supplied_mwh=800_000, emissions_t=700_000)], 2022).borrowing_limit_t == 0


def test_2020_gap_cap_limits_the_obligation():
    # 0.877 × 800,000 = 701,600 against 1,000,000: obligation = min(1e6, 701,600 + 200,000) = 901,600; gap 200,000
    q = al.emitter_quota([unit(supplied_mwh=800_000, emissions_t=1_000_000)], 2020)
    assert (q.quota_t, q.obligation_t, q.gap_t, q.cap_top_up_t) == (701_600, 901_600, 200_000, 0)
    assert q.borrowing_limit_t is None


def test_banking_limit_2023_24():
    assert al.banking_limit(2023, net_sales_t=20_000) == 40_000  # 10,000 + 1.5 × 20,000
    assert al.banking_limit(2024, net_sales_t=20_000, industry="cement") == 130_000  # 100,000 + 30,000
    assert al.banking_limit(2023, net_sales_t=-5_000) == 10_000
    assert al.banking_limit(2022, net_sales_t=20_000) is None


def test_pre_allocation_and_true_up():
    assert al.pre_allocation(2023, basis_t=1_000_001) == 700_001  # 700,000.7 half-up
    assert al.true_up(final_t=800_000, pre_t=700_001) == 99_999
    assert al.true_up(final_t=600_000, pre_t=700_001) == -100_001


def test_rounding_half_up_without_float_noise():
    assert 0.8177 * 3_118_500 < 2_549_997.45  # binary noise ...
    assert al.round_half_up(0.8177 * 3_118_500) == 2_549_997
    assert al.round_half_up(2.5) == 3 and al.round_half_up(1_234_720.5000000002) == 1_234_721


def test_years_without_a_plan_are_refused():
    with pytest.raises(ValidationError) as info:
        al.rule(2025)
    assert info.value.field == "year"


def test_a_year_without_a_plan_still_reports_emissions(tmp_path):
    # 2025: no allocation plan in the data (the 2025-26 plan is a draft) and no grid factor: emissions of the
    # fuel only (no purchased electricity), no quota
    report = e1(purchased_electricity_mwh=0)
    report["year"] = 2025
    out = compute_cli(tmp_path, report)
    assert out["total"]["emissions_t"] == pytest.approx(2_940_300) and out["total"]["quota_t"] is None
    assert "no allocation rules for 2025" in out["allocation"]
    path = tmp_path / "elec.json"
    path.write_text(json.dumps({**e1(), "year": 2025}), encoding="utf-8")
    result = CliRunner().invoke(app, ["ets", "compute", str(path)], env={"CARBON_LANG": "en"})
    assert result.exit_code != 0 and "no ETS grid emission factor for 2025" in result.output
