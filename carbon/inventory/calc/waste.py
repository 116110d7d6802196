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
  Eq. 6.7      N2O = N_EFFLUENT × EF_EFFLUENT × 44/28;
  2019 Refinement Eq. 6.9 (Updated)  plant N2O = TN_DOM × EF_PLANT × 44/28 (TN of the plants' influent).
- 4.D.2 Industrial wastewater 工业废水处理 (Ch 6, `industrial_wastewater`):
  Eq. 6.4/6.5  CH4 = COD × B0 × MCF_j − R.

CH4 from waste is non-fossil (ch4_fossil 0 in the category table). Biogenic CO2 from incineration is the
memo item M.biomass_CO2, never a territorial emission.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon.core.errors import FactorError, ValidationError
from carbon.core.regions import CITY_CODE
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
WW_INFLUENT_NITROGEN = "wastewater_influent_nitrogen"

FOD_DEPOSIT_PARAMS = ("doc", "docf", "mcf")  # properties of what was deposited, resolved for the deposit year
FOD_SITE_PARAMS = ("k", "f")  # resolved for the inventory year
# IPCC 2006 Vol 5 Ch 3 §3.2.2: the FOD needs deposits of at least 50 years before the inventory year, or back to
# 1950 where that is fewer; a shorter history understates CH4 (the missing years' DDOC is still decaying)
FOD_MIN_YEARS = 50
FOD_EARLIEST = 1950
LANDFILL_HISTORY_SHORT = "landfill_history_short"
LANDFILL_BACKCAST = "landfill_backcast"


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
    return FactorError(key="inventory_no_fod_factor" if year is None else "inventory_no_fod_factor_year",
                       params={"parameter": parameter, "item": item, "category": category, "region": region,
                               "year": year}, field="factor")


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
            raise ValidationError(key="unknown_item", params={"value": code}, field="item")
        if it.kind not in (SOLID_WASTE, RECOVERY):
            raise ValidationError(key="inventory_not_solid_waste", params={"item_zh": it.name_zh, "item": code},
                                  field="item")
        kinds[code] = it.kind
    is_recovery = pd.Series(item).map(kinds).to_numpy(dtype=object) == RECOVERY

    # deposits: groups (region, category, item) × consecutive years up to the target year
    dep = ~is_recovery
    g_codes, g_keys = pd.factorize(pd.MultiIndex.from_arrays([region[dep], category[dep], item[dep]]))
    records = np.bincount(g_codes, minlength=len(g_keys))
    g_first = np.full(len(g_keys), target, dtype=np.int64)
    np.minimum.at(g_first, g_codes, year[dep])
    findings, extra = history_findings(g_keys, g_first, g_codes, year[dep], qty[dep], target, inp.backcast, inp.proxy)
    dep_year, dep_qty, dep_codes = year[dep], qty[dep], g_codes
    if extra is not None:  # back-cast deposits (marked: basis and the finding list them)
        dep_codes = np.concatenate([dep_codes, extra[0]])
        dep_year = np.concatenate([dep_year, extra[1]])
        dep_qty = np.concatenate([dep_qty, extra[2]])
    first_year = int(dep_year.min()) if len(dep_year) else target
    n_years = target - first_year + 1
    deposited = np.zeros((len(g_keys), n_years))
    np.add.at(deposited, (dep_codes, dep_year - first_year), dep_qty)
    backcast_of = {(f["region"], f["category"], it): f for f in findings if f["check"] == LANDFILL_BACKCAST
                   for it in f["items"]}
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
    basis = [";".join(sorted({r.basis for r in u})) for u in out["used"]]
    for i in range(len(g_keys)):  # a group whose history was back-cast says so in its basis
        f = backcast_of.get(tuple(g_keys[i]))
        if f is not None:
            basis[i] = ";".join(sorted({*basis[i].split(";"), f"backcast_{f['proxy']}"} - {""}))
    frame = pd.DataFrame({
        "region": out["region"], "year": [target] * n, "category": out["category"], "item": out["item"],
        "gas": ["CH4"] * n, "mass_t": out["mass_t"], "memo": [False] * n, "method": ["landfill_fod"] * n,
        "factor_refs": [";".join(sorted({r.ref for r in u})) for u in out["used"]],
        "basis": basis,
        "records": [int(x) for x in out["records"]],
    })
    frame.attrs["cross_sector"] = findings  # the engine's list of checks (carbon.inventory.engine)
    return frame


def _merge_by_site(findings: list[dict]) -> list[dict]:
    """One finding per region × category × check × first year, listing its waste types (the per-type findings
    differ only in the item); fills the messages' {items} and {backcast_t}."""
    merged: dict[tuple, dict] = {}
    for f in findings:
        key = (f["check"], f["region"], f["category"], f["first_year"], f.get("proxy_region"))
        m = merged.get(key)
        if m is None:
            merged[key] = {**f, "items": list(f["items"]), "by_item": [(f["item"], f.get("backcast_t"))]}
        else:
            m["items"].append(f["item"])
            m["by_item"].append((f["item"], f.get("backcast_t")))
            if "backcast_t" in m:
                m["backcast_t"] += f["backcast_t"]
    out = []
    for m in merged.values():
        shown = ", ".join(m["items"])
        total = f"{m['backcast_t']:,.0f}" if "backcast_t" in m else ""
        m["message"] = m["message"].replace("{items}", shown).replace("{backcast_t}", total)
        m["message_zh"] = m["message_zh"].replace("{items}", shown).replace("{backcast_t}", total)
        if m["check"] == LANDFILL_BACKCAST:
            m["backcast_by_item_t"] = {i: t for i, t in m.pop("by_item")}
        else:
            m.pop("by_item")
        out.append(m)
    return out


def required_first_year(target: int) -> int:
    """The earliest deposit year the FOD needs for ``target`` (IPCC 2006 Vol 5 Ch 3 §3.2.2): 50 years, or 1950."""
    return max(target - FOD_MIN_YEARS + 1, FOD_EARLIEST)


def history_findings(g_keys, g_first: np.ndarray, g_codes: np.ndarray, years: np.ndarray, qty: np.ndarray,
                     target: int, backcast: str | None, proxy: dict[tuple[str, int], float] | None):
    """Per landfill group (region, category, item) whose deposits start after ``required_first_year``: a warning
    (``landfill_history_short``), or with ``backcast`` the missing years' deposits from the proxy series
    (``landfill_backcast``): W(t) = W(t0) × P(t) / P(t0), t0 the group's first year with data (IPCC 2006 Vol 5
    Ch 3 §3.2.2, a driver such as population or GDP; GDP at elasticity 1). A banner without its own series uses the
    city's, and the finding says so. A proxy year that is missing is an error naming it, never a guess.

    Returns (findings, extra) with extra = (group codes, years, tonnes) of the back-cast deposits, or None.
    """
    need = required_first_year(target)
    findings: list[dict] = []
    extra_codes: list[int] = []
    extra_years: list[int] = []
    extra_qty: list[float] = []
    for g, (reg, cat, it) in enumerate(g_keys):
        first = int(g_first[g])
        if first <= need:
            continue
        missing = list(range(need, first))
        base = {"region": reg, "category": cat, "item": it, "items": [it], "first_year": first,
                "required_first_year": need, "missing_years": len(missing)}
        if not backcast:
            findings.append({**base, "check": LANDFILL_HISTORY_SHORT,
                             "message": (f"{reg} {cat} {{items}}: deposits start in {first}, but the first-order decay model needs "
                                         f"them from {need} (IPCC 2006 Vol 5 §3.2.2: 50 years, or back to 1950); the "
                                         f"CH4 of {target} is understated. Give the earlier deposits, or --backcast "
                                         f"population|gdp with a proxy series"),
                             "message_zh": (f"{cat} {{items}}：填埋量从 {first} 年开始，一阶衰减法需要自 {need} 年起的数据（IPCC 2006 "
                                            f"第5卷 §3.2.2：至少50年或追溯至1950年），{target} 年甲烷排放被低估；请补充历史填埋量，"
                                            f"或用 --backcast population|gdp 按代理序列外推。")})
            continue
        series = proxy or {}
        source = reg if all((reg, y) in series for y in [*missing, first]) else CITY_CODE
        lacking = [y for y in [*missing, first] if (source, y) not in series]
        if lacking:
            shown = ", ".join(str(y) for y in lacking[:8]) + (" ..." if len(lacking) > 8 else "")
            raise ValidationError(key="inventory_backcast_proxy_missing", params={
                "backcast": backcast, "category": cat, "item": it, "region": reg, "years": shown, "city": CITY_CODE},
                field="proxy")
        w0 = float(qty[(g_codes == g) & (years == first)].sum())
        p0 = series[(source, first)]
        for y in missing:
            extra_codes.append(g)
            extra_years.append(y)
            extra_qty.append(w0 * series[(source, y)] / p0)
        findings.append({**base, "check": LANDFILL_BACKCAST, "proxy": backcast, "proxy_region": source,
                         "backcast_t": float(sum(extra_qty[-len(missing):])),
                         "message": (f"{reg} {cat} {{items}}: deposits of {need}-{first - 1} back-cast from {first}'s "
                                     f"by the {backcast} of {source} (IPCC 2006 Vol 5 §3.2.2), {{backcast_t}} t in all"),
                         "message_zh": (f"{cat} {{items}}：{need}–{first - 1} 年填埋量按 {source} 的"
                                        f"{'人口' if backcast == 'population' else 'GDP'}自 {first} 年外推，共 {{backcast_t}} t。")})
    findings = _merge_by_site(findings)
    if not extra_codes:
        return findings, None
    return findings, (np.asarray(extra_codes, dtype=np.int64), np.asarray(extra_years, dtype=np.int64),
                      np.asarray(extra_qty, dtype=float))


def _check_recovery(g_keys, generated: np.ndarray, r_keys, r_sum: np.ndarray, target: int) -> None:
    """R may not exceed the CH4 generated at the same site (region × category) in the target year."""
    gen = pd.Series(generated, dtype=float).groupby([[k[0] for k in g_keys], [k[1] for k in g_keys]]).sum() \
        if len(g_keys) else pd.Series(dtype=float)
    rec = pd.Series(r_sum, dtype=float).groupby([[k[0] for k in r_keys], [k[1] for k in r_keys]]).sum()
    for (reg, cat), r_t in rec.items():
        gen_t = float(gen.get((reg, cat), 0.0))
        if r_t > gen_t * (1 + 1e-9):
            raise ValidationError(key="inventory_recovery_exceeds_generation", params={
                "region": reg, "category": cat, "recovered": r_t, "generated": gen_t, "year": target},
                field="quantity")


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
        raise ValidationError(key="inventory_item_not_in_category", params={
            "item_zh": ctx.item.name_zh, "item": ctx.item.code, "category": ctx.category.code,
            "category_zh": ctx.category.name_zh}, field="item")


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

    Plant N2O (2019 Refinement Vol 5 Eq. 6.9 (Updated)): the item 污水处理厂进水总氮 is the total nitrogen entering
    centralised treatment plants (kg or t N); N2O = TN × EF_PLANT (0.016 kg N2O-N/kg N) × 44/28. It comes on top of
    the effluent N2O: the plants emit while treating, the effluent after discharge.
    """
    if ctx.item.kind == WW_INFLUENT_NITROGEN:
        return [Emission(ctx.category.code, "N2O", ctx.one * ctx.param("ef_n2o_plant") * N2O_N_TO_N2O)]
    if ctx.item.kind == WW_NITROGEN:
        return [Emission(ctx.category.code, "N2O", ctx.one * ctx.param("ef_n2o_effluent") * N2O_N_TO_N2O)]
    return wastewater_ch4(ctx)


@linear_method("industrial_wastewater")
def industrial_wastewater(ctx: MethodContext) -> list[Emission]:
    """4.D.2 工业废水处理: CH4 = COD × B0 (0.25 kg CH4/kg COD) × MCF_j (Eq. 6.4/6.5). Industrial N2O is
    not a Tier 1 category in the 2006 Guidelines (it is in the domestic N of Eq. 6.8): effluent N goes to 4.D.1."""
    if ctx.item.kind in (WW_NITROGEN, WW_INFLUENT_NITROGEN):
        raise ValidationError(key="inventory_wastewater_n2o", params={"item_zh": ctx.item.name_zh}, field="category")
    return wastewater_ch4(ctx)

