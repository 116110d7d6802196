"""The bureau's analysis pages: carbon and energy intensity of the banners against their targets, and the key
categories and uncertainty of an inventory. Each page calls the service the API's intensity routes call
(carbon.intensity.service: ``intensity``, ``list_targets``, ``evaluate``, ``key_categories``, ``uncertainty``) and
shows what it returns; nothing is recomputed here.

A figure that comes from a stored inventory links to its explanation ("why this number") where one exists: the
intensity numerator is one sector (or every sector) of one gas (or all) without memo items, i.e. what
``carbon.inventory.explain`` explains; the statistics' energy CO2 has no explanation and no link.
"""

from __future__ import annotations

import json
import math
from typing import Literal

from fastapi import APIRouter
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.params import Count63, Id63, Year
from carbon.core.errors import CarbonError
from carbon.core.regions import CITY_CODE
from carbon.intensity import service as intensity_service
from carbon.intensity.intensity import DEFAULT_NUMERATOR, NUMERATORS
from carbon.intensity.key_categories import SOURCE as KEY_SOURCE
from carbon.intensity.key_categories import THRESHOLD
from carbon.intensity.uncertainty import DEFAULT_SEED
from carbon.inventory import service as inventory_service
from carbon.inventory.tree import previous_inventory
from web import views
from web.deps import BureauPage, Console, PageError, render

router = APIRouter(prefix="/console", include_in_schema=False)

CO2_SOURCES_ZH = {"auto": "自动（有清单用清单，否则用统计核算）", "inventory": "清单", "statistics": "统计部门能源二氧化碳核算"}
METRIC_ZH = {"carbon_intensity": "单位GDP二氧化碳排放降低", "energy_intensity": "单位GDP能源消耗降低"}
MAX_DRAWS = 200_000


def _records(frame) -> list[dict]:
    """DataFrame rows as dicts with NaN as None (the templates show '—')."""
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]


def _why_url(inventory_id: int, region: str, numerator: str) -> str | None:
    """The explanation of an intensity numerator taken from a stored inventory, where explain() covers it."""
    num = NUMERATORS[numerator]
    if num.memo_categories or (num.sectors is not None and len(num.sectors) != 1):
        return None
    if num.gases is not None and len(num.gases) != 1:
        return None
    query = f"region={region}"
    if num.sectors is not None:
        query += f"&sector={num.sectors[0]}"
    if num.gases is not None:
        query += f"&gas={num.gases[0]}"
    return f"/console/inventories/{inventory_id}/explain?{query}"


def _evaluations(db: Session, year: int, co2_source: str) -> list[dict]:
    """Every city intensity target with its evaluation in ``year`` (or why there is none)."""
    out = []
    for target in intensity_service.list_targets(db, city_only=True):
        if target.metric not in METRIC_ZH:
            continue
        entry = {"target": target, "metric_zh": METRIC_ZH[target.metric], "rows": [], "error": None, "rule": None,
                 "banner_targets": None}
        try:
            rows, prov = intensity_service.evaluate(db, target_id=target.id, year=year, co2_source=co2_source)
            entry.update(rows=rows, rule=prov["status_rule_zh"], banner_targets=prov["banner_targets"])
        except CarbonError as exc:
            entry["error"] = exc.text("zh")
        out.append(entry)
    return out


def _target_chart(entry: dict, index: int) -> dict | None:
    rows = [r for r in entry["rows"] if r["region"] != CITY_CODE] + [r for r in entry["rows"] if r["region"] == CITY_CODE]
    if not rows:
        return None
    return {"title": f"{entry['metric_zh']} {entry['target'].base_year}—{entry['target'].target_year}：累计降低率",
            "unit": "%", "names": [r["region_name"] for r in rows],
            "values": [round(r["achieved_cumulative_pct"], 3) for r in rows], "label": "实际累计降低",
            "previous": [round(r["expected_cumulative_pct"], 3) for r in rows], "previous_label": "按进度应降低",
            "id": f"target-chart-{index}"}


def intensity_page(page: Console, db: Session, *, year: int | None, base_year: int | None, numerator: str,
                   co2_source: str, inventory=None):
    years = sorted({i.year for i in inventory_service.list_inventories(db, statuses=("compiled", "published"),
                                                                         limit=200)[0]})
    if year is None:
        year = inventory.year if inventory is not None else (years[-1] if years else None)
    context = {"year": year, "base_year": base_year, "numerator": numerator, "co2_source": co2_source,
               "numerators": NUMERATORS, "co2_sources": CO2_SOURCES_ZH, "years": years, "inventory": inventory,
               "rows": [], "prov": None, "error": None, "evaluations": [], "chart_json": None, "target_charts": []}
    if year is None:
        context["error"] = "尚无已编制的清单；请输入年份。"
        return render(page, "intensity.html", **context)
    status = 200
    try:
        table, prov = intensity_service.intensity(db, year=year, base_year=base_year, numerator=numerator,
                                                  co2_source=co2_source)
    except CarbonError as exc:
        context["error"] = exc.text("zh")
        status = views.status_of(exc)
    else:
        rows = _records(table)
        sources = prov["years"]
        for row in rows:
            now, before = sources.get(year, {}), sources.get(base_year, {}) if base_year is not None else {}
            row["why"] = (_why_url(now["inventory_id"], row["region"], prov["numerator"])
                          if now.get("source") == "inventory" else None)
            row["base_why"] = (_why_url(before["inventory_id"], row["region"], prov["numerator"])
                               if before.get("source") == "inventory" else None)
        rows.sort(key=lambda r: (r["region"] == CITY_CODE, r["region"]))
        context.update(rows=rows, prov=prov)
        chart = {"title": f"{year} 年单位GDP二氧化碳排放", "unit": "吨CO2/万元", "names": [r["region_name"] for r in rows],
                 "values": [round(r["intensity_t_per_10k_cny"], 4) for r in rows], "label": f"{year}年",
                 "previous": ([round(r["base_intensity_t_per_10k_cny"], 4) for r in rows]
                              if base_year is not None else None),
                 "previous_label": f"{base_year}年" if base_year is not None else None}
        context["chart_json"] = json.dumps(chart, ensure_ascii=False)
    context["evaluations"] = _evaluations(db, year, co2_source)
    charts = [_target_chart(e, i) for i, e in enumerate(context["evaluations"])]
    context["target_charts"] = [(c["id"], json.dumps(c, ensure_ascii=False)) for c in charts if c]
    return render(page, "intensity.html", status_code=status, **context)


