"""Waste sector (废弃物处理): landfill CH4 by first-order decay, incineration, wastewater.

IPCC 2006 codes (sector 4; before the recode of issue 12 they were 5.*, which are now the CRT codes: 4.A is
CRT 5.A, 4.C.1 is 5.C.1, 4.D.1 and 4.D.2 are 5.D.1 and 5.D.2).

Equations (IPCC 2006 Guidelines Vol 5; 2019 Refinement values where the factor files say so):

- 4.A Solid waste disposal 固体废弃物填埋处理 (Ch 3, Tier 1 first-order decay, `landfill_fod`):
  Eq. 3.2  DDOCm = W × DOC × DOCf × MCF (mass of decomposable DOC deposited; W in t wet waste)
  Eq. 3.4  DDOCma(T) = DDOCmd(T) + DDOCma(T−1) × e^(−k)
  Eq. 3.5  DDOCm decomp(T) = DDOCma(T−1) × (1 − e^(−k))
  Eq. 3.6  CH4 generated(T) = DDOCm decomp(T) × F × 16/12
  Eq. 3.1  CH4 emitted(T) = (Σ_x CH4 generated_x(T) − R(T)) × (1 − OX(T))
- 4.C.1 Waste incineration 固体废弃物焚烧处理 (Ch 5, `waste_incineration`):
  Eq. 5.1  fossil CO2 = SW × dm × CF × FCF × OF × 44/12; Eq. 5.4/5.5 CH4, N2O = SW × EF.
- 4.D.1 Domestic wastewater 生活污水处理 (Ch 6, `domestic_wastewater`):
  Eq. 6.1/6.2  CH4 = TOW × B0 × MCF_j − R (TOW in kg BOD by treatment/discharge pathway j);
  Eq. 6.7      N2O = N_EFFLUENT × EF_EFFLUENT × 44/28.
- 4.D.2 Industrial wastewater 工业废水处理 (Ch 6, `industrial_wastewater`):
  Eq. 6.4/6.5  CH4 = COD × B0 × MCF_j − R.

CH4 from waste is non-fossil (ch4_fossil 0 in the category table). Biogenic CO2 from incineration is the
memo item M.biomass_CO2, never a territorial emission.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon.core.errors import FactorError, ValidationError
from carbon.factors.library import FactorLibrary, FactorRow
from carbon.inventory.calc.base import Emission, MethodContext, SeriesInput, linear_method, series_method
from carbon.inventory.catalog import Catalog

C_TO_CO2 = 44 / 12
C_TO_CH4 = 16 / 12
N2O_N_TO_N2O = 44 / 28

SOLID_WASTE = "solid_waste"
RECOVERY = "recovery"
WW_PATHWAY = "wastewater_pathway"
WW_NITROGEN = "wastewater_nitrogen"

FOD_DEPOSIT_PARAMS = ("doc", "docf", "mcf")  # properties of what was deposited, resolved for the deposit year
FOD_SITE_PARAMS = ("k", "f")  # resolved for the inventory year


# --------------------------------------------------------------------------------------------------
# 4.A Solid waste disposal: first-order decay over the deposit history
# --------------------------------------------------------------------------------------------------

def _fod_param_by_year(library: FactorLibrary, parameter: str, category: str, item: str, region: str,
                       years: np.ndarray, deposited: np.ndarray) -> tuple[np.ndarray, list[FactorRow]]:
    """Value of a dimensionless parameter for each deposit year (0 where nothing was deposited), and the
    rows used.

    One resolution when no candidate row is bound to a year (the usual case); otherwise one per year, so
    a local row for a given year or a valid_from/valid_to period (a site upgraded to sanitary landfill
    in 2010) applies to the waste deposited in those years only.
    """
    cands = library.candidates(parameter, category, item, region, None)
    if not cands:
        raise _missing(parameter, category, item, region)
    if all(r.year is None and r.valid_from is None and r.valid_to is None for r in cands):
        r = cands[0]
        return np.full(len(years), _magnitude(r, "dimensionless")), [r]
    values = np.zeros(len(years))
    used: list[FactorRow] = []
    for i in np.flatnonzero(deposited):
        y = years[i]
        r = library.resolve(parameter, category, item, region, int(y))
        if r is None:
            raise _missing(parameter, category, item, region, int(y))
        values[i] = _magnitude(r, "dimensionless")
        if r not in used:
            used.append(r)
    return values, used


def _magnitude(r: FactorRow, unit: str) -> float:
    return float(r.quantity().to(unit).magnitude)


def _missing(parameter: str, category: str, item: str, region: str, year: int | None = None) -> FactorError:
    when = f", deposit year {year}" if year is not None else ""
    return FactorError(f"no factor '{parameter}' for {item} in {category} (landfill FOD), region {region}{when}; "
                       f"add a local value (地方实测)", field="factor")


def fod_decomposed(ddocm_deposited: np.ndarray, k: np.ndarray) -> np.ndarray:
    """DDOCm decomposed in the LAST year of the series (IPCC 2006 Vol 5 Eq. 3.4 and 3.5).

    `ddocm_deposited` is groups × years (years consecutive, the last one the inventory year), `k` per
    group (1/yr). Deposits of year T start decaying in T+1: the result uses DDOCma up to the year before
    the last, so the last year's deposit contributes nothing yet. Loops over years only; each step is a
    vector operation over all groups.
    """
    keep = np.exp(-k)
    accumulated = np.zeros(ddocm_deposited.shape[0])
    for t in range(ddocm_deposited.shape[1] - 1):  # DDOCma(T−1)
        accumulated = ddocm_deposited[:, t] + accumulated * keep  # Eq. 3.4
    return accumulated * (1.0 - keep)  # Eq. 3.5


@series_method("landfill_fod", unit="t")
def landfill_fod(inp: SeriesInput, *, library: FactorLibrary, catalog: Catalog) -> pd.DataFrame:
    """4.A landfill CH4 of the target year by the IPCC first-order decay model (Vol 5 Ch 3 Eq. 3.1–3.6).

    Activity: tonnes of waste (wet weight) deposited per year, by waste type (厨余垃圾, 园林垃圾, 纸类, 木材,
    纺织物, 尿布) or as unsorted 生活垃圾 with a bulk DOC, per region, for the target year and as many
    earlier years as known; all of that history is used. Years after the target year are ignored.

    Timing convention: deposits of year T start decaying in T+1 (the IPCC Waste Model's "reaction starts
    the year after deposition"; its 13-month delay M is ignored). So a deposit made in the target year
    gives zero emissions this year, and W in year T−1 gives W × DOC × DOCf × MCF × (1 − e^(−k)) × F × 16/12.

    Parameters per item and region (a site is the banner's landfill: give a local row per region):
    doc, docf, mcf are resolved for each deposit YEAR (a site changed from unmanaged to sanitary in some
    year is a local row with that year or period); k, f and ox for the target year.

    Recovery (R): the item 填埋气甲烷回收 (landfill_gas_recovered), in t CH4 of the target year (a volume must
    be converted to t with the CH4 density before entry: series activity is a mass). It is subtracted
    from the CH4 generated in its region and category before oxidation (Eq. 3.1): reported as a negative
    row −R × (1 − OX) of that item, so the per-item rows add up to the category total. Recovery rows of
    earlier years are history of those years and ignored. R greater than the CH4 generated is an error.
    """
    target = inp.target_year
    region = np.asarray(inp.region, dtype=object)
    year = np.asarray(inp.year, dtype=np.int64)
    category = np.asarray(inp.category, dtype=object)
    item = np.asarray(inp.item, dtype=object)
    qty = np.asarray(inp.quantity_t, dtype=float)
    past = year <= target
    region, year, category, item, qty = region[past], year[past], category[past], item[past], qty[past]
    if len(qty) == 0:
        return _empty()

    kinds = {}
    for code in pd.unique(item):
        it = catalog.items.get(code)
        if it is None:
            raise ValidationError(f"unknown item {code!r}", field="item")
        if it.kind not in (SOLID_WASTE, RECOVERY):
            raise ValidationError(f"{it.name_zh} ({code}) is not a solid waste type: 4.A takes tonnes of waste deposited "
                                  f"by waste type or as 生活垃圾, and 填埋气甲烷回收", field="item")
        kinds[code] = it.kind
    is_recovery = pd.Series(item).map(kinds).to_numpy(dtype=object) == RECOVERY

    # deposits: groups (region, category, item) × consecutive years up to the target year
    dep = ~is_recovery
    g_codes, g_keys = pd.factorize(pd.MultiIndex.from_arrays([region[dep], category[dep], item[dep]]))
    first_year = int(year[dep].min()) if dep.any() else target
    n_years = target - first_year + 1
    deposited = np.zeros((len(g_keys), n_years))
    np.add.at(deposited, (g_codes, year[dep] - first_year), qty[dep])
    records = np.bincount(g_codes, minlength=len(g_keys))
    years = np.arange(first_year, target + 1)

    ddocm = deposited.copy()  # Eq. 3.2, per deposit year
    k = np.empty(len(g_keys))
    f = np.empty(len(g_keys))
    ox = np.empty(len(g_keys))
    used_by_group: list[list[FactorRow]] = []
    for g, (reg, cat, it) in enumerate(g_keys):
        used: list[FactorRow] = []
        for p in FOD_DEPOSIT_PARAMS:
            values, rows = _fod_param_by_year(library, p, cat, it, reg, years, deposited[g])
            ddocm[g] *= values
            used += rows
        k_row = _site_row(library, "k", cat, it, reg, target, ("1/time",))
        k[g] = _magnitude(k_row, "1/year")
        f_row = _site_row(library, "f", cat, it, reg, target)
        f[g] = _magnitude(f_row, "dimensionless")
        ox_row = _site_row(library, "ox", cat, it, reg, target)
        ox[g] = _magnitude(ox_row, "dimensionless")
        used_by_group.append(used + [k_row, f_row, ox_row])

    generated = fod_decomposed(ddocm, k) * f * C_TO_CH4  # Eq. 3.6, t CH4
    emitted = generated * (1.0 - ox)  # Eq. 3.1 per waste type

    out = {
        "region": [k_[0] for k_ in g_keys], "category": [k_[1] for k_ in g_keys], "item": [k_[2] for k_ in g_keys],
        "mass_t": list(emitted), "records": list(records), "used": used_by_group,
    }

    # recovery of the target year (Eq. 3.1 R), per region × category
    rec = is_recovery & (year == target)
    if rec.any():
        r_codes, r_keys = pd.factorize(pd.MultiIndex.from_arrays([region[rec], category[rec], item[rec]]))
        r_sum = np.bincount(r_codes, weights=qty[rec], minlength=len(r_keys))
        r_n = np.bincount(r_codes, minlength=len(r_keys))
        _check_recovery(g_keys, generated, r_keys, r_sum, target)
        for j, (reg, cat, it) in enumerate(r_keys):
            ox_row = _site_row(library, "ox", cat, it, reg, target)
            out["region"].append(reg)
            out["category"].append(cat)
            out["item"].append(it)
            out["mass_t"].append(-r_sum[j] * (1.0 - _magnitude(ox_row, "dimensionless")))
            out["records"].append(int(r_n[j]))
            out["used"].append([ox_row])

    n = len(out["mass_t"])
    return pd.DataFrame({
        "region": out["region"], "year": [target] * n, "category": out["category"], "item": out["item"],
        "gas": ["CH4"] * n, "mass_t": out["mass_t"], "memo": [False] * n, "method": ["landfill_fod"] * n,
        "factor_refs": [";".join(sorted({r.ref for r in u})) for u in out["used"]],
        "basis": [";".join(sorted({r.basis for r in u})) for u in out["used"]],
        "records": [int(x) for x in out["records"]],
    })


def _check_recovery(g_keys, generated: np.ndarray, r_keys, r_sum: np.ndarray, target: int) -> None:
    """R may not exceed the CH4 generated at the same site (region × category) in the target year."""
    gen = pd.Series(generated, dtype=float).groupby([[k[0] for k in g_keys], [k[1] for k in g_keys]]).sum() \
        if len(g_keys) else pd.Series(dtype=float)
    rec = pd.Series(r_sum, dtype=float).groupby([[k[0] for k in r_keys], [k[1] for k in r_keys]]).sum()
    for (reg, cat), r_t in rec.items():
        gen_t = float(gen.get((reg, cat), 0.0))
        if r_t > gen_t * (1 + 1e-9):
            raise ValidationError(
                f"region {reg}, {cat}: CH4 recovered ({r_t:.6g} t) exceeds the CH4 generated by the first-order decay "
                f"model ({gen_t:.6g} t) in {target}; check the recovery quantity (t CH4, not m3 of landfill gas) and "
                f"the deposit history", field="quantity")


def _site_row(library: FactorLibrary, parameter: str, category: str, item: str, region: str, year: int,
              dims: tuple[str, ...] = ("dimensionless",)) -> FactorRow:
    r = library.resolve(parameter, category, item, region, year, dims=dims)
    if r is None:
        raise _missing(parameter, category, item, region)
    return r


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in ("region", "year", "category", "item", "gas", "mass_t", "memo", "method",
                                          "factor_refs", "basis", "records")})


# --------------------------------------------------------------------------------------------------
# 4.C.1 Incineration
# --------------------------------------------------------------------------------------------------

def _require_kind(ctx: MethodContext, *kinds: str) -> None:
    if ctx.item.kind not in kinds:
        raise ValidationError(f"{ctx.item.name_zh} ({ctx.item.code}) cannot be reported under {ctx.category.code} "
                              f"{ctx.category.name_zh}", field="item")


def _carbon_fraction_of_wet_waste(ctx: MethodContext):
    """dm × CF (IPCC Eq. 5.1), or the carbon content of the wet waste CCW where that is the given form
    (the Chinese guideline's bulk 生活垃圾). A local row wins over a default; between defaults dm × CF."""
    ccw = ctx.library.resolve("carbon_fraction_wet", ctx.category.code, ctx.item.code, ctx.region, ctx.year)
    dm = ctx.library.resolve("dm_fraction", ctx.category.code, ctx.item.code, ctx.region, ctx.year)
    if ccw is not None and (dm is None or (ccw.basis == "local" and dm.basis != "local")):
        return ctx.param("carbon_fraction_wet")
    return ctx.param("dm_fraction") * ctx.param("carbon_fraction")


@linear_method("waste_incineration")
def waste_incineration(ctx: MethodContext) -> list[Emission]:
    """Incineration of solid waste (IPCC 2006 Vol 5 Ch 5).

    Eq. 5.1: fossil CO2 = SW × dm × CF × FCF × OF × 44/12 (SW t of wet waste, by waste type or bulk MSW);
    the non-fossil remainder SW × dm × CF × (1 − FCF) × OF × 44/12 goes to the memo item M.biomass_CO2.
    Eq. 5.4: CH4 = SW × EF_CH4; Eq. 5.5: N2O = SW × EF_N2O (per t of wet waste; defaults for a continuous
    stoker incinerator).
    """
    _require_kind(ctx, SOLID_WASTE)
    carbon = ctx.one * _carbon_fraction_of_wet_waste(ctx) * ctx.param("oxidation")
    fcf = ctx.param("fossil_carbon_fraction")
    out = [Emission(ctx.category.code, "CO2", carbon * fcf * C_TO_CO2)]
    if float(fcf.to("dimensionless").magnitude) < 1.0:
        out.append(Emission("M.biomass_CO2", "CO2", carbon * (1 - fcf) * C_TO_CO2, memo=True))
    out.append(Emission(ctx.category.code, "CH4", ctx.one * ctx.param("ef_CH4", dims=("mass/mass",))))
    out.append(Emission(ctx.category.code, "N2O", ctx.one * ctx.param("ef_N2O", dims=("mass/mass",))))
    return out


# --------------------------------------------------------------------------------------------------
# 4.D Wastewater
# --------------------------------------------------------------------------------------------------

def wastewater_ch4(ctx: MethodContext) -> list[Emission]:
    """CH4 = TOW_j × B0 × MCF_j (IPCC 2006 Vol 5 Eq. 6.1/6.2 domestic, 6.4/6.5 industrial), and −R.

    The item is the pathway j (污水好氧处理, 污水厌氧处理, 化粪池, 污水直接排放); the activity is the organic
    load entering it: kg (t) BOD for 4.D.1, kg (t) COD for 4.D.2, matching B0 of the category. Sludge
    removed (S) is not modelled: give TOW net of sludge. Recovered CH4 (污水处理甲烷回收, t CH4) is a
    negative row of the same category.
    """
    if ctx.item.kind == RECOVERY:
        return [Emission(ctx.category.code, "CH4", -ctx.one)]
    _require_kind(ctx, WW_PATHWAY)
    return [Emission(ctx.category.code, "CH4", ctx.one * ctx.param("b0_wastewater") * ctx.param("mcf"))]


@linear_method("domestic_wastewater")
def domestic_wastewater(ctx: MethodContext) -> list[Emission]:
    """4.D.1 生活污水处理: CH4 by pathway (Eq. 6.1/6.2) and N2O from effluent nitrogen (Eq. 6.7).

    N2O Tier 1 from data a city has: N_EFFLUENT is the nitrogen discharged with the effluent (出水总氮 of
    the wastewater plants plus untreated discharge, kg or t N, from environmental statistics) rather
    than Eq. 6.8's population × protein estimate. N2O = N_EFFLUENT × EF_EFFLUENT (kg N2O-N/kg N) × 44/28.
    """
    if ctx.item.kind == WW_NITROGEN:
        return [Emission(ctx.category.code, "N2O", ctx.one * ctx.param("ef_n2o_effluent") * N2O_N_TO_N2O)]
    return wastewater_ch4(ctx)


@linear_method("industrial_wastewater")
def industrial_wastewater(ctx: MethodContext) -> list[Emission]:
    """4.D.2 工业废水处理: CH4 = COD × B0 (0.25 kg CH4/kg COD) × MCF_j (Eq. 6.4/6.5). Industrial N2O is
    not a Tier 1 category in the 2006 Guidelines (it is in the domestic N of Eq. 6.8): effluent N goes to 4.D.1."""
    if ctx.item.kind == WW_NITROGEN:
        raise ValidationError(f"{ctx.item.name_zh}: N2O from wastewater nitrogen is reported under 4.D.1 生活污水处理",
                              field="category")
    return wastewater_ch4(ctx)

