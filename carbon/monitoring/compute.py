"""Measured emissions from CEMS hourly data, data-quality rules, and measured vs calculated comparison.

Pure: plain data in (a long DataFrame ``hour, pollutant, value, flag``; numbers), plain data out. No session,
no file, no HTTP.

Formulas (every intermediate is kept in the result's ``steps`` / per-hour frame):

- Hourly CO2 mass (HJ 75-2017 §6 排放量计算, applied to CO2 as the CEMS-based power-plant carbon monitoring
  pilots do; HJ 76-2017 for the instruments)::

      M_h [t] = C_h [mg/m3, dry, standard] × Q_h [m3/h, dry, standard] × 1 h × 1e-9 t/mg

  summed over the valid hours of the period: ``M = Σ M_h``.
- Wet → dry (HJ 75-2017 §6.x, 干基浓度)::

      C_dry = C_wet / (1 − X_sw)          X_sw = flue-gas humidity as a volume fraction (a01014 / 100)
      Q_dry = Q_wet × (1 − X_sw)

- Actual → standard conditions (273.15 K, 101.325 kPa; HJ 75-2017 §6 标准状态)::

      Q_std = Q_act × (273.15 / (273.15 + t)) × (p / 101.325)          t in °C (a01012), p in kPa (a01013)
      C_std = C_act × ((273.15 + t) / 273.15) × (101.325 / p)          (the same mass in a smaller volume)

- CO2 given in percent by volume::

      C [mg/m3] = φ[%] / 100 × M_CO2 / V_m = φ × 44.0095 g/mol / 22.414 L/mol × 1e4 = φ × 19 635 mg/m3

- Comparison: ``deviation % = (measured − calculated) / calculated × 100``. No official threshold exists (the
  2021–2023 carbon-monitoring pilots published gaps of 5–30 %, see shared/reference/ets-2025.md); the bureau
  sets one per industry: ``DEFAULT_THRESHOLDS_PCT`` are our defaults, configurable per call.

Validity of an hour: the hour has a CO2 concentration and a flow, both flagged N (HJ 212-2017 table 9), both
inside the instrument range and not part of a flat line. Invalid or missing hours are *not* substituted here
(HJ 75-2017's substitution rules are for pollutant totals; for CO2 the bureau has not fixed one): the result
says how many hours are covered and the comparison opens a finding when coverage is below ``min_coverage``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from carbon.core.errors import ValidationError
from carbon.monitoring.hj212 import VALID_FLAGS

T0_K = 273.15  # K, standard temperature (HJ 75-2017)
P0_KPA = 101.325  # kPa, standard pressure
M_CO2 = 44.0095  # g/mol
V_M = 22.414  # L/mol at 273.15 K, 101.325 kPa
MG_PER_T = 1e9

CO2, CH4, FLOW, VELOCITY, TEMPERATURE, PRESSURE, HUMIDITY, AREA, O2 = (
    "a05001", "a05002", "a00000", "a01011", "a01012", "a01013", "a01014", "a01016", "a19001")
REQUIRED = (CO2, FLOW)

# Instrument ranges (lower, upper) in the units of hj212.POLLUTANTS. Defaults for a coal-fired stack; the range
# of a site's analyser is data of its data-quality control plan and should be passed per stack.
DEFAULT_RANGES: dict[str, tuple[float, float]] = {
    CO2: (0.0, 400_000.0),  # mg/m3 (about 0–20 % by volume)
    CH4: (0.0, 50_000.0),
    FLOW: (0.0, 2_000.0),  # m3/s
    TEMPERATURE: (-40.0, 400.0),  # °C
    PRESSURE: (50.0, 150.0),  # kPa
    HUMIDITY: (0.0, 40.0),  # %
    O2: (0.0, 25.0),  # %
}

# Threshold of |measured − calculated| / calculated, percent, per ETS industry (carbon.ets.models.INDUSTRIES).
# Not official: no threshold has been published; the pilots' gaps were 5–30 %. The bureau overrides these.
DEFAULT_THRESHOLDS_PCT: dict[str, float] = {
    "power": 10.0,
    "cement": 10.0,
    "aluminium": 10.0,
    "steel": 15.0,
    "coal_chemical": 15.0,
    "chemical": 15.0,
    "other": 15.0,
}
DEFAULT_MIN_COVERAGE = 0.9  # share of the period's hours that must be valid before a comparison is trusted
DEFAULT_FLATLINE_HOURS = 6  # the same value this many consecutive hours is a flat line


# --- conversions ------------------------------------------------------------------------------------------

def dry_from_wet(value_wet: float, humidity_pct: float) -> float:
    """A concentration on a dry basis: ``C_dry = C_wet / (1 − X_sw)``."""
    x = humidity_pct / 100.0
    if not 0.0 <= x < 1.0:
        raise ValidationError(key="monitoring_humidity_range", params={"humidity": humidity_pct}, field="humidity")
    return value_wet / (1.0 - x)


def dry_flow(flow_wet: float, humidity_pct: float) -> float:
    """A flow on a dry basis: ``Q_dry = Q_wet × (1 − X_sw)``."""
    x = humidity_pct / 100.0
    if not 0.0 <= x < 1.0:
        raise ValidationError(key="monitoring_humidity_range", params={"humidity": humidity_pct}, field="humidity")
    return flow_wet * (1.0 - x)


def standard_flow(flow_actual: float, temperature_c: float, pressure_kpa: float) -> float:
    """``Q_std = Q_act × 273.15 / (273.15 + t) × p / 101.325``."""
    return flow_actual * T0_K / (T0_K + temperature_c) * pressure_kpa / P0_KPA


def standard_concentration(c_actual: float, temperature_c: float, pressure_kpa: float) -> float:
    """``C_std = C_act × (273.15 + t) / 273.15 × 101.325 / p``."""
    return c_actual * (T0_K + temperature_c) / T0_K * P0_KPA / pressure_kpa


def percent_co2_to_mg_m3(percent: float) -> float:
    """CO2 in % by volume → mg/m3 at standard conditions (1 % = 19 635 mg/m3)."""
    return percent / 100.0 * M_CO2 / V_M * 1e6


def hourly_mass_t(concentration_mg_m3: float, flow_m3_h: float, hours: float = 1.0) -> float:
    """``M = C × Q × h × 1e-9``: mg/m3 × m3/h × h → t."""
    return concentration_mg_m3 * flow_m3_h * hours / MG_PER_T


# --- data quality -----------------------------------------------------------------------------------------

def _hour_index(start: datetime, end: datetime) -> pd.DatetimeIndex:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationError(key="monitoring_period_naive", field="start")
    if end <= start:
        raise ValidationError(key="monitoring_period_order", field="end")
    return pd.date_range(pd.Timestamp(start).tz_convert("UTC").ceil("h"), pd.Timestamp(end).tz_convert("UTC"),
                         freq="h", inclusive="left")


def _frame(hourly: pd.DataFrame | list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(hourly) if not isinstance(hourly, pd.DataFrame) else hourly.copy()
    for c in ("hour", "pollutant", "value"):
        if c not in df.columns:
            if len(df) == 0:
                df[c] = []
            else:
                raise ValidationError(key="monitoring_hourly_column", params={"column": c}, field=c)
    if "flag" not in df.columns:
        df["flag"] = "N"
    df["hour"] = pd.to_datetime(df["hour"], utc=True)
    df["value"] = pd.to_numeric(df["value"]).astype(float)
    df["flag"] = df["flag"].fillna("N").astype(str)
    return df


def missing_hours(hourly: pd.DataFrame | list[dict], start: datetime, end: datetime,
                  required: tuple[str, ...] = REQUIRED) -> list[dict[str, Any]]:
    """Hours of ``[start, end)`` without a value for each of ``required``: one issue per (hour, pollutant)."""
    df = _frame(hourly)
    hours = _hour_index(start, end)
    issues = []
    for code in required:
        have = set(df.loc[df["pollutant"] == code, "hour"])
        for h in hours:
            if h not in have:
                issues.append({"rule": "missing_hour", "pollutant": code, "hour": h.to_pydatetime(),
                               "message": f"no {code} value for hour {h:%Y-%m-%d %H:00} UTC"})
    return issues


def flatlines(hourly: pd.DataFrame | list[dict], n: int = DEFAULT_FLATLINE_HOURS,
              codes: tuple[str, ...] = REQUIRED) -> list[dict[str, Any]]:
    """Runs of at least ``n`` consecutive hours (no gap) with the same value of one pollutant."""
    if n < 2:
        raise ValidationError(key="monitoring_flatline_hours", field="flatline_hours")
    df = _frame(hourly)
    issues = []
    for code in codes:
        s = df.loc[df["pollutant"] == code, ["hour", "value"]].sort_values("hour")
        if s.empty:
            continue
        new_run = (s["value"].diff() != 0) | (s["hour"].diff() != pd.Timedelta(hours=1))
        run_id = new_run.cumsum()
        for _, run in s.groupby(run_id):
            if len(run) >= n:
                first, last = run["hour"].iloc[0], run["hour"].iloc[-1]
                issues.append({"rule": "flatline", "pollutant": code, "hour": first.to_pydatetime(),
                               "until": last.to_pydatetime(), "hours": len(run), "value": float(run["value"].iloc[0]),
                               "message": f"{code} stays at {run['value'].iloc[0]:g} for {len(run)} hours from "
                                          f"{first:%Y-%m-%d %H:00} UTC (flat line >= {n} h)"})
    return issues


def out_of_range(hourly: pd.DataFrame | list[dict],
                 ranges: dict[str, tuple[float, float]] | None = None) -> list[dict[str, Any]]:
    """Values outside the instrument range ``(lower, upper)`` of their pollutant."""
    df = _frame(hourly)
    ranges = DEFAULT_RANGES if ranges is None else ranges
    issues = []
    for code, (lo, hi) in ranges.items():
        bad = df[(df["pollutant"] == code) & ((df["value"] < lo) | (df["value"] > hi))]
        for row in bad.itertuples():
            issues.append({"rule": "out_of_range", "pollutant": code, "hour": row.hour.to_pydatetime(),
                           "value": row.value,
                           "message": f"{code} = {row.value:g} at {row.hour:%Y-%m-%d %H:00} UTC is outside the "
                                      f"instrument range [{lo:g}, {hi:g}]"})
    return issues


def invalid_flags(hourly: pd.DataFrame | list[dict]) -> list[dict[str, Any]]:
    """Values whose flag is not N (only N is valid for emissions, HJ 212-2017 table 9)."""
    df = _frame(hourly)
    bad = df[~df["flag"].isin(VALID_FLAGS)]
    return [{"rule": "invalid_flag", "pollutant": r.pollutant, "hour": r.hour.to_pydatetime(), "flag": r.flag,
             "message": f"{r.pollutant} at {r.hour:%Y-%m-%d %H:00} UTC has flag {r.flag} (only N is valid)"}
            for r in bad.itertuples()]


def check_quality(hourly: pd.DataFrame | list[dict], start: datetime, end: datetime, *,
                  flatline_hours: int = DEFAULT_FLATLINE_HOURS,
                  ranges: dict[str, tuple[float, float]] | None = None,
                  required: tuple[str, ...] = REQUIRED) -> list[dict[str, Any]]:
    """All data-quality rules over the period: missing hours, flat lines, out of range, invalid flags."""
    df = _frame(hourly)
    hours = _hour_index(start, end)
    df = df[df["hour"].isin(hours)]
    return (missing_hours(df, start, end, required) + flatlines(df, flatline_hours, required)
            + out_of_range(df, ranges) + invalid_flags(df))


# --- measured emissions -----------------------------------------------------------------------------------

@dataclass
class Basis:
    """How a stack's values are sent (its DAU configuration; defaults = hj212.POLLUTANTS' assumptions)."""

    concentration: str = "dry_standard"  # dry_standard | wet_standard | wet_actual | dry_actual
    flow: str = "dry_standard"  # same choices
    flow_unit: str = "m3/s"  # m3/s | m3/h
    co2_unit: str = "mg/m3"  # mg/m3 | %

    def __post_init__(self) -> None:
        bases = ("dry_standard", "wet_standard", "wet_actual", "dry_actual")
        for name, value, allowed in (("concentration", self.concentration, bases), ("flow", self.flow, bases),
                                     ("flow_unit", self.flow_unit, ("m3/s", "m3/h")),
                                     ("co2_unit", self.co2_unit, ("mg/m3", "%"))):
            if value not in allowed:
                raise ValidationError(key="monitoring_basis", params={"name": name, "known": ", ".join(allowed)}, field=name)

    @property
    def needs(self) -> tuple[str, ...]:
        out: list[str] = []
        if "wet" in self.concentration or "wet" in self.flow:
            out.append(HUMIDITY)
        if "actual" in self.concentration or "actual" in self.flow:
            out += [TEMPERATURE, PRESSURE]
        return tuple(out)


@dataclass
class Measured:
    total_t: float
    hours_in_period: int
    hours_valid: int
    coverage: float  # hours_valid / hours_in_period
    per_hour: pd.DataFrame  # hour, c_raw, q_raw, c_dry_std_mg_m3, q_dry_std_m3_h, mass_t, valid, reason
    issues: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self, *, hours: bool = False) -> dict[str, Any]:
        out = {"total_t": self.total_t, "hours_in_period": self.hours_in_period, "hours_valid": self.hours_valid,
               "coverage": self.coverage, "issues": self.issues, "steps": self.steps}
        if hours:
            out["per_hour"] = self.per_hour.to_dict(orient="records")
        return out


def measured_emissions(hourly: pd.DataFrame | list[dict], start: datetime, end: datetime, *,
                       basis: Basis | None = None, flatline_hours: int = DEFAULT_FLATLINE_HOURS,
                       ranges: dict[str, tuple[float, float]] | None = None) -> Measured:
    """CO2 of one stack over ``[start, end)`` (UTC hours), from its hourly CEMS values; see the module docstring."""
    basis = basis or Basis()
    df = _frame(hourly)
    hours = _hour_index(start, end)
    df = df[df["hour"].isin(hours)]
    issues = check_quality(df, start, end, flatline_hours=flatline_hours, ranges=ranges,
                           required=REQUIRED + basis.needs)
    bad = {(i["pollutant"], i["hour"]) for i in issues if i["rule"] in ("out_of_range", "invalid_flag")}
    for i in issues:
        if i["rule"] == "flatline":
            for h in pd.date_range(i["hour"], i["until"], freq="h"):
                bad.add((i["pollutant"], h.to_pydatetime()))
    wide = df.pivot_table(index="hour", columns="pollutant", values="value", aggfunc="last").reindex(hours)
    rows = []
    for h in hours:
        row = wide.loc[h] if len(wide.columns) else pd.Series(dtype=float)
        reason = None
        needed = REQUIRED + basis.needs
        for code in needed:
            v = row.get(code)
            if v is None or pd.isna(v):
                reason = f"missing {code}"
                break
            if (code, h.to_pydatetime()) in bad:
                reason = f"invalid {code}"
                break
        c_raw, q_raw = row.get(CO2), row.get(FLOW)
        c = q = mass = None
        if reason is None:
            c = percent_co2_to_mg_m3(c_raw) if basis.co2_unit == "%" else float(c_raw)
            q = float(q_raw) * (3600.0 if basis.flow_unit == "m3/s" else 1.0)
            t, p, x = row.get(TEMPERATURE), row.get(PRESSURE), row.get(HUMIDITY)
            if "actual" in basis.concentration:
                c = standard_concentration(c, t, p)
            if "wet" in basis.concentration:
                c = dry_from_wet(c, x)
            if "actual" in basis.flow:
                q = standard_flow(q, t, p)
            if "wet" in basis.flow:
                q = dry_flow(q, x)
            mass = hourly_mass_t(c, q)
        rows.append({"hour": h.to_pydatetime(), "c_raw": None if c_raw is None or pd.isna(c_raw) else float(c_raw),
                     "q_raw": None if q_raw is None or pd.isna(q_raw) else float(q_raw),
                     "c_dry_std_mg_m3": c, "q_dry_std_m3_h": q, "mass_t": mass, "valid": reason is None,
                     "reason": reason})
    per_hour = pd.DataFrame(rows, columns=["hour", "c_raw", "q_raw", "c_dry_std_mg_m3", "q_dry_std_m3_h", "mass_t",
                                           "valid", "reason"])
    valid = int(per_hour["valid"].sum()) if len(per_hour) else 0
    total = float(per_hour.loc[per_hour["valid"], "mass_t"].sum()) if valid else 0.0
    steps = [
        {"name": "basis", "value": {"concentration": basis.concentration, "flow": basis.flow,
                                    "flow_unit": basis.flow_unit, "co2_unit": basis.co2_unit}, "unit": None},
        {"name": "hours_in_period", "value": len(hours), "unit": "h"},
        {"name": "hours_valid", "value": valid, "unit": "h"},
        {"name": "M = Σ C_h × Q_h × 1 h × 1e-9", "value": total, "unit": "t CO2"},
    ]
    return Measured(total_t=total, hours_in_period=len(hours), hours_valid=valid,
                    coverage=valid / len(hours) if len(hours) else 0.0, per_hour=per_hour, issues=issues,
                    steps=steps)


# --- comparison ---------------------------------------------------------------------------------------------

@dataclass
class Comparison:
    measured_t: float
    calculated_t: float
    deviation_pct: float
    threshold_pct: float
    exceeds: bool
    coverage: float | None
    finding: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return {"measured_t": self.measured_t, "calculated_t": self.calculated_t,
                "deviation_pct": self.deviation_pct, "threshold_pct": self.threshold_pct, "exceeds": self.exceeds,
                "coverage": self.coverage, "finding": self.finding}


def deviation_pct(measured_t: float, calculated_t: float) -> float:
    """``(measured − calculated) / calculated × 100``."""
    if calculated_t <= 0:
        raise ValidationError(key="monitoring_calculated_not_positive", field="calculated_t")
    return (measured_t - calculated_t) / calculated_t * 100.0


def threshold_for(industry: str, thresholds: dict[str, float] | None = None) -> float:
    table = {**DEFAULT_THRESHOLDS_PCT, **(thresholds or {})}
    if industry not in table:
        raise ValidationError(key="monitoring_no_threshold", params={"industry": industry}, field="industry")
    return float(table[industry])


def compare(*, measured_t: float, calculated_t: float, industry: str, emitter: str, period: tuple[datetime, datetime],
            stacks: list[str] | None = None, coverage: float | None = None, quality_issues: int = 0,
            thresholds: dict[str, float] | None = None, min_coverage: float = DEFAULT_MIN_COVERAGE) -> Comparison:
    """Measured (CEMS) vs calculated (accounting guideline) emissions of one emitter and period.

    A finding (a dict the verification workflow can open as a nonconformity or a spot check) is produced when
    ``|deviation| > threshold`` or when the measured data cover less than ``min_coverage`` of the period.
    """
    dev = deviation_pct(measured_t, calculated_t)
    threshold = threshold_for(industry, thresholds)
    exceeds = abs(dev) > threshold
    low_coverage = coverage is not None and coverage < min_coverage
    finding = None
    if exceeds or low_coverage:
        reasons = []
        if exceeds:
            reasons.append(f"measured {measured_t:,.1f} t vs calculated {calculated_t:,.1f} t: deviation {dev:+.2f} % "
                           f"exceeds the {industry} threshold of {threshold:g} %")
        if low_coverage:
            reasons.append(f"valid CEMS hours cover {coverage:.1%} of the period (minimum {min_coverage:.0%})")
        finding = {
            "kind": "cems_deviation" if exceeds else "cems_coverage",
            "emitter": emitter,
            "industry": industry,
            "period_start": period[0].isoformat(),
            "period_end": period[1].isoformat(),
            "stacks": stacks or [],
            "measured_t": round(measured_t, 3),
            "calculated_t": round(calculated_t, 3),
            "deviation_pct": round(dev, 2),
            "threshold_pct": threshold,
            "coverage": None if coverage is None else round(coverage, 4),
            "quality_issues": quality_issues,
            "severity": "major" if exceeds and abs(dev) > 2 * threshold else "minor",
            "description": "; ".join(reasons),
            "suggested_action": "verifier to reconcile the CEMS data with the accounting data (fuel quantities, "
                                "carbon content, stack coverage) and explain the gap",
        }
    return Comparison(measured_t=measured_t, calculated_t=calculated_t, deviation_pct=dev, threshold_pct=threshold,
                      exceeds=exceeds, coverage=coverage, finding=finding)


def period_hours(start: datetime, end: datetime) -> int:
    return int((end - start) / timedelta(hours=1))
