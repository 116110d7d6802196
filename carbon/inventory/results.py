"""Reading an inventory's stored results: the CompileResult, filtered tables, totals and exports.

Split out of ``carbon.inventory.service`` (which re-exports these functions, so ``service.get_results`` and
the others keep working); like the service, every function takes the session first and commits nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbon.core.errors import Conflict, ValidationError
from carbon.core.regions import BY_CODE, CITY_CODE, resolve_region
from carbon.factors import service as factors
from carbon.factors.library import profile_column
from carbon.inventory import bulk
from carbon.inventory.catalog import load_catalog
from carbon.inventory.engine import RESULT_COLUMNS, CompileOptions, CompileResult
from carbon.inventory.io import balances_table, results_table, to_bytes
from carbon.inventory.lookup import get_inventory
from carbon.inventory.models import EmissionResult

NOTATION_COLUMNS = ["region", "category", "item", "notation", "note"]
LEVELS = ("category", "item")


def _results_frame(session: Session, inventory_id: int) -> pd.DataFrame:
    r = EmissionResult
    query = (select(r.region_code.label("region"), r.year, r.sector, r.category, r.item, r.gas, r.mass_t, r.co2e_t,
                    r.gwp_set, r.memo, r.method, r.factor_refs, r.basis, r.records)
             .where(r.inventory_id == inventory_id).order_by(r.region_code, r.category, r.item, r.gas))
    frame = bulk.read_frame(session, query, {
        "year": "int", "mass_t": "float", "co2e_t": "float", "memo": "bool", "records": "int"})
    return frame[RESULT_COLUMNS]


def stored_result(session: Session, *, inventory_id: int) -> CompileResult:
    """The stored results of a compiled or published inventory as a CompileResult, so that
    ``io.results_table`` / ``summary_table`` give exactly what ``carbon compile`` gives."""
    inventory = get_inventory(session, inventory_id=inventory_id)
    if inventory.status == "draft":
        raise Conflict(key="inventory_draft_no_results", params={"id": inventory.id}, field="status")
    options = CompileOptions(year=inventory.year, gwp_set=inventory.gwp_set, ch4_ar6=inventory.ch4_ar6)
    notation = pd.DataFrame(inventory.notation_keys or [], columns=NOTATION_COLUMNS)
    return CompileResult(detail=_results_frame(session, inventory.id), options=options,
                         factor_fingerprint=inventory.factor_fingerprint or "",
                         double_counts=list(inventory.double_counts or []), notation=notation,
                         balances=list(inventory.carbon_balances or []),
                         cross_sector=list(inventory.cross_sector or []))


def get_results(session: Session, *, inventory_id: int, region: str | None = None, sector: str | None = None,
                category: str | None = None, gas: str | None = None, level: str = "category") -> pd.DataFrame:
    """Results of a compiled or published inventory, filtered.

    ``level='category'``: the rows of RESULTS.csv (``io.results_table``: one per region × category ×
    gas, plus notation-key rows); ``'item'``: one row per region × category × item × gas.
    ``category`` matches the code and its sub-categories (``1.A`` gives every combustion category); it may
    be given by Chinese name too, and ``region`` by name or code. Both levels carry ``crt_category`` (the UNFCCC
    CRT code) beside ``category`` (IPCC 2006).
    """

    if level not in LEVELS:
        raise ValidationError(key="inventory_bad_level", params={"known": ", ".join(LEVELS)}, field="level")
    result = stored_result(session, inventory_id=inventory_id)
    catalog = load_catalog()
    if level == "category":
        frame = results_table(result)
    else:
        frame = result.detail.drop(columns=["records"])
        frame["profile"] = profile_column(frame["factor_refs"])  # as in RESULTS.csv: CN, IPCC2006 or both
        frame.insert(1, "region_name", frame["region"].map(lambda c: BY_CODE[c].name_zh if c in BY_CODE else c))
        frame.insert(5, "category_name", frame["category"].map(
            lambda c: catalog.categories[c].name_zh if c in catalog.categories else ""))
        frame.insert(5, "crt_category", frame["category"].map(
            lambda c: catalog.categories[c].crt_code if c in catalog.categories else ""))
    keep = np.ones(len(frame), dtype=bool)
    if region is not None:
        keep &= (frame["region"] == resolve_region(region, field="region")).to_numpy()
    if sector is not None:
        keep &= (frame["sector"] == sector).to_numpy()
    if category is not None:
        code = catalog.category(category).code
        cats = frame["category"].astype(str)
        keep &= ((cats == code) | cats.str.startswith(code + ".")).to_numpy()
    if gas is not None:
        keep &= (frame["gas"] == gas).to_numpy()
    return frame[keep].reset_index(drop=True)


def totals(session: Session, *, inventory_id: int, region: str = CITY_CODE) -> dict:
    """Territorial CO2e of one region by sector and by gas, memo items apart, from the stored results."""
    r = EmissionResult
    rows = session.execute(
        select(r.sector, r.gas, r.memo, func.sum(r.mass_t), func.sum(r.co2e_t))
        .where(r.inventory_id == inventory_id, r.region_code == region)
        .group_by(r.sector, r.gas, r.memo).order_by(r.sector, r.gas)).all()
    by_sector: dict[str, float] = {}
    by_gas: dict[str, dict[str, float]] = {}
    memo: dict[str, float] = {}
    total = 0.0
    for sector, gas, is_memo, mass, co2e in rows:
        if is_memo:
            memo[gas] = memo.get(gas, 0.0) + float(co2e)
            continue
        by_sector[sector] = by_sector.get(sector, 0.0) + float(co2e)
        g = by_gas.setdefault(gas, {"mass_t": 0.0, "co2e_t": 0.0})
        g["mass_t"] += float(mass)
        g["co2e_t"] += float(co2e)
        total += float(co2e)
    return {"region": region, "co2e_t": total, "by_sector": by_sector, "by_gas": by_gas, "memo_co2e_t": memo}


def export_results(session: Session, *, inventory_id: int, fmt: str = "csv", excel: bool | None = None) -> bytes:
    """RESULTS as CSV (the columns of ``carbon compile --out``), or XLSX with more sheets: the factor rows
    used (value, unit, source, table, edition), the possible double counts, the carbon mass balances (one row per
    flow), the cross-sector findings, and the inventory's metadata. ``excel``: the CSV starts with a UTF-8 BOM (None: by CARBON_CSV_BOM, on by default)."""

    fmt = fmt.lower()
    if fmt not in ("csv", "xlsx"):
        raise ValidationError(key="inventory_bad_format", field="format")
    inventory = get_inventory(session, inventory_id=inventory_id)
    result = stored_result(session, inventory_id=inventory.id)
    table = results_table(result)
    if fmt == "csv":
        return to_bytes({"results": table}, "csv", excel=excel)
    refs = {ref for refs in result.detail["factor_refs"] for ref in str(refs).split(";") if ref}
    used = factors.factors_by_refs(session, refs)
    factor_sheet = pd.DataFrame([{
        "ref": f.ref, "factor_id": f.factor_id, "version": f.version, "parameter": f.parameter, "gas": f.gas,
        "value": f.value, "unit": f.unit, "profile": f.profile, "scope": f.scope, "item": f.item, "basis": f.basis,
        "region": f.region_code, "year": f.year, "source": f.source, "source_table": f.source_table,
        "edition": f.edition, "valid_from": f.valid_from, "valid_to": f.valid_to,
        "uncertainty_pct": f.uncertainty_pct, "note": f.note} for f in used],
        columns=["ref", "factor_id", "version", "parameter", "gas", "value", "unit", "profile", "scope", "item",
                 "basis", "region", "year", "source", "source_table", "edition", "valid_from", "valid_to",
                 "uncertainty_pct", "note"])
    double = (pd.DataFrame(result.double_counts) if result.double_counts
              else pd.DataFrame(columns=["category", "item", "gas", "city_mass_t", "banner_mass_t"]))
    meta = pd.DataFrame([
        ("inventory_id", inventory.id), ("region", inventory.region.code), ("region_name", inventory.region.name_zh),
        ("year", inventory.year), ("version", inventory.version), ("status", inventory.status),
        ("label", inventory.label or ""), ("gwp_set", inventory.gwp_set), ("ch4_ar6", inventory.ch4_ar6),
        ("factor_profile", inventory.factor_profile), ("factor_fingerprint", inventory.factor_fingerprint or ""),
        ("compiled_at", inventory.compiled_at.isoformat() if inventory.compiled_at else ""),
        ("published_at", inventory.published_at.isoformat() if inventory.published_at else ""),
        ("parent_id", inventory.parent_id or ""),
    ], columns=["key", "value"]).astype({"value": str})
    cross = pd.DataFrame([{"check": c.get("check", ""), "region": c.get("region", ""), "message": c.get("message", "")}
                          for c in result.cross_sector], columns=["check", "region", "message"])
    return to_bytes({"results": table, "factors": factor_sheet, "double_counts": double,
                     "carbon_balances": balances_table(result.balances), "cross_sector": cross, "inventory": meta}, "xlsx")
