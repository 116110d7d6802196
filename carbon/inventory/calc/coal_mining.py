"""Coal mining and handling (1.B.1.a 煤炭开采和矿后活动): fugitive CH4 of underground and surface mines, coal mine
methane (CMM) recovered for use or flared, and the CO2 of flaring (method `coal_mining`).

Equations (2006 IPCC Guidelines Vol 2 Ch 4 §4.1.3 underground, §4.1.4 surface; equation numbers as far as they
could be checked, see emission_factors/energy/ipcc2006_coal_mining_v1.csv):

  mining CH4 (t)      = coal production (t) × EF_mining (m3/t) × ρ_CH4            Eq. 4.1.3 (underground), 4.1.7 (surface)
  post-mining CH4 (t) = coal production (t) × EF_post-mining (m3/t) × ρ_CH4       Eq. 4.1.4 (underground), 4.1.8 (surface)
  CH4 emitted         = mining + post-mining − CH4 recovered and utilised − CH4 flared
  CO2 of flaring (t)  = η_flare (0.98) × CH4 flared (t) × 44/16                   (η × V × ρ × 44/16 for a volume V)

ρ_CH4 is the library's `ch4_density` (IPCC 0.67 kg/m3 at 20 °C and 1 atm, the value the project always used),
for every volume here: EF (m3/t), a mine's measured 相对瓦斯涌出量 (m3/t) and recovered gas (m3). Give recovered
gas as a volume of pure CH4 (纯量, m3 / 万m3 / 亿m3) or as a mass (t CH4).

Categories. Each IPCC leaf takes coal production as its activity:
  1.B.1.a.i.1 井工开采-开采 (mining EF), 1.B.1.a.i.2 井工开采-矿后活动 (post-mining EF),
  1.B.1.a.ii.1 露天开采-开采, 1.B.1.a.ii.2 露天开采-矿后活动.
The parents 1.B.1.a.i 井工开采 and 1.B.1.a.ii 露天开采 still take production and compute both parts (results in
their .1 and .2 leaves, as before). The same coal under a parent and under one of its leaves is counted twice: it is
an error naming every row concerned, when the rows are of the same region and of the same mine (the same `facility`,
or either row without one: region-level figures may include any mine of the region).

Depth class and gas grade: the production row's item says which default applies (one item per row, nothing else
to fill in):
  原煤                                 class not given: IPCC average (18 / 2.5 underground; 1.2 / 0.1 surface)
  原煤(浅部开采) = 原煤(井工<200m), 原煤(露天剥离<25m)       IPCC low (10 / 0.9; 0.3 / 0)
  原煤(中深开采) = 原煤(井工200-400m), 原煤(露天剥离25-50m)  IPCC average
  原煤(深部开采) = 原煤(井工>400m), 原煤(露天剥离>50m)       IPCC high (25 / 4.0; 2.0 / 0.2)
  原煤(低瓦斯矿井) / 原煤(高瓦斯矿井) / 原煤(突出矿井)         underground only: IPCC low / average / high
The depth thresholds are the IPCC's (mining depth for underground mines, average overburden thickness for surface
mines). The gas-grade mapping is this project's convention, not an IPCC or Chinese default: no Chinese default
factor by gas grade could be confirmed from the guideline texts (中国煤炭生产企业温室气体排放核算方法与报告指南（试行）
was not readable). It rests on the grading rule (煤矿安全规程; 矿井瓦斯等级鉴定, AQ 1025-2006 and its 2018 successor):
a 低瓦斯矿井 has a relative gas emission of at most 10 m3/t (and at most 40 m3/min absolute), so the IPCC low value
10 m3/t is an upper bound for it; a 高瓦斯矿井 is above 10 m3/t (IPCC average 18); an 突出矿井 takes the IPCC high
value. A mine's grade comes from its measured relative gas emission, so give that (below) whenever it is known.
(Third-party calculators quote Chinese post-mining factors by grade, 高瓦斯/突出 3 m3/t, 低瓦斯 0.94 m3/t, 露天 0.5
m3/t, and a surface mining factor of 2 m3/t; not used: not confirmed from a guideline text.)

Tier 2 per mine (the optional `facility` column: the mine's name or USCC, spelt the same on all its rows). Rows of
a mine: its production (one of the items above, t or 万t), and optionally, under its mining category (the parent or
.1, never .2):
  相对瓦斯涌出量 (m3/t): the mine's measured relative gas emission (ventilation + drainage, from its annual gas-grade
      assessment): it replaces EF_mining for that mine (basis 地方实测). Post-mining keeps its default.
  瓦斯抽采利用量 (m3 or t CH4): drained CMM utilised; its combustion CO2 belongs to 1.A (report it as 煤层气).
  瓦斯火炬燃烧量 (m3 or t CH4): drained CMM flared: CO2 = η × CH4 × 44/16, reported in 1.B.1.a.i.4 井工开采-抽采瓦斯
      火炬燃烧 (IPCC 2006 Vol 1 Table 8.2 "Flaring of drained methane or conversion of methane to CO2"; a results-only
      category) for underground mines, in 1.B.1.a.ii.1 for surface mines (the IPCC list has no surface flaring leaf).
Rows without a facility form the region-level mine of their region and mine type. Which EF_mining applies, first
match: the mine's 相对瓦斯涌出量 row; a local factor row (地方实测 file, per region or for all regions: ch4_mining /
ch4_post_mining with scope 1.B.1.a.i or a leaf, item the production item, its class item, 原煤 or *); the IPCC
default of the item's class.

Results (per region, leaf and item, so that they add up to the leaf's total, as landfill gas recovery does in solid
waste disposal): production item CH4 (gross) in .1 and .2; 瓦斯抽采利用量 and 瓦斯火炬燃烧量 as negative CH4 in .1;
瓦斯火炬燃烧量 CO2 in 1.B.1.a.i.4 (surface: .1). Recovery (utilised + flared) larger than the mine's mining CH4 is an
error naming the mine and its recovery rows (never a negative emission): check the unit (m3 vs 万m3, pure CH4) or
give the mine's 相对瓦斯涌出量. Rows of other years than the inventory year are ignored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon.core import units
from carbon.core.errors import CarbonError, FactorError, UnitError, ValidationError
from carbon.factors.library import FactorLibrary, FactorRow
from carbon.inventory.calc.base import SeriesInput, SeriesRowErrors, row_order, row_problem, series_method
from carbon.inventory.catalog import Catalog

METHOD = "coal_mining"
UNDERGROUND, SURFACE = "1.B.1.a.i", "1.B.1.a.ii"
ROOTS = (UNDERGROUND, SURFACE)
BOTH, MINING, POST = "both", "mining", "post_mining"
CH4_TO_CO2 = 44 / 16  # the stoichiometric mass factor of CH4 combustion (2.75)

RAW_COAL = "raw_coal"
# production item -> the item whose IPCC default (class) applies
CLASS_ITEM = {
    RAW_COAL: RAW_COAL,  # class not given: IPCC average
    "coal_shallow": "coal_shallow",  # IPCC low
    "coal_mid": RAW_COAL,  # IPCC average
    "coal_deep": "coal_deep",  # IPCC high
    "coal_low_gas": "coal_shallow",
    "coal_high_gas": RAW_COAL,
    "coal_outburst": "coal_deep",
}
GAS_GRADE = ("coal_low_gas", "coal_high_gas", "coal_outburst")
UTILISED, FLARED, RELATIVE = "cmm_utilised", "cmm_flared", "cmm_relative_emission"
RECOVERY = (UTILISED, FLARED)
# where the CO2 of flaring goes: IPCC 2006 Vol 1 Table 8.2 has 1.B.1.a.i.4 "Flaring of drained methane or conversion of
# methane to CO2" for underground mines and no such leaf for surface mines (their flaring CO2 stays in .1)
FLARING_CO2 = {UNDERGROUND: f"{UNDERGROUND}.4"}

_COLUMNS = ["region", "year", "category", "item", "gas", "mass_t", "memo", "method", "factor_refs", "basis", "records"]


def split_category(code: str) -> tuple[str, str]:
    """(root, part) of a coal-mining category: ('1.B.1.a.i', 'both' | 'mining' | 'post_mining')."""
    for root in ROOTS:
        if code == root:
            return root, BOTH
        if code == f"{root}.1":
            return root, MINING
        if code == f"{root}.2":
            return root, POST
    raise ValidationError(key="inventory_not_coal_mining_category", params={"category": code}, field="category")


def mine_label(region: str, root: str, facility: str) -> str:
    return facility or f"{region} {root}"


def _unit_of(item: str, unit: str, root: str, part: str, catalog: Catalog) -> tuple[str, float]:
    """('t' | 'm3' | 'm3/t', multiplier) for one (item, unit) of a category; raises CarbonError with the reason."""
    it = catalog.items.get(item)
    name = f"{it.name_zh} ({item})" if it else repr(item)
    if item in CLASS_ITEM:
        if item in GAS_GRADE and root == SURFACE:
            raise ValidationError(key="inventory_gas_grade_surface", params={"name": name, "surface": SURFACE},
                                  field="item")
        return "t", _multiplier(unit, "t", "inventory_unit_coal_production", name)
    if item in RECOVERY or item == RELATIVE:
        if part == POST:
            raise ValidationError(key="inventory_drainage_not_post_mining", params={"name": name, "root": root},
                                  field="category")
        if item == RELATIVE:
            return "m3/t", _multiplier(unit, "m3/t", "inventory_unit_relative_emission", name)
        if _is_mass(unit):
            return "t", units.multiplier(unit, "t")
        return "m3", _multiplier(unit, "m3", "inventory_unit_ch4_volume", name)
    raise ValidationError(key="inventory_not_coal_mining_item", params={"name": name}, field="item")


def _is_mass(unit: str) -> bool:
    try:
        units.check_dimension(unit, "mass")
        return True
    except UnitError:
        return False


def _multiplier(unit: str, to: str, key: str, name: str) -> float:
    """The multiplier of ``unit`` to ``to``; else the error ``key`` (what the item ``name`` is measured in)."""
    try:
        return units.multiplier(unit, to)
    except UnitError:
        raise ValidationError(key=key, params={"unit": unit, "name": name}, field="unit") from None


class _Factors:
    """Factor rows of the compile, resolved once per (parameter, category, item, region)."""

    def __init__(self, library: FactorLibrary, year: int):
        self.library, self.year, self.cache = library, year, {}

    def row(self, parameter: str, category: str, item: str, region: str, dims: tuple[str, ...] | None = None) -> FactorRow:
        key = (parameter, category, item, region)
        if key not in self.cache:
            r = self.library.resolve(parameter, category, item, region, self.year, dims=dims)
            if r is None:
                raise FactorError(key="inventory_no_mine_factor", params={
                    "parameter": parameter, "item": item, "category": category, "region": region, "year": self.year},
                    field="factor")
            self.cache[key] = r
        return self.cache[key]

    def ef(self, parameter: str, category: str, item: str, region: str) -> FactorRow:
        """EF (m3/t) of a production item: a local row for the item, its class item or 原煤 (or '*') first; else the
        default of the item's class."""
        key = ("ef", parameter, category, item, region)
        if key in self.cache:
            return self.cache[key]
        chain = list(dict.fromkeys([item, CLASS_ITEM[item], RAW_COAL]))
        found = [self.library.resolve(parameter, category, it, region, self.year, dims=("volume/mass",)) for it in chain]
        local = [r for r in found if r is not None and r.basis == "local"]
        default = [r for it, r in zip(chain, found) if r is not None and it in (item, CLASS_ITEM[item])]
        if not local and not default:
            raise FactorError(key="inventory_no_mine_ef", params={
                "parameter": parameter, "item": item, "category": category, "region": region, "year": self.year},
                field="factor")
        self.cache[key] = (local or default)[0]
        return self.cache[key]

    def per_t(self, row: FactorRow, unit: str) -> float:
        return float(row.quantity().to(units.normalise_unit(unit)).magnitude)


