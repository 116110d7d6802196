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
   Before the roll-up, the cross-sector checks (`carbon.inventory.calc.cross_checks`) list the same carbon
   counted in two sectors; a finding is taken out of 1.A only when the options name it.
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
from carbon.inventory.calc.base import (LINEAR_METHODS, SERIES_METHODS, SERIES_UNITS, MethodContext, SeriesInput,
                                       SeriesRowErrors, mass_t)
from carbon.inventory.calc.cross_checks import (apply_exclusions, feedstock_double_counts, parse_exclusion_key,
                                                reductant_double_counts)
from carbon.inventory.catalog import Catalog, load_catalog
from carbon.inventory.completeness import complete
from carbon.inventory.proxy import check_proxy

RESULT_COLUMNS = [
    "region", "year", "sector", "category", "item", "gas", "mass_t", "co2e_t", "gwp_set", "memo",
    "method", "factor_refs", "basis", "records",
]


@dataclass
class CompileOptions:
    year: int
    gwp_set: str = "AR5"
    ch4_ar6: str = "combined"  # or 'split' (fossil 29.8 / non-fossil 27.0)
    # cross-sector double counts (feedstock_in_1A, reductant_in_1A) whose CO2 at stake the user takes out of
    # 1.A: 'all', 'REGION:CATEGORY' or 'REGION:CATEGORY:ITEM' (carbon.inventory.calc.cross_checks). Empty:
    # every finding is listed and nothing is excluded.
    exclude_double_counts: tuple[str, ...] = ()
    # landfill FOD with fewer years of deposits than it needs: 'population' or 'gdp' back-casts the missing years
    # from the proxy series given to compile_activity (carbon.inventory.calc.waste.history_findings); None: a warning
    backcast: str | None = None

    def __post_init__(self):
        check_gwp_set(self.gwp_set, self.ch4_ar6)
        check_proxy(self.backcast)
        catalog = load_catalog()
        keys = (self.exclude_double_counts,) if isinstance(self.exclude_double_counts, str) else self.exclude_double_counts
        self.exclude_double_counts = tuple(dict.fromkeys(parse_exclusion_key(k, catalog) for k in keys or ()))


@dataclass
class CompileResult:
    """Detailed results (per region × category × item × gas) and what the compile noticed."""

    detail: pd.DataFrame
    options: CompileOptions
    factor_fingerprint: str
    gwp_edition: str = GWP_EDITION
    double_counts: list[dict] = field(default_factory=list)
    balances: list[dict] = field(default_factory=list)  # carbon mass balances per facility (coal chemicals)
    cross_sector: list[dict] = field(default_factory=list)  # calc.cross_checks findings (excluded: true when removed)
    notation: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["region", "category", "item", "notation", "note"]))

    def by_category(self) -> pd.DataFrame:
        """One row per region × category × gas, with the city (150600) rows being the roll-up."""
        return summarise(self.detail, ["region", "year", "sector", "category", "gas"])

    def notation_rows(self) -> pd.DataFrame:
        """(region, category, notation, note) for categories that carry a notation key and no figure; the
        city inherits the banners' keys for categories it has no figure for."""
        n = self.notation
        cols = ["region", "category", "notation", "note"]
        if n.empty:
            return pd.DataFrame(columns=cols)
        with_figure = set(zip(self.detail["region"], self.detail["category"]))
        rows = [(r, c, k, note) for r, c, k, note in zip(n["region"], n["category"], n["notation"], n["note"])
                if (r, c) not in with_figure]
        by_cat: dict[str, set] = {}
        for r, c, k, _ in rows:
            if r != CITY_CODE:
                by_cat.setdefault(c, set()).add(k)
        city_has = {c for r, c, *_ in rows if r == CITY_CODE}
        for c, keys in by_cat.items():
            if (CITY_CODE, c) not in with_figure and c not in city_has:
                rows.append((CITY_CODE, c, ",".join(sorted(keys)), "from banners"))
        return pd.DataFrame(rows, columns=cols).drop_duplicates(["region", "category", "notation"], ignore_index=True)

    def territorial(self) -> pd.DataFrame:
        return self.detail[~self.detail["memo"]]

    def totals(self, region: str = CITY_CODE) -> pd.DataFrame:
        d = self.territorial()
        return d[d["region"] == region].groupby(["sector", "gas"], as_index=False)[["mass_t", "co2e_t"]].sum()


