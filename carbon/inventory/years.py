"""Which rows of an activity file belong to an inventory year, and which are of other years.

A compile of year Y uses the rows of Y, and for the time-series methods (landfill FOD, 4.A: the deposits of the
years before) the earlier rows as history. Every other row is of another year: ``carbon compile --year Y`` skips it
and says how many of which years it skipped; an import into an inventory of Y refuses it with its row numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon.core import messages
from carbon.core.errors import ImportRejected, RowError, ValidationError
from carbon.inventory import calc  # noqa: F401  (registers the sector methods, SERIES_METHODS among them)
from carbon.inventory.calc.base import SERIES_METHODS
from carbon.inventory.catalog import Catalog, load_catalog

MAX_LISTED = 1000  # row errors listed at most (as the readers' reports)


def history_categories(catalog: Catalog | None = None) -> set[str]:
    """The categories whose method reads earlier years as history (the series methods)."""
    catalog = catalog or load_catalog()
    return {code for code, cat in catalog.categories.items() if cat.method in SERIES_METHODS}


def other_year_mask(activity: pd.DataFrame, year: int, catalog: Catalog | None = None) -> np.ndarray:
    """True for the rows (of a validated activity frame) that a compile of ``year`` does not use: later years, and
    earlier years of categories that take no history."""
    years = activity["year"].to_numpy(dtype=int)
    codes, uniques = pd.factorize(activity["category"])  # each distinct category looked up once (code -1: missing)
    takes_history = np.isin(pd.Index(uniques).astype(str).to_numpy(dtype=object), list(history_categories(catalog)))
    history = np.append(takes_history, False)[codes]
    return (years > year) | ((years < year) & ~history)


def count_by_year(activity: pd.DataFrame, mask: np.ndarray) -> dict[int, int]:
    """{year: rows} of the masked rows, years ascending."""
    years, counts = np.unique(activity["year"].to_numpy(dtype=int)[mask], return_counts=True)
    return {int(y): int(n) for y, n in zip(years, counts)}


def describe_skipped(skipped: dict[int, int], lang: str | None = None) -> str:
    """'跳过 15 行其他年份的数据 (2021: 12 行, 2023: 3 行)' (English under CARBON_LANG=en)."""
    detail = ", ".join(messages.text("rows_of_year", lang, year=y, n=n) for y, n in skipped.items())
    return messages.text("rows_skipped", lang, n=sum(skipped.values()), detail=detail)


def rows_for_year(activity: pd.DataFrame, year: int, *, source: str = "", catalog: Catalog | None = None
                  ) -> tuple[pd.DataFrame, dict[int, int]]:
    """(the rows a compile of ``year`` uses, {year: rows skipped}). ValidationError if no row is left."""
    mask = other_year_mask(activity, year, catalog)
    skipped = count_by_year(activity, mask)
    if mask.all():
        years = ", ".join(str(y) for y in skipped) or "-"
        raise ValidationError(key="no_rows_of_year", params={"path": source, "year": year, "years": years}, field="year")
    return (activity[~mask] if mask.any() else activity), skipped


def check_inventory_year(activity: pd.DataFrame, year: int, catalog: Catalog | None = None) -> None:
    """ImportRejected listing the rows of other years (by file row number), for an import into an inventory of
    ``year``: nothing is stored."""
    mask = other_year_mask(activity, year, catalog)
    if not mask.any():
        return
    years = activity["year"].to_numpy(dtype=int)
    rows = activity["row"].to_numpy()
    errors = [RowError.keyed(int(rows[i]), "year", "other_year_rows", str(int(years[i])), year=int(years[i]),
                             inventory_year=year)
              for i in np.flatnonzero(mask)[:MAX_LISTED]]
    raise ImportRejected(errors=errors, what="activity import")
