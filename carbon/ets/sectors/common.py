"""What the sector calculators (cement, aluminium, steel) share: input checks, quantities with units, the
实测 / 缺省 / 计算 flags, fuel combustion (``carbon.ets.mrv`` 式(2), reused, not duplicated), the indirect memo and
the shape of the result.

Coverage rule for the sectors of 《全国碳排放权交易市场覆盖钢铁、水泥、铝冶炼行业工作方案》 (MEE, 2025): direct
emissions only (fuel combustion and process). Purchased electricity and heat, when a report gives them, are
computed for information in ``indirect_memo`` and never enter ``covered_emissions_t``.

Default values live in ``carbon/ets/data/sector_defaults.csv`` with their source and a ``verified`` column. A
calculator applies only rows with ``verified`` true (in practice: stoichiometric molar-mass ratios); every other
parameter must be given in the report, and a missing one raises ValidationError naming its JSON path.

Pure: no database, no HTTP; the only file read is the cited data table.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from carbon.core import units
from carbon.core.errors import CarbonError, UnitError, ValidationError
from carbon.ets import allocation, mrv

DATA = Path(__file__).resolve().parents[1] / "data"
MEASURED, DEFAULT, CALCULATED = "measured", "default", "calculated"
FLAG_ZH = {MEASURED: "实测", DEFAULT: "缺省", CALCULATED: "计算"}
FUEL_KEYS = {"name", "quantity", "unit", "ncv", "ncv_unit", "carbon_content", "carbon_content_unit", "oxidation",
             "oxidation_unit"}
COVERAGE = ("direct emissions only (fuel combustion and process), 《全国碳排放权交易市场覆盖钢铁、水泥、铝冶炼行业"
            "工作方案》 (MEE, 2025); purchased electricity and heat are a memo (indirect_memo), not covered")
ALLOCATION_NOTE = "not computed here: sector allocation rules are in carbon.ets.sector_allocation (not available)"


def r6(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


# --- the data table --------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def sector_defaults() -> dict[str, dict[str, str]]:
    """``sector_defaults.csv`` by ``key``."""
    with (DATA / "sector_defaults.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    return {r["key"]: r for r in rows}


def verified_default(key: str) -> "Value":
    """A verified default of the table as a ``Value`` flagged 缺省; an unverified row is never applied."""
    row = sector_defaults()[key]
    if row["verified"] != "true":
        raise ValidationError(key="ets_sector_default_unverified", params={"key": key}, field=key)
    return Value(row["symbol"], float(row["value"]), row["unit"], DEFAULT, f"{row['source_document']}, {row['table_clause']}")


# --- values with unit and flag ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Value:
    """A parameter or intermediate: value, unit, 实测/缺省/计算 flag, and the equation or citation behind it."""

    name: str
    value: float
    unit: str
    flag: str  # measured | default | calculated
    ref: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": r6(self.value) if abs(self.value) >= 1 else round(self.value, 10),
                "unit": self.unit, "flag": self.flag, "flag_zh": FLAG_ZH[self.flag], "ref": self.ref}


def calc(name: str, value: float, unit: str, equation: str) -> Value:
    return Value(name, value, unit, CALCULATED, equation)


def obj(value: Any, where: str, keys: set[str], required: set[str] = frozenset()) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(key="ets_sector_not_object", params={"where": where}, field=where)
    unknown = sorted(set(value) - keys)
    if unknown:
        raise ValidationError(key="ets_sector_unknown_fields", params={"where": where, "fields": ", ".join(unknown)},
                              field=f"{where}.{unknown[0]}")
    missing = sorted(required - set(value))
    if missing:
        raise ValidationError(key="ets_sector_required", params={"field": f"{where}.{missing[0]}"},
                              field=f"{where}.{missing[0]}")
    return value


def lst(value: Any, where: str, *, nonempty: bool = False) -> list[Any]:
    if not isinstance(value, list):
        raise ValidationError(key="ets_sector_not_list", params={"where": where}, field=where)
    if nonempty and not value:
        raise ValidationError(key="ets_sector_list_empty", params={"where": where}, field=where)
    return value


def name(d: dict[str, Any], where: str, key: str = "name") -> str:
    v = d.get(key)
    if not isinstance(v, str) or not v.strip():
        raise ValidationError(key="ets_sector_name_required", params={"field": f"{where}.{key}"},
                              field=f"{where}.{key}")
    return v


def number(d: dict[str, Any], key: str, where: str, *, positive: bool = False, what: str | None = None) -> float:
    """``d[key]`` as a finite number >= 0 (> 0 if ``positive``); missing raises naming the field."""
    field = f"{where}.{key}"
    if key not in d or d[key] is None:
        if what:
            raise ValidationError(key="ets_sector_number_required_what", params={"field": field, "what": what},
                                  field=field)
        raise ValidationError(key="ets_sector_number_required", params={"field": field}, field=field)
    v = d[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ValidationError(key="ets_sector_not_finite", params={"field": field, "value": v}, field=field)
    if v < 0 or (positive and v == 0):
        raise ValidationError(key="ets_sector_positive" if positive else "ets_sector_non_negative",
                              params={"field": field, "value": v}, field=field)
    return float(v)


def quantity(d: dict[str, Any], key: str, where: str, to_unit: str, *, what: str | None = None,
             flag: str = MEASURED, positive: bool = False, unit_key: str | None = None) -> Value:
    """``d[key]`` with its unit ``d[key + '_unit']`` (pint-checked), converted to ``to_unit``."""
    v = number(d, key, where, positive=positive, what=what)
    uk = unit_key or f"{key}_unit"
    text = d.get(uk)
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(key="ets_sector_unit_required", params={"field": f"{where}.{uk}", "to_unit": to_unit},
                              field=f"{where}.{uk}")
    try:
        m = units.multiplier(text, to_unit)
    except UnitError as exc:
        raise UnitError(f"{where}.{uk}: {text!r} is not convertible to {to_unit} ({exc.message})",  # English as before
                        key="ets_sector_unit_not_convertible", field=f"{where}.{uk}",
                        params={"field": f"{where}.{uk}", "text": text, "to_unit": to_unit, "reason": exc.text("zh")}
                        ) from None
    return Value(key, v * m, to_unit, flag, None if text == to_unit else f"{v} {text}")


def fraction(d: dict[str, Any], key: str, where: str, *, what: str | None = None, flag: str = MEASURED,
             upper: float = 1.0) -> Value:
    """A mass fraction ``d[key]`` with ``d[key + '_unit']`` blank, "1", "%" or "‰", as a plain fraction in [0, upper]."""
    v = number(d, key, where, what=what)
    uk = f"{key}_unit"
    text = d.get(uk)
    if text is not None and not isinstance(text, str):
        raise ValidationError(key="ets_sector_unit_not_string", params={"field": f"{where}.{uk}"},
                              field=f"{where}.{uk}")
    try:
        f = units.as_fraction(v, text)
    except UnitError as exc:
        raise UnitError(f"{where}.{uk}: {exc.message}", key="ets_sector_located",
                        params={"where": f"{where}.{uk}", "problem": exc}, field=f"{where}.{uk}") from None
    if f > upper:
        raise ValidationError(key="ets_sector_fraction_above", params={"field": f"{where}.{key}", "upper": upper,
                                                                        "value": f, "unit_key": uk},
                              field=f"{where}.{key}")
    return Value(key, f, "1", flag)


# --- fuel combustion: carbon.ets.mrv 式(2) ---------------------------------------------------------------

def fuel_combustion(raw: Any, *, year: int, where: str) -> tuple[list[mrv.FuelResult], float]:
    """Fuel combustion of a ``fuels`` list by 式(2) of ``carbon.ets.mrv`` (E = FC × NCV × CC × OF × 44/12)."""
    if raw is None:
        return [], 0.0
    out = []
    for i, f in enumerate(lst(raw, where)):
        w = f"{where}[{i}]"
        d = obj(f, w, FUEL_KEYS, {"name", "quantity", "unit"})
        name(d, w)
        out.append(mrv.eq2_fuel_combustion_co2(mrv.FuelInput(**d), year=year, where=w))
    return out, sum(r.emissions_t for r in out)


def fuel_out(f: mrv.FuelResult) -> dict[str, Any]:
    return {"name": f.name, "fuel": f.fuel, "kind": f.kind, "emissions_t": r6(f.emissions_t),
            "params": [{**p.as_dict(), "flag": p.source, "flag_zh": FLAG_ZH[p.source]} for p in f.params],
            "steps": [{**s.as_dict(), "flag": CALCULATED, "flag_zh": FLAG_ZH[CALCULATED]} for s in f.steps],
            "defaults_applied": f.defaults_applied}


# --- indirect memo ----------------------------------------------------------------------------------------

def indirect_memo(payload: dict[str, Any], year: int) -> dict[str, Any] | None:
    """Purchased electricity (式(4), the year's ETS grid factor) and heat (0.11 t CO2/GJ), for information only."""
    elec = payload.get("purchased_electricity_mwh")
    heat = payload.get("purchased_heat_gj")
    if elec is None and heat is None:
        return None
    memo: dict[str, Any] = {"in_covered_total": False, "note": "memo only: " + COVERAGE}
    total = 0.0
    if elec is not None:
        mwh = number(payload, "purchased_electricity_mwh", "report")
        try:
            gf = mrv.grid_factor(year) if mwh else mrv.Param("EF_grid", 0.0, "t/MWh", "default", "no purchased electricity")
        except ValidationError as exc:  # a memo never blocks the covered (direct) figure
            memo["electricity"] = {"mwh": mwh, "grid_factor": None, "co2_t": None, "note": exc.message}
        else:
            e = mrv.eq4_purchased_electricity_co2(mwh, gf).value
            memo["electricity"] = {"mwh": mwh, "grid_factor": gf.as_dict(), "co2_t": r6(e)}
            total += e
    if heat is not None:
        gj = number(payload, "purchased_heat_gj", "report")
        e = gj * mrv.PURCHASED_HEAT_FACTOR
        memo["heat"] = {"gj": gj, "factor_t_per_gj": mrv.PURCHASED_HEAT_FACTOR, "source": mrv.PURCHASED_HEAT_SOURCE,
                        "co2_t": r6(e)}
        total += e
    memo["co2_t"] = r6(total)
    return memo


# --- result shape -----------------------------------------------------------------------------------------

def source_row(source: str, gas: str, mass_t: float, co2e_t: float, equation: str, *, where: str | None = None,
               gwp: float | None = None, flag: str = CALCULATED) -> dict[str, Any]:
    """One per-source, per-gas row: gas mass (t) and CO2e (t)."""
    return {"source": source, "where": where, "gas": gas, "mass_t": r6(mass_t), "co2e_t": r6(co2e_t),
            "unit": "t", "gwp": gwp, "equation": equation, "flag": flag, "flag_zh": FLAG_ZH[flag]}


def allocation_field(industry: str, year: int, covered_t: int) -> Any:
    """The sector allocation if ``carbon.ets.sector_allocation`` exists (another module's job), else a note."""
    try:
        from carbon.ets import sector_allocation  # written elsewhere; optional here
    except ImportError:
        return ALLOCATION_NOTE
    try:  # 2024: allowances equal verified emissions; this is the reported figure, as if verified
        q = sector_allocation.line_quota(year, industry, verified_t=covered_t, line_id="enterprise")
    except CarbonError as exc:
        return f"not computed here: {exc.message} (carbon.ets.sector_allocation)"
    return {"basis": "reported covered emissions, as if verified (projection, not the final allocation)",
            **q.as_dict()}


def result(*, year: int, industry: str, guideline: str, rows: list[dict[str, Any]], fuels: list[mrv.FuelResult],
           memo: dict[str, Any] | None, adjustment_t: int, extra: dict[str, Any], gwp: dict[str, Any] | None = None,
           steps: list[Value] = ()) -> dict[str, Any]:
    """The sector result: per-source gas rows, per-gas totals, the covered (direct) total in whole tonnes."""
    direct = sum(r["co2e_t"] for r in rows)
    gases: dict[str, dict[str, float]] = {}
    for r in rows:
        g = gases.setdefault(r["gas"], {"mass_t": 0.0, "co2e_t": 0.0})
        g["mass_t"] += r["mass_t"]
        g["co2e_t"] += r["co2e_t"]
    fuel_t = sum(f.emissions_t for f in fuels)
    defaults = [d for f in fuels for d in f.defaults_applied]
    covered = allocation.round_half_up(direct) + adjustment_t
    return {
        "year": year, "method": industry, "industry": industry, "guideline": guideline, "coverage": COVERAGE,
        "gwp": gwp, **extra,
        "sources": rows, "gases": [{"gas": k, "mass_t": r6(v["mass_t"]), "co2e_t": r6(v["co2e_t"])} for k, v in gases.items()],
        "steps": [s.as_dict() for s in steps],
        "indirect_memo": memo,
        "total": {"fuel_emissions_t": r6(fuel_t), "process_emissions_t": r6(direct - fuel_t),
                  "direct_emissions_t": r6(direct), "emissions_t": r6(direct + adjustment_t),
                  "conservative_adjustment_t": adjustment_t, "covered_emissions_t": covered,
                  "indirect_memo_t": memo["co2_t"] if memo else None,
                  "quota_t": None, "gap_t": None, "gap_rate": None, "defaults_applied": defaults},
        "allocation": allocation_field(industry, year, covered),
    }
