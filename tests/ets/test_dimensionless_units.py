"""Dimensionless fields of a key emitter's report (issue 12 item 7): the oxidation rate (``oxidation_unit``) and a
flow's carbon mass fraction (``carbon_fraction_unit``) accept blank, 1, dimensionless, 无量纲, % and ‰, checked
after conversion."""

from __future__ import annotations

import copy

import pytest

from carbon.core.errors import UnitError, ValidationError
from carbon.ets import mrv
from carbon.ets.report import compute_report

# 1.5e6 t × 20 GJ/t = 3.0e7 GJ × 0.027 tC/GJ = 810,000 tC × 0.99 = 801,900 tC × 44/12 = 2,940,300 t CO2
FUEL = {"name": "原煤", "quantity": 1_500_000, "unit": "t", "ncv": 20.0, "ncv_unit": "GJ/t",
        "carbon_content": 0.027, "carbon_content_unit": "tC/GJ", "oxidation": 0.99}


def fuel(**kw) -> mrv.FuelInput:
    return mrv.FuelInput(**{**FUEL, **kw})


@pytest.mark.parametrize("value, unit", [(0.99, None), (0.99, ""), (0.99, "1"), (0.99, "dimensionless"),
                                         (0.99, "无量纲"), (99, "%"), (990, "‰")])
def test_oxidation_in_every_spelling_gives_the_same_emissions(value, unit):
    r = mrv.eq2_fuel_combustion_co2(fuel(oxidation=value, oxidation_unit=unit), year=2022)
    assert r.emissions_t == pytest.approx(2_940_300, rel=1e-12)
    of = next(p for p in r.params if p.name == "OF")
    assert (of.value, of.unit, of.source) == (pytest.approx(0.99, rel=1e-15), "1", "measured")


def test_oxidation_is_checked_after_conversion():
    with pytest.raises(ValidationError, match=r"in \(0, 1\], got 99.0 \(a percentage\? give oxidation_unit"):
        mrv.eq2_fuel_combustion_co2(fuel(oxidation=99), year=2022, where="fuels[0]")
    with pytest.raises(ValidationError, match=r"got 1.5") as exc:
        mrv.eq2_fuel_combustion_co2(fuel(oxidation=150, oxidation_unit="%"), year=2022, where="fuels[0]")
    assert exc.value.field == "fuels[0].oxidation"
    with pytest.raises(UnitError, match="not a dimensionless unit") as exc:
        mrv.eq2_fuel_combustion_co2(fuel(oxidation=0.99, oxidation_unit="t/t"), year=2022, where="fuels[0]")
    assert exc.value.field == "fuels[0].oxidation_unit"


def test_report_payload_accepts_oxidation_unit():
    base = {"year": 2024, "method": "generic", "industry": "cement", "fuels": [dict(FUEL)]}
    percent = copy.deepcopy(base)
    percent["fuels"][0].update(oxidation=99, oxidation_unit="%")
    a, b = compute_report(percent), compute_report(base)
    assert a["fuels"][0]["emissions_t"] == b["fuels"][0]["emissions_t"] == pytest.approx(2_940_300, rel=1e-12)
    assert a["fuels"][0]["params"] == b["fuels"][0]["params"]


# A feedstock of 1,000,000 t at 60 % carbon = 600,000 t C; methanol 800,000 t × 12/32 = 300,000 t C;
# (600,000 − 300,000) × 44/12 = 1,100,000 t CO2.
def _chemical(fraction, unit):
    flow = {"item": "原料煤", "role": "input", "quantity": 1_000_000, "unit": "t", "carbon_fraction": fraction}
    if unit is not None:
        flow["carbon_fraction_unit"] = unit
    return {"year": 2022, "method": "chemical", "industry": "coal_chemical",
            "facilities": [{"name": "甲醇装置", "flows": [flow, {"item": "甲醇", "role": "product", "quantity": 800_000,
                                                             "unit": "t"}]}]}


@pytest.mark.parametrize("fraction, unit", [(0.6, None), (0.6, ""), (0.6, "1"), (0.6, "dimensionless"),
                                            (0.6, "无量纲"), (60, "%"), (600, "‰")])
def test_chemical_carbon_fraction_in_every_spelling(fraction, unit):
    out = compute_report(_chemical(fraction, unit))
    assert out["facilities"][0]["process_co2_t"] == pytest.approx(1_100_000, rel=1e-9)


@pytest.mark.parametrize("fraction, unit, message", [(60, "", "mass fraction above 1"), (1001, "‰", "exceeds 1000 ‰"),
                                                     (101, "%", "exceeds 100 %")])
def test_chemical_carbon_fraction_is_checked_after_conversion(fraction, unit, message):
    with pytest.raises(ValidationError, match=message):
        compute_report(_chemical(fraction, unit))
