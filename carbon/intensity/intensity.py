"""Carbon and energy intensity of GDP for the city and its banners: pure calculators (no session, file or HTTP).

Definitions (DESIGN §1; plan chapter 4, "单位GDP二氧化碳排放"):

- carbon intensity  = CO2 [t] / GDP [10^4 CNY, constant prices of a named base year]
- energy intensity  = energy consumption [tce] / GDP [10^4 CNY, same prices]
- change vs base    = (I_year / I_base − 1) × 100 %  (negative = a fall, as targets are written: −18 %)

Which emissions the carbon-intensity numerator counts is explicit (``Numerator``) and named in every
output row: by default the territorial CO2 of the energy sector with memo items excluded (biomass CO2 and
the indirect CO2 of imported/exported electricity), as Chinese intensity targets count energy CO2.

Roll-ups are ratios of sums, never means of ratios (examples.md I-4): the city's intensity is
Σ CO2 / Σ GDP. The city's CO2 is the inventory's own city row when the emissions carry one (the
inventory's roll-up: banners plus city-level sources), else the sum of the banners present; the city's
GDP is its own statistic when the economic data carry a city row, else the sum of the banners. Every
city row says which in ``note``.

GDP at different price bases is never mixed: a change between two years needs both at constant prices
of the same base year (``price_base_year``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon.core.errors import ValidationError
from carbon.core.regions import BY_CODE, CITY_CODE


@dataclass(frozen=True)
class Numerator:
    """What the carbon-intensity numerator counts."""

    key: str
    label_zh: str
    label_en: str
    sectors: tuple[str, ...] | None  # None: every territorial sector
    gases: tuple[str, ...] | None  # None: every gas, in CO2e
    memo_categories: tuple[str, ...] = ()  # memo categories added on purpose (e.g. M.electricity)

    def describe(self) -> str:
        sectors = "+".join(self.sectors) if self.sectors else "all sectors"
        gases = "+".join(self.gases) if self.gases else "all gases (CO2e)"
        memo = f" + memo {'+'.join(self.memo_categories)}" if self.memo_categories else ", memo items excluded"
        return f"{self.key}: {sectors}, {gases}{memo}"


NUMERATORS: dict[str, Numerator] = {n.key: n for n in (
    Numerator("energy_co2", "能源活动二氧化碳排放（不含信息项）", "energy CO2 (memo items excluded)",
              ("energy",), ("CO2",)),
    Numerator("energy_co2_net_electricity", "能源活动二氧化碳排放＋电力调入调出间接排放",
              "energy CO2 + indirect CO2 of net imported electricity", ("energy",), ("CO2",), ("M.electricity",)),
    Numerator("energy_ippu_co2", "能源活动和工业生产过程二氧化碳排放", "energy and IPPU CO2", ("energy", "ippu"),
              ("CO2",)),
    Numerator("ghg_excl_lulucf", "温室气体排放总量（不含土地利用变化和林业）", "all GHG excl. LULUCF (CO2e)",
              ("energy", "ippu", "agriculture", "waste"), None),
    Numerator("ghg_net", "温室气体净排放总量（含土地利用变化和林业）", "net GHG incl. LULUCF (CO2e)", None, None),
)}
DEFAULT_NUMERATOR = "energy_co2"


def get_numerator(key: str) -> Numerator:
    try:
        return NUMERATORS[key]
    except KeyError:
        raise ValidationError(key="intensity_unknown_numerator", params={"numerator": key, "known": ", ".join(NUMERATORS)},
                              field="numerator") from None


def _as_bool(col: pd.Series) -> np.ndarray:
    if col.dtype == bool:
        return col.to_numpy()
    return col.astype(str).str.strip().str.lower().isin(("true", "1", "yes")).to_numpy()


def emissions_from_results(results: pd.DataFrame, numerator: Numerator) -> pd.DataFrame:
    """Sum RESULTS rows (region, year, sector, category, gas, co2e_t, memo) into the numerator per region
    and year: columns region, year, co2_t. Notation-key rows (no figure) count as nothing."""
    needed = {"region", "year", "sector", "category", "gas", "co2e_t", "memo"}
    missing = needed - set(results.columns)
    if missing:
        raise ValidationError(key="intensity_results_lack_columns", params={"columns": ", ".join(sorted(missing))},
                              field="results")
    memo = _as_bool(results["memo"])
    sector = results["sector"].astype(str).to_numpy()
    gas = results["gas"].astype(str).to_numpy()
    category = results["category"].astype(str).to_numpy()
    keep = ~memo
    if numerator.sectors is not None:
        keep &= np.isin(sector, numerator.sectors)
    if numerator.memo_categories:
        keep |= memo & np.isin(category, numerator.memo_categories)
    if numerator.gases is not None:
        keep &= np.isin(gas, numerator.gases)
    values = pd.to_numeric(results["co2e_t"], errors="coerce").fillna(0.0)
    frame = pd.DataFrame({"region": results["region"].astype(str).str.strip(),
                          "year": pd.to_numeric(results["year"], errors="coerce"), "co2_t": values})[keep]
    if frame["year"].isna().any():
        raise ValidationError(key="intensity_results_without_year", field="results")
    frame["year"] = frame["year"].astype(int)
    return frame.groupby(["region", "year"], as_index=False)["co2_t"].sum()


def _region_name(code: str) -> str:
    return BY_CODE[code].name_zh if code in BY_CODE else code


def _pick(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    return frame[frame["year"] == year].set_index("region")


def intensity_table(emissions: pd.DataFrame, economy: pd.DataFrame, *, year: int, base_year: int | None = None,
                    numerator: Numerator | str = DEFAULT_NUMERATOR, price_base_year: int | None = None) -> pd.DataFrame:
    """Carbon and energy intensity per region for ``year`` (and its change against ``base_year``).

    ``emissions``: region, year, co2_t (the numerator, see ``emissions_from_results``).
    ``economy``: region, year, gdp_10k_cny (constant prices of ``price_base_year``), price_base_year and
    optionally energy_tce. Returns one row per banner with data, then the city (roll-up), with the
    columns region, region_name, year, numerator, co2_t, gdp_10k_cny, price_base_year,
    intensity_t_per_10k_cny, energy_tce, energy_intensity_tce_per_10k_cny and, with a base year,
    base_year, base_co2_t, base_gdp_10k_cny, base_intensity_t_per_10k_cny, change_vs_base_pct,
    energy_change_vs_base_pct; ``note`` says how the city row was formed.
    """
    num = get_numerator(numerator) if isinstance(numerator, str) else numerator
    econ = select_price_basis(economy, price_base_year, years=[year] + ([base_year] if base_year else []))
    years = [year] + ([base_year] if base_year is not None else [])
    rows = {y: _level(emissions, econ, y) for y in years}
    out = rows[year]
    if base_year is not None:
        base = rows[base_year].set_index("region")
        out = out[out["region"].isin(base.index)].copy()
        if out.empty:
            raise ValidationError(key="intensity_no_common_region", params={"year": year, "base_year": base_year},
                                  field="base_year")
        b = base.loc[out["region"]]
        out["base_year"] = base_year
        out["base_co2_t"] = b["co2_t"].to_numpy()
        out["base_gdp_10k_cny"] = b["gdp_10k_cny"].to_numpy()
        out["base_intensity_t_per_10k_cny"] = b["intensity_t_per_10k_cny"].to_numpy()
        out["change_vs_base_pct"] = (out["intensity_t_per_10k_cny"] / out["base_intensity_t_per_10k_cny"] - 1) * 100
        out["base_energy_intensity_tce_per_10k_cny"] = b["energy_intensity_tce_per_10k_cny"].to_numpy()
        out["energy_change_vs_base_pct"] = (out["energy_intensity_tce_per_10k_cny"]
                                            / out["base_energy_intensity_tce_per_10k_cny"] - 1) * 100
    out.insert(3, "numerator", num.key)
    return out.reset_index(drop=True)


def select_price_basis(economy: pd.DataFrame, price_base_year: int | None, *, years: list[int]) -> pd.DataFrame:
    """The economy rows of one price basis. Without ``price_base_year``, the rows of ``years`` must share one."""
    econ = economy[economy["year"].isin(years)]
    bases = sorted(int(b) for b in pd.unique(econ["price_base_year"]))
    if price_base_year is None:
        if len(bases) > 1:
            raise ValidationError(key="intensity_mixed_price_bases",
                                  params={"years": ", ".join(map(str, years)), "bases": ", ".join(map(str, bases))},
                                  field="price_base_year")
        price_base_year = bases[0] if bases else None
    econ = econ[econ["price_base_year"] == price_base_year]
    for y in years:
        if not (econ["year"] == y).any():
            raise ValidationError(key="intensity_no_gdp_at_prices", params={"year": y, "price_base_year": price_base_year},
                                  field="price_base_year")
    return econ


def _level(emissions: pd.DataFrame, economy: pd.DataFrame, year: int) -> pd.DataFrame:
    em = _pick(emissions, year)
    ec = _pick(economy, year)
    if em.index.duplicated().any() or ec.index.duplicated().any():
        raise ValidationError(key="intensity_several_rows", params={"year": year}, field="year")
    banners = [c for c in ec.index if c != CITY_CODE and c in em.index]
    if not banners and CITY_CODE not in ec.index:
        raise ValidationError(key="intensity_no_emissions_and_gdp", params={"year": year}, field="year")
    energy = (pd.to_numeric(ec["energy_tce"], errors="coerce").astype(float) if "energy_tce" in ec.columns
              else pd.Series(np.nan, index=ec.index))
    records = []
    for code in banners:
        records.append((code, float(em.at[code, "co2_t"]), float(ec.at[code, "gdp_10k_cny"]),
                        int(ec.at[code, "price_base_year"]), float(energy.get(code, np.nan)), ""))
    # the city: a ratio of sums
    if CITY_CODE in em.index:
        co2, co2_note = float(em.at[CITY_CODE, "co2_t"]), "CO2: the city's own total"
    else:
        co2, co2_note = float(sum(em.at[c, "co2_t"] for c in banners)), f"CO2: sum of {len(banners)} banner(s)"
    if CITY_CODE in ec.index:
        gdp, gdp_note = float(ec.at[CITY_CODE, "gdp_10k_cny"]), "GDP: the city's own statistic"
        e = float(energy.get(CITY_CODE, np.nan))
        pby = int(ec.at[CITY_CODE, "price_base_year"])
        if banners:
            summed = float(sum(ec.at[c, "gdp_10k_cny"] for c in banners))
            gdp_note += f" (banners sum to {summed / gdp * 100:.1f}% of it)"
    else:
        gdp, gdp_note = float(sum(ec.at[c, "gdp_10k_cny"] for c in banners)), f"GDP: sum of {len(banners)} banner(s)"
        e = float(sum(energy.get(c, np.nan) for c in banners))
        pby = int(ec.at[banners[0], "price_base_year"])
    if CITY_CODE in em.index or banners:
        records.append((CITY_CODE, co2, gdp, pby, e, f"ratio of sums; {co2_note}; {gdp_note}"))
    frame = pd.DataFrame(records, columns=["region", "co2_t", "gdp_10k_cny", "price_base_year", "energy_tce", "note"])
    if (frame["gdp_10k_cny"] <= 0).any():
        bad = frame.loc[frame["gdp_10k_cny"] <= 0, "region"].tolist()
        raise ValidationError(key="intensity_gdp_not_positive", params={"regions": ", ".join(bad), "year": year}, field="gdp")
    frame.insert(1, "region_name", frame["region"].map(_region_name))
    frame.insert(2, "year", year)
    frame["intensity_t_per_10k_cny"] = frame["co2_t"] / frame["gdp_10k_cny"]
    frame["energy_intensity_tce_per_10k_cny"] = frame["energy_tce"] / frame["gdp_10k_cny"]
    return frame[["region", "region_name", "year", "co2_t", "gdp_10k_cny", "price_base_year",
                  "intensity_t_per_10k_cny", "energy_tce", "energy_intensity_tce_per_10k_cny", "note"]]


def ratio_of_sums(numerators: np.ndarray | list[float], denominators: np.ndarray | list[float]) -> float:
    """Σ numerator / Σ denominator: the only way regions' intensities roll up."""
    den = float(np.sum(denominators))
    if den <= 0:
        raise ValidationError(key="intensity_denominator_not_positive", field="gdp")
    return float(np.sum(numerators)) / den


OUTPUT_COLUMNS = ["region", "region_name", "year", "numerator", "co2_t", "gdp_10k_cny", "price_base_year",
                  "intensity_t_per_10k_cny", "energy_tce", "energy_intensity_tce_per_10k_cny"]
BASE_COLUMNS = ["base_year", "base_co2_t", "base_gdp_10k_cny", "base_intensity_t_per_10k_cny", "change_vs_base_pct",
                "base_energy_intensity_tce_per_10k_cny", "energy_change_vs_base_pct"]
