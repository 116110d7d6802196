"""Power-sector allocation of the national ETS: rules per year as data, and small rule functions.

    quota = Σ_units [ B_e × Q_e × Π(corrections) + B_h × Q_h ]          (shared/reference/ets.md §3)

- ``data/power_benchmarks.csv``: B_e per unit type and year (t CO2/MWh) and B_h per fuel (t CO2/GJ).
- ``data/allocation_periods.json``: per year the output basis (supplied 2019-22, generated 2023+), the
  corrections in force (cooling, heat supply and load 2019-22; peak regulation 2023-24), whether purchased
  electricity is in scope (until 2022), the 20% gap cap and its mechanism, pre-allocation share, borrowing
  (2021-22), banking (2023-24), the surrender deadline, CCER share and penalties.
- Rounding (stated in the JSON's ``rounding``): a unit's quota is rounded half-up to whole tonnes; the
  emitter's quota is the sum; top-ups and pre-allocations are rounded half-up; caps that must not be
  exceeded (CCER 5%, borrowing 50%, banking) are rounded down.

Everything is pure: plain dataclasses in, plain dataclasses out, each result naming the rule year and the
benchmark rows it used.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from carbon.core.errors import ValidationError

DATA = Path(__file__).with_name("data")
RULES_VERSION = "allocation_periods.json + power_benchmarks.csv (2019-2024)"
CONVENTIONAL_COAL = ("coal_300_plus", "coal_under_300")
STEEL_CEMENT_ALUMINIUM = ("steel", "cement", "aluminium")


def round_half_up(x: float) -> int:
    """Whole tonnes, half up, after rounding to 6 decimals (1 g) so that 2549997.4499999997 counts as .45."""
    return int(Decimal(repr(round(x, 6))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def round_down(x: float) -> int:
    """Whole tonnes never above x (caps), after the same 1 g clean-up."""
    return math.floor(round(x, 6))


@lru_cache(maxsize=1)
def periods() -> dict[str, Any]:
    with (DATA / "allocation_periods.json").open(encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=1)
def benchmarks() -> dict[tuple[int, str, str], tuple[float, str, str]]:
    with (DATA / "power_benchmarks.csv").open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {(int(r["year"]), r["unit_type"], r["product"]): (float(r["value"]), r["unit"], r["source"]) for r in rows}


def rule(year: int) -> dict[str, Any]:
    """The year's rules; ValidationError (field ``year``) for a year without a plan."""
    found = periods()["years"].get(str(year))
    if found is None:
        years = sorted(periods()["years"])
        raise ValidationError(key="ets_no_allocation_rules",
                              params={"year": year, "first": years[0], "last": years[-1]},
                              field="year")
    return found


def electricity_benchmark(year: int, unit_type: str) -> float:
    rule(year)
    return benchmarks()[(year, unit_type, "electricity")][0]


def heat_benchmark(year: int, unit_type: str) -> float:
    return benchmarks()[(year, "gas" if unit_type == "gas" else "coal", "heat")][0]


# --- corrections -------------------------------------------------------------------------------------

def cooling_factor(cooling: str, year: int, unit_type: str = "coal_300_plus") -> float:
    """Fl: water-cooled 1, air-cooled 1.05, back-pressure 1 (2019-22; none from 2023). Gas units use the
    heat-supply factor only (ets.md §3), so their Fl is 1."""
    if "cooling" not in rule(year)["corrections"] or unit_type == "gas":
        return 1.0
    return float(periods()["corrections"]["cooling"][cooling])


def heat_supply_factor(heat_ratio: float, unit_type: str, year: int) -> float:
    """Fr = 1 − 0.22 × 供热比 (coal) or 1 − 0.6 × 供热比 (gas), 2019-22."""
    if "heat_supply" not in rule(year)["corrections"]:
        return 1.0
    k = periods()["corrections"]["heat_supply"]["gas" if unit_type == "gas" else "coal"]
    return 1.0 - k * heat_ratio


def load_correction(f: float) -> float:
    """Ff for conventional coal condensing units, 2019-22 (GB 21258-2017 method, ets.md §3)."""
    if f >= 0.85:
        return 1.0
    if f >= 0.80:
        return 1 + 0.0014 * (85 - 100 * f)
    if f >= 0.75:
        return 1.007 + 0.0016 * (80 - 100 * f)
    return 1.015 ** (16 - 20 * f)


