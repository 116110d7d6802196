"""Units as Chinese statistics write them, and the errors for units that do not fit."""

import math

import pytest
from hypothesis import given, strategies as st

from carbon.core import units
from carbon.core.errors import UnitError


@pytest.mark.parametrize(
    "unit, target, factor",
    [
        ("tce", "GJ", 29.3076),  # 7000 kcal_IT/kg; GB/T 2589-2020 rounds to 29.307
        ("吨标准煤", "GJ", 29.3076),
        ("kgce", "MJ", 29.3076),
        ("万tce", "GJ", 293076),
        ("万吨标准煤", "tce", 1e4),
        ("万t", "t", 1e4),
        ("万吨", "kg", 1e7),
        ("万kWh", "MWh", 10),
        ("万千瓦时", "kWh", 1e4),
        ("亿千瓦时", "GWh", 100),
        ("万m3", "m**3", 1e4),
        ("万立方米", "m**3", 1e4),
        ("亿m3", "m**3", 1e8),
        ("Nm3", "m**3", 1),
        ("万Nm3", "m**3", 1e4),
        ("TJ", "GJ", 1000),
        ("kt", "t", 1000),  # not the knot
        ("Gg", "t", 1000),
        ("万头", "head", 1e4),
        ("只", "head", 1),
        ("头", "head", 1),
        ("亩", "hectare", 1 / 15),
        ("kg CH4/head/yr", "t/head/year", 1e-3),
        ("kg N2O-N/kg N", "dimensionless", 1),
        ("GJ/万m3", "GJ/m**3", 1e-4),
    ],
)
def test_chinese_and_si_units_convert(unit, target, factor):
    assert units.multiplier(unit, target) == pytest.approx(factor, rel=1e-12)


def test_tce_differs_from_gbt2589_rounding_by_2e_5():
    # we use 29.3076 GJ/tce; the rounded 29.307 of GB/T 2589-2020 is 2e-5 lower
    assert units.multiplier("tce", "GJ") / 29.307 - 1 == pytest.approx(2.05e-5, rel=1e-2)


@pytest.mark.parametrize("bad", ["foo", "kg/", "", "1000", "吨吨"])
def test_unparseable_unit_names_the_string(bad):
    with pytest.raises(UnitError) as exc:
        units.parse_unit(bad)
    assert repr(bad) in exc.value.message


def test_wrong_dimension_names_value_and_expected_dimension():
    with pytest.raises(UnitError) as exc:
        units.check_dimension("kWh", "mass", "quantity 12.5")
    assert "quantity 12.5" in exc.value.message and "expected mass" in exc.value.message


MASS_UNITS = ["t", "kg", "万t", "万吨", "kt", "Gg", "吨", "g"]
ENERGY_UNITS = ["tce", "万tce", "GJ", "TJ", "MWh", "万千瓦时", "亿千瓦时", "kgce", "吨标准煤"]
VOLUME_UNITS = ["m3", "万m3", "亿m3", "Nm3", "万Nm3", "立方米", "万立方米"]


@given(
    value=st.floats(min_value=1e-6, max_value=1e12, allow_nan=False),
    group=st.sampled_from([MASS_UNITS, ENERGY_UNITS, VOLUME_UNITS]),
    data=st.data(),
)
def test_conversion_round_trips(value, group, data):
    a = data.draw(st.sampled_from(group))
    b = data.draw(st.sampled_from(group))
    back = units.convert(units.convert(value, a, b), b, a)
    assert math.isclose(back, value, rel_tol=1e-12)


@given(
    a=st.sampled_from(MASS_UNITS),
    b=st.sampled_from(ENERGY_UNITS + VOLUME_UNITS + ["head", "万头", "公顷"]),
)
def test_wrong_dimension_is_always_rejected(a, b):
    with pytest.raises(UnitError):
        units.multiplier(a, b)
    with pytest.raises(UnitError):
        units.check_dimension(b, "mass")


@pytest.mark.parametrize(
    "unit, canonical",
    [("kg SF6", "kg"), ("kg CF4/t", "kg/t"), ("kg HFC-23/t", "kg/t"), ("t HFC-134a", "t"), ("kg N2O-N/kg N", "kg/kg"),
     ("t CO2e", "t"), ("kg CH4/head/yr", "kg/head/year"), ("kg c-C4F8/t", "kg/t")],
)
def test_gas_labels_after_a_mass_are_dropped(unit, canonical):
    assert units.multiplier(unit, canonical) == 1.0
