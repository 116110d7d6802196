"""Files of the intensity domain: economic and energy statistics, plan indicators (with the plan's city targets),
and the default uncertainty table. All or nothing: every bad row is reported (row, column, reason).

ECONOMY (CSV or XLSX), one row per region × year × price basis:

    required  region, year, gdp, unit, price_base_year
    optional  gdp_current, energy, energy_unit, coal_share_pct, non_fossil_share_pct, population,
              population_unit, energy_co2, energy_co2_unit, source

- ``gdp`` is at constant prices of ``price_base_year`` (the price basis is required: GDP at different prices is
  not comparable); ``price_base_year`` = ``year`` means current prices. ``unit`` is a currency unit (万元, 亿元,
  元); ``gdp_current`` (optional) is at current prices in the same unit.
- ``energy`` is energy consumption in an energy unit (万tce, tce, GJ ...; ``energy_unit`` required with it).
- shares in percent of energy consumption; population in persons (``population_unit`` 人 or 万人).
- ``energy_co2`` (optional): the statistics' own energy-CO2 accounting, a mass (万t, t) in ``energy_co2_unit``.

PLAN INDICATORS: code, seq, group_zh, name_zh, name_en, unit, kind (binding|expected), direction
(decrease|increase|max|min|keep), baseline_year, baseline, target_year, target, target_text, target_metric,
source, and one column per year (2021, 2022, …) holding that year's value. A row with ``target_metric``
(carbon_intensity, energy_intensity, energy_total, non_fossil_share, coal_share) is also the city's target of
that metric (carbon/energy intensity: ``target`` is the reduction in % from the baseline year; energy_total:
the cap in the row's unit; shares: %).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from carbon.core import units
from carbon.core.errors import CarbonError, ImportRejected, RowError, ValidationError
from carbon.core.regions import resolve_region
from carbon.core.resources import data_dir
from carbon.core.tabular import canonical_frame, require_columns
from carbon.intensity.models import INDICATOR_DIRECTIONS, TARGET_KINDS, TARGET_METRICS
from carbon.factors.legacy_scopes import file_key, legacy_scope
from carbon.intensity.uncertainty import UncertaintyDefault
from carbon.inventory.io import read_table

ECONOMY_REQUIRED = ("region", "year", "gdp", "unit", "price_base_year")
ECONOMY_OPTIONAL = ("gdp_current", "energy", "energy_unit", "coal_share_pct", "non_fossil_share_pct", "population",
                    "population_unit", "energy_co2", "energy_co2_unit", "source")
POPULATION_UNITS = {"人": 1, "persons": 1, "person": 1, "": 1, "万人": 10_000, "10k persons": 10_000}
UNCERTAINTY_DIR = data_dir("emission_factors") / "uncertainty"


def _num(text: str) -> float | None:
    t = str(text).strip().replace(",", "")
    if t == "":
        return None
    v = float(t)
    if not np.isfinite(v):
        raise ValueError("not finite")
    return v


def read_economy(source: str | Path | bytes, filename: str | None = None) -> pd.DataFrame:
    """Validated economic data: columns region, year, price_base_year, gdp_yuan, gdp_current_yuan, energy_kgce,
    coal_share, non_fossil_share, population, energy_co2_t, source, row. Raises ImportRejected."""
    raw = canonical_frame(read_table(source, filename), "economy")  # English or Chinese headers (地区, 年份, ...)
    require_columns(raw, ECONOMY_REQUIRED, "economy", what="economic data import")
    first = raw.attrs.get("first_data_line", 2)
    errors: list[RowError] = []
    out = []
    seen: dict[tuple, int] = {}
    for i, r in enumerate(raw.to_dict(orient="records")):
        line = first + i
        get = lambda c: str(r.get(c, "") or "").strip()  # noqa: E731
        n_errors = len(errors)

        def bad(column: str, reason: str | CarbonError, value: str | None = None, **params) -> None:
            """A bad cell: ``reason`` is a message key (with ``params``) or the domain error its check raised."""
            shown = get(column) if value is None else value
            errors.append(RowError.of(line, column, reason, shown) if isinstance(reason, CarbonError)
                          else RowError.keyed(line, column, reason, shown, **params))

        try:
            region = resolve_region(get("region"))
        except CarbonError as exc:
            bad("region", exc)
            region = None
        year = base = None
        for col in ("year", "price_base_year"):
            try:
                v = int(get(col))
                if not 1950 <= v <= 2100:
                    raise ValueError
                if col == "year":
                    year = v
                else:
                    base = v
            except ValueError:
                bad(col, "bad_year")
        if year is not None and base is not None and base > year:
            bad("price_base_year", "intensity_prices_after_year", base=base, year=year)

        def quantity(col: str, unit_col: str, dim: str, to: str, *, required: bool = False, positive: bool = True):
            text = get(col)
            if text == "":
                if required:
                    bad(col, "empty")
                return None
            try:
                value = _num(text)
            except ValueError:
                bad(col, "intensity_not_a_number")
                return None
            u = get(unit_col)
            if not u:
                bad(unit_col, "intensity_unit_required", quantity=col)
                return None
            try:
                units.check_dimension(u, dim, unit_col)
                converted = units.convert(value, u, to)
            except CarbonError as exc:
                bad(unit_col, exc)
                return None
            if positive and converted <= 0:
                bad(col, "intensity_must_be_positive")
                return None
            return converted

        gdp = quantity("gdp", "unit", "currency", "yuan", required=True)
        gdp_current = quantity("gdp_current", "unit", "currency", "yuan")
        energy = quantity("energy", "energy_unit", "energy", "kgce")
        energy_co2 = quantity("energy_co2", "energy_co2_unit", "mass", "t")
        shares = {}
        for col in ("coal_share_pct", "non_fossil_share_pct"):
            try:
                v = _num(get(col))
                if v is not None and not 0 <= v <= 100:
                    raise ValueError
                shares[col] = None if v is None else v / 100
            except ValueError:
                bad(col, "intensity_not_a_percentage")
        population = None
        if get("population"):
            pu = get("population_unit")
            if pu not in POPULATION_UNITS:
                bad("population_unit", "intensity_expected_one_of",
                    known=", ".join(u for u in POPULATION_UNITS if u))
            else:
                try:
                    v = _num(get("population"))
                    if v is None or v <= 0:
                        raise ValueError
                    population = int(round(v * POPULATION_UNITS[pu]))
                except ValueError:
                    bad("population", "intensity_not_positive_number")
        if region is not None and year is not None and base is not None:
            key = (region, year, base)
            if key in seen:
                bad("region", "intensity_duplicate_economy_row", get("region"), first=seen[key])
            seen[key] = line
        if len(errors) == n_errors:
            out.append({"region": region, "year": year, "price_base_year": base, "gdp_yuan": int(round(gdp)),
                        "gdp_current_yuan": None if gdp_current is None else int(round(gdp_current)),
                        "energy_kgce": None if energy is None else int(round(energy)),
                        "coal_share": shares.get("coal_share_pct"), "non_fossil_share": shares.get("non_fossil_share_pct"),
                        "population": population, "energy_co2_t": energy_co2, "source": get("source") or None,
                        "row": line})
    if errors:
        raise ImportRejected(errors=errors, what="economic data import")
    if not out:
        raise ValidationError(key="intensity_economy_no_rows", field="file")
    return pd.DataFrame(out)


def economy_frame(economy: pd.DataFrame) -> pd.DataFrame:
    """Stored or read economic data in the calculators' units: gdp_10k_cny, energy_tce (+ the rest)."""
    frame = economy.copy()
    frame["gdp_10k_cny"] = frame["gdp_yuan"].astype(float) / 1e4
    frame["energy_tce"] = pd.to_numeric(frame["energy_kgce"], errors="coerce").astype(float) / 1e3
    return frame


