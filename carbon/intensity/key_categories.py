"""Key category analysis, Approach 1 (2006 IPCC Guidelines, Vol. 1, Ch. 4 "Methodological choice and
identification of key categories", §4.3.1). Pure calculators.

A category is a source or sink category × gas (the Guidelines assess each gas of a category separately),
in CO2e. Sinks count by their absolute value, so a large forestry sink can be key.

Level assessment (Eq. 4.1):   L_x,t = |E_x,t| / Σ_y |E_y,t|

Trend assessment (Eq. 4.2):   T_x,t = (|E_x,0| / Σ_y |E_y,0|) · | (E_x,t − E_x,0) / |E_x,0|  −  (Σ_y E_y,t − Σ_y E_y,0) / |Σ_y E_y,0| |
    and, for a category absent in the base year (E_x,0 = 0), T_x,t = |E_x,t| / Σ_y |E_y,0| (the
    reformulation the chapter gives for a zero base-year estimate). [check] both forms against the PDF.

Categories are ranked by L (or by T's share of Σ T) in descending order; the key categories are those
whose cumulative share reaches the threshold, 95 %, *including the category that crosses it*.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon.core.errors import ValidationError

THRESHOLD = 0.95
SOURCE = ("2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 1 General Guidance and Reporting, "
          "Ch. 4 Methodological Choice and Identification of Key Categories, §4.3.1 Approach 1, Eq. 4.1 and 4.2")
KEYS = ["category", "gas"]


def _check(frame: pd.DataFrame, what: str) -> None:
    missing = {*KEYS, "co2e_t"} - set(frame.columns)
    if missing:
        raise ValidationError(key="intensity_frame_lacks_columns", params={"what": what, "columns": ", ".join(sorted(missing))},
                              field=what)
    if frame.duplicated(KEYS).any():
        raise ValidationError(key="intensity_frame_duplicates", params={"what": what}, field=what)


def _rank(frame: pd.DataFrame, score: str, threshold: float) -> pd.DataFrame:
    total = float(frame[score].sum())
    out = frame.sort_values([score, *KEYS], ascending=[False, True, True], kind="stable", ignore_index=True)
    out["share"] = out[score] / total if total > 0 else 0.0
    out["cumulative"] = out["share"].cumsum()
    before = out["cumulative"] - out["share"]
    out["key"] = (before < threshold - 1e-12) & (out[score] > 0)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def level_assessment(emissions: pd.DataFrame, *, threshold: float = THRESHOLD) -> pd.DataFrame:
    """Rank categories by |E| (Eq. 4.1). Input: category, gas, co2e_t (+ any label columns, kept).
    Output adds level (|E|), share (L), cumulative and key, ranked."""
    _check(emissions, "emissions")
    frame = emissions.copy()
    frame["co2e_t"] = frame["co2e_t"].astype(float)
    frame["level"] = frame["co2e_t"].abs()
    return _rank(frame, "level", threshold)


def trend_assessment(base: pd.DataFrame, current: pd.DataFrame, *, threshold: float = THRESHOLD) -> pd.DataFrame:
    """Rank categories by their contribution to the trend between two years (Eq. 4.2). Inputs: category,
    gas, co2e_t for the base year and the current year (a category missing from one counts as 0)."""
    _check(base, "base")
    _check(current, "current")
    labels = [c for c in current.columns if c not in (*KEYS, "co2e_t")]
    merged = base[[*KEYS, "co2e_t"]].merge(current[[*KEYS, "co2e_t"]], on=KEYS, how="outer", suffixes=("_base", ""))
    if labels:
        names = pd.concat([current[[*KEYS, *labels]], base[[*KEYS, *[c for c in labels if c in base.columns]]]])
        merged = merged.merge(names.drop_duplicates(KEYS), on=KEYS, how="left")
    merged[["co2e_t_base", "co2e_t"]] = merged[["co2e_t_base", "co2e_t"]].fillna(0.0).astype(float)
    e0 = merged["co2e_t_base"].to_numpy()
    et = merged["co2e_t"].to_numpy()
    abs_total0 = np.abs(e0).sum()
    if abs_total0 <= 0:
        raise ValidationError(key="intensity_base_year_empty", field="base_year")
    total0, totalt = e0.sum(), et.sum()
    if total0 == 0:
        raise ValidationError(key="intensity_base_total_zero", field="base_year")
    total_trend = (totalt - total0) / abs(total0)
    with np.errstate(divide="ignore", invalid="ignore"):
        category_trend = np.where(e0 != 0, (et - e0) / np.abs(e0), 0.0)
        t = np.where(e0 != 0, np.abs(e0) / abs_total0 * np.abs(category_trend - total_trend), np.abs(et) / abs_total0)
    merged["trend"] = t
    merged["category_trend_pct"] = np.where(e0 != 0, category_trend * 100, np.nan)
    merged["total_trend_pct"] = total_trend * 100
    return _rank(merged, "trend", threshold)
