"""Inventory uncertainty: Approach 1 (error propagation) and Approach 2 (Monte Carlo). Pure calculators.

Source: 2006 IPCC Guidelines, Vol. 1, Ch. 3 "Uncertainties". Uncertainties are the half-width of the 95 %
confidence interval as a percentage of the estimate (U = 100 · 1.96 σ / μ for a normal distribution).

Approach 1 (§3.2.3.1):
- a product (emissions = activity × factor):  U_x = √(U_AD² + U_EF²)                         (Eq. 3.1)
- a sum (categories into a total):            U_total = √Σ (U_x · E_x)² / |Σ E_x|            (Eq. 3.2)
It assumes uncorrelated inputs and works best below ~30–60 % (§3.2.3.1); larger ranges call for Approach 2.
A sink enters the sum with its sign, its uncertainty with |E_x|.

Approach 2 (§3.2.3.2): draws of every activity and factor, seeded (``numpy.random.default_rng(seed)``) so a
report can be reproduced exactly. Distributions: normal for U ≤ 50 % (clipped at zero), lognormal with the
same mean and standard deviation above (a non-negative quantity with a long right tail). Rows that share a
``factor_group`` (the same factor row, e.g. raw-coal carbon content in every combustion category) share one
factor draw: the correlation Approach 1 ignores. Activity draws are independent per row.

Input rows: emissions (t CO2e, signed), u_activity_pct, u_factor_pct, and optionally factor_group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon.core.errors import ValidationError

SOURCE = ("2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 1 General Guidance and Reporting, "
          "Ch. 3 Uncertainties, §3.2.3 Eq. 3.1 (products) and Eq. 3.2 (sums); Approach 2 Monte Carlo §3.2.3.2")
Z95 = 1.959963984540054  # two-sided 95 % quantile of the standard normal distribution
NORMAL_LIMIT_PCT = 50.0
DEFAULT_DRAWS = 20000
DEFAULT_SEED = 20060101


def _check(rows: pd.DataFrame) -> None:
    missing = {"emissions", "u_activity_pct", "u_factor_pct"} - set(rows.columns)
    if missing:
        raise ValidationError(key="intensity_uncertainty_rows_lack", params={"columns": ", ".join(sorted(missing))}, field="rows")
    for col in ("u_activity_pct", "u_factor_pct"):
        v = rows[col].to_numpy(float)
        if np.isnan(v).any() or (v < 0).any():
            raise ValidationError(key="intensity_uncertainty_not_percentage", params={"column": col}, field=col)


def combine_product(*u_pct: float | np.ndarray) -> np.ndarray:
    """Eq. 3.1: the uncertainty (%) of a product of independent terms."""
    return np.sqrt(np.sum([np.asarray(u, dtype=float) ** 2 for u in u_pct], axis=0))


def combine_sum(emissions, u_pct) -> float:
    """Eq. 3.2: the uncertainty (%) of Σ E_x from each term's E_x and U_x (%)."""
    e = np.asarray(emissions, dtype=float)
    u = np.asarray(u_pct, dtype=float)
    total = e.sum()
    if total == 0:
        raise ValidationError(key="intensity_total_zero", field="emissions")
    return float(np.sqrt(np.sum((u * e) ** 2)) / abs(total))


@dataclass
class Interval:
    total: float
    low: float
    high: float
    u_low_pct: float  # (total − low) / |total| · 100
    u_high_pct: float  # (high − total) / |total| · 100
    method: str
    draws: int | None = None
    seed: int | None = None

    def as_dict(self) -> dict:
        return {"total_t": self.total, "low_t": self.low, "high_t": self.high, "u_low_pct": self.u_low_pct,
                "u_high_pct": self.u_high_pct, "method": self.method, "draws": self.draws, "seed": self.seed}


def approach1(rows: pd.DataFrame) -> tuple[pd.DataFrame, Interval]:
    """Per row: u_combined_pct (Eq. 3.1) and its share of the total variance; and the total's 95 % interval
    (Eq. 3.2, symmetric)."""
    _check(rows)
    out = rows.copy()
    e = out["emissions"].to_numpy(float)
    u = combine_product(out["u_activity_pct"].to_numpy(float), out["u_factor_pct"].to_numpy(float))
    out["u_combined_pct"] = u
    var = (u * e) ** 2
    out["variance_share"] = var / var.sum() if var.sum() > 0 else 0.0
    total = float(e.sum())
    u_total = combine_sum(e, u)
    half = abs(total) * u_total / 100
    return out, Interval(total, total - half, total + half, u_total, u_total, "approach1")


