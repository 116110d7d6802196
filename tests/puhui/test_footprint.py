"""Personal footprint calculator (pure), with the numbers worked by hand."""

from __future__ import annotations

import pytest

from carbon.core.errors import UnitError, ValidationError
from carbon.factors.library import load_library
from carbon.puhui import footprint
from carbon.puhui.footprint import Amount, Answers

LIB = load_library(profile="CN")


def items(result):
    return {i["item"]: i for i in result["items"]}


def test_questionnaire_worked_by_hand():
    answers = Answers(year=2024, household_size=2, electricity=Amount(2400, "kWh"), natural_gas=Amount(300, "m3"),
                      coal_heating=Amount(1, "t"), car=Amount(10000, "km"), flights=Amount(2000, "km"),
                      diet="medium_meat")
    result = footprint.compute(answers, LIB)
    got = items(result)
    # electricity: 2400 kWh x 0.6849 kg/kWh / 2 people = 821.88 -> 822
    assert got["electricity"]["co2e_kg"] == 822
    assert got["electricity"]["factors"] == ["MEE-NBS-2024-33-NM-GRID-2022-FALLBACK@v1"]
    # gas: 389.31 GJ/万m3 = 0.038931 GJ/m3; x 15.32 kg C/GJ x 0.99 x 44/12 = 2.16502 kg/m3; 300 m3 / 2 = 324.75 -> 325
    assert got["natural_gas"]["co2e_kg"] == 325
    # coal: 20.908 GJ/t x 26.37 x 0.94 x 44/12 = 1900.3 kg/t; 1 t / 2 = 950.2 -> 950
    assert got["coal_heating"]["co2e_kg"] == 950
    # car: 10000 km x 7 L/100km = 700 L x 0.74 kg/L = 0.518 t; 43.07 x 18.9 x 0.98 x 44/12 = 2925.1 kg/t -> 1515.2
    assert got["car"]["co2e_kg"] == 1515
    # flights: 2000 km x 150 g = 300 kg; diet: 5.63 kg/d x 365 = 2054.95 -> 2055
    assert got["flights"]["co2e_kg"] == 300
    assert got["diet"]["co2e_kg"] == 2055
    assert result["total_kg"] == 822 + 325 + 950 + 1515 + 300 + 2055


def test_own_fuel_economy_and_units():
    result = footprint.compute(Answers(year=2024, car=Amount(100, "km"), car_fuel_economy=Amount(5, "L/100km")), LIB)
    # 100 km x 5 L/100km = 5 L x 0.74 = 3.7 kg = 0.0037 t x 2925.1 = 10.8 -> 11
    assert items(result)["car"]["co2e_kg"] == 11
    assert items(result)["car"]["factors"][0] == "answer:car_fuel_economy"
    result = footprint.compute(Answers(year=2024, electricity=Amount(0.24, "万kWh")), LIB)
    assert items(result)["electricity"]["co2e_kg"] == 1644  # 2400 kWh x 0.6849 = 1643.76


def test_bad_answers():
    with pytest.raises(UnitError):
        footprint.compute(Answers(year=2024, electricity=Amount(10, "km")), LIB)
    with pytest.raises(UnitError):
        footprint.compute(Answers(year=2024, car=Amount(10, "kWh")), LIB)
    with pytest.raises(ValidationError, match="diet"):
        footprint.compute(Answers(year=2024, diet="carnivore"), LIB)
    with pytest.raises(ValidationError, match="household_size"):
        footprint.compute(Answers(year=2024, household_size=0), LIB)


def test_parameters_cite_sources():
    params = footprint.load_params()
    assert {"car_fuel_economy", "gasoline_density", "flight_per_pkm", "diet_vegan"} <= set(params)
    assert all(p.source for p in params.values())