def summarise(detail: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if detail.empty:
        return detail.reindex(columns=[*keys, "mass_t", "co2e_t", "gwp_set", "memo", "method", "factor_refs", "basis"])
    return _group(detail, keys).sort_values(keys, kind="stable", ignore_index=True)


_TEXT_COLUMNS = ("method", "factor_refs", "basis")


def _group(detail: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum mass, CO2e and record counts per key; union the provenance strings (few rows: plain Python)."""
    numeric = [c for c in ("mass_t", "co2e_t", "records") if c in detail.columns]
    grouped = detail.groupby(keys, sort=False, as_index=False)
    out = grouped[numeric].sum()
    first = grouped[["gwp_set", "memo"]].first()
    texts: dict[tuple, list[set]] = {}
    distinct = detail[[*keys, *_TEXT_COLUMNS]].drop_duplicates()
    key_cols = [distinct[k].to_numpy() for k in keys]
    text_cols = [distinct[c].to_numpy() for c in _TEXT_COLUMNS]
    for i in range(len(distinct)):
        k = tuple(col[i] for col in key_cols)
        sets = texts.get(k)
        if sets is None:
            sets = texts[k] = [set() for _ in _TEXT_COLUMNS]
        for st, col in zip(sets, text_cols):
            st.update(p for p in str(col[i]).split(";") if p)
    out = out.merge(first, on=keys, how="left")
    out_keys = zip(*(out[k].to_numpy() for k in keys))
    joined = [texts[k] for k in out_keys]
    for n, c in enumerate(_TEXT_COLUMNS):
        out[c] = [";".join(sorted(sets[n])) for sets in joined]
    return out


def _codes(values) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the distinct values of a column (categoricals cost nothing)."""
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        return values.cat.codes.to_numpy(np.int64), np.asarray(values.cat.categories, dtype=object)
    codes, uniques = pd.factorize(np.asarray(values), sort=False)
    return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=object)


@dataclass
class _Combinations:
    """Distinct (category, item, region, unit, year) combinations of the records, and per combination the
    summed activity magnitude and record count. One hash pass over a packed integer key: no sort."""

    values: dict[str, np.ndarray]  # column -> value of each combination
    q_sum: np.ndarray
    n_rec: np.ndarray
    codes: np.ndarray  # combination code of each record

    KEYS = ("category", "item", "region", "unit", "year")

    @classmethod
    def of(cls, activity: pd.DataFrame) -> "_Combinations":
        packed = np.zeros(len(activity), dtype=np.int64)
        uniques = []
        for k in cls.KEYS:
            c, u = _codes(activity[k])
            packed = packed * max(len(u), 1) + c
            uniques.append(u)
        codes, combo = pd.factorize(packed, sort=False)
        quantity = activity["quantity"].to_numpy(dtype=float)
        q_sum = np.bincount(codes, weights=quantity, minlength=len(combo))
        n_rec = np.bincount(codes, minlength=len(combo))
        values = {}
        rest = np.asarray(combo, dtype=np.int64)
        for k, u in zip(reversed(cls.KEYS), reversed(uniques)):
            n = max(len(u), 1)
            values[k] = u[rest % n]
            rest = rest // n
        return cls(values=values, q_sum=q_sum, n_rec=n_rec, codes=codes)

    def __len__(self) -> int:
        return len(self.q_sum)

    def first_record(self, j: int) -> int:
        return int(np.flatnonzero(self.codes == j)[0])


def compile_activity(activity: pd.DataFrame, library: FactorLibrary, options: CompileOptions,
                     catalog: Catalog | None = None, proxy: dict[tuple[str, int], float] | None = None) -> CompileResult:
    """``proxy``: {(region, year): value} of the series named by ``options.backcast`` (carbon.inventory.proxy)."""
    catalog = catalog or load_catalog()
    if options.backcast and not proxy:
        raise ValidationError(key="inventory_backcast_needs_proxy", params={"backcast": options.backcast},
                              field="proxy")
    errors: list[RowError] = []
    notation = _notation_keys(activity, options.year)
    if "notation" in activity.columns:
        figure = _without_key(activity["notation"].to_numpy())
        if not figure.all():  # rows are copied only when some row carries a key
            activity = activity[figure]
    combos = _Combinations.of(activity)
    linear_rows: list[tuple] = []
    series: dict[str, list[int]] = {}
    for j in range(len(combos)):
        code = combos.values["category"][j]
        cat = catalog.categories.get(code)
        method = cat.method if cat else ""
        if method in LINEAR_METHODS:
            if int(combos.values["year"][j]) == options.year:
                _linear_combination(j, combos, cat, library, options, catalog, linear_rows, errors, activity)
        elif method in SERIES_METHODS:
            series.setdefault(method, []).append(j)
        else:
            i = combos.first_record(j)
            errors.append(RowError.keyed(_row_no(activity, i), "category", "inventory_no_method", str(code),
                                         category=code))
    pieces = [pd.DataFrame(linear_rows, columns=_LINEAR_COLUMNS)]
    for name, js in series.items():
        mask = np.isin(combos.codes, js)
        pieces.append(_compile_series(name, activity[mask], library, options, catalog, errors, proxy))
    if errors:
        raise ImportRejected(errors=errors, what="compile")
    detail = pd.concat([p for p in pieces if len(p)], ignore_index=True) if any(len(p) for p in pieces) else pd.DataFrame(columns=_LINEAR_COLUMNS)
    balances = [b for p in pieces for b in p.attrs.get("balances", [])]
    detail = _weight(detail, options, catalog)
    cross_sector = ([c for p in pieces for c in p.attrs.get("cross_sector", [])] + feedstock_double_counts(detail, catalog)
                    + reductant_double_counts(detail, catalog))
    detail, cross_sector = apply_exclusions(detail, cross_sector, options.exclude_double_counts)
    detail, double_counts = roll_up_city(detail)
    notation = complete(detail, notation, catalog)  # every category: a figure or a notation key with its reason
    return CompileResult(detail=detail[RESULT_COLUMNS], options=options, factor_fingerprint=library.fingerprint,
                         double_counts=double_counts, notation=notation, balances=balances, cross_sector=cross_sector)


def _notation_keys(activity: pd.DataFrame, year: int) -> pd.DataFrame:
    """Rows that carry a notation key instead of a number: (region, category, item, notation, note)."""
    cols = ["region", "category", "item", "notation", "note"]
    if "notation" not in activity.columns:
        return pd.DataFrame(columns=cols)
    keys = activity[~_without_key(activity["notation"].to_numpy())]
    keys = keys[keys["year"].to_numpy() == year]
    out = pd.DataFrame({c: keys[c].astype(object).to_numpy() if c in keys.columns else "" for c in cols})
    return out.drop_duplicates(ignore_index=True)


def _without_key(notation: np.ndarray) -> np.ndarray:
    """True for the rows with a figure: notation "" or missing (the missing test only for the rest, few rows)."""
    figure = notation == ""
    rest = ~figure
    if rest.any():
        figure[rest] = pd.isna(notation[rest])
    return figure


_LINEAR_COLUMNS = ["region", "year", "category", "item", "gas", "mass_t", "memo", "method", "factor_refs", "basis", "records"]


def _row_no(activity: pd.DataFrame, i: int) -> int:
    return int(activity["row"].iloc[i]) if "row" in activity.columns else i + 2


def _linear_combination(j, combos, category, library, options, catalog, out, errors, activity) -> None:
    v = combos.values
    item, region, unit = v["item"][j], v["region"][j], v["unit"][j]
    try:
        coefs = _coefficients(library, catalog, category.code, item, region, options.year, unit)
    except (CarbonError, NotImplementedError) as exc:
        field = getattr(exc, "field", None)
        column = field if field in ("unit", "item", "category", "region") else "category"
        value = {"unit": unit, "item": item, "region": region}.get(column, category.code)
        errors.append(_row_error(_row_no(activity, combos.first_record(j)), column, exc, str(value), int(combos.n_rec[j])))
        return
    q = combos.q_sum[j]
    n = int(combos.n_rec[j])
    for out_cat, gas, memo, coef, refs, basis in coefs:
        out.append((region, options.year, out_cat, item, gas, q * coef, memo, category.method, refs, basis, n))


def _also(n: int) -> str:
    return f" (and the other {n - 1} record(s) of the same category, item, region and unit)" if n > 1 else ""


def _row_error(row: int, column: str, exc: Exception, value: str, n: int = 1) -> RowError:
    """The row error for ``exc`` on the first of ``n`` records of one combination: worded by the catalogue in either
    language when ``exc`` has a key (``inventory_row_and_others`` adds the other records), else in English."""
    if not isinstance(exc, CarbonError) or exc.key is None:
        return RowError(row, column, (exc.message if isinstance(exc, CarbonError) else str(exc)) + _also(n), value)
    if n == 1:
        return RowError.of(row, column, exc, value)
    return RowError.keyed(row, column, "inventory_row_and_others", value, detail=exc.message + _also(n),
                          reason_zh=exc.text("zh"), others=n - 1)


def _coefficients(library: FactorLibrary, catalog: Catalog, category: str, item: str, region: str, year: int, unit: str):
    """[(result category, gas, memo, t per unit of activity, factor refs, basis)], cached per combination.

    Provenance per gas: the shared rows (NCV, density, ...) and the rows specific to that gas.
    """
    cache = library.memo.setdefault("coefficients", {})
    # a region without rows of its own resolves every factor as a region-less lookup does: one entry serves them all
    key = (category, item, region if region in library.regions else None, year, unit)
    hit = cache.get(key)
    if hit is not None:
        return hit
    cat = catalog.categories[category]
    if item not in catalog.items:
        raise ValidationError(key="unknown_item", params={"value": item}, field="item")
    cat.check_unit(unit)
    ctx = MethodContext(library=library, category=cat, item=catalog.items[item], region=region if library.regional else None,
                        year=year, activity_unit=unit)
    coefs = []
    for e in LINEAR_METHODS[cat.method](ctx):
        gas = gwp_table().species(e.gas)
        mine = [r for r in ctx.used if not r.gas or r.gas == gas]
        coefs.append((e.category, gas, e.memo, mass_t(e.mass), ";".join(sorted({r.ref for r in mine})),
                      ";".join(sorted({r.basis for r in mine}))))
    cache[key] = coefs
    return coefs


def _compile_series(name: str, act: pd.DataFrame, library: FactorLibrary, options: CompileOptions, catalog: Catalog,
                    errors: list[RowError], proxy: dict[tuple[str, int], float] | None = None) -> pd.DataFrame:
    canonical = SERIES_UNITS[name]
    qty = np.empty(len(act))
    units_arr = act["unit"].to_numpy()
    quantities = act["quantity"].to_numpy(dtype=float)
    if canonical is None:
        qty[:] = quantities
    for u in (pd.unique(units_arr) if canonical is not None else ()):
        mask = units_arr == u
        try:
            qty[mask] = quantities[mask] * units.multiplier(u, canonical)
        except CarbonError as exc:
            i = int(np.flatnonzero(mask)[0])
            errors.append(RowError.of(_row_no(act, i), "unit", exc, str(u)))
    if errors:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    inp = SeriesInput(region=_as_list(act["region"]), year=list(map(int, act["year"].to_numpy().tolist())),
                      category=_as_list(act["category"]), item=_as_list(act["item"]), quantity_t=list(qty),
                      target_year=options.year, unit=[str(u) for u in units_arr],
                      facility=_blank_column(act["facility"]) if "facility" in act.columns else None,
                      note=_blank_column(act["note"]) if "note" in act.columns else None,
                      backcast=options.backcast, proxy=proxy)
    try:
        return SERIES_METHODS[name](inp, library=library, catalog=catalog)
    except SeriesRowErrors as exc:
        errors.extend(_row_error(_row_no(act, pos), column, reason, value) if isinstance(reason, CarbonError)
                      else RowError(_row_no(act, pos), column, reason, value) for pos, column, reason, value in exc.rows)
        return pd.DataFrame(columns=RESULT_COLUMNS)
    except CarbonError as exc:
        errors.append(_row_error(_row_no(act, 0), "category", exc, str(act["category"].iloc[0])))
        return pd.DataFrame(columns=RESULT_COLUMNS)


def _as_list(values: pd.Series) -> list:
    """``list(values)`` without a Python step per row (a categorical is taken from its categories in one go)."""
    return np.asarray(values, dtype=object).tolist()


def _blank_column(values: pd.Series) -> list[str]:
    """``[_blank(v) for v in values]``, each distinct value once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    done = np.empty(len(uniques), dtype=object)
    done[:] = [_blank(u) for u in uniques]
    return done[codes].tolist()


def _blank(value) -> str:
    return "" if value is None or value != value or str(value) in ("", "nan", "None") else str(value).strip()


def _weight(detail: pd.DataFrame, options: CompileOptions, catalog: Catalog) -> pd.DataFrame:
    detail = detail.copy()
    if detail.empty:
        detail["co2e_t"] = []
        detail["sector"] = []
        detail["gwp_set"] = []
        return detail
    # AR6 split CH4: fossil where the category (or an ancestor) is marked ch4_fossil (fugitive and combustion CH4 of
    # fossil fuels, process CH4 of fossil reductants) and the item is not biogenic (straw, firewood, biogas, dung
    # burnt in 1.A stay non-fossil); everything else non-fossil
    fossil_of = {c: any(catalog.categories[a].ch4_fossil for a in [c, *catalog.ancestors(c)] if a in catalog.categories)
                 for c in pd.unique(detail["category"])}
    biogenic_of = {i: bool(catalog.items[i].biogenic) if i in catalog.items else False for i in pd.unique(detail["item"])}
    fossil = (detail["category"].map(fossil_of).astype(bool).to_numpy()
              & ~detail["item"].map(biogenic_of).astype(bool).to_numpy())
    fossil = pd.Series(fossil, index=detail.index)
    detail["co2e_t"] = co2e(detail["mass_t"].to_numpy(float), detail["gas"].to_numpy(object), options.gwp_set,
                            ch4_ar6=options.ch4_ar6, fossil=fossil.to_numpy(bool))
    detail["sector"] = detail["category"].map({c: catalog.categories[c].sector for c in pd.unique(detail["category"])})
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
    banner_keys = set(zip(banners["category"].to_numpy(object), banners["item"].to_numpy(object)))
    overlap = [(c, i) in banner_keys for c, i in zip(city_rows["category"].to_numpy(object), city_rows["item"].to_numpy(object))]
    overlap = np.asarray(overlap, dtype=bool)
    double = city_rows[overlap]
    double_counts: list[dict] = []
    if len(double):
        double_counts = _double_count_report(double, banners)
    city_only = city_rows[~overlap]
    if city_only.empty and banners.empty:
        return detail, double_counts
    rolled = banners.assign(region=CITY_CODE)
    city = _group(pd.concat([rolled, city_only], ignore_index=True), ["region", "year", "sector", "category", "item", "gas"])
    out = pd.concat([banners, city], ignore_index=True)
    return out.sort_values(["region", "category", "item", "gas"], kind="stable", ignore_index=True), double_counts


def _double_count_report(double: pd.DataFrame, banners: pd.DataFrame) -> list[dict]:
    banner_sum = banners.groupby(["category", "item", "gas"], as_index=False)["mass_t"].sum()
    flagged = double.merge(banner_sum, on=["category", "item", "gas"], how="left", suffixes=("", "_banners"))
    return [
        {"category": c, "item": i, "gas": g, "city_mass_t": float(m), "banner_mass_t": float(b) if b == b else 0.0}
        for c, i, g, m, b in zip(flagged["category"], flagged["item"], flagged["gas"], flagged["mass_t"], flagged["mass_t_banners"])
    ]