def peak_regulation_factor(f: float) -> float:
    """2023-24 调峰 factor for conventional coal: 1.015^(16 − 20F) when F < 65%, else 1."""
    threshold = periods()["corrections"]["peak_regulation"]["threshold"]
    return 1.015 ** (16 - 20 * f) if f < threshold else 1.0


def output_factor(unit_type: str, load_factor: float, heat_ratio: float, year: int) -> tuple[str | None, float]:
    """The load-type correction in force for this unit: ('load', Ff), ('peak_regulation', F), or (None, 1)."""
    corrections = rule(year)["corrections"]
    if unit_type not in CONVENTIONAL_COAL:
        return None, 1.0
    if "load" in corrections:
        return ("load", load_correction(load_factor)) if heat_ratio == 0 else (None, 1.0)
    if "peak_regulation" in corrections:
        return "peak_regulation", peak_regulation_factor(load_factor)
    return None, 1.0


# --- unit and emitter quotas ---------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitAllocationInput:
    id: str
    type: str
    cooling: str
    load_factor: float
    heat_ratio: float
    supplied_mwh: float
    generated_mwh: float
    heat_supplied_gj: float
    emissions_t: float  # covered (verified) emissions of the unit for the year's scope


@dataclass
class UnitQuota:
    id: str
    type: str
    basis: str
    output_mwh: float
    electricity_benchmark: float
    heat_benchmark: float
    correction_factors: dict[str, float]
    electricity_quota_t: float
    heat_quota_t: float
    benchmark_quota_t: int
    gas_top_up_t: int
    quota_t: int
    emissions_t: float
    gap_t: float
    gap_rate: float | None


def unit_quota(u: UnitAllocationInput, year: int) -> UnitQuota:
    """B_e × Q_e × Fl × Fr × Ff (or × peak factor) + B_h × Q_h; gas units topped up to their emissions."""
    r = rule(year)
    basis = r["basis"]
    q_e = u.supplied_mwh if basis == "supplied" else u.generated_mwh
    b_e = electricity_benchmark(year, u.type)
    b_h = heat_benchmark(year, u.type)
    factors = {"cooling": cooling_factor(u.cooling, year, u.type), "heat_supply": heat_supply_factor(u.heat_ratio, u.type, year)}
    if "cooling" not in r["corrections"]:
        factors = {}
    name, value = output_factor(u.type, u.load_factor, u.heat_ratio, year)
    if "load" in r["corrections"]:
        factors["load"] = value if name == "load" else 1.0
    if "peak_regulation" in r["corrections"]:
        factors["peak_regulation"] = value if name == "peak_regulation" else 1.0
    product = math.prod(factors.values())
    e_quota = b_e * q_e * product
    h_quota = b_h * u.heat_supplied_gj
    benchmark_quota = round_half_up(e_quota + h_quota)
    top_up = max(0, round_half_up(u.emissions_t) - benchmark_quota) if u.type == "gas" else 0
    quota = benchmark_quota + top_up
    gap = u.emissions_t - quota
    return UnitQuota(u.id, u.type, basis, q_e, b_e, b_h, factors, e_quota, h_quota, benchmark_quota, top_up, quota,
                     u.emissions_t, gap, (gap / u.emissions_t) if u.emissions_t else None)


@dataclass
class EmitterQuota:
    year: int
    units: list[UnitQuota]
    emissions_t: int
    benchmark_quota_t: int  # Σ unit quotas (gas top-ups included)
    gap_rate: float | None  # (emissions − Σ unit quotas) / emissions, before the 20% cap
    gap_cap_mode: str
    cap_top_up_t: int
    quota_t: int  # final allocation
    obligation_t: int  # what must be surrendered
    gap_t: int  # obligation − quota (positive = deficit)
    ccer_limit_t: int
    borrowing_limit_t: int | None
    rules: dict[str, Any] = field(default_factory=dict)


