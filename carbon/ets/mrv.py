"""MRV calculators for key emitters: pure functions named after the guideline's equations.

Power generation follows 企业温室气体排放核算与报告指南 发电设施 (MEE, 2021; revised 2022). Equation
numbers below are as we read the guideline's structure from secondary sources (shared/reference/ets.md §1,
S11, S12, S18, S36); the full text was not retrievable, so the numbering is [check]:

    式(1)  E      = E_燃烧 + E_电                          unit total
    式(2)  E_燃烧 = Σ_i FC_i × NCV_i × CC_i × OF_i × 44/12  fuel combustion (C_ar,i = NCV_i × CC_i, 式(3))
    式(4)  E_电   = AD_电 × EF_电                           purchased electricity, EF = the reporting year's
                                                            全国电网平均排放因子 (data/grid_factors.csv)

Every parameter is a ``Param`` marked 实测 (measured), 缺省 (default) or 计算 (calculated); a default that
replaced a missing measurement is listed in ``defaults_applied`` with its source. Every intermediate is a
``Step`` with its unit. Nothing here touches a database, a file other than the cited data tables, or HTTP.

The generic method (cement, aluminium, coal chemicals and the other 24 industry guidelines) is fuel
combustion by 式(2) + process emissions (activity × factor, each with its unit) + purchased electricity by
式(4) + purchased heat × 0.11 tCO2/GJ (the purchased-heat default of the NDRC 24 industry guidelines, [check]).
"""

from __future__ import annotations

import csv
import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from carbon.core import units
from carbon.core.errors import UnitError, ValidationError

DATA = Path(__file__).with_name("data")
CO2_PER_C = 44.0 / 12.0  # molar mass ratio CO2/C
SOURCES = {"measured": "实测值", "default": "缺省值", "calculated": "计算值"}
UNIT_TYPES = ("coal_300_plus", "coal_under_300", "coal_unconventional", "gas")
COOLING = ("water", "air", "back_pressure")
PURCHASED_HEAT_FACTOR = 0.11  # t CO2/GJ, NDRC 24-industry guidelines default for purchased heat [check]
PURCHASED_HEAT_SOURCE = "NDRC 24 industry guidelines, purchased heat default 0.11 tCO2/GJ [check]"


@dataclass(frozen=True)
class Param:
    """An input parameter: value, unit and whether it was measured, a default, or calculated."""

    name: str
    value: float
    unit: str
    source: str  # measured | default | calculated
    citation: str | None = None

    @property
    def label_zh(self) -> str:
        return SOURCES[self.source]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "label_zh": self.label_zh}


@dataclass(frozen=True)
class Step:
    """An intermediate result with its unit and the equation that produced it."""

    name: str
    value: float
    unit: str
    equation: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FuelInput:
    name: str
    quantity: float
    unit: str
    ncv: float | None = None
    ncv_unit: str | None = None
    carbon_content: float | None = None
    carbon_content_unit: str | None = None
    oxidation: float | None = None
    oxidation_unit: str | None = None  # blank/None, "1", "dimensionless", "无量纲" (a fraction), "%" or "‰"


@dataclass
class FuelResult:
    name: str
    fuel: str
    kind: str
    params: list[Param]
    steps: list[Step]
    emissions_t: float
    defaults_applied: list[str]


@dataclass(frozen=True)
class PowerUnitInput:
    id: str
    type: str
    capacity_mw: float
    cooling: str
    operating_hours: float
    fuels: tuple[FuelInput, ...]
    purchased_electricity_mwh: float
    gross_generation_mwh: float
    supplied_mwh: float
    heat_supplied_gj: float = 0.0
    heat_ratio: float = 0.0


@dataclass
class PowerUnitResult:
    id: str
    type: str
    cooling: str
    fuels: list[FuelResult]
    grid_factor: Param
    fuel_emissions_t: float
    electricity_emissions_t: float
    emissions_t: float
    load_factor: float
    heat_ratio: float
    power_emissions_t: float
    heat_emissions_t: float
    intensity_supplied_t_per_mwh: float | None
    intensity_generated_t_per_mwh: float | None
    heat_intensity_t_per_gj: float | None
    inputs: PowerUnitInput
    steps: list[Step] = field(default_factory=list)

    @property
    def defaults_applied(self) -> list[str]:
        return [d for f in self.fuels for d in f.defaults_applied]