_KEYS = ["region", "category", "facility", "item", "unit"]


@series_method(METHOD, unit=None)
def coal_mining(inp: SeriesInput, *, library: FactorLibrary, catalog: Catalog) -> pd.DataFrame:
    """Fugitive CH4 of coal mining and post-mining, less recovered CMM, and flaring CO2 (see the module docstring)."""
    target = inp.target_year
    n = len(inp.region)
    df = pd.DataFrame({"region": inp.region, "year": inp.year, "category": inp.category, "item": inp.item,
                       "unit": inp.unit or ["t"] * n, "facility": inp.facility or [""] * n,
                       "quantity": np.asarray(inp.quantity_t, dtype=float), "pos": np.arange(n)})
    df = df[df["year"].to_numpy() == target]
    if df.empty:
        return _empty()
    # the records summed per (region, category, facility, item, unit): everything below works on these few rows;
    # `rows_of` gives back the records of some of them, for row-level error reports
    agg = df.groupby(_KEYS, sort=True).agg(quantity=("quantity", "sum"), qmin=("quantity", "min"),
                                           qmax=("quantity", "max"), records=("quantity", "size"),
                                           pos=("pos", "min")).reset_index()
    index = []

    def rows_of(sub: pd.DataFrame) -> pd.DataFrame:
        if not index:
            index.append(pd.MultiIndex.from_frame(df[_KEYS]))
        return df[index[0].isin(pd.MultiIndex.from_frame(sub[_KEYS]))]

    errors: list[tuple[int, str, str, str]] = []  # (position, column, reason, value)

    # 1. what each (category, item, unit) is, and its quantity in t, m3 or m3/t
    info = {}
    for cat, item, unit in agg[["category", "item", "unit"]].drop_duplicates().itertuples(index=False):
        try:
            root, part = split_category(cat)
            info[(cat, item, unit)] = (root, part, *_unit_of(item, unit, root, part, catalog))
        except CarbonError as exc:
            bad = rows_of(agg[(agg["category"] == cat) & (agg["item"] == item) & (agg["unit"] == unit)])
            value = {"unit": unit, "item": item}.get(exc.field, cat)
            errors.extend((int(p), exc.field or "category", exc, str(value)) for p in bad["pos"])
    if errors:
        raise SeriesRowErrors(sorted(errors, key=row_order))
    per = [info[k] for k in zip(agg["category"], agg["item"], agg["unit"])]
    mult = np.array([p[3] for p in per], dtype=float)
    agg = agg.assign(root=[p[0] for p in per], part=[p[1] for p in per], kind=[p[2] for p in per],
                     value=agg["quantity"].to_numpy() * mult, vmin=agg["qmin"].to_numpy() * mult,
                     vmax=agg["qmax"].to_numpy() * mult)

    # 2. the same coal under a parent and under its leaves (same region and mine) is a double count
    errors.extend(_double_counts(agg[agg["item"].isin(list(CLASS_ITEM))], rows_of))
    if errors:
        raise SeriesRowErrors(sorted(errors, key=row_order))

    # 3. per mine (region, mine type, facility)
    factors = _Factors(library, target)
    out: list[tuple] = []
    for (region, root, facility), mine in agg.groupby(["region", "root", "facility"], sort=True):
        try:
            out.extend(_mine(region, root, facility, mine, factors, catalog, target, errors, rows_of))
        except CarbonError as exc:  # a missing factor: reported on the mine's first row; other mines go on
            errors.append((int(mine["pos"].min()), "facility" if facility else "category", exc, facility or root))
    if errors:
        raise SeriesRowErrors(sorted(errors, key=row_order))
    if not out:
        return _empty()
    res = pd.DataFrame(out, columns=_COLUMNS)
    res = res.groupby(["region", "year", "category", "item", "gas", "memo", "method"], as_index=False, sort=True).agg(
        mass_t=("mass_t", "sum"), factor_refs=("factor_refs", _union), basis=("basis", _union), records=("records", "sum"))
    return res[_COLUMNS]