RESULTS_REQUIRED = ("region", "year", "sector", "category", "gas", "co2e_t")


def _memo_from_catalogue(category: pd.Series, sector: pd.Series) -> pd.Series:
    """Whether each RESULTS row is a memo item, from the category catalogue's ``memo`` flag (code or name); a
    category the catalogue does not know is a memo item when its sector is ``memo``."""
    from carbon.inventory.catalog import load_catalog

    catalog = load_catalog()
    known: dict[tuple[str, str], bool] = {}

    def is_memo(cat: str, sec: str) -> bool:
        key = (cat, sec)
        if key not in known:
            try:
                known[key] = catalog.category(cat).memo
            except CarbonError:
                known[key] = sec.strip().lower() == "memo"
        return known[key]

    return pd.Series([is_memo(str(c).strip(), str(s)) for c, s in zip(category, sector)], index=category.index,
                     dtype=bool)


def read_results(source: str | Path | bytes, filename: str | None = None) -> pd.DataFrame:
    """A RESULTS file (``carbon compile --out``): region (code or name), year, sector, category, gas, co2e_t, and
    optionally memo (true/false). The contract's columns (region, year, sector, category, gas, mass_t, co2e_t,
    gwp_set) suffice: without a ``memo`` column (or where a memo cell is blank) the memo rows are known from the
    category catalogue. Other columns (category_name, crt_category, method, ...) are carried along, unused."""
    raw = canonical_frame(read_table(source, filename), "results")
    require_columns(raw, RESULTS_REQUIRED, "results", what="results file")
    codes = {}
    errors = []
    first = raw.attrs.get("first_data_line", 2)
    for i, text in enumerate(raw["region"]):
        if text not in codes:
            try:
                codes[text] = resolve_region(text)
            except CarbonError as exc:
                codes[text] = None
                errors.append(RowError.of(first + i, "region", exc, text))
    if errors:
        raise ImportRejected(errors=errors[:100], what="results file")
    frame = raw.copy()
    frame["region"] = frame["region"].map(codes)
    derived = _memo_from_catalogue(frame["category"], frame["sector"])
    if "memo" not in frame.columns:
        frame["memo"] = derived
    else:
        given = frame["memo"].astype(str).str.strip()
        frame["memo"] = given.str.lower().isin(("true", "1", "yes")).where(given != "", derived).astype(bool)
    return frame


