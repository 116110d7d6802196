"""Proxy series for back-casting landfill deposits (``carbon compile --backcast population|gdp --proxy FILE``).

A CSV or XLSX with columns ``region``, ``year`` and the proxy's column: ``population`` or ``gdp`` (the economic
data file of ``carbon intensity`` has both, so it serves as it is; other columns are ignored). Optional unit columns
``population_unit`` / ``unit``. The series is used as ratios only (IPCC 2006 Vol 5 Ch 3 §3.2.2: deposits of a year
without data scale with a driver such as population or GDP), so one region's series must keep one unit.
"""

from __future__ import annotations

from pathlib import Path

from carbon.core.errors import CarbonError, ImportRejected, RowError, ValidationError
from carbon.core.regions import resolve_region

PROXIES = {"population": ("population", "population_unit"), "gdp": ("gdp", "unit")}


def check_proxy(name: str | None) -> str | None:
    if name is not None and name not in PROXIES:
        raise ValidationError(key="inventory_unknown_backcast", params={"known": " or ".join(PROXIES), "value": name},
                              field="backcast")
    return name


def read_proxy(source: str | Path | bytes, proxy: str, filename: str | None = None) -> dict[tuple[str, int], float]:
    """{(region code, year): value}. Raises ImportRejected listing every bad row."""
    from carbon.inventory.io import read_table  # the bounded reader of every import

    check_proxy(proxy)
    column, unit_column = PROXIES[proxy]
    from carbon.core.tabular import canonical_frame, require_columns

    raw = canonical_frame(read_table(source, filename), "economy")  # the economic-data file serves, headers alike
    require_columns(raw, ("region", "year", column), "economy", what=f"{proxy} proxy series")
    first = raw.attrs.get("first_data_line", 2)
    errors: list[RowError] = []
    out: dict[tuple[str, int], float] = {}
    unit_of: dict[str, str] = {}
    for i, r in enumerate(raw.to_dict(orient="records")):
        line = first + i
        get = lambda c: str(r.get(c, "") or "").strip()  # noqa: E731
        try:
            region = resolve_region(get("region"))
        except CarbonError as exc:
            errors.append(RowError.of(line, "region", exc, get("region")))
            continue
        try:
            year = int(get("year"))
            if not 1900 <= year <= 2100:
                raise ValueError
        except ValueError:
            errors.append(RowError.keyed(line, "year", "inventory_proxy_bad_year", get("year")))
            continue
        text = get(column)
        if text == "":
            continue  # a year without the proxy: a back-cast that needs it says so
        try:
            value = float(text.replace(",", ""))
            if not value > 0:
                raise ValueError
        except ValueError:
            errors.append(RowError.keyed(line, column, "inventory_proxy_not_positive", text))
            continue
        unit = get(unit_column) if unit_column in raw.columns else ""
        if unit_of.setdefault(region, unit) != unit:
            errors.append(RowError.keyed(line, unit_column, "inventory_proxy_mixed_units", unit, region=region,
                                         first=unit_of[region], second=unit))
            continue
        if (region, year) in out:
            errors.append(RowError.keyed(line, "year", "inventory_proxy_year_twice", str(year), region=region, year=year))
            continue
        out[(region, year)] = value
    if errors:
        raise ImportRejected(errors=errors, what=f"{proxy} proxy series")
    return out
