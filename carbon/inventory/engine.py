"""Compile an inventory from activity data: one vectorised pass over the records.

Input: a DataFrame with columns region, year, category, item, quantity, unit (codes already resolved,
see `carbon.inventory.io`), optionally `row` (the source row number, for error reports).

1. Records of the target year are grouped into combinations (category, item, region, year, unit).
2. For each combination the sector method computes, with pint, the mass of each gas per unit of
   activity from factor-library rows (checked units, recorded provenance). Few combinations, so cheap.
3. Activity magnitudes are summed per combination with numpy and multiplied by those coefficients.
4. Series methods (landfill FOD) run on the history of their categories.
5. Results are aggregated per region × category × item × gas, weighted by the GWP set, and the city
   is rolled up from its banners plus city-only rows (two tiers; overlaps are reported, not added).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from carbon.core import units
from carbon.core.errors import CarbonError, ImportRejected, RowError, ValidationError
from carbon.core.gases import GWP_EDITION, check_gwp_set, co2e, gwp_table
from carbon.core.regions import CITY_CODE
from carbon.factors.library import FactorLibrary
from carbon.inventory import calc  # noqa: F401  (registers the sector methods)
from carbon.inventory.calc.base import LINEAR_METHODS, SERIES_METHODS, SERIES_UNITS, MethodContext, SeriesInput, mass_t
from carbon.inventory.catalog import Catalog, load_catalog

RESULT_COLUMNS = [
    "region", "year", "sector", "category", "item", "gas", "mass_t", "co2e_t", "gwp_set", "memo",
    "method", "factor_refs", "basis", "records",
]


@dataclass
class CompileOptions:
    year: int
    gwp_set: str = "AR5"
    ch4_ar6: str = "combined"  # or 'split' (fossil 29.8 / non-fossil 27.0)

    def __post_init__(self):
        check_gwp_set(self.gwp_set, self.ch4_ar6)


@dataclass
class CompileResult:
    """Detailed results (per region × category × item × gas) and what the compile noticed."""

    detail: pd.DataFrame
    options: CompileOptions
    factor_fingerprint: str
    gwp_edition: str = GWP_EDITION
    double_counts: list[dict] = field(default_factory=list)

    def by_category(self) -> pd.DataFrame:
        """One row per region × category × gas, with the city (150600) rows being the roll-up."""
        return summarise(self.detail, ["region", "year", "sector", "category", "gas"])

    def territorial(self) -> pd.DataFrame:
        return self.detail[~self.detail["memo"]]

    def totals(self, region: str = CITY_CODE) -> pd.DataFrame:
        d = self.territorial()
        return d[d["region"] == region].groupby(["sector", "gas"], as_index=False)[["mass_t", "co2e_t"]].sum()


def summarise(detail: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if detail.empty:
        return detail.reindex(columns=[*keys, "mass_t", "co2e_t", "gwp_set", "memo", "factor_refs", "basis"])
    agg = detail.groupby(keys, as_index=False, sort=True).agg(
        mass_t=("mass_t", "sum"), co2e_t=("co2e_t", "sum"), gwp_set=("gwp_set", "first"), memo=("memo", "first"),
        method=("method", _join), factor_refs=("factor_refs", _join), basis=("basis", _join),
    )
    return agg


def _join(values) -> str:
    out: list[str] = []
    for v in values:
        for part in str(v).split(";"):
            if part and part not in out:
                out.append(part)
    return ";".join(sorted(out))


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(np.int64), np.asarray(values.cat.categories)
    codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.int64), np.asarray(uniques)


def compile_activity(activity: pd.DataFrame, library: FactorLibrary, options: CompileOptions,
                     catalog: Catalog | None = None) -> CompileResult:
    catalog = catalog or load_catalog()
    errors: list[RowError] = []
    pieces: list[pd.DataFrame] = []
    methods = _method_column(activity, catalog)
    linear = (methods.isin(list(LINEAR_METHODS))) & (activity["year"].to_numpy() == options.year)
    if linear.any():
        pieces.append(_compile_linear(activity[linear], library, options, catalog, errors))
    for name in SERIES_METHODS:
        mask = methods == name
        if mask.any():
            pieces.append(_compile_series(name, activity[mask], library, options, catalog, errors))
    unknown = ~methods.isin(list(LINEAR_METHODS) + list(SERIES_METHODS))
    for i in np.flatnonzero(unknown.to_numpy())[:50]:
        rec = activity.iloc[i]
        errors.append(RowError(_row_no(activity, i), "category", f"category {rec['category']} takes no activity data (a heading, or no method)", str(rec["category"])))
    if errors:
        raise ImportRejected(errors=errors, what="compile")
    detail = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=RESULT_COLUMNS)
    detail = _weight(detail, options, catalog)
    detail, double_counts = roll_up_city(detail)
    return CompileResult(detail=detail[RESULT_COLUMNS], options=options, factor_fingerprint=library.fingerprint,
                         double_counts=double_counts)


def _method_column(activity: pd.DataFrame, catalog: Catalog) -> pd.Series:
    cats = activity["category"]
    codes, uniques = _codes(cats)
    lookup = np.array([catalog.categories[c].method if c in catalog.categories else "" for c in uniques], dtype=object)
    return pd.Series(lookup[codes] if len(uniques) else np.array([], dtype=object), index=activity.index)


def _row_no(activity: pd.DataFrame, i: int) -> int:
    return int(activity["row"].iloc[i]) if "row" in activity.columns else i + 2


def _compile_linear(act: pd.DataFrame, library: FactorLibrary, options: CompileOptions, catalog: Catalog,
                    errors: list[RowError]) -> pd.DataFrame:
    keys = ["category", "item", "region", "unit"]
    code_arrays, uniques = [], []
    for k in keys:
        c, u = _codes(act[k])
        code_arrays.append(c)
        uniques.append(u)
    combined = np.zeros(len(act), dtype=np.int64)
    for c, u in zip(code_arrays, uniques):
        combined = combined * max(len(u), 1) + c
    combo_keys, inverse = np.unique(combined, return_inverse=True)
    quantity = act["quantity"].to_numpy(dtype=float)
    q_sum = np.bincount(inverse, weights=quantity, minlength=len(combo_keys))
    n_rec = np.bincount(inverse, minlength=len(combo_keys))
    # decode each combination back to its key values
    decoded = []
    rest = combo_keys.copy()
    for u in reversed(uniques):
        n = max(len(u), 1)
        decoded.append(u[rest % n])
        rest //= n
    cat_v, item_v, region_v, unit_v = reversed(decoded)
    first_row = np.full(len(combo_keys), -1)
    first_row[inverse[::-1]] = np.arange(len(act))[::-1]
    rows = {"region": [], "year": [], "category": [], "item": [], "gas": [], "mass_t": [], "memo": [],
            "method": [], "factor_refs": [], "basis": [], "records": []}
    for j in range(len(combo_keys)):
        category = catalog.categories[cat_v[j]]
        try:
            coefs, used = _coefficients(library, catalog, category.code, item_v[j], region_v[j], options.year, unit_v[j])
        except (CarbonError, NotImplementedError) as exc:
            msg = exc.message if isinstance(exc, CarbonError) else str(exc)
            field = getattr(exc, "field", None)
            column = field if field in ("unit", "item", "category", "region") else "category"
            errors.append(RowError(_row_no(act, int(first_row[j])), column, msg + _also(n_rec[j]), {"unit": unit_v[j], "item": item_v[j], "region": region_v[j]}.get(column, cat_v[j])))
            continue
        for out_cat, gas, memo, coef in coefs:
            # provenance per gas: the shared rows (NCV, CC, OF, ...) and the rows of this gas
            mine = [r for r in used if not r.gas or r.gas == gas]
            rows["region"].append(region_v[j]); rows["year"].append(options.year); rows["category"].append(out_cat)
            rows["item"].append(item_v[j]); rows["gas"].append(gas); rows["mass_t"].append(q_sum[j] * coef)
            rows["memo"].append(memo); rows["method"].append(category.method)
            rows["factor_refs"].append(";".join(sorted({r.ref for r in mine})))
            rows["basis"].append(";".join(sorted({r.basis for r in mine}))); rows["records"].append(int(n_rec[j]))
    return pd.DataFrame(rows)


def _also(n: int) -> str:
    return f" (and the other {n - 1} record(s) of the same category, item, region and unit)" if n > 1 else ""


_COEF_CACHE: dict = {}


def _coefficients(library: FactorLibrary, catalog: Catalog, category: str, item: str, region: str, year: int, unit: str):
    """[(result category, gas, memo, t per unit of activity)] and the factor rows used."""
    key = (id(library), category, item, region, year, unit)
    hit = _COEF_CACHE.get(key)
    if hit is not None:
        return hit
    cat = catalog.categories[category]
    if item not in catalog.items:
        raise ValidationError(f"unknown item {item!r}", field="item")
    cat.check_unit(unit)
    ctx = MethodContext(library=library, category=cat, item=catalog.items[item], region=region, year=year, activity_unit=unit)
    emissions = LINEAR_METHODS[cat.method](ctx)
    coefs = [(e.category, gwp_table().species(e.gas), e.memo, mass_t(e.mass)) for e in emissions]
    if len(_COEF_CACHE) > 100_000:
        _COEF_CACHE.clear()
    _COEF_CACHE[key] = (coefs, list(ctx.used))
    return coefs, list(ctx.used)


def _compile_series(name: str, act: pd.DataFrame, library: FactorLibrary, options: CompileOptions, catalog: Catalog,
                    errors: list[RowError]) -> pd.DataFrame:
    canonical = SERIES_UNITS[name]
    qty = np.empty(len(act))
    units_arr = act["unit"].to_numpy()
    quantities = act["quantity"].to_numpy(dtype=float)
    for u in pd.unique(units_arr):
        mask = units_arr == u
        try:
            qty[mask] = quantities[mask] * units.multiplier(u, canonical)
        except CarbonError as exc:
            i = int(np.flatnonzero(mask)[0])
            errors.append(RowError(_row_no(act, i), "unit", exc.message, str(u)))
    if errors:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    inp = SeriesInput(region=list(act["region"]), year=[int(y) for y in act["year"]], category=list(act["category"]),
                      item=list(act["item"]), quantity_t=list(qty), target_year=options.year)
    try:
        return SERIES_METHODS[name](inp, library=library, catalog=catalog)
    except CarbonError as exc:
        errors.append(RowError(_row_no(act, 0), "category", exc.message, str(act["category"].iloc[0])))
        return pd.DataFrame(columns=RESULT_COLUMNS)


def _weight(detail: pd.DataFrame, options: CompileOptions, catalog: Catalog) -> pd.DataFrame:
    detail = detail.copy()
    if detail.empty:
        detail["co2e_t"] = []
        detail["sector"] = []
        detail["gwp_set"] = []
        return detail
    fossil = detail["category"].map(lambda c: catalog.categories[c].ch4_fossil if c in catalog.categories else False)
    fossil = fossil | detail["category"].map(lambda c: any(catalog.categories[a].ch4_fossil for a in catalog.ancestors(c) if a in catalog.categories))
    detail["co2e_t"] = co2e(detail["mass_t"].to_numpy(float), detail["gas"].to_numpy(object), options.gwp_set,
                            ch4_ar6=options.ch4_ar6, fossil=fossil.to_numpy(bool))
    detail["sector"] = detail["category"].map(lambda c: catalog.categories[c].sector)
    detail["gwp_set"] = options.gwp_set + ("-CH4split" if options.gwp_set == "AR6" and options.ch4_ar6 == "split" else "")
    detail["year"] = detail["year"].astype(int)
    detail["memo"] = detail["memo"].astype(bool)
    return detail


def roll_up_city(detail: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Two tiers: city = Σ banners + city-only rows.

    A (category, item) reported both by the city (150600) and by a banner is a possible double count: it
    is listed, and the city-level rows of it are left out of the city total (the banner data stand).
    """
    if detail.empty:
        return detail, []
    is_city = detail["region"] == CITY_CODE
    banners = detail[~is_city]
    city_rows = detail[is_city]
    banner_keys = set(zip(banners["category"], banners["item"]))
    overlap = [(c, i) in banner_keys for c, i in zip(city_rows["category"], city_rows["item"])]
    overlap = np.asarray(overlap, dtype=bool)
    double = city_rows[overlap]
    double_counts = [
        {"category": c, "item": i, "gas": g, "city_mass_t": float(m),
         "banner_mass_t": float(banners[(banners["category"] == c) & (banners["item"] == i) & (banners["gas"] == g)]["mass_t"].sum())}
        for c, i, g, m in zip(double["category"], double["item"], double["gas"], double["mass_t"])
    ]
    city_only = city_rows[~overlap]
    rolled = banners.copy()
    rolled["region"] = CITY_CODE
    city = pd.concat([rolled, city_only], ignore_index=True)
    keys = ["region", "year", "sector", "category", "item", "gas"]
    city = city.groupby(keys, as_index=False, sort=False).agg(
        mass_t=("mass_t", "sum"), co2e_t=("co2e_t", "sum"), gwp_set=("gwp_set", "first"), memo=("memo", "first"),
        method=("method", _join), factor_refs=("factor_refs", _join), basis=("basis", _join), records=("records", "sum"),
    )
    out = pd.concat([banners, city], ignore_index=True)
    return out.sort_values(["region", "category", "item", "gas"], kind="stable", ignore_index=True), double_counts
