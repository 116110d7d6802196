"""The check of a year's key-parameter filings (关键参数月度存证) against the emitter's data-quality control
plan (数据质量控制计划) and its annual report: pure, plain data in, a list of gaps out (no session, no HTTP).

Every gap has a ``kind``:

- ``no_plan``: no plan version governs the year; nothing to check the months against.
- ``missing_month``: a month (1..``through_month``) without a value for a parameter the plan lists.
- ``frequency_below_plan``: a parameter the plan says is measured, measured fewer times than its frequency
  implies. Per month: ``daily`` needs as many samples as the month has days, ``monthly`` one, ``per_batch``
  one per batch received (``batches``; at least one if not given). ``quarterly`` needs one sample in each
  quarter (checked once the quarter's last month is within ``through_month``), ``yearly`` one in the year
  (checked at month 12).
- ``default_where_measured``: a default value (缺省) filed where the plan promises a measurement (实测).
- ``annual_mismatch``: for a summable quantity (``PARAMETERS[...].kind == "flow"``) with a clear counterpart
  in the report (see ``annual_values``), the sum of the twelve monthly values differs from the report's
  value by more than ``tolerance`` (relative). Only checked when all twelve months are filed: a missing month
  is already its own gap. Properties (NCV, carbon content) are not summed.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import asdict, dataclass, field
from typing import Any

from carbon.core.errors import UnitError
from carbon.core.units import convert

# parameter code -> what it is (the monthly catalogue). kind "flow": a monthly quantity that sums to the year;
# "property": a measured property (averaged, never summed). ``dims``: the pint dimensionalities a unit may have.
PARAMETERS: dict[str, dict[str, Any]] = {
    # all sectors
    "fuel_consumption": {"zh": "化石燃料消耗量", "kind": "flow", "dims": ("[mass]", "[volume]", "[substance]"), "sectors": "all"},
    "fuel_ncv": {"zh": "燃料低位发热量", "kind": "property", "dims": ("[energy] / [mass]", "[energy] / [volume]", "[energy] / [substance]"),
                 "sectors": "all"},
    "fuel_carbon_content": {"zh": "单位热值含碳量", "kind": "property", "dims": ("[mass] / [energy]",),
                            "sectors": "all"},
    "purchased_electricity": {"zh": "外购电量", "kind": "flow", "dims": ("[energy]",), "sectors": "all"},
    # power
    "coal_consumption": {"zh": "燃煤消耗量", "kind": "flow", "dims": ("[mass]",), "sectors": "power"},
    "coal_ncv": {"zh": "入炉煤低位发热量", "kind": "property", "dims": ("[energy] / [mass]",), "sectors": "power"},
    "coal_carbon_content": {"zh": "入炉煤元素碳含量", "kind": "property", "dims": ("[mass] / [energy]",),
                            "sectors": "power"},
    "generation": {"zh": "发电量", "kind": "flow", "dims": ("[energy]",), "sectors": "power"},
    "supplied_electricity": {"zh": "供电量", "kind": "flow", "dims": ("[energy]",), "sectors": "power"},
    # cement
    "clinker_output": {"zh": "熟料产量", "kind": "flow", "dims": ("[mass]",), "sectors": "cement"},
    "clinker_cao": {"zh": "熟料中CaO含量", "kind": "property", "dims": ("",), "sectors": "cement"},
    "clinker_mgo": {"zh": "熟料中MgO含量", "kind": "property", "dims": ("",), "sectors": "cement"},
    # aluminium
    "aluminium_output": {"zh": "原铝产量", "kind": "flow", "dims": ("[mass]",), "sectors": "aluminium"},
    "anode_consumption": {"zh": "阳极消耗量", "kind": "flow", "dims": ("[mass]",), "sectors": "aluminium"},
    "anode_effect_minutes": {"zh": "阳极效应持续时间", "kind": "property", "dims": ("[time]",),
                             "sectors": "aluminium"},
    # steel
    "crude_steel_output": {"zh": "粗钢产量", "kind": "flow", "dims": ("[mass]",), "sectors": "steel"},
    "hot_metal_output": {"zh": "铁水产量", "kind": "flow", "dims": ("[mass]",), "sectors": "steel"},
    "flux_consumption": {"zh": "熔剂消耗量", "kind": "flow", "dims": ("[mass]",), "sectors": "steel"},
    "electrode_consumption": {"zh": "电极消耗量", "kind": "flow", "dims": ("[mass]",), "sectors": "steel"},
}

SAMPLES_PER_MONTH = {"monthly": 1}  # daily: days of the month; per_batch: batches; quarterly/yearly: per period


@dataclass(frozen=True)
class PlanParameter:
    parameter: str
    item: str = ""
    frequency: str = "monthly"  # per_batch | daily | monthly | quarterly | yearly
    source: str = "measured"  # measured | default


@dataclass(frozen=True)
class MonthValue:
    parameter: str
    value: float
    unit: str
    source: str  # measured | default | calculated
    item: str = ""
    samples: int = 0
    batches: int | None = None


@dataclass(frozen=True)
class Gap:
    kind: str
    parameter: str | None = None
    item: str | None = None
    month: int | None = None
    message: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _label(parameter: str, item: str) -> str:
    return f"{parameter}[{item}]" if item else parameter


def _required_samples(frequency: str, year: int, month: int, v: MonthValue) -> int | None:
    if frequency == "daily":
        return _calendar.monthrange(year, month)[1]
    if frequency == "per_batch":  # one per batch received; at least one when the batches are not given
        return 1 if v.batches is None else v.batches
    return SAMPLES_PER_MONTH.get(frequency)


def check_year(*, year: int, plan: list[PlanParameter] | None, months: dict[int, list[MonthValue]],
               annual: dict[tuple[str, str], tuple[float, str]] | None = None, tolerance: float = 0.01,
               through_month: int = 12) -> list[Gap]:
    """All gaps of ``year`` (see the module docstring). ``months`` maps 1..12 to the values of the month's
    latest filing version; ``annual`` maps (parameter, item) to the report's (value, unit)."""
    gaps: list[Gap] = []
    if plan is None:
        gaps.append(Gap("no_plan", message=f"no data-quality control plan governs {year}"))
    by_key: dict[tuple[str, str], dict[int, MonthValue]] = {}
    for m, values in months.items():
        for v in values:
            by_key.setdefault((v.parameter, v.item), {})[m] = v
    for p in plan or []:
        key, label = (p.parameter, p.item), _label(p.parameter, p.item)
        filed = by_key.get(key, {})
        for m in range(1, through_month + 1):
            v = filed.get(m)
            if v is None:
                gaps.append(Gap("missing_month", p.parameter, p.item, m,
                                f"{label}: no value filed for {year}-{m:02d}"))
                continue
            if p.source == "measured" and v.source == "default":
                gaps.append(Gap("default_where_measured", p.parameter, p.item, m,
                                f"{label} {year}-{m:02d}: a default value where the plan promises a measurement"))
                continue
            if p.source != "measured" or v.source != "measured":
                continue
            need = _required_samples(p.frequency, year, m, v)
            if need is not None and v.samples < need:
                gaps.append(Gap("frequency_below_plan", p.parameter, p.item, m,
                                f"{label} {year}-{m:02d}: {v.samples} measurement(s), the plan ({p.frequency}) "
                                f"implies {need}", {"frequency": p.frequency, "samples": v.samples,
                                                    "required": need}))
        if p.source == "measured" and p.frequency in ("quarterly", "yearly"):
            periods = ([(q, range(3 * q - 2, 3 * q + 1)) for q in range(1, 5)] if p.frequency == "quarterly"
                       else [(1, range(1, 13))])
            for n, months_of in periods:
                if months_of[-1] > through_month:
                    continue
                got = sum(filed[m].samples for m in months_of if m in filed and filed[m].source == "measured")
                present = [m for m in months_of if m in filed and filed[m].source == "measured"]
                if present and got < 1:
                    gaps.append(Gap("frequency_below_plan", p.parameter, p.item, months_of[-1],
                                    f"{label}: no measurement in {'Q' + str(n) if p.frequency == 'quarterly' else year}"
                                    f", the plan ({p.frequency}) implies 1",
                                    {"frequency": p.frequency, "samples": got, "required": 1}))
    for key, (annual_value, annual_unit) in sorted((annual or {}).items()):
        parameter, item = key
        if PARAMETERS.get(parameter, {}).get("kind") != "flow":
            continue
        filed = by_key.get(key, {})
        if len(filed) < 12:
            continue
        try:
            total = sum(convert(v.value, v.unit, annual_unit) for v in filed.values())
        except UnitError as exc:  # e.g. months in m3, the report in t: not comparable, and said so
            gaps.append(Gap("annual_mismatch", parameter, item, None,
                            f"{_label(parameter, item)}: the monthly values cannot be compared with the annual "
                            f"report's {annual_value:g} {annual_unit} ({exc})",
                            {"monthly_sum": None, "annual": annual_value, "unit": annual_unit,
                             "tolerance": tolerance}))
            continue
        scale = max(abs(annual_value), abs(total))
        if scale and abs(total - annual_value) / scale > tolerance:
            gaps.append(Gap("annual_mismatch", parameter, item, None,
                            f"{_label(parameter, item)}: the months sum to {total:g} {annual_unit}, the annual "
                            f"report says {annual_value:g} {annual_unit}",
                            {"monthly_sum": round(total, 6), "annual": annual_value, "unit": annual_unit,
                             "tolerance": tolerance}))
    return gaps