def _double_counts(prod: pd.DataFrame, rows_of) -> list[tuple[int, str, str, str]]:
    """Production rows of a parent and of its leaves for the same region and mine (facility equal, or one blank)."""
    found = []
    for (region, root), g in prod.groupby(["region", "root"], sort=True):
        parent = g[g["part"] == BOTH]
        leaves = g[g["part"] != BOTH]
        if parent.empty or leaves.empty:
            continue
        bad = set()
        for fp in pd.unique(parent["facility"]):
            for fl in pd.unique(leaves["facility"]):
                if fp == fl or "" in (fp, fl):
                    bad.update(parent.index[parent["facility"] == fp])
                    bad.update(leaves.index[leaves["facility"] == fl])
        if not bad:
            continue
        for pos, category, facility in rows_of(prod.loc[sorted(bad)])[["pos", "category", "facility"]].itertuples(index=False):
            key = "inventory_double_count_mine" if facility else "inventory_double_count"
            found.append((int(pos), "category", row_problem(key, region=region, mine=facility, root=root),
                          str(category)))
    return found


def _mine(region: str, root: str, facility: str, mine: pd.DataFrame, factors: _Factors, catalog: Catalog,
          target: int, errors: list, rows_of) -> list[tuple]:
    """Result rows of one mine; appends the mine's row errors (measured rate, recovery) to ``errors``."""
    label = mine_label(region, root, facility)
    mining_cat, post_cat = f"{root}.1", f"{root}.2"
    prod = mine[mine["item"].isin(list(CLASS_ITEM))]
    has_mining = bool((prod["part"] != POST).any())
    out = []

    rel = mine[mine["item"] == RELATIVE]
    measured = None
    if len(rel):
        values = sorted(set(np.round(np.concatenate([rel["vmin"], rel["vmax"]]), 12)))
        if len(values) > 1:
            reason = row_problem("inventory_mine_rates", mine=label, n=len(values),
                                 values=", ".join(f"{v:g}" for v in values))
            errors.extend((int(p), "quantity", reason, str(q))
                          for p, q in rows_of(rel)[["pos", "quantity"]].itertuples(index=False))
            return []
        if not has_mining:
            reason = row_problem("inventory_mine_rate_no_production", mine=label, root=root, mining=mining_cat)
            errors.extend((int(p), "item", reason, RELATIVE) for p in rows_of(rel)["pos"])
            return []
        measured = float(values[0])

    mining_t = 0.0
    for (part, item), g in prod.groupby(["part", "item"], sort=True):
        coal_t = float(g["value"].sum())
        nrec = int(g["records"].sum())
        if part in (BOTH, MINING):
            density = factors.row("ch4_density", mining_cat, item, region, dims=("mass/volume",))
            rho = factors.per_t(density, "t/m3")
            if measured is not None:
                ef, refs, basis = measured, [density], {"local", density.basis}
            else:
                row = factors.ef("ch4_mining", mining_cat, item, region)
                ef, refs, basis = factors.per_t(row, "m3/t"), [row, density], {row.basis, density.basis}
            mass = coal_t * ef * rho
            mining_t += mass
            out.append(_row(region, target, mining_cat, item, "CH4", mass, refs, basis, nrec))
        if part in (BOTH, POST):
            density = factors.row("ch4_density", post_cat, item, region, dims=("mass/volume",))
            row = factors.ef("ch4_post_mining", post_cat, item, region)
            mass = coal_t * factors.per_t(row, "m3/t") * factors.per_t(density, "t/m3")
            out.append(_row(region, target, post_cat, item, "CH4", mass, [row, density], {row.basis, density.basis}, nrec))

    rec = mine[mine["item"].isin(list(RECOVERY))]
    if rec.empty:
        return out
    if not has_mining:
        reason = row_problem("inventory_mine_recovery_no_production", mine=label, root=root, mining=mining_cat)
        errors.extend((int(p), "item", reason, str(it)) for p, it in rows_of(rec)[["pos", "item"]].itertuples(index=False))
        return []
    recovered = {}
    for item, g in rec.groupby("item", sort=True):
        density = factors.row("ch4_density", mining_cat, item, region, dims=("mass/volume",))
        m3 = float(g.loc[g["kind"] == "m3", "value"].sum())
        t = float(g.loc[g["kind"] == "t", "value"].sum()) + m3 * factors.per_t(density, "t/m3")
        recovered[item] = (t, [density] if m3 else [], int(g["records"].sum()))
    total = sum(t for t, _, _ in recovered.values())
    if total > mining_t * (1 + 1e-9):
        parts = " + ".join(f"{catalog.items[i].name_zh} {t:,.6g} t" for i, (t, _, _) in recovered.items())
        parts = parts if len(recovered) == 1 else f"{parts} = {total:,.6g} t"
        reason = row_problem("inventory_mine_recovery_exceeds", mine=label, parts=parts, mining_t=mining_t)
        errors.extend((int(p), "quantity", reason, str(q)) for p, q in rows_of(rec)[["pos", "quantity"]].itertuples(index=False))
        return []
    for item, (t, refs, nrec) in recovered.items():
        out.append(_row(region, target, mining_cat, item, "CH4", -t, refs, {r.basis for r in refs}, nrec))
        if item == FLARED:
            eta = factors.row("flare_efficiency", mining_cat, FLARED, region, dims=("dimensionless",))
            co2 = float(eta.quantity().to("dimensionless").magnitude) * t * CH4_TO_CO2
            out.append(_row(region, target, FLARING_CO2.get(root, mining_cat), item, "CO2", co2, [*refs, eta],
                            {eta.basis, *(r.basis for r in refs)}, nrec))
    return out


def _row(region, year, category, item, gas, mass, refs, basis, records) -> tuple:
    return (region, year, category, item, gas, float(mass), False, METHOD, ";".join(sorted({r.ref for r in refs})),
            ";".join(sorted(b for b in basis if b)), int(records))


def _union(values) -> str:
    return ";".join(sorted({p for v in values for p in str(v).split(";") if p}))


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in _COLUMNS})