# --- plan indicators ----------------------------------------------------------------------------------

PLAN_REQUIRED = ("code", "seq", "group_zh", "name_zh", "name_en", "unit", "kind", "direction", "baseline_year",
                 "baseline", "target_year", "target")
_YEAR = re.compile(r"^(19|20)\d\d$")


def read_plan_indicators(source: str | Path | bytes, filename: str | None = None) -> list[dict]:
    """Validated plan indicators: dicts with the model's fields, ``values`` {year: value} and ``target_metric``."""
    raw = canonical_frame(read_table(source, filename), "plan")
    require_columns(raw, PLAN_REQUIRED, "plan", what="plan indicators import")
    year_cols = [c for c in raw.columns if _YEAR.match(c)]
    first = raw.attrs.get("first_data_line", 2)
    errors: list[RowError] = []
    out = []
    codes: dict[str, int] = {}
    for i, r in enumerate(raw.to_dict(orient="records")):
        line = first + i
        get = lambda c: str(r.get(c, "") or "").strip()  # noqa: E731
        n = len(errors)
        item: dict = {"row": line}
        for col in ("code", "group_zh", "name_zh", "name_en", "unit"):
            if not get(col) and col != "unit":
                errors.append(RowError.keyed(line, col, "empty"))
            item[col] = get(col)
        if item["code"] in codes:
            errors.append(RowError.keyed(line, "code", "intensity_duplicate_code", item["code"],
                                         first=codes[item["code"]]))
        codes[item["code"]] = line
        for col, allowed in (("kind", TARGET_KINDS), ("direction", INDICATOR_DIRECTIONS)):
            if get(col) not in allowed:
                errors.append(RowError.keyed(line, col, "intensity_expected_one_of", get(col),
                                             known=", ".join(allowed)))
            item[col] = get(col)
        for col in ("seq", "baseline_year", "target_year"):
            try:
                item[col] = int(get(col))
            except ValueError:
                errors.append(RowError.keyed(line, col, "intensity_not_whole_number", get(col)))
        for col in ("baseline", "target"):
            try:
                item[col] = _num(get(col))
            except ValueError:
                errors.append(RowError.keyed(line, col, "intensity_target_not_number", get(col)))
        item["target_text"] = get("target_text") or None
        item["source"] = get("source") or None
        metric = get("target_metric")
        if metric and metric not in TARGET_METRICS:
            errors.append(RowError.keyed(line, "target_metric", "intensity_expected_one_of", metric,
                                         known=", ".join(TARGET_METRICS)))
        if metric and item.get("target") is None:
            errors.append(RowError.keyed(line, "target", "intensity_metric_needs_target"))
        item["target_metric"] = metric or None
        values = {}
        for col in year_cols:
            try:
                v = _num(get(col))
            except ValueError:
                errors.append(RowError.keyed(line, col, "intensity_not_a_number", get(col)))
                continue
            if v is not None:
                values[int(col)] = v
        item["values"] = values
        if len(errors) == n:
            out.append(item)
    if errors:
        raise ImportRejected(errors=errors, what="plan indicators import")
    return out