# --- data tables --------------------------------------------------------------------------------------

def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


@lru_cache(maxsize=1)
def fuel_defaults() -> list[dict[str, str]]:
    return _rows("fuel_defaults.csv")


@lru_cache(maxsize=1)
def grid_factors() -> dict[int, dict[str, str]]:
    return {int(r["year"]): r for r in _rows("grid_factors.csv")}


def grid_factor(year: int) -> Param:
    """The ETS reporting grid factor (全国电网平均排放因子) of ``year``, t CO2/MWh, with its source.

    Raises ValidationError (field ``year``) for a year without a published factor: never falls back to
    another year's value or to the general-accounting national factor.
    """
    row = grid_factors().get(year)
    if row is None:
        have = sorted(grid_factors())
        raise ValidationError(key="ets_no_grid_factor",
                              params={"year": year, "first": have[0], "last": have[-1]}, field="year")
    return Param("EF_grid", float(row["value"]), row["unit"], "default", row["source"])


def fuel_default(name: str, year: int) -> dict[str, str] | None:
    """The default row for a fuel name or alias valid in ``year``, or None for an unknown fuel."""
    key = name.strip().lower()
    for row in fuel_defaults():
        names = {row["fuel"], *row["aliases"].split("|")}
        if key in {n.lower() for n in names}:
            lo = int(row["valid_from"])
            hi = int(row["valid_to"]) if row["valid_to"] else 9999
            if lo <= year <= hi:
                return row
    return None


# --- checks ---------------------------------------------------------------------------------------------

