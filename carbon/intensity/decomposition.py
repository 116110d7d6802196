"""City intensity targets split across banners, the check that the split meets the city target, and the
yearly evaluation of each banner. Pure calculators.

The plan makes carbon intensity a binding target, splits it across the banners and evaluates each
banner every year (seed plan ch. 4: "将降碳指标分解到各旗区政府 … 定期对各旗区人民政府节能降碳工作进行综合评价").

Notation: banner b, base year 0, target year T; E emissions (or energy), G GDP at constant prices,
I = E / G; R the city's required reduction of intensity (0.18 for −18 %), r_b a banner's.

The city's intensity is a ratio of sums, so the city meets its target in year T only if

    Σ_b I_b0 (1 − r_b) G_bT  ≤  (1 − R) · I_c0 · Σ_b G_bT,      I_c0 = Σ E_b0 / Σ G_b0          (1)

which depends on the GDP path G_bT: if high-intensity banners grow faster, every banner cutting its own
intensity by R is not enough (the structural effect). Every method below sets r_b = k · w_b with weights
w_b of its own and solves (1) with equality for k:

    k = (Σ I_b0 G_bT − (1 − R) I_c0 Σ G_bT) / Σ I_b0 w_b G_bT                                     (2)

Methods (the weights; a policy choice, documented, none of them published by the plan):

- ``equal_rate``: w_b = 1, one uniform rate for every banner. It equals R exactly when the GDP path keeps
  the banners' GDP shares; otherwise it differs from R by the structural effect, and the output says so.
- ``intensity_level``: w_b = (I_b0 / I_c0)^α (α = 1 by default): banners above the city's intensity cut
  more ("differentiated by intensity level").
- ``gdp_share``: w_b = (s_b / s̄)^α with s_b the base-year GDP share and s̄ its mean: larger economies
  carry more of the reduction.

``check`` recomputes (1) for any set of banner targets (adopted, edited by hand, or from elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from carbon.core.errors import ValidationError
from carbon.core.regions import BY_CODE, CITY_CODE

METHODS = {
    "equal_rate": "等比例分解：各旗区同一降低率（按GDP路径校正结构效应）",
    "intensity_level": "按强度水平差异化分解：强度高于全市者多降 (w = (I_b/I_c)^α)",
    "gdp_share": "按GDP占比差异化分解：经济体量大者多降 (w = (s_b/s̄)^α)",
}
CAP_METHODS = {
    "base_share": "按基准年能耗占比分配总量上限",
    "gdp_path": "按基准年能耗强度与GDP路径（预计需求）比例分配总量上限",
}
TOLERANCE = 1e-9  # relative, for "meets the target"

STATUS_ZH = {"on_track": "进度正常", "warning": "预警", "off_track": "进度滞后"}
STATUS_RULE = ("on_track: cumulative reduction since the base year ≥ the constant-annual-rate path to the target "
               "for this year; warning: behind that path but not behind the path's value for the previous year "
               "(at most one year behind schedule); off_track: more than one year behind (including intensity "
               "above the base year when a fall is required). In the target year itself: on_track if the target is met, "
               "else off_track. The constant-rate path for year y is 1 − (1 − R)^((y − B)/(T − B)).")
STATUS_RULE_ZH = ("进度正常：基准年以来累计降低率不低于按年均等速降低路径应达到的当年进度；预警：低于当年进度，"
                  "但不低于上一年进度（滞后不超过一年）；进度滞后：滞后超过一年（含强度高于基准年）；目标年完成目标为进度正常，未完成为进度滞后。")


@dataclass
class BannerTarget:
    region: str
    base_value: float  # E_b0 (t CO2, or tce for energy intensity)
    base_gdp: float  # G_b0, 10^4 CNY constant prices
    target_gdp: float  # G_bT on the GDP path used
    weight: float
    reduction: float  # r_b (0.18 = −18 %)

    @property
    def base_intensity(self) -> float:
        return self.base_value / self.base_gdp

    @property
    def target_intensity(self) -> float:
        return self.base_intensity * (1 - self.reduction)


@dataclass
class Decomposition:
    metric: str
    method: str
    alpha: float
    base_year: int
    target_year: int
    city_reduction: float  # R
    banners: list[BannerTarget]
    k: float
    implied_city_reduction: float = 0.0
    meets: bool = False
    notes: list[str] = field(default_factory=list)
    notes_zh: list[str] = field(default_factory=list)

    @property
    def city_base_intensity(self) -> float:
        return sum(b.base_value for b in self.banners) / sum(b.base_gdp for b in self.banners)

    def as_frame(self) -> pd.DataFrame:
        years = self.target_year - self.base_year
        total_base = sum(b.base_gdp for b in self.banners)
        total_target = sum(b.target_gdp for b in self.banners)
        rows = [{
            "region": b.region, "region_name": BY_CODE[b.region].name_zh if b.region in BY_CODE else b.region,
            "base_value": b.base_value, "base_gdp_10k_cny": b.base_gdp, "target_gdp_10k_cny": b.target_gdp,
            "base_gdp_share_pct": b.base_gdp / total_base * 100, "target_gdp_share_pct": b.target_gdp / total_target * 100,
            "base_intensity": b.base_intensity, "weight": b.weight, "reduction_pct": b.reduction * 100,
            "target_intensity": b.target_intensity, "required_annual_pct": annual_rate(b.reduction, years) * 100,
        } for b in self.banners]
        return pd.DataFrame(rows)


def annual_rate(cumulative: float, years: int) -> float:
    """The constant annual rate of decline giving ``cumulative`` over ``years``: 1 − (1 − R)^(1/n)."""
    if years <= 0:
        raise ValidationError(key="intensity_target_year_order", field="target_year")
    if cumulative >= 1:
        raise ValidationError(key="intensity_reduction_too_large", field="reduction_pct")
    return 1 - (1 - cumulative) ** (1 / years)


def implied_city_reduction(base_values, base_gdp, target_gdp, reductions) -> float:
    """The city's intensity reduction from base to target year if every banner meets its own r_b, under the
    GDP path ``target_gdp``: 1 − [Σ I_b0 (1 − r_b) G_bT / Σ G_bT] / [Σ E_b0 / Σ G_b0]  (equation (1))."""
    e0, g0, gT, r = (np.asarray(x, dtype=float) for x in (base_values, base_gdp, target_gdp, reductions))
    city0 = e0.sum() / g0.sum()
    cityT = float(np.sum(e0 / g0 * (1 - r) * gT) / gT.sum())
    return 1 - cityT / city0


def _frame_check(banners: pd.DataFrame) -> None:
    needed = {"region", "base_value", "base_gdp", "target_gdp"}
    missing = needed - set(banners.columns)
    if missing:
        raise ValidationError(key="intensity_banners_lack", params={"columns": ", ".join(sorted(missing))}, field="banners")
    if banners.empty:
        raise ValidationError(key="intensity_no_banners", field="banners")
    if (banners["region"] == CITY_CODE).any():
        raise ValidationError(key="intensity_city_not_banner", field="banners")
    for col in ("base_value", "base_gdp", "target_gdp"):
        if not (banners[col] > 0).all():
            raise ValidationError(key="intensity_banner_not_positive", params={"column": col}, field=col)


def decompose(banners: pd.DataFrame, *, reduction: float, base_year: int, target_year: int,
              method: str = "equal_rate", alpha: float = 1.0, metric: str = "carbon_intensity") -> Decomposition:
    """Split the city's intensity reduction ``reduction`` (0.18 = −18 %) across ``banners`` (columns region,
    base_value, base_gdp, target_gdp) so that the city meets it under that GDP path (module docstring)."""
    if method not in METHODS:
        raise ValidationError(key="intensity_unknown_method", params={"method": method, "known": ", ".join(METHODS)},
                              field="method")
    if not 0 < reduction < 1:
        raise ValidationError(key="intensity_reduction_range", field="reduction_pct")
    if target_year <= base_year:
        raise ValidationError(key="intensity_target_year_order", field="target_year")
    _frame_check(banners)
    e0 = banners["base_value"].to_numpy(float)
    g0 = banners["base_gdp"].to_numpy(float)
    gT = banners["target_gdp"].to_numpy(float)
    i0 = e0 / g0
    ic0 = e0.sum() / g0.sum()
    if method == "equal_rate":
        w = np.ones_like(i0)
    elif method == "intensity_level":
        w = (i0 / ic0) ** alpha
    else:
        share = g0 / g0.sum()
        w = (share / share.mean()) ** alpha
    k = (np.sum(i0 * gT) - (1 - reduction) * ic0 * gT.sum()) / np.sum(i0 * w * gT)  # equation (2)
    r = k * w
    notes, notes_zh = [], []
    if np.any(r >= 1):
        worst = banners["region"].to_numpy()[int(np.argmax(r))]
        raise ValidationError(key="intensity_method_infeasible",
                              params={"method": method, "banner": _name(worst), "cut": r.max() * 100}, field="method")
    if k < 0:
        notes.append("the GDP path alone meets the city target (high-intensity banners grow more slowly): "
                     "banner intensities may rise")
        notes_zh.append("仅经济结构变化即可完成全市目标（高强度旗区增长较慢），旗区强度可上升")
    if method == "equal_rate" and abs(k - reduction) > 1e-6:
        notes.append(f"uniform banner rate {k * 100:.2f}% differs from the city's {reduction * 100:.2f}% by the "
                     "structural effect of the GDP path (shares of high- and low-intensity banners change)")
        notes_zh.append(f"统一降低率{k * 100:.2f}%与全市目标{reduction * 100:.2f}%之差为GDP路径的结构效应"
                        "（高、低强度旗区的GDP占比变化）")
    targets = [BannerTarget(str(code), float(a), float(b), float(c), float(wi), float(ri))
               for code, a, b, c, wi, ri in zip(banners["region"], e0, g0, gT, w, r)]
    out = Decomposition(metric=metric, method=method, alpha=alpha, base_year=base_year, target_year=target_year,
                        city_reduction=reduction, banners=targets, k=float(k), notes=notes, notes_zh=notes_zh)
    return check(out)


def check(decomposition: Decomposition) -> Decomposition:
    """Recompute equation (1) for the decomposition's banner targets; sets implied_city_reduction and meets."""
    b = decomposition.banners
    implied = implied_city_reduction([x.base_value for x in b], [x.base_gdp for x in b], [x.target_gdp for x in b],
                                     [x.reduction for x in b])
    decomposition.implied_city_reduction = float(implied)
    decomposition.meets = bool(implied >= decomposition.city_reduction - TOLERANCE * max(1.0, decomposition.city_reduction))
    return decomposition


