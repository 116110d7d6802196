"""The results as a tree for reading on screen: city → sector → category → banner, with year-on-year change.

One level at a time, as the web console drills down: the sectors of a region, the categories of a sector, the
banners of a category (and the gases of each). Every number is a sum of stored result rows (memo items apart, as
in ``results.totals``); the previous year's inventory of the same region (published first, else compiled; highest
version) gives the change where it exists. Session in, plain dict out.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbon.core.errors import Conflict
from carbon.core.models import Region
from carbon.core.regions import BY_CODE, CITY_CODE
from carbon.inventory.catalog import SECTOR_NAMES_ZH, SECTORS, load_catalog
from carbon.inventory.lookup import get_inventory
from carbon.inventory.models import EmissionResult, Inventory


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
    return {
        "inventory_id": inventory.id, "level": level, "region": region,
        "sector": catalog.category(category).sector if category is not None else sector,
        "category": catalog.category(category).code if category is not None else None, "title": title,
        "rows": rows, "chart_rows": total_rows, "gases": gases, "total_co2e_t": total or 0.0,
        "previous": {"id": previous.id, "year": previous.year, "version": previous.version,
                     "status": previous.status} if previous is not None else None,
        "previous_total_co2e_t": previous_total, "change": _change(total or 0.0, previous_total),
        "region_name": (session.scalar(select(Region.name_zh).where(Region.code == region)) or region),
    }