def _add(out: dict[tuple[str, str], tuple[float, str]], key: tuple[str, str], value: Any, unit: Any) -> None:
    if not isinstance(value, (int, float)) or not isinstance(unit, str):
        return
    if key in out:
        prev, prev_unit = out[key]
        out[key] = (prev + convert(float(value), unit, prev_unit), prev_unit)
    else:
        out[key] = (float(value), unit)


def annual_values(payload: dict[str, Any]) -> dict[tuple[str, str], tuple[float, str]]:
    """The report's (REPORT.json) values that have a clear monthly counterpart, by (parameter, item).

    Power: ``coal_consumption`` / ``fuel_consumption`` [fuel name] (fuel quantities of all units, coal
    fuels under both), ``generation`` and ``supplied_electricity`` (MWh, sum of units),
    ``purchased_electricity`` (MWh). Other sectors: ``fuel_consumption`` [fuel name] (top-level and
    per-line fuels), cement ``clinker_output`` (sum of the lines' ``clinker``), aluminium
    ``aluminium_output``, steel ``crude_steel_output`` when the payload names it. Anything else (stock
    changes, NCVs, anode per-tonne figures) is not mapped and not compared.
    """
    out: dict[tuple[str, str], tuple[float, str]] = {}

    def fuels(items: Any) -> None:
        for f in items or []:
            if isinstance(f, dict) and isinstance(f.get("name"), str):
                _add(out, ("fuel_consumption", f["name"]), f.get("quantity"), f.get("unit"))
                if "煤" in f["name"]:
                    _add(out, ("coal_consumption", f["name"]), f.get("quantity"), f.get("unit"))

    if payload.get("units"):  # power
        for u in payload["units"]:
            if not isinstance(u, dict):
                continue
            fuels(u.get("fuels"))
            _add(out, ("generation", ""), u.get("gross_generation_mwh"), "MWh")
            _add(out, ("supplied_electricity", ""), u.get("supplied_mwh"), "MWh")
            _add(out, ("purchased_electricity", ""), u.get("purchased_electricity_mwh"), "MWh")
        return out
    fuels(payload.get("fuels"))
    for line in payload.get("lines") or []:
        if isinstance(line, dict):
            fuels(line.get("fuels"))
            _add(out, ("clinker_output", ""), line.get("clinker"), line.get("clinker_unit"))
    _add(out, ("aluminium_output", ""), payload.get("aluminium"), payload.get("aluminium_unit"))
    _add(out, ("crude_steel_output", ""), payload.get("crude_steel"), payload.get("crude_steel_unit"))
    _add(out, ("purchased_electricity", ""), payload.get("purchased_electricity_mwh"), "MWh")
    return out