def _name(code: str) -> str:
    return BY_CODE[code].name_zh if code in BY_CODE else code


def split_cap(banners: pd.DataFrame, *, cap: float, method: str = "base_share") -> pd.DataFrame:
    """Split a total cap (e.g. energy consumption ≤ 7,870 万tce by 2025, plan ch. 3) across banners.

    ``banners``: region, base_value (base-year consumption), base_gdp, target_gdp.
    ``base_share``: cap_b = cap · E_b0 / Σ E_0. ``gdp_path``: cap_b ∝ E_b0 · G_bT / G_b0 (each banner's need
    at unchanged energy intensity on the GDP path), scaled to the cap. Either way Σ cap_b = cap.
    """
    if method not in CAP_METHODS:
        raise ValidationError(key="intensity_unknown_cap_method", params={"method": method, "known": ", ".join(CAP_METHODS)},
                              field="method")
    if not cap > 0:
        raise ValidationError(key="intensity_cap_not_positive", field="cap")
    _frame_check(banners)
    e0 = banners["base_value"].to_numpy(float)
    need = e0 if method == "base_share" else e0 * banners["target_gdp"].to_numpy(float) / banners["base_gdp"].to_numpy(float)
    caps = cap * need / need.sum()
    return pd.DataFrame({"region": banners["region"].to_numpy(), "region_name": [_name(c) for c in banners["region"]],
                         "base_value": e0, "cap": caps, "cap_share_pct": caps / cap * 100,
                         "change_vs_base_pct": (caps / e0 - 1) * 100})