def _multipliers(u_pct: np.ndarray, rng: np.random.Generator, draws: int) -> np.ndarray:
    """draws × len(u) multipliers of mean 1 and 95 % half-width ≈ u % (see the module docstring)."""
    sd = np.asarray(u_pct, dtype=float) / 100 / Z95
    out = np.empty((draws, len(sd)))
    normal = sd * 100 <= NORMAL_LIMIT_PCT
    z = rng.standard_normal((draws, len(sd)))
    out[:, normal] = np.clip(1 + z[:, normal] * sd[normal], 0, None)
    if (~normal).any():
        s2 = np.log1p(sd[~normal] ** 2)
        out[:, ~normal] = np.exp(z[:, ~normal] * np.sqrt(s2) - s2 / 2)
    return out


def monte_carlo(rows: pd.DataFrame, *, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED) -> tuple[np.ndarray, Interval]:
    """Approach 2: the simulated totals and the 2.5–97.5 percentile interval around the central estimate.
    Same rows, draws and seed → the same numbers, bit for bit."""
    _check(rows)
    if not 100 <= draws <= 1_000_000:
        raise ValidationError(key="intensity_draws_range", field="draws")
    rng = np.random.default_rng(seed)
    e = rows["emissions"].to_numpy(float)
    activity = _multipliers(rows["u_activity_pct"].to_numpy(float), rng, draws)
    u_factor = rows["u_factor_pct"].to_numpy(float)
    if "factor_group" in rows.columns:
        groups, index = np.unique(rows["factor_group"].astype(str).to_numpy(), return_inverse=True)
        first = np.array([np.flatnonzero(index == g)[0] for g in range(len(groups))])
        factor = _multipliers(u_factor[first], rng, draws)[:, index]
    else:
        factor = _multipliers(u_factor, rng, draws)
    totals = (activity * factor) @ e
    total = float(e.sum())
    low, high = (float(x) for x in np.percentile(totals, [2.5, 97.5]))
    scale = abs(total) if total else 1.0
    return totals, Interval(total, low, high, (total - low) / scale * 100, (high - total) / scale * 100,
                            "approach2_monte_carlo", draws, seed)


@dataclass(frozen=True)
class UncertaintyDefault:
    """A default range for category (prefix) × gas × item, from a cited table."""

    scope: str  # category code prefix, or '*'
    gas: str  # gas or '*'
    item: str  # item code or '*'
    activity_pct: float
    factor_pct: float
    source: str
    source_table: str
    note: str = ""

    def matches(self, category: str, gas: str, item: str) -> bool:
        return ((self.scope == "*" or category == self.scope or category.startswith(self.scope + "."))
                and self.gas in ("*", gas) and self.item in ("*", item))

    def rank(self) -> tuple:
        return (-(len(self.scope) if self.scope != "*" else 0), self.gas == "*", self.item == "*")


def assign(rows: pd.DataFrame, defaults: list[UncertaintyDefault], factor_pct: dict[str, float]) -> pd.DataFrame:
    """Give each result row (category, item, gas, co2e_t, factor_refs) its activity and factor uncertainty.

    The factor uncertainty comes from the factor library when the rows it used carry ``uncertainty_pct``
    (combined by Eq. 3.1 over those rows: NCV × carbon content × oxidation are a product); otherwise from
    the most specific default (longest category prefix, then exact gas, then exact item). The activity
    uncertainty always comes from the defaults. Columns added: emissions, u_activity_pct, u_factor_pct,
    factor_group, u_source. Raises ValidationError naming a row no default covers.
    """
    ordered = sorted(defaults, key=lambda d: d.rank())
    u_act, u_fac, group, source = [], [], [], []
    for category, item, gas, refs in zip(rows["category"].astype(str), rows["item"].astype(str),
                                         rows["gas"].astype(str), rows["factor_refs"].astype(str)):
        default = next((d for d in ordered if d.matches(category, gas, item)), None)
        if default is None:
            raise ValidationError(key="intensity_no_uncertainty_default",
                                  params={"category": category, "item": item, "gas": gas}, field="category")
        ref_list = [r for r in refs.split(";") if r]
        own = [factor_pct[r] for r in ref_list if factor_pct.get(r) is not None]
        u_act.append(default.activity_pct)
        if own:
            u_fac.append(float(combine_product(*own)))
            source.append("factor library uncertainty_pct; activity: " + default.source_table)
        else:
            u_fac.append(default.factor_pct)
            source.append(default.source_table)
        group.append(refs or f"{category}|{item}|{gas}")
    out = rows.copy()
    out["emissions"] = out["co2e_t"].astype(float)
    out["u_activity_pct"] = u_act
    out["u_factor_pct"] = u_fac
    out["factor_group"] = [f"{g}|{gas}" for g, gas in zip(group, rows["gas"].astype(str))]
    out["u_source"] = source
    return out
