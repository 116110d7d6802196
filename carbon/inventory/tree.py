"""The results as a tree for reading on screen: city → sector → category → banner, with year-on-year change.

One level at a time, as the web console drills down: the sectors of a region, the categories of a sector, the
banners of a category (and the gases of each). Every number is a sum of stored result rows (memo items apart, as
in ``results.totals``); the previous year's inventory of the same region (published first, else compiled; highest
version) gives the change where it exists. Session in, plain dict out.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbon.core.errors import Conflict
from carbon.core.models import Region
from carbon.core.regions import BY_CODE, CITY_CODE
from carbon.inventory.catalog import NOTATION_KEYS, SECTOR_NAMES_ZH, SECTORS, load_catalog
from carbon.inventory.engine import CompileOptions, CompileResult
from carbon.inventory.lookup import get_inventory
from carbon.inventory.models import EmissionResult, Inventory
from carbon.inventory.results import NOTATION_COLUMNS


def previous_inventory(session: Session, inventory: Inventory) -> Inventory | None:
    """The inventory of the year before, same region: the published one of the highest version, else compiled."""
    rows = session.scalars(select(Inventory).where(
        Inventory.region_id == inventory.region_id, Inventory.year == inventory.year - 1,
        Inventory.status.in_(("compiled", "published"))).order_by(Inventory.version.desc())).all()
    published = [i for i in rows if i.status == "published"]
    return (published or rows or [None])[0]


def _sums(session: Session, inventory_id: int, key, *where) -> dict[str, float]:
    r = EmissionResult
    query = (select(key, func.sum(r.co2e_t)).where(r.inventory_id == inventory_id, r.memo.is_(False), *where)
             .group_by(key))
    return {str(k): float(v) for k, v in session.execute(query)}


def notation_rows(session: Session, inventory: Inventory) -> pd.DataFrame:
    """The inventory's categories that carry a notation key (NO, NE, IE, NA, C) and no figure, per region, as the
    exports read them (``CompileResult.notation_rows``: the city inherits the banners' keys): region, category,
    notation, note. The keys are those the compile stored (``Inventory.notation_keys``)."""
    r = EmissionResult
    figures = session.execute(select(r.region_code, r.category).where(r.inventory_id == inventory.id).distinct()).all()
    result = CompileResult(detail=pd.DataFrame(figures, columns=["region", "category"]),
                           options=CompileOptions(year=inventory.year, gwp_set=inventory.gwp_set,
                                                  ch4_ar6=inventory.ch4_ar6),
                           factor_fingerprint=inventory.factor_fingerprint or "",
                           notation=pd.DataFrame(inventory.notation_keys or [], columns=NOTATION_COLUMNS))
    return result.notation_rows()


def _in_category(code: str, prefix: str) -> bool:
    return code == prefix or code.startswith(prefix + ".")


def _keys_of_level(session: Session, inventory: Inventory, catalog, level: str, region: str, sector: str | None,
                   category: str | None, shown: set[str]) -> list[dict]:
    """The notation-key rows of a level (none for the sectors of a region): the categories of ``sector`` in
    ``region`` with a key, or the regions with a key for ``category`` (and its sub-categories). Keys of a row that
    also has a figure (``shown``) are left to the figure."""
    if level == "region":
        return []
    found: dict[str, dict] = {}
    for reg, code, key, note in notation_rows(session, inventory).itertuples(index=False):
        cat = catalog.categories.get(str(code))
        if cat is None:
            continue
        if level == "sector":
            if str(reg) != region or cat.sector != sector:
                continue
            row_key, name = cat.code, cat.name_zh
        else:
            if not _in_category(cat.code, category):
                continue
            row_key = str(reg)
            name = BY_CODE[row_key].name_zh if row_key in BY_CODE else row_key
        if row_key in shown:
            continue
        row = found.setdefault(row_key, {"key": row_key, "name": name, "keys": set(), "notes": []})
        row["keys"].update(k.strip() for k in str(key).split(",") if k.strip())
        text = f"{cat.code} {key}: {note}" if level == "category" and cat.code != category else str(note or "")
        if text and text not in row["notes"]:
            row["notes"].append(text)
    rows = []
    for k in sorted(found, key=lambda c: (c == CITY_CODE, c)):
        row = found[k]
        keys = sorted(row["keys"])
        rows.append({"key": k, "name": row["name"], "notation": ",".join(keys), "note": "；".join(row["notes"]),
                     "meaning": "；".join(NOTATION_KEYS.get(x, x) for x in keys)})
    return rows


def _change(current: float, previous: float | None) -> float | None:
    """Relative change (0.05 = +5 %); None without a previous figure or from zero."""
    if previous is None or previous == 0:
        return None
    return (current - previous) / abs(previous)


def results_level(session: Session, *, inventory_id: int, region: str = CITY_CODE, sector: str | None = None,
                  category: str | None = None, public: bool = False) -> dict:
    """One level of the tree. Neither ``sector`` nor ``category``: the sectors of ``region``; ``sector``: its
    categories in ``region``; ``category``: the banners' figures of that category (and the city's own)."""
    inventory = get_inventory(session, inventory_id=inventory_id)
    if inventory.status == "draft" or (public and inventory.status != "published"):
        raise Conflict(key="explain_draft", params={"inventory_id": inventory.id}, field="status")
    catalog = load_catalog()
    r = EmissionResult
    previous = previous_inventory(session, inventory)
    if category is not None:
        cat = catalog.category(category)
        level, key, where = "category", r.region_code, (r.category == cat.code,)
        title = f"{cat.code} {cat.name_zh}"
        names = {code: BY_CODE[code].name_zh if code in BY_CODE else code for code in BY_CODE}
    elif sector is not None:
        level, key, where = "sector", r.category, (r.sector == sector, r.region_code == region)
        title = SECTOR_NAMES_ZH.get(sector, sector)
        names = {c.code: c.name_zh for c in catalog.categories.values()}
    else:
        level, key, where = "region", r.sector, (r.region_code == region,)
        title = BY_CODE[region].name_zh if region in BY_CODE else region
        names = dict(SECTOR_NAMES_ZH)
    current = _sums(session, inventory.id, key, *where)
    before = _sums(session, previous.id, key, *where) if previous is not None else {}
    if level == "region":
        order = [s for s in SECTORS if s in current]
    elif level == "category":
        order = sorted(current, key=lambda c: (c == CITY_CODE, c))  # banners first, the city roll-up last
    else:
        order = sorted(current)
    rows = [{"key": k, "name": names.get(k, k), "co2e_t": current[k], "previous_co2e_t": before.get(k),
             "change": _change(current[k], before.get(k))} for k in order]
    gases = {}
    if level == "category":
        for code, gas, value in session.execute(
                select(r.region_code, r.gas, func.sum(r.co2e_t)).where(r.inventory_id == inventory.id, r.memo.is_(False),
                                                                     *where).group_by(r.region_code, r.gas)):
            gases.setdefault(code, {})[gas] = float(value)
    total_rows = [row for row in rows if row["key"] != CITY_CODE] if level == "category" else rows
    total = current.get(CITY_CODE) if level == "category" else sum(current.values())
    previous_total = (before.get(CITY_CODE) if level == "category" else (sum(before.values()) if before else None))
    keys = _keys_of_level(session, inventory, catalog, level, region, sector,
                          catalog.category(category).code if category is not None else None, set(current))
    return {
        "inventory_id": inventory.id, "level": level, "region": region, "notation_rows": keys,
        "sector": catalog.category(category).sector if category is not None else sector,
        "category": catalog.category(category).code if category is not None else None, "title": title,
        "rows": rows, "chart_rows": total_rows, "gases": gases, "total_co2e_t": total or 0.0,
        "previous": {"id": previous.id, "year": previous.year, "version": previous.version,
                     "status": previous.status} if previous is not None else None,
        "previous_total_co2e_t": previous_total, "change": _change(total or 0.0, previous_total),
        "region_name": (session.scalar(select(Region.name_zh).where(Region.code == region)) or region),
    }