@dataclass
class Evaluation:
    region: str
    year: int
    base_year: int
    target_year: int
    target_reduction: float  # R (0.18)
    base_intensity: float
    intensity: float
    required_annual: float  # over the whole period
    achieved_cumulative: float  # 1 − I_y / I_0 (negative when intensity rose)
    achieved_annual: float  # average per year since the base year
    expected_cumulative: float  # the constant-rate path for this year
    expected_previous: float  # the path for the previous year
    remaining_annual: float | None  # the rate needed each year from now to still meet the target
    status: str

    def as_dict(self) -> dict:
        return {
            "region": self.region, "region_name": _name(self.region), "year": self.year, "base_year": self.base_year,
            "target_year": self.target_year, "target_reduction_pct": self.target_reduction * 100,
            "base_intensity": self.base_intensity, "intensity": self.intensity,
            "required_annual_pct": self.required_annual * 100,
            "achieved_cumulative_pct": self.achieved_cumulative * 100,
            "achieved_annual_pct": self.achieved_annual * 100,
            "expected_cumulative_pct": self.expected_cumulative * 100,
            "remaining_required_annual_pct": None if self.remaining_annual is None else self.remaining_annual * 100,
            "status": self.status, "status_zh": STATUS_ZH[self.status],
        }


def path_reduction(reduction: float, base_year: int, target_year: int, year: int) -> float:
    """Cumulative reduction by ``year`` on the constant-annual-rate path to ``reduction`` in ``target_year``."""
    n = target_year - base_year
    t = min(max(year - base_year, 0), n)
    return 1 - (1 - reduction) ** (t / n)


