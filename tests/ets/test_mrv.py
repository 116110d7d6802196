"""MRV equations against hand-computed values (relative tolerance 1e-9 unless said)."""

from __future__ import annotations

import pytest

from carbon.core.errors import UnitError, ValidationError
from carbon.ets import mrv
from carbon.ets.report import compute_report
from tests.ets.helpers import e1


def fuel(**kw):
    base = {"name": "原煤", "quantity": 1_500_000, "unit": "t", "ncv": 20.0, "ncv_unit": "GJ/t",
            "carbon_content": 0.027, "carbon_content_unit": "tC/GJ", "oxidation": 0.99}
    base.update(kw)
    return mrv.FuelInput(**{k: v for k, v in base.items() if v is not None})


def test_eq2_keeps_every_intermediate_with_its_unit():
    r = mrv.eq2_fuel_combustion_co2(fuel(), year=2022)
    steps = {s.name: (s.value, s.unit) for s in r.steps}
    # 1.5e6 t × 20 GJ/t = 3.0e7 GJ; × 0.027 = 810,000 tC; × 0.99 = 801,900 tC; × 44/12 = 2,940,300 t
    assert steps["energy"] == (pytest.approx(3.0e7), "GJ")
    assert steps["C_ar"] == (pytest.approx(0.54), "tC/t")
    assert steps["carbon"] == (pytest.approx(810_000), "tC")
    assert steps["carbon_oxidised"] == (pytest.approx(801_900), "tC")
    assert r.emissions_t == pytest.approx(2_940_300)
    assert [p.source for p in r.params] == ["measured"] * 4 and r.defaults_applied == []


def test_coal_default_carbon_content_is_applied_and_flagged():
    # 3.0e7 GJ × 0.03085 tC/GJ × 0.99 × 44/12 = 925,500 × 0.99 × 44/12 = 3,359,565 t (examples.md E-1)
    r = mrv.eq2_fuel_combustion_co2(fuel(carbon_content=None, carbon_content_unit=None), year=2022, where="f")
    assert r.emissions_t == pytest.approx(3_359_565)
    cc = next(p for p in r.params if p.name == "CC")
    assert (cc.value, cc.source, cc.label_zh) == (0.03085, "default", "缺省值")
    assert len(r.defaults_applied) == 1 and r.defaults_applied[0].startswith("f.carbon_content: 0.03085")


def test_coal_default_before_2021_is_the_old_value():
    # 3.0e7 GJ × 0.03356 = 1,006,800 tC × 0.99 = 996,732 tC × 44/12 = 3,654,684 t
    r = mrv.eq2_fuel_combustion_co2(fuel(carbon_content=None, carbon_content_unit=None), year=2020)
    assert r.emissions_t == pytest.approx(3_654_684)


def test_units_are_converted_at_the_boundary():
    # 150 万t = 1.5e6 t; NCV 20,000 MJ/t = 20 GJ/t; 27 kgC/GJ = 0.027 tC/GJ -> the same 2,940,300 t
    r = mrv.eq2_fuel_combustion_co2(fuel(quantity=150, unit="万t", ncv=20_000, ncv_unit="MJ/t", carbon_content=27,
                                         carbon_content_unit="kgC/GJ"), year=2022)
    assert r.emissions_t == pytest.approx(2_940_300)


def test_natural_gas_defaults():
    # 10 万Nm3 × 389.31 GJ/万Nm3 = 3,893.1 GJ × 0.01532 = 59.642292 tC × 0.99 = 59.04586908 × 44/12 = 216.50151996 t
    r = mrv.eq2_fuel_combustion_co2(mrv.FuelInput("天然气", 10, "万Nm3"), year=2022)
    assert r.emissions_t == pytest.approx(216.50151996)
    assert {p.name for p in r.params if p.source == "default"} == {"NCV", "CC", "OF"}


def test_coal_ncv_must_be_measured():
    with pytest.raises(ValidationError) as info:
        mrv.eq2_fuel_combustion_co2(fuel(ncv=None, ncv_unit=None), year=2022, where="units[0].fuels[0]")
    assert info.value.field == "units[0].fuels[0].ncv" and "must be measured" in info.value.message


def test_wrong_dimension_names_the_field():
    with pytest.raises(UnitError) as info:
        mrv.eq2_fuel_combustion_co2(fuel(ncv_unit="t/GJ"), year=2022, where="u")
    assert info.value.field == "u.ncv_unit"


def test_grid_factor_is_the_ets_reporting_factor_of_the_year():
    assert mrv.grid_factor(2022).value == 0.5703  # S12; never the 0.5366 general-accounting factor
    with pytest.raises(ValidationError) as info:
        mrv.grid_factor(2018)
    assert info.value.field == "year"


def test_chp_split_and_intensities():
    # E = 2,940,300 + 5,703 = 2,946,003; α = 0.25: power 2,209,502.25 t, heat 736,500.75 t
    # supplied 3,118,500 MWh -> 0.708514... t/MWh; heat 5,000,000 GJ -> 0.14730015 t/GJ
    out = compute_report(e1(heat_ratio=0.25, heat_supplied_gj=5_000_000))["units"][0]
    assert out["emissions_t"] == pytest.approx(2_946_003)
    assert out["intensity_t_per_mwh"] == pytest.approx(2_209_502.25 / 3_118_500, rel=1e-6)
    assert out["heat_intensity_t_per_gj"] == pytest.approx(0.14730015, rel=1e-6)


def test_impossible_load_factor_is_refused():
    with pytest.raises(ValidationError) as info:
        compute_report(e1(operating_hours=5000))  # 3.3e6 / (600 × 5000) = 1.1
    assert info.value.field == "units[0].gross_generation_mwh"


def test_generic_method_for_cement():
    # clinker 1,000,000 t × 0.52 t/t = 520,000; coal 100,000 t × 20 GJ/t × 0.02 tC/GJ × 0.98 × 44/12 = 143,733.33;
    # electricity 1,000 MWh × 0.5703 = 570.3; purchased heat 1,000 GJ × 0.11 = 110 -> 664,413.6333 t
    out = compute_report({"year": 2022, "method": "generic", "industry": "cement",
                          "fuels": [{"name": "烟煤", "quantity": 100_000, "unit": "t", "ncv": 20, "ncv_unit": "GJ/t",
                                     "carbon_content": 0.02, "carbon_content_unit": "tC/GJ", "oxidation": 0.98}],
                          "processes": [{"name": "clinker", "quantity": 1_000_000, "unit": "t", "factor": 0.52,
                                         "factor_unit": "t/t"}],
                          "purchased_electricity_mwh": 1000, "purchased_heat_gj": 1000})
    t = out["total"]
    assert t["process_emissions_t"] == pytest.approx(520_000)
    assert t["fuel_emissions_t"] == pytest.approx(143_733.333333)
    assert t["emissions_t"] == pytest.approx(664_413.633333)
    assert t["quota_t"] is None and "no cement benchmarks" in out["allocation"]