def emitter_quota(units_: list[UnitAllocationInput], year: int, *, adjustment_t: int = 0) -> EmitterQuota:
    """An emitter's final quota, obligation and gap for ``year`` (the 20% cap per the year's mechanism).

    - ``allocation_top_up`` (2021-24): if the gap exceeds 20% of emissions, the allocation is raised to
      80% of verified emissions (rounded half-up).
    - ``obligation_cap`` (2019-20): the allocation stays; the obligation is capped at allocation + 20% of
      verified emissions.

    ``adjustment_t``: emissions added by the verifier on the conservative principle for non-conformities
    left unresolved; they count in the emitter's emissions (and so its obligation), not in any unit's quota.
    """
    r = rule(year)
    uq = [unit_quota(u, year) for u in units_]
    e = round_half_up(sum(u.emissions_t for u in units_)) + adjustment_t
    q = sum(u.quota_t for u in uq)
    gap_rate = (e - q) / e if e else None
    cap = r["gap_cap"]
    top_up, obligation = 0, e
    if cap["mode"] == "allocation_top_up":
        floor_q = round_half_up((1 - cap["rate"]) * e)
        top_up = max(0, floor_q - q)
    else:
        obligation = min(e, q + round_half_up(cap["rate"] * e))
    quota = q + top_up
    gap = obligation - quota
    return EmitterQuota(
        year=year, units=uq, emissions_t=e, benchmark_quota_t=q, gap_rate=gap_rate, gap_cap_mode=cap["mode"],
        cap_top_up_t=top_up, quota_t=quota, obligation_t=obligation, gap_t=gap,
        ccer_limit_t=ccer_limit(obligation), borrowing_limit_t=borrowing_limit(year, gap_t=gap, emissions_t=e),
        rules={"year": year, "period": r["period"], "basis": r["basis"], "corrections": r["corrections"],
               "indirect_in_scope": r["indirect_in_scope"], "gap_cap": cap, "version": RULES_VERSION})


def ccer_limit(obligation_t: int) -> int:
    """CCER may cover at most 5% of the surrender obligation (rounded down)."""
    return round_down(periods()["offsets"]["ccer_max_share"] * obligation_t)


def borrowing_limit(year: int, *, gap_t: int, emissions_t: int) -> int | None:
    """2021-22 only: with a gap ≥ 10% of emissions, up to 50% of the gap may be borrowed from the 2023
    pre-allocation (rounded down). None in years without borrowing; 0 when the gap is below 10%."""
    b = rule(year)["borrowing"]
    if b is None:
        return None
    if emissions_t <= 0 or gap_t / emissions_t < b["min_gap_rate"]:
        return 0
    return round_down(b["max_share_of_gap"] * gap_t)


def banking_limit(year: int, *, net_sales_t: int, industry: str = "power") -> int | None:
    """2023-24: allowances carried into 2025 ≤ base + 1.5 × net sales (base 10,000 t; 100,000 t for steel,
    cement and aluminium). A net buyer (negative net sales) keeps the base only [check]. None when the year
    has no banking rule. Steel, cement and aluminium in 2024-25 go to ``carbon.ets.sector_allocation``."""
    if industry in STEEL_CEMENT_ALUMINIUM and year in (2024, 2025):
        from carbon.ets import sector_allocation

        return sector_allocation.banking_limit(year, industry, net_sales_t=net_sales_t).limit_t
    b = rule(year)["banking"]
    if b is None:
        return None
    base = b["base_t_steel_cement_aluminium"] if industry in STEEL_CEMENT_ALUMINIUM else b["base_t"]
    return base + round_down(b["net_sales_multiple"] * max(0, net_sales_t))


def pre_allocation(year: int, *, basis_t: float) -> int:
    """70% pre-allocation of ``basis_t`` (the period's basis: 2018 output × benchmark for 2019-20, 2021
    verified emissions for 2021-22, the previous year's verified emissions for 2023-24), half-up."""
    if basis_t < 0:
        raise ValidationError(key="ets_pre_allocation_basis", field="basis_t")
    return round_half_up(rule(year)["pre_allocation"]["share"] * basis_t)


def true_up(*, final_t: int, pre_t: int) -> int:
    """What the true-up issues (positive) or takes back (negative) after verification."""
    return final_t - pre_t
