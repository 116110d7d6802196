"""Why this number: the explanation of one stored figure, built from stored data only (issue 15 item 3).

A figure is the CO2e of one region and one category (sub-categories included), optionally of one gas and one
item, as the results pages show it. Its explanation lists the *components* that add up to it: one stored result
row (region × category × item × gas) each, with

- the activity records that went into it (their import batch, file row and source note),
- every factor row named in its ``factor_refs`` (id and version, value and unit, source document, table, edition),
- the method and its equation, the GWP value of the set the inventory uses,
- the intermediates with units: Σ activity (in the unit of the first record), the implied mass per unit of activity
  (stored mass ÷ Σ activity), each record's share (quantity × that coefficient), mass × GWP = CO2e.

The city (150600) figure is the roll-up of the engine (engine.roll_up_city): the banners' rows, plus the city-level
rows of a (category, item) that no banner reports; so its components are those rows, and their CO2e adds up to the
figure. Pure service function: session in, plain dict out; the API route and the web page are thin.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbon.core import units
from carbon.core.errors import Conflict, NotFound, ValidationError
from carbon.core.gases import GWP_EDITION
from carbon.core.regions import BY_CODE, CITY_CODE, resolve_region
from carbon.factors import service as factors
from carbon.inventory.catalog import SECTOR_NAMES_ZH, load_catalog
from carbon.inventory.calc.base import SERIES_METHODS
from carbon.inventory.lookup import get_inventory
from carbon.inventory.models import ActivityRecord, EmissionResult, ImportBatch

# the equations of the linear methods most figures come from (carbon/inventory/calc/*.py); others name the method
EQUATIONS = {
    "fuel_combustion": "CO2 = 活动水平 × 低位发热量 × 单位热值含碳量 × 碳氧化率 × 44/12；"
                       "CH4、N2O = 活动水平 × 低位发热量 × 排放因子（实测排放因子时：活动水平 × 低位发热量 × 排放因子）",
    "throughput_ef": "排放量 = 处理量 × 排放因子",
    "process_ef": "排放量 = 产品产量 × 排放因子",
    "enteric_fermentation": "CH4 = 动物存栏量 × 排放因子 × 1 年",
    "manure_management": "排放量 = 动物存栏量 × 排放因子 × 1 年",
    "electricity_transfer": "CO2 = 调入（调出）电量 × 电网排放因子（信息项）",
    "landfill_fod": "IPCC 2006 第5卷 式3.1 一阶衰减法：当年产生的甲烷 = Σ 往年填埋量 × DOC × DOCf × MCF × F × 16/12 × 衰减",
}


def _region_name(code: str) -> str:
    return BY_CODE[code].name_zh if code in BY_CODE else code


def _in_category(code: str, prefix: str) -> bool:
    return code == prefix or code.startswith(prefix + ".")


def _ratio(unit: str, base: str) -> float | None:
    """How many ``base`` one ``unit`` is (万t → t: 1e4); None when they do not convert."""
    try:
        return float((units.parse_unit(unit) / units.parse_unit(base)).to("dimensionless").magnitude)
    except Exception:  # noqa: BLE001 - a unit of another dimension: no common sum
        return None


def explain(session: Session, *, inventory_id: int, category: str | None = None, sector: str | None = None,
            region: str = CITY_CODE, gas: str | None = None, item: str | None = None, bureau: bool = False) -> dict:
    """The explanation of the CO2e of ``region`` × ``category`` (and sub-categories) or × ``sector`` (neither: the
    territorial total) [× ``gas``] [× ``item``]. Memo items count only when the category asked for is a memo item.

    ``bureau``: include the facility and uploader of each activity record (the API shows those to the bureau only).
    Raises Conflict for a draft, NotFound when no stored result matches.
    """
    inventory = get_inventory(session, inventory_id=inventory_id)
    if inventory.status == "draft":
        raise Conflict(key="explain_draft", params={"inventory_id": inventory.id}, field="status")
    catalog = load_catalog()
    cat = catalog.category(category) if category is not None else None
    if sector is not None and sector not in SECTOR_NAMES_ZH:
        raise ValidationError(key="explain_sector", params={"sector": sector, "known": ", ".join(SECTOR_NAMES_ZH)},
                              field="sector")
    memo = bool(cat and cat.memo) or sector == "memo"
    code = resolve_region(region, field="region")
    r = EmissionResult
    query = select(r).where(r.inventory_id == inventory.id)
    if sector is not None:
        query = query.where(r.sector == sector)
    if gas is not None:
        query = query.where(r.gas == gas)
    if item is not None:
        query = query.where(r.item == item)
    rows = [row for row in session.scalars(query.order_by(r.region_code, r.category, r.item, r.gas))
            if (cat is None or _in_category(row.category, cat.code)) and row.memo == memo]
    figure_rows = [row for row in rows if row.region_code == code]
    if not figure_rows:
        raise NotFound(key="explain_no_figure", params={
            "inventory_id": inventory.id, "region": _region_name(code), "category": _what(cat, sector),
            "gas": f" {gas}" if gas else ""}, field="category")
    if code == CITY_CODE:
        banner_rows = [row for row in rows if row.region_code != CITY_CODE]
        reported = {(row.category, row.item) for row in banner_rows}
        components = banner_rows + [row for row in figure_rows if (row.category, row.item) not in reported]
    else:
        components = figure_rows
    records = _records(session, inventory.id, components, bureau=bureau)
    refs = {ref for row in components for ref in row.factor_refs.split(";") if ref}
    factor_rows = {f.ref: f for f in factors.factors_by_refs(session, refs)}
    out = [_component(row, records, factor_rows, catalog, inventory.year)
           for row in sorted(components, key=lambda row: -abs(row.co2e_t))]  # the biggest terms first
    figure = sum(row.co2e_t for row in figure_rows)
    return {
        "inventory": {"id": inventory.id, "region": inventory.region.code, "year": inventory.year,
                      "version": inventory.version, "status": inventory.status, "gwp_set": inventory.gwp_set,
                      "ch4_ar6": inventory.ch4_ar6, "factor_profile": inventory.factor_profile},
        "figure": {"region": code, "region_name": _region_name(code), "category": cat.code if cat else None,
                   "sector": sector, "name": _what(cat, sector), "gas": gas, "item": item, "co2e_t": figure, "unit": "t CO2e"},
        "gwp": {"set": inventory.gwp_set, "ch4_ar6": inventory.ch4_ar6, "edition": GWP_EDITION},
        "components": out,
        "sum": {"terms_co2e_t": [c["co2e_t"] for c in out], "co2e_t": sum(c["co2e_t"] for c in out),
                "equation": "数值 = Σ 各组成项的 CO2当量 = Σ 质量 × GWP"},
    }


def _what(cat, sector: str | None) -> str:
    if cat is not None:
        return f"{cat.code} {cat.name_zh}"
    return SECTOR_NAMES_ZH[sector] if sector else "全部领域（不含信息项）"


def _records(session: Session, inventory_id: int, components: list, *, bureau: bool) -> list[dict]:
    regions = sorted({row.region_code for row in components})
    items = sorted({row.item for row in components})
    a, b = ActivityRecord, ImportBatch
    query = (select(a, b.filename, b.created_at, b.created_by).join(b, b.id == a.batch_id)
             .where(a.inventory_id == inventory_id, a.region_code.in_(regions), a.item.in_(items)).order_by(a.id))
    out = []
    for rec, filename, created_at, created_by in session.execute(query):
        row = {"region": rec.region_code, "region_name": _region_name(rec.region_code), "year": rec.year,
               "category": rec.category, "item": rec.item, "quantity": rec.quantity, "unit": rec.unit,
               "notation": rec.notation, "note": rec.note, "batch_id": rec.batch_id, "batch_file": filename,
               "batch_created_at": created_at.isoformat() if created_at else None, "source_row": rec.source_row}
        if bureau:
            row.update(facility=rec.facility, batch_created_by=created_by)
        out.append(row)
    return out


def _feeds(record_category: str, result_category: str, catalog) -> bool:
    """Whether records of ``record_category`` go into results of ``result_category`` (itself, a sub-category the
    method attributes to, a derived category, or the biomass memo of its combustion)."""
    if record_category == result_category or _in_category(result_category, record_category):
        return True
    cat = catalog.categories.get(result_category)
    return bool(cat and record_category in cat.computed_from) or result_category.startswith("M.")


def _component(row, records: list[dict], factor_rows: dict, catalog, year: int) -> dict:
    cat = catalog.categories.get(row.category)
    item = catalog.items.get(row.item)
    series = row.method in SERIES_METHODS
    mine = [rec for rec in records if rec["region"] == row.region_code and rec["item"] == row.item
            and _feeds(rec["category"], row.category, catalog) and (series or rec["year"] == year)]
    gwp = row.co2e_t / row.mass_t if row.mass_t else None
    figures = [rec for rec in mine if rec["quantity"] is not None and rec["year"] == year]
    base = figures[0]["unit"] if figures else None
    ratios = [_ratio(rec["unit"], base) for rec in figures] if base else []
    activity = None
    coefficient = None
    share: dict[int, float] = {}  # id() of a record -> its mass of this component's gas
    if figures and not series and all(x is not None for x in ratios):
        total = sum(rec["quantity"] * x for rec, x in zip(figures, ratios))
        activity = {"quantity": total, "unit": base}
        if total:
            coefficient = {"value": row.mass_t / total, "unit": f"t {row.gas}/{base}"}
            share = {id(rec): rec["quantity"] * x * coefficient["value"] for rec, x in zip(figures, ratios)}
    factors_out = []
    for ref in [x for x in row.factor_refs.split(";") if x]:
        f = factor_rows.get(ref)
        factors_out.append({"ref": ref} if f is None else {
            "ref": ref, "factor_id": f.factor_id, "version": f.version, "parameter": f.parameter, "gas": f.gas,
            "value": f.value, "unit": f.unit, "source": f.source, "source_table": f.source_table,
            "edition": f.edition, "basis": f.basis, "scope": f.scope, "item": f.item, "region": f.region_code,
            "year": f.year, "note": f.note})
    return {
        "region": row.region_code, "region_name": _region_name(row.region_code), "category": row.category,
        "category_name": cat.name_zh if cat else "", "item": row.item, "item_name": item.name_zh if item else row.item,
        "gas": row.gas, "method": row.method, "equation": EQUATIONS.get(row.method, ""), "basis": row.basis,
        "mass_t": row.mass_t, "gwp": gwp, "co2e_t": row.co2e_t, "records_count": row.records,
        "activity_sum": activity, "mass_per_activity": coefficient, "factors": factors_out,
        "records": [rec | {"mass_t": share.get(id(rec))} for rec in mine],
    }


def factor_refs_used(session: Session, *, inventory_id: int) -> set[str]:
    """Every factor row ('id@vN') the inventory's stored results name in their ``factor_refs`` (its compiled
    provenance, as the explanations read it); empty for a draft."""
    r = EmissionResult
    refs: set[str] = set()
    for (joined,) in session.execute(select(r.factor_refs).where(r.inventory_id == inventory_id).distinct()):
        refs.update(ref for ref in str(joined or "").split(";") if ref)
    return refs
