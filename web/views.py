"""Pages shared by the console and the public site: the results tree and "why this number".

``base`` is where the inventory's pages live (``/console/inventories/7`` or ``/public/inventories/7``); the public
site shows published inventories only and no facility or uploader.
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from api.errors import STATUS_BY_ERROR
from carbon.core.errors import CarbonError
from carbon.core.regions import BY_CODE, CITY_CODE
from carbon.inventory import service
from carbon.inventory.catalog import SECTOR_NAMES_ZH
from carbon.inventory.explain import explain
from carbon.inventory.tree import results_level
from carbon.reporting.labels import method_zh, parameter_zh
from web.deps import Console, PageError, render

MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
__all__ = ["MEDIA", "SECTOR_NAMES_ZH", "explain_page", "region_choices", "results_page", "status_of"]


def region_choices() -> list[tuple[str, str]]:
    return [(code, r.name_zh) for code, r in BY_CODE.items()]


def _inventory(db: Session, inventory_id: int, public: bool):
    try:
        inventory = service.get_inventory(db, inventory_id=inventory_id)
    except CarbonError:
        inventory = None
    if inventory is None or (public and inventory.status != "published"):
        raise PageError(404, f"没有编号为 {inventory_id} 的已发布清单。" if public else f"没有编号为 {inventory_id} 的清单。")
    if inventory.status == "draft":
        raise PageError(409, "该清单是草稿，尚无结果：请先编制。")
    return inventory


def _crumbs(base: str, level: dict) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = [(level["region_name"], f"{base}/results")]
    if level["sector"]:
        crumbs.append((SECTOR_NAMES_ZH.get(level["sector"], level["sector"]), f"{base}/results?sector={level['sector']}"))
    if level["category"]:
        crumbs.append((level["title"], None))
    return crumbs


def results_page(page: Console, db: Session, inventory_id: int, *, base: str, public: bool, sector: str | None,
                 category: str | None, region: str = CITY_CODE):
    inventory = _inventory(db, inventory_id, public)
    try:
        level = results_level(db, inventory_id=inventory.id, region=region, sector=sector, category=category,
                              public=public)
    except CarbonError as exc:
        raise PageError(422, exc.text("zh")) from None
    chart = {"title": level["title"], "names": [r["name"] for r in level["chart_rows"]],
             "values": [round(r["co2e_t"] / 1e4, 4) for r in level["chart_rows"]],
             "previous": [round(r["previous_co2e_t"] / 1e4, 4) if r["previous_co2e_t"] is not None else None
                          for r in level["chart_rows"]] if level["previous"] else None,
             "previous_label": f"{level['previous']['year']}年" if level["previous"] else None,
             "label": f"{inventory.year}年"}
    return render(page, "results.html", inventory=inventory, level=level, base=base, public=public,
                  chart_json=json.dumps(chart, ensure_ascii=False), crumbs=_crumbs(base, level),
                  sector_names=SECTOR_NAMES_ZH, city=CITY_CODE)


def explain_page(page: Console, db: Session, inventory_id: int, *, base: str, bureau: bool, region: str,
                 category: str | None, sector: str | None, gas: str | None, item: str | None):
    inventory = _inventory(db, inventory_id, not bureau)
    try:
        data = explain(db, inventory_id=inventory.id, region=region, category=category, sector=sector, gas=gas,
                       item=item, bureau=bureau)
    except CarbonError as exc:
        raise PageError(status_of(exc), exc.text("zh")) from None
    query = "&".join(f"{k}={v}" for k, v in (("region", region), ("category", category), ("sector", sector),
                                             ("gas", gas), ("item", item)) if v)
    return render(page, "explain.html", inventory=inventory, data=data, base=base, public=not bureau,
                  method_zh=method_zh, parameter_zh=parameter_zh, json_url=f"/api/v1/inventories/{inventory.id}/explain?{query}")


def status_of(exc: CarbonError) -> int:
    """The HTTP status the API gives this error (api/errors.py), for the page that shows it."""
    return next((status for kind, status in STATUS_BY_ERROR if isinstance(exc, kind)), 400)