def _number(value: Any, where: str, *, positive: bool = False, allow_zero: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationError(key="ets_not_finite", params={"where": where, "value": value}, field=where)
    if value < 0 or (positive and value == 0) or (not allow_zero and value == 0):
        raise ValidationError(key="ets_bound",
                              params={"where": where, "bound": "> 0" if positive or not allow_zero else ">= 0",
                                      "value": value},
                              field=where)
    return float(value)


def _unit(text: Any, dimension: str | tuple[str, ...], where: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(key="ets_unit_required", params={"where": where}, field=where)
    dims = (dimension,) if isinstance(dimension, str) else dimension
    errors = []
    for dim in dims:
        try:
            units.check_dimension(text, dim, where)
            return text
        except UnitError as exc:
            errors.append(exc.message)
    raise UnitError(key="ets_unit_dimension",
                    params={"where": where, "text": text, "dims": " or ".join(dims)}, field=where)


def _fraction(value: float, text: Any, where: str) -> float:
    """A dimensionless parameter as a plain fraction: its unit blank/None, "1", "dimensionless", "无量纲", "%" (÷ 100)
    or "‰" (÷ 1000), the spellings of ``carbon.core.units.dimensionless_spelling``."""
    if text is not None and not isinstance(text, str):
        raise ValidationError(key="ets_not_a_string", params={"where": where, "text": text}, field=where)
    try:
        return units.as_fraction(value, text)
    except UnitError as exc:
        raise UnitError(f"{where}: {exc.message}", key="ets_located",
                        params={"where": where, "problem": exc}, field=where) from None


# --- 式(2): fuel combustion ----------------------------------------------------------------------------

def eq2_fuel_combustion_co2(fuel: FuelInput, *, year: int, where: str = "fuel") -> FuelResult:
    """发电设施指南 式(2) (and 式(3) C_ar = NCV × CC): E_燃烧,i = FC_i × NCV_i × CC_i × OF_i × 44/12.

    Missing NCV, carbon content or oxidation are taken from ``data/fuel_defaults.csv`` for the year and
    flagged; coal carbon content defaults to 0.03085 tC/GJ for 2021+ data (0.03356 before), S11. Coal
    has no NCV default: it must be measured.
    """
    row = fuel_default(fuel.name, year)
    kind = row["kind"] if row else "other"
    canonical = row["fuel"] if row else fuel.name
    qty = _number(fuel.quantity, f"{where}.quantity")
    qty_unit = _unit(fuel.unit, ("mass", "volume"), f"{where}.unit")
    defaults: list[str] = []
    params: list[Param] = [Param("FC", qty, qty_unit, "measured")]

    def pick(attr: str, unit_attr: str | None, symbol: str, dim: str | None, default_value: str, default_unit: str | None,
             label: str) -> Param:
        value = getattr(fuel, attr)
        if value is not None:
            v = _number(value, f"{where}.{attr}")
            if dim is None:  # a dimensionless parameter (the oxidation rate): a fraction, a % or a ‰
                return Param(symbol, _fraction(v, getattr(fuel, f"{attr}_unit", None), f"{where}.{attr}_unit"), "1", "measured")
            u = _unit(getattr(fuel, unit_attr), dim, f"{where}.{unit_attr}")
            return Param(symbol, v, u, "measured")
        if not default_value:
            key = "ets_coal_ncv_not_measured" if kind == "coal" and attr == "ncv" else "ets_param_no_default"
            label_en, _, label_zh = label.removesuffix(")").partition(" (")  # "net calorific value (低位发热量)"
            raise ValidationError(key=key, params={"where": where, "attr": attr, "label": label_en,
                                                   "label_zh": label_zh, "fuel": fuel.name}, field=f"{where}.{attr}")
        p = Param(symbol, float(default_value), default_unit or "1", "default", row["source"] if row else None)
        defaults.append(f"{where}.{attr}: {p.value} {p.unit} {SOURCES['default']} ({p.citation})")
        return p

    ncv_dim = "energy/mass" if units.dimension_of(qty_unit) == "mass" else "energy/volume"
    ncv = pick("ncv", "ncv_unit", "NCV", ncv_dim, row["ncv"] if row else "", row["ncv_unit"] if row else None,
               "net calorific value (低位发热量)")
    cc = pick("carbon_content", "carbon_content_unit", "CC", "mass/energy", row["carbon_content"] if row else "",
              row["carbon_content_unit"] if row else None, "carbon content per unit heat (单位热值含碳量)")
    of = pick("oxidation", None, "OF", None, row["oxidation"] if row else "", None, "oxidation rate (碳氧化率)")
    if not 0 < of.value <= 1:  # checked on the fraction: 99 % passes, 99 (unit 1 or blank) does not
        percent = (of.value > 1 and of.source == "measured"
                   and units.dimensionless_spelling(fuel.oxidation_unit) == "dimensionless")
        raise ValidationError(key="ets_oxidation_percent" if percent else "ets_oxidation_range",
                              params={"where": where, "value": of.value}, field=f"{where}.oxidation")
    if ncv.source == "default":  # the default's unit must still fit the quantity's unit
        _unit(ncv.unit, ncv_dim, f"{where}.ncv_unit (default)")
    params += [ncv, cc, of]

    energy_gj = qty * ncv.value * units.multiplier(f"({qty_unit})*({ncv.unit})", "GJ")
    carbon_content_tc_per_gj = cc.value * units.multiplier(cc.unit, "t/GJ")
    c_ar = ncv.value * units.multiplier(ncv.unit, f"GJ/({qty_unit})") * carbon_content_tc_per_gj
    carbon_t = energy_gj * carbon_content_tc_per_gj
    oxidised_t = carbon_t * of.value
    co2_t = oxidised_t * CO2_PER_C
    steps = [
        Step("energy", energy_gj, "GJ", "FC × NCV"),
        Step("C_ar", c_ar, f"tC/{qty_unit}", "式(3) NCV × CC"),
        Step("carbon", carbon_t, "tC", "FC × NCV × CC"),
        Step("carbon_oxidised", oxidised_t, "tC", "FC × NCV × CC × OF"),
        Step("E_fuel", co2_t, "t CO2", "式(2) FC × NCV × CC × OF × 44/12"),
    ]
    return FuelResult(fuel.name, canonical, kind, params, steps, co2_t, defaults)


# --- 式(4): purchased electricity ----------------------------------------------------------------------

def eq4_purchased_electricity_co2(ad_mwh: float, factor: Param) -> Step:
    """发电设施指南 式(4): E_电 = AD_电 × EF_电 (MWh × t CO2/MWh)."""
    return Step("E_elec", ad_mwh * factor.value * units.multiplier(f"MWh*({factor.unit})", "t"), "t CO2",
                "式(4) AD × EF_grid")


def eq1_total(e_fuel: float, e_elec: float) -> Step:
    """发电设施指南 式(1): E = E_燃烧 + E_电."""
    return Step("E", e_fuel + e_elec, "t CO2", "式(1) E_fuel + E_elec")


def load_factor(gross_mwh: float, capacity_mw: float, hours: float) -> Step:
    """Load (output) factor F = gross generation / (capacity × operating hours) (负荷（出力）系数)."""
    return Step("load_factor", gross_mwh / (capacity_mw * hours), "1", "gross MWh / (MW × h)")


def split_by_heat_ratio(emissions_t: float, heat_ratio: float) -> tuple[Step, Step]:
    """CHP: power and heat shares of a unit's emissions by the heat ratio α (供热比, definition [check])."""
    return (Step("E_power", emissions_t * (1 - heat_ratio), "t CO2", "E × (1 − α)"),
            Step("E_heat", emissions_t * heat_ratio, "t CO2", "E × α"))


def power_unit_emissions(unit: PowerUnitInput, *, year: int, where: str = "unit") -> PowerUnitResult:
    """A generating unit's emissions, intensities and load factor (all intermediates kept)."""
    if unit.type not in UNIT_TYPES:
        raise ValidationError(key="ets_unit_type_got",
                              params={"where": where, "types": ", ".join(UNIT_TYPES), "type": unit.type},
                              field=f"{where}.type")
    if unit.cooling not in COOLING:
        raise ValidationError(key="ets_cooling_got",
                              params={"where": where, "coolings": ", ".join(COOLING), "cooling": unit.cooling},
                              field=f"{where}.cooling")
    cap = _number(unit.capacity_mw, f"{where}.capacity_mw", positive=True)
    hours = _number(unit.operating_hours, f"{where}.operating_hours", positive=True)
    if hours > 8784:
        raise ValidationError(key="ets_operating_hours",
                              params={"where": where, "hours": hours}, field=f"{where}.operating_hours")
    gross = _number(unit.gross_generation_mwh, f"{where}.gross_generation_mwh")
    supplied = _number(unit.supplied_mwh, f"{where}.supplied_mwh")
    if supplied > gross:
        raise ValidationError(key="ets_supplied_exceeds_gross",
                              params={"where": where, "supplied": supplied, "gross": gross},
                              field=f"{where}.supplied_mwh")
    heat_gj = _number(unit.heat_supplied_gj, f"{where}.heat_supplied_gj")
    alpha = _number(unit.heat_ratio, f"{where}.heat_ratio")
    if alpha >= 1:
        raise ValidationError(key="ets_heat_ratio_below_one",
                              params={"where": where, "alpha": alpha}, field=f"{where}.heat_ratio")
    if (alpha > 0) != (heat_gj > 0):
        raise ValidationError(key="ets_heat_ratio_pair", params={"where": where},
                              field=f"{where}.heat_ratio")
    elec = _number(unit.purchased_electricity_mwh, f"{where}.purchased_electricity_mwh")
    if not unit.fuels:
        raise ValidationError(key="ets_fuels_required", params={"where": where}, field=f"{where}.fuels")

    fuels = [eq2_fuel_combustion_co2(f, year=year, where=f"{where}.fuels[{i}]") for i, f in enumerate(unit.fuels)]
    e_fuel = sum(f.emissions_t for f in fuels)
    factor = grid_factor(year) if elec > 0 else Param("EF_grid", 0.0, "t/MWh", "default", "no purchased electricity")
    s_elec = eq4_purchased_electricity_co2(elec, factor)
    s_total = eq1_total(e_fuel, s_elec.value)
    s_load = load_factor(gross, cap, hours)
    if s_load.value > 1.0 + 1e-9:
        raise ValidationError(
            key="ets_load_factor", params={"where": where, "load": s_load.value},
            field=f"{where}.gross_generation_mwh")
    s_power, s_heat = split_by_heat_ratio(s_total.value, alpha)
    steps = [Step("E_fuel", e_fuel, "t CO2", "Σ fuels 式(2)"), s_elec, s_total, s_load, s_power, s_heat]
    i_sup = s_power.value / supplied if supplied else None
    i_gen = s_power.value / gross if gross else None
    i_heat = s_heat.value / heat_gj if heat_gj else None
    for name, value, unit_ in (("intensity_supplied", i_sup, "t CO2/MWh"), ("intensity_generated", i_gen, "t CO2/MWh"),
                               ("heat_intensity", i_heat, "t CO2/GJ")):
        if value is not None:
            steps.append(Step(name, value, unit_, "E_power / MWh" if unit_.endswith("MWh") else "E_heat / GJ"))
    return PowerUnitResult(
        id=unit.id, type=unit.type, cooling=unit.cooling, fuels=fuels, grid_factor=factor, fuel_emissions_t=e_fuel,
        electricity_emissions_t=s_elec.value, emissions_t=s_total.value, load_factor=s_load.value, heat_ratio=alpha,
        power_emissions_t=s_power.value, heat_emissions_t=s_heat.value, intensity_supplied_t_per_mwh=i_sup,
        intensity_generated_t_per_mwh=i_gen, heat_intensity_t_per_gj=i_heat, inputs=unit, steps=steps)


# --- generic method (other industries) ------------------------------------------------------------------

@dataclass(frozen=True)
class ProcessInput:
    name: str
    quantity: float
    unit: str
    factor: float
    factor_unit: str  # e.g. "t/t" (t CO2 per t clinker), "t/万Nm3"


@dataclass
class GenericResult:
    fuels: list[FuelResult]
    processes: list[Step]
    fuel_emissions_t: float
    process_emissions_t: float
    electricity_emissions_t: float
    heat_emissions_t: float
    emissions_t: float
    params: list[Param]

    @property
    def defaults_applied(self) -> list[str]:
        return [d for f in self.fuels for d in f.defaults_applied]


def eq_process_co2(process: ProcessInput, *, where: str = "process") -> Step:
    """Process emissions: activity × emission factor (e.g. clinker × t CO2/t clinker), units checked."""
    qty = _number(process.quantity, f"{where}.quantity")
    f = _number(process.factor, f"{where}.factor")
    if not isinstance(process.unit, str) or not isinstance(process.factor_unit, str):
        raise ValidationError(key="ets_process_units_required", params={"where": where}, field=f"{where}.unit")
    try:
        m = units.multiplier(f"({process.unit})*({process.factor_unit})", "t")
    except UnitError as exc:
        raise UnitError(key="ets_process_not_mass", params={"where": where, "unit": process.unit,
                                                            "factor_unit": process.factor_unit, "reason": exc.message},
                        field=f"{where}.factor_unit") from None
    return Step(f"E_process:{process.name}", qty * f * m, "t CO2", "AD × EF")


def generic_emissions(*, year: int, fuels: list[FuelInput], processes: list[ProcessInput],
                      purchased_electricity_mwh: float = 0.0, purchased_heat_gj: float = 0.0,
                      where: str = "report") -> GenericResult:
    """Fuel combustion (式(2)) + process + purchased electricity (式(4)) + purchased heat, for any industry."""
    fr = [eq2_fuel_combustion_co2(f, year=year, where=f"{where}.fuels[{i}]") for i, f in enumerate(fuels)]
    pr = [eq_process_co2(p, where=f"{where}.processes[{i}]") for i, p in enumerate(processes)]
    elec = _number(purchased_electricity_mwh, f"{where}.purchased_electricity_mwh")
    heat = _number(purchased_heat_gj, f"{where}.purchased_heat_gj")
    params = []
    e_elec = 0.0
    if elec:
        gf = grid_factor(year)
        params.append(gf)
        e_elec = eq4_purchased_electricity_co2(elec, gf).value
    e_heat = heat * PURCHASED_HEAT_FACTOR
    if heat:
        params.append(Param("EF_heat", PURCHASED_HEAT_FACTOR, "t/GJ", "default", PURCHASED_HEAT_SOURCE))
    e_f = sum(f.emissions_t for f in fr)
    e_p = sum(s.value for s in pr)
    return GenericResult(fr, pr, e_f, e_p, e_elec, e_heat, e_f + e_p + e_elec + e_heat, params)