# --- uncertainty defaults -----------------------------------------------------------------------------

UNCERTAINTY_COLUMNS = ("scope", "gas", "item", "activity_pct", "factor_pct", "source", "source_table")


@dataclass(frozen=True)
class UncertaintyTable:
    rows: tuple[UncertaintyDefault, ...]
    files: tuple[str, ...]


def load_uncertainty_defaults(root: Path = UNCERTAINTY_DIR) -> UncertaintyTable:
    """Every ``*.csv`` under emission_factors/uncertainty/ (the newest edition of a file name wins is NOT
    implied: all rows load, and a (scope, gas, item) given twice is an error)."""
    rows: list[UncertaintyDefault] = []
    seen: dict[tuple[str, str, str], str] = {}
    files = sorted(root.glob("*.csv"))
    if not files:
        raise ValidationError(key="intensity_no_uncertainty_table", params={"root": root}, field="uncertainty")
    for path in files:
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
        for n, r in enumerate(csv.DictReader(lines), start=2):
            r = {k.strip(): (v or "").strip() for k, v in r.items() if k}
            missing = [c for c in UNCERTAINTY_COLUMNS if c not in r]
            if missing:
                raise ValidationError(key="intensity_uncertainty_missing_columns",
                                      params={"file": path.name, "columns": ", ".join(missing)}, field="uncertainty")
            try:
                a, f = float(r["activity_pct"]), float(r["factor_pct"])
            except ValueError:
                raise ValidationError(key="intensity_uncertainty_not_numbers", params={"file": path.name, "row": n},
                                      field="uncertainty") from None
            if a < 0 or f < 0 or not r["source"] or not r["source_table"]:
                raise ValidationError(key="intensity_uncertainty_bad_row", params={"file": path.name, "row": n},
                                      field="uncertainty")
            # files written before the IPCC 2006 recode (forestry 4.*, waste 5.*) are read in the new codes
            key = (legacy_scope(file_key(path), r["scope"] or "*", r["gas"] or "*"), r["gas"] or "*", r["item"] or "*")
            if key in seen:
                raise ValidationError(key="intensity_uncertainty_duplicate",
                                      params={"file": path.name, "row": n, "scope": key, "other": seen[key]},
                                      field="uncertainty")
            seen[key] = path.name
            rows.append(UncertaintyDefault(*key, a, f, r["source"], r["source_table"], r.get("note", "")))
    return UncertaintyTable(tuple(rows), tuple(p.name for p in files))