def evaluate(*, region: str, base_intensity: float, intensity: float, base_year: int, year: int, target_year: int,
             reduction: float) -> Evaluation:
    """A banner's (or the city's) progress in ``year`` against its target; the status rule is ``STATUS_RULE``."""
    if not base_year <= year <= target_year:
        raise ValidationError(key="intensity_year_outside_period",
                              params={"year": year, "base_year": base_year, "target_year": target_year}, field="year")
    if base_intensity <= 0 or intensity < 0:
        raise ValidationError(key="intensity_not_positive", field="intensity")
    n = target_year - base_year
    achieved = 1 - intensity / base_intensity
    elapsed = year - base_year
    achieved_annual = 1 - (intensity / base_intensity) ** (1 / elapsed) if elapsed > 0 else 0.0
    expected = path_reduction(reduction, base_year, target_year, year)
    previous = path_reduction(reduction, base_year, target_year, year - 1)
    remaining = None
    if year < target_year:
        remaining = 1 - ((1 - reduction) * base_intensity / intensity) ** (1 / (target_year - year)) if intensity > 0 else 0.0
    eps = 1e-12
    if achieved >= expected - eps:
        status = "on_track"
    elif achieved >= previous - eps and base_year < year < target_year:
        status = "warning"
    else:
        status = "off_track"
    return Evaluation(region=region, year=year, base_year=base_year, target_year=target_year, target_reduction=reduction,
                      base_intensity=base_intensity, intensity=intensity, required_annual=annual_rate(reduction, n),
                      achieved_cumulative=achieved, achieved_annual=achieved_annual, expected_cumulative=expected,
                      expected_previous=previous, remaining_annual=remaining, status=status)


def target_path(base_intensity: float, reduction: float, base_year: int, target_year: int) -> list[tuple[int, float]]:
    """(year, intensity) on the constant-rate path from the base to the target year (for charts)."""
    return [(y, base_intensity * (1 - path_reduction(reduction, base_year, target_year, y)))
            for y in range(base_year, target_year + 1)]