Numerator = Literal[tuple(NUMERATORS)]  # type: ignore[valid-type]
CO2Source = Literal["auto", "inventory", "statistics"]


@router.get("/intensity")
def intensity(page: BureauPage, db: SessionDep, year: Year | None = None, base_year: Year | None = None,
              numerator: Numerator = DEFAULT_NUMERATOR, co2_source: CO2Source = "auto"):
    return intensity_page(page, db, year=year, base_year=base_year, numerator=numerator, co2_source=co2_source)


def _inventory(db: Session, inventory_id: int):
    try:
        inventory = inventory_service.get_inventory(db, inventory_id=inventory_id)
    except CarbonError:
        raise PageError(404, f"没有编号为 {inventory_id} 的清单。") from None
    if inventory.status == "draft":
        raise PageError(409, "该清单是草稿，尚无结果：请先编制。")
    return inventory


@router.get("/inventories/{inventory_id}/intensity")
def inventory_intensity(inventory_id: Id63, page: BureauPage, db: SessionDep, base_year: Year | None = None,
                        numerator: Numerator = DEFAULT_NUMERATOR, co2_source: CO2Source = "auto"):
    inventory = _inventory(db, inventory_id)
    return intensity_page(page, db, year=inventory.year, base_year=base_year, numerator=numerator,
                          co2_source=co2_source, inventory=inventory)


def _bases(db: Session, inventory) -> list:
    """Inventories of the same region from earlier years: what a trend assessment can compare with."""
    rows, _ = inventory_service.list_inventories(db, statuses=("compiled", "published"), region=inventory.region.code,
                                                 limit=200)
    return [i for i in rows if i.year < inventory.year]


@router.get("/inventories/{inventory_id}/key-categories")
def key_categories(inventory_id: Id63, page: BureauPage, db: SessionDep, region: str = CITY_CODE,
                   base_inventory_id: Id63 | None = None, trend: bool = True, draws: Count63 = 0,
                   seed: Count63 = DEFAULT_SEED):
    """IPCC Approach 1 level (and trend) assessment and the uncertainty, as ``GET /api/v1/intensity/inventories/
    {id}/key-categories`` and ``/uncertainty`` serve them. The trend compares with ``base_inventory_id``, by default
    the previous year's inventory (results tree's rule) when there is one."""
    inventory = _inventory(db, inventory_id)
    if draws and not 100 <= draws <= MAX_DRAWS:
        raise PageError(422, f"蒙特卡洛抽样次数应为 0（只用方法1）或 100 至 {MAX_DRAWS:,} 之间。")
    base = None
    if trend:
        if base_inventory_id is not None:
            base = _inventory(db, base_inventory_id)
        else:
            base = previous_inventory(db, inventory)
    context = {"inventory": inventory, "region": region, "regions": views.region_choices(), "base": base,
               "bases": _bases(db, inventory), "draws": draws, "seed": seed, "threshold": THRESHOLD,
               "source": KEY_SOURCE, "level": [], "trend": None, "trend_error": None, "uncertainty": None,
               "categories": [], "error": None, "base_url": f"/console/inventories/{inventory.id}"}
    try:
        out = intensity_service.key_categories(db, inventory_id=inventory.id, region=region)
        context["level"] = _records(out["level"])
        context["region"] = out["region"]
        if base is not None:
            try:
                with_trend = intensity_service.key_categories(db, inventory_id=inventory.id,
                                                              base_inventory_id=base.id, region=region)
                context["trend"] = _records(with_trend["trend"])
            except CarbonError as exc:
                context["trend_error"] = exc.text("zh")
        u = intensity_service.uncertainty(db, inventory_id=inventory.id, region=region,
                                          monte_carlo_draws=draws or None, seed=seed)
        context["uncertainty"] = u
        context["categories"] = _records(u["categories"])
    except CarbonError as exc:
        context["error"] = exc.text("zh")
        return render(page, "key_categories.html", status_code=views.status_of(exc), **context)
    return render(page, "key_categories.html", **context)
