"""A resident's yearly carbon footprint from a short questionnaire: pure calculator.

Answers (each quantity with its unit, checked with carbon.core.units):

- ``household_size``: people sharing the household's electricity and heating (the household items are split
  evenly between them);
- ``electricity`` (energy, e.g. 2400 kWh a year): x the grid factor from the project's factor library
  (内蒙古 2022, MEE-NBS-2024-33-NM-GRID-2022, 0.6849 kg CO2/kWh);
- ``natural_gas`` (volume, m3) and ``coal_heating`` (mass, t of raw coal): combustion CO2 =
  quantity x NCV x carbon content x oxidation x 44/12, every parameter from the library's CN profile
  (省级温室气体清单编制指南 2011 values); CH4 and N2O of household stoves are left out (under 1 % of the CO2);
- ``car`` (distance a year) with optional ``car_fuel_economy`` (L/100km, default in data/footprint_v1.csv):
  litres x gasoline density -> tonnes of gasoline -> the same combustion formula;
- ``flights`` (passenger-km a year) x a per-passenger-km factor (data/footprint_v1.csv, [check]);
- ``diet``: one of high_meat, medium_meat, low_meat, vegetarian, vegan, as kg CO2e a day x 365
  (Scarborough et al. 2014, [check]: UK diets).

The result lists every item with its quantity, the factor rows used (library refs or footprint_v1 keys) and
kg CO2e for this person, so it can be recomputed. Integers of kg: a footprint is an estimate, and the certificate
shows whole kilograms.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from carbon.core import units
from carbon.core.errors import FactorError, ValidationError
from carbon.factors.library import FactorLibrary

PARAMS_FILE = Path(__file__).with_name("data") / "footprint_v1.csv"
EDITION = "footprint_v1"
DIETS = ("high_meat", "medium_meat", "low_meat", "vegetarian", "vegan")
CO2_PER_C = 44 / 12
HOUSEHOLD_CATEGORY = "1.A.4.b"  # residential fuel combustion
TRANSPORT_CATEGORY = "1.A.3.b"  # road transport


@dataclass(frozen=True)
class Param:
    key: str
    value: float
    unit: str
    source: str


@lru_cache(maxsize=2)
def load_params(path: Path = PARAMS_FILE) -> dict[str, Param]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    out = {}
    for row in csv.DictReader(lines):
        if not row["source"].strip():
            raise FactorError(key="puhui_footprint_param_no_source", params={"file": path.name, "key": row["key"]})
        units.parse_unit(row["unit"].replace("CO2e", "").strip() or "g")
        out[row["key"]] = Param(row["key"], float(row["value"]), row["unit"], row["source"])
    return out


@dataclass(frozen=True)
class Amount:
    quantity: float
    unit: str


@dataclass
class Answers:
    year: int
    household_size: int = 1
    electricity: Amount | None = None
    natural_gas: Amount | None = None
    coal_heating: Amount | None = None
    car: Amount | None = None
    car_fuel_economy: Amount | None = None
    flights: Amount | None = None
    diet: str | None = None


@dataclass
class Item:
    item: str
    quantity: float | None
    unit: str | None
    co2e_kg: int  # this person's share, whole kg
    shared: bool  # split over the household
    factors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"item": self.item, "quantity": None if self.quantity is None else str(self.quantity), "unit": self.unit,
                "co2e_kg": self.co2e_kg, "shared_by_household": self.shared, "factors": self.factors}


def _in(amount: Amount, unit: str, dimension: str, what: str) -> float:
    if amount.quantity < 0:
        raise ValidationError(key="puhui_footprint_negative", params={"what": what}, field=what)
    try:
        units.check_dimension(amount.unit, dimension, what)
    except ValidationError as exc:
        raise type(exc)(exc.message, field=f"{what}.unit", key=exc.key, params=exc.params) from exc
    return units.convert(amount.quantity, amount.unit, unit)


def _factor(lib: FactorLibrary, parameter: str, category: str, item: str, year: int, unit: str):
    row = lib.resolve(parameter, category, item, year=year)
    if row is None:
        raise FactorError(key="puhui_footprint_factor_missing",
                          params={"parameter": parameter, "item": item, "category": category, "year": year})
    return units.convert(row.value, row.unit, unit), row.ref


def _combustion_kg_per_t(lib: FactorLibrary, category: str, fuel: str, year: int, per: str = "t") -> tuple[float, list[str]]:
    """kg CO2 per ``per`` of fuel = NCV x carbon content x oxidation x 44/12 (library, CN profile)."""
    ncv, r1 = _factor(lib, "ncv", category, fuel, year, f"GJ/{per}")
    cc, r2 = _factor(lib, "carbon_content", category, fuel, year, "kg/GJ")
    of, r3 = _factor(lib, "oxidation", category, fuel, year, "dimensionless")
    return ncv * cc * of * CO2_PER_C, [r1, r2, r3]


def compute(answers: Answers, lib: FactorLibrary, params: dict[str, Param] | None = None) -> dict:
    """The footprint of one person for one year: items, total, and the editions used."""
    params = params or load_params()
    if answers.household_size < 1:
        raise ValidationError(key="puhui_household_size", field="household_size")
    share = 1 / answers.household_size
    year = answers.year
    items: list[Item] = []

    if answers.electricity is not None:
        kwh = _in(answers.electricity, "kWh", "energy", "electricity")
        ef, ref = _factor(lib, "ef_CO2", "M.electricity", "electricity", year, "kg/kWh")
        items.append(Item("electricity", answers.electricity.quantity, answers.electricity.unit,
                          round(kwh * ef * share), True, [ref]))
    if answers.natural_gas is not None:
        m3 = _in(answers.natural_gas, "m3", "volume", "natural_gas")
        kg_per_m3, refs = _combustion_kg_per_t(lib, HOUSEHOLD_CATEGORY, "natural_gas", year, per="m3")
        items.append(Item("natural_gas", answers.natural_gas.quantity, answers.natural_gas.unit,
                          round(m3 * kg_per_m3 * share), True, refs))
    if answers.coal_heating is not None:
        t = _in(answers.coal_heating, "t", "mass", "coal_heating")
        kg_per_t, refs = _combustion_kg_per_t(lib, HOUSEHOLD_CATEGORY, "raw_coal", year)
        items.append(Item("coal_heating", answers.coal_heating.quantity, answers.coal_heating.unit,
                          round(t * kg_per_t * share), True, refs))
    if answers.car is not None:
        km = _distance_km(answers.car, "car")
        if answers.car_fuel_economy is not None:
            economy = answers.car_fuel_economy
            if economy.quantity <= 0:
                raise ValidationError(key="puhui_must_be_positive", params={"name": "car_fuel_economy"},
                                      field="car_fuel_economy")
            l_per_km = units.convert(economy.quantity, _per_100(economy.unit), "L/km")
            economy_ref = "answer:car_fuel_economy"
        else:
            p = params["car_fuel_economy"]
            l_per_km = units.convert(p.value, _per_100(p.unit), "L/km")
            economy_ref = f"{EDITION}:car_fuel_economy"
        density = params["gasoline_density"]
        t_fuel = km * l_per_km * units.convert(density.value, density.unit, "t/L")
        kg_per_t, refs = _combustion_kg_per_t(lib, TRANSPORT_CATEGORY, "gasoline", year)
        items.append(Item("car", answers.car.quantity, answers.car.unit, round(t_fuel * kg_per_t), False,
                          [economy_ref, f"{EDITION}:gasoline_density", *refs]))
    if answers.flights is not None:
        km = _distance_km(answers.flights, "flights")
        p = params["flight_per_pkm"]
        per_km = units.convert(p.value, p.unit.replace("CO2e", "").strip(), "kg/km")
        items.append(Item("flights", answers.flights.quantity, answers.flights.unit, round(km * per_km), False,
                          [f"{EDITION}:flight_per_pkm"]))
    if answers.diet is not None:
        if answers.diet not in DIETS:
            raise ValidationError(key="puhui_diet_unknown", params={"known": ", ".join(DIETS)}, field="diet")
        p = params[f"diet_{answers.diet}"]
        per_day = units.convert(p.value, p.unit.replace("CO2e", "").strip(), "kg/day")
        items.append(Item("diet", None, None, round(per_day * 365), False, [f"{EDITION}:diet_{answers.diet}"]))

    return {
        "year": year,
        "household_size": answers.household_size,
        "items": [i.as_dict() for i in items],
        "total_kg": sum(i.co2e_kg for i in items),
        "editions": {"questionnaire": EDITION, "factor_library": lib.fingerprint},
        "scope": "CO2 of household energy and car fuel, CO2e of flights and diet; kg per person per year",
    }


def _per_100(unit: str) -> str:
    """'L/100km' as people write it means litres per (100 km), not (litres / 100) x km."""
    return re.sub(r"/\s*100\s*(km|公里)$", r"/(100 \1)", unit.strip())


def _distance_km(amount: Amount, what: str) -> float:
    if amount.quantity < 0:
        raise ValidationError(key="puhui_footprint_negative", params={"what": what}, field=what)
    try:
        return units.convert(amount.quantity, amount.unit, "km")
    except ValidationError as exc:
        params = {"what": what, "detail": exc}
        raise type(exc)(key="puhui_prefixed", params=params, field=f"{what}.unit") from exc
