"""The Chinese inventory report: its data (from the store), rendering, and report jobs run in the background.

``inventory_report(session, year=...)`` gathers everything the report shows from the stored inventory, the
economic data, targets and plan indicators, and renders the PDF (synchronously: the CLI uses it). The API
submits a *job* instead (``submit``): a row in ``report_jobs`` that a worker thread started with the API
(``ReportWorker``) claims, renders and fills with the PDF; the client polls the job and downloads the file.
Several API processes may run workers: a job is claimed with a conditional UPDATE, so it runs once; a job
left ``running`` by a process that died is claimed again (``carbon.reporting.jobs``: at once by a worker on the same
host, else when its heartbeat is older than the lease), at most ``MAX_ATTEMPTS`` times.

Functions take the session first and commit nothing, except the worker, which owns its transactions (it is
a job, DESIGN §2): claim (commit), render (a read-only transaction, with heartbeats beside it), store the result
while the job is still this worker's (commit).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time

import numpy as np
import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

import carbon
from carbon.core import units
from carbon.core.carbon_balance import DEFAULT as CB_DEFAULT
from carbon.core.carbon_balance import MEASURED as CB_MEASURED
from carbon.core.db import session_scope, utcnow
from carbon.core.errors import CarbonError, Conflict, NotFound, ValidationError
from carbon.core.gases import FAMILIES, family_of
from carbon.core.regions import BANNER_CODES, BY_CODE, CITY_CODE
from carbon.factors import library as factor_library
from carbon.factors import service as factor_service
from carbon.intensity import decomposition as dec
from carbon.intensity import service as intensity_service
from carbon.intensity.intensity import DEFAULT_NUMERATOR, get_numerator
from carbon.intensity.key_categories import SOURCE as KEY_SOURCE
from carbon.intensity.key_categories import THRESHOLD
from carbon.intensity.models import IntensityTarget
from carbon.intensity.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED
from carbon.intensity.uncertainty import SOURCE as UNCERTAINTY_SOURCE
from carbon.inventory import service as inventory_service
from carbon.inventory.calc.cross_checks import BOTTOM_UP_OVERLAP, FEEDSTOCK_IN_1A, REDUCTANT_IN_1A
from carbon.inventory.calc.findings_zh import finding_zh
from carbon.inventory.catalog import NOTATION_KEYS, SECTOR_NAMES_ZH, load_catalog
from carbon.inventory.completeness import is_auto
from carbon.inventory.engine import summarise
from carbon.inventory.models import Inventory
from carbon.reporting import charts, labels
from carbon.reporting import jobs
from carbon.reporting.models import ReportJob
from carbon.reporting.render import Rendered, render_html, html_to_pdf

log = logging.getLogger(__name__)

TEMPLATE = "inventory_report.html.j2"
MAX_ATTEMPTS = jobs.MAX_ATTEMPTS
SECTORS = [s for s in SECTOR_NAMES_ZH if s != "memo"]
STATUS_ZH = {**dec.STATUS_ZH, None: "—"}
COAL_CHECKS = (FEEDSTOCK_IN_1A, REDUCTANT_IN_1A, BOTTOM_UP_OVERLAP)  # shown in the coal-chemicals chapter


# --- the report's data --------------------------------------------------------------------------------

def _inventory(session: Session, year: int, inventory_id: int | None) -> Inventory:
    if inventory_id is not None:
        inv = inventory_service.get_inventory(session, inventory_id=inventory_id)
        if inv.year != year:
            raise ValidationError(key="report_inventory_year", params={"id": inv.id, "year": inv.year, "wanted": year},
                                  field="inventory_id")
    else:
        inv = intensity_service.inventory_for_year(session, year)
        if inv is None:
            raise NotFound(key="report_no_city_inventory", params={"year": year}, field="year")
    if inv.status == "draft":
        raise Conflict(key="report_inventory_draft", params={"id": inv.id}, field="status")
    if inv.region.code != CITY_CODE:
        raise ValidationError(key="report_not_city", field="inventory_id")
    return inv


def _name(code: str) -> str:
    return BY_CODE[code].name_zh if code in BY_CODE else code


def _records(frame: pd.DataFrame) -> list[dict]:
    clean = frame.astype(object).where(frame.notna(), None)
    return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()} for r in clean.to_dict("records")]


def _totals(detail: pd.DataFrame) -> dict:
    terr = detail[~detail["memo"]].copy()
    terr["family"] = terr["gas"].map(family_of)
    city = terr[terr["region"] == CITY_CODE]
    by_sector_gas = city.pivot_table(index="sector", columns="family", values="co2e_t", aggfunc="sum", fill_value=0.0)
    rows = []
    for s in SECTORS:
        cells = [float(by_sector_gas.at[s, f]) if s in by_sector_gas.index and f in by_sector_gas.columns else 0.0
                 for f in FAMILIES]
        rows.append({"sector": s, "name": SECTOR_NAMES_ZH[s], "cells": cells, "total": sum(cells),
                     "present": s in by_sector_gas.index})
    family_totals = [sum(r["cells"][i] for r in rows) for i in range(len(FAMILIES))]
    total = sum(family_totals)
    gross = sum(r["total"] for r in rows if r["sector"] != "lulucf")
    memo = detail[detail["memo"] & (detail["region"] == CITY_CODE)].groupby("category")["co2e_t"].sum()
    catalog = load_catalog()
    mass = city.groupby("gas")["mass_t"].sum()
    gases = [{"gas": g, "mass_t": float(mass.get(g, 0.0)), "co2e_t": float(city.loc[city["gas"] == g, "co2e_t"].sum())}
             for g in sorted(mass.index, key=lambda g: (FAMILIES.index(family_of(g)), g))]
    return {"families": list(FAMILIES), "rows": rows, "family_totals": family_totals, "total": total,
            "gross_excl_lulucf": gross, "gases": gases,
            "memo": [{"category": c, "name": catalog.categories[c].name_zh, "co2e_t": float(v)} for c, v in memo.items()]}


def _banners(detail: pd.DataFrame) -> list[dict]:
    terr = detail[~detail["memo"]]
    piv = terr.pivot_table(index="region", columns="sector", values="co2e_t", aggfunc="sum", fill_value=0.0)
    out = []
    for code in [*BANNER_CODES, CITY_CODE]:
        if code not in piv.index:
            continue
        cells = [float(piv.at[code, s]) if s in piv.columns else 0.0 for s in SECTORS]
        out.append({"region": code, "name": _name(code), "cells": cells, "total": sum(cells), "city": code == CITY_CODE})
    return out


def _intensity_section(session: Session, inv: Inventory, *, numerator: str, co2_source: str) -> dict:
    """Intensity per banner, target status, trend and decomposition previews; ``available`` False with the reason."""
    year = inv.year
    econ = intensity_service.economy(session)
    if econ.empty:
        return {"available": False, "reason": "无经济数据：库中未导入经济数据（GDP、能源消费），排放强度不可用。"}
    if not (econ["year"] == year).any():
        have = sorted({int(y) for y in econ["year"]})
        return {"available": False,
                "reason": f"{year}年无经济数据（GDP、能源消费；库中经济数据年份：{'、'.join(map(str, have))}），"
                          f"{year}年排放强度及目标进度不可用。"}
    target = session.scalar(select(IntensityTarget).where(
        IntensityTarget.region_code == CITY_CODE, IntensityTarget.parent_id.is_(None),
        IntensityTarget.metric == "carbon_intensity", IntensityTarget.base_year <= year,
        IntensityTarget.target_year >= year).order_by(IntensityTarget.id.desc()))
    energy_target = session.scalar(select(IntensityTarget).where(
        IntensityTarget.region_code == CITY_CODE, IntensityTarget.parent_id.is_(None),
        IntensityTarget.metric == "energy_intensity", IntensityTarget.base_year <= year,
        IntensityTarget.target_year >= year).order_by(IntensityTarget.id.desc()))
    num = get_numerator(target.numerator if target is not None and target.numerator else numerator)
    base_year = target.base_year if target is not None else None
    years = sorted({*range(base_year, year + 1)} if base_year else {year})
    years = [y for y in years if (econ["year"] == y).any()]
    try:
        _, prov_all = intensity_service.emissions_series(session, years=years, numerator=num.key, co2_source=co2_source,
                                                         economy_frame=econ)
    except CarbonError as exc:
        return {"available": False, "reason": f"排放强度不可用：{exc.text('zh')}"}
    source = prov_all["co2_source"]
    table, provenance = intensity_service.intensity(session, year=year, base_year=base_year, numerator=num.key,
                                                    co2_source=source,
                                                    price_base_year=target.price_base_year if target else None)
    rows = _records(table)
    section: dict = {"available": True, "year": year, "base_year": base_year, "numerator": num.key,
                     "numerator_zh": num.label_zh, "numerator_definition": num.describe(), "co2_source": source,
                     "provenance": provenance, "rows": rows, "price_base_year": provenance["price_base_year"],
                     "target": None, "energy_target": None, "decompositions": [], "status_rule_zh": dec.STATUS_RULE_ZH,
                     "status_rule": dec.STATUS_RULE}
    if target is not None:
        evaluation, ev_prov = intensity_service.evaluate(session, target_id=target.id, year=year, co2_source=source)
        by_region = {e["region"]: e for e in evaluation}
        for r in rows:
            r["evaluation"] = by_region.get(r["region"])
        section["target"] = {"id": target.id, "value": target.value, "base_year": target.base_year,
                             "target_year": target.target_year, "label": labels.without_check(target.label),
                             "source": labels.without_file_names(target.source),
                             "flagged": labels.has_check_marker(target.label) or labels.has_check_marker(target.source),
                             "kind_zh": "约束性" if target.kind == "binding" else "预期性",
                             "banner_targets": ev_prov["banner_targets"],
                             "required_annual_pct": dec.annual_rate(target.value / 100,
                                                                    target.target_year - target.base_year) * 100}
        for method in dec.METHODS:
            try:
                d, dprov = intensity_service.decompose(session, target_id=target.id, method=method, co2_source=source)
            except CarbonError as exc:
                section["decompositions"].append({"method": method, "method_zh": dec.METHODS[method],
                                                  "error": exc.text("zh")})
                continue
            section["decompositions"].append({
                "method": method, "method_zh": dec.METHODS[method], "meets": d.meets,
                "implied_pct": d.implied_city_reduction * 100, "k": d.k, "notes": d.notes_zh,
                "banners": {b["region"]: b for b in _records(d.as_frame())}, "gdp_path": dprov.get("gdp_path"),
                "trend_years": dprov.get("trend_years")})
        # the trend of the city against the target path
        actual = []
        for y in years:
            t, _ = intensity_service.intensity(session, year=y, numerator=num.key, co2_source=source,
                                               price_base_year=provenance["price_base_year"])
            city = t[t["region"] == CITY_CODE]
            if len(city):
                actual.append((y, float(city["intensity_t_per_10k_cny"].iloc[0])))
        base_city = next((v for y, v in actual if y == target.base_year), None)
        if base_city is not None:
            path = dec.target_path(base_city, target.value / 100, target.base_year, target.target_year)
            section["trend_chart"] = charts.lines(
                [{"label": "全市实际", "points": actual, "colour": charts.PALETTE[0]},
                 {"label": f"目标路径（−{target.value:g}%）", "points": path, "dashed": True, "colour": "#c23b3b"}],
                title="全市碳排放强度与目标路径", unit="t CO2/万元", x_range=(target.base_year, target.target_year))
    if energy_target is not None:
        ev, _ = intensity_service.evaluate(session, target_id=energy_target.id, year=year, co2_source=source)
        by_region = {e["region"]: e for e in ev}
        for r in rows:
            r["energy_evaluation"] = by_region.get(r["region"])
        section["energy_target"] = {"value": energy_target.value, "base_year": energy_target.base_year,
                                    "target_year": energy_target.target_year}
    banners = [r for r in rows if r["region"] != CITY_CODE]
    city_row = next((r for r in rows if r["region"] == CITY_CODE), None)
    colours = [charts.STATUS_COLOURS[(r.get("evaluation") or {}).get("status")] for r in banners]
    section["banner_chart"] = charts.hbars(
        [(r["region_name"], r["intensity_t_per_10k_cny"]) for r in banners], title="各旗区碳排放强度", unit="t CO2/万元",
        reference=("全市", city_row["intensity_t_per_10k_cny"]) if city_row else None, colours=colours, digits=2)
    # reconciliation: the inventory's numerator against the statistics' energy CO2 for the report year
    if num.key == "energy_co2":
        stats = econ[(econ["year"] == year)].dropna(subset=["energy_co2_t"]).drop_duplicates("region").set_index("region")
        try:
            inv_series, _ = intensity_service.emissions_series(session, years=[year], numerator=num.key,
                                                               co2_source="inventory")
        except CarbonError:
            inv_series = pd.DataFrame(columns=["region", "co2_t"])
        inv_map = dict(zip(inv_series["region"], inv_series["co2_t"]))
        rec = [{"region": c, "name": _name(c), "inventory_t": inv_map[c], "statistics_t": float(stats.at[c, "energy_co2_t"]),
                "diff_pct": (inv_map[c] / float(stats.at[c, "energy_co2_t"]) - 1) * 100}
               for c in [*BANNER_CODES, CITY_CODE] if c in inv_map and c in stats.index]
        section["reconciliation"] = rec
    return section


def _plan(session: Session, intensity: dict) -> list[dict]:
    rows = intensity_service.plan_progress(session)
    city = next((r for r in intensity.get("rows", []) if r["region"] == CITY_CODE), None) if intensity.get("available") else None
    for r in rows:
        if city is None or r.get("metric") not in ("carbon_intensity", "energy_intensity"):
            continue
        key = "evaluation" if r["metric"] == "carbon_intensity" else "energy_evaluation"
        ev = city.get(key)
        if ev and ev["base_year"] == r["baseline_year"]:
            r["latest_year"], r["latest"] = ev["year"], ev["achieved_cumulative_pct"]
            r["progress_pct"] = ev["achieved_cumulative_pct"] / ev["target_reduction_pct"] * 100
            r["expected_pct"] = ev["expected_cumulative_pct"] / ev["target_reduction_pct"] * 100
            r["status"], r["status_zh"] = ev["status"], ev["status_zh"]
            r["computed"] = True
    for r in rows:  # [check] markers of the plan's data go to the check chapter, not into the table
        flagged = [k for k, v in r.items() if isinstance(v, str) and labels.has_check_marker(v)]
        for k in flagged:
            r[k] = labels.without_check(r[k])
        r["flagged"] = bool(flagged)
    return rows


def _factors(session: Session, detail: pd.DataFrame) -> tuple[list[dict], list[str]]:
    """Every factor row the results used, and the numbered list of source documents they cite."""
    refs = {ref for refs in detail["factor_refs"] for ref in str(refs).split(";") if ref}
    used = factor_service.factors_by_refs(session, refs)
    catalog = load_catalog()
    sources: list[str] = []
    out = []
    for f in sorted(used, key=lambda f: (f.scope, f.item, f.parameter, f.ref)):
        doc = f"{f.source}（{f.edition}）" if f.edition and f.edition not in f.source else f.source
        if doc not in sources:
            sources.append(doc)
        out.append({"ref": f.ref, "parameter": labels.parameter_zh(f.parameter), "parameter_code": f.parameter,
                    "gas": f.gas or "", "value": f.value, "unit": labels.unit_zh(f.unit),
                    "item": catalog.items[f.item].name_zh if f.item in catalog.items else f.item, "scope": f.scope,
                    "basis": "实测" if f.basis == "local" else "缺省", "source_no": sources.index(doc) + 1,
                    "source_table": labels.source_table_zh(f.source_table),
                    "flagged": labels.has_check_marker(f.source_table), "uncertainty_pct": f.uncertainty_pct})
    return out, sources


def _methods(detail: pd.DataFrame) -> list[dict]:
    catalog = load_catalog()
    city = detail[detail["region"] == CITY_CODE]
    out = []
    for (category, method), grp in city.groupby(["category", "method"]):
        cat = catalog.categories.get(category)
        out.append({"category": category, "crt": cat.crt_code if cat else "", "name": cat.name_zh if cat else category,
                    "method": labels.method_zh(method),
                    "gases": "、".join(sorted(set(grp["gas"]))),
                    "basis": "、".join(sorted({"地方实测" if b == "local" else "缺省值"
                                              for bs in grp["basis"] for b in str(bs).split(";") if b})),
                    "factors": len({r for refs in grp["factor_refs"] for r in str(refs).split(";") if r})})
    return out


def _unverified_defaults(detail: pd.DataFrame, factors: list[dict]) -> dict:
    """未核实的缺省值: the library (default) rows used by the city's territorial results that
    emission_factors/verification/ does not mark verified, each with the share of the city's CO2e that rests on
    it, and the share of the result rows that used at least one of them. Shares are of the gross magnitude
    (a sink counts by its absolute value, as in the key-category analysis), so a sink cannot offset them."""
    items = detail[(detail["region"] == CITY_CODE) & ~detail["memo"].astype(bool)]
    # the share: result rows of RESULTS.csv (category × gas), so that a carbon balance is one row (its input and
    # output items would otherwise both count), flagged when any of its flows used an unverified default
    city = summarise(items, ["region", "category", "gas"]) if len(items) else items
    magnitude = city["co2e_t"].abs().to_numpy(float)
    total = float(magnitude.sum())
    root = factor_service.FACTOR_ROOT
    unverified = [factor_library.unverified_defaults(refs, root) for refs in city["factor_refs"]]
    flagged = np.array([bool(u) for u in unverified], dtype=bool)
    # per factor: the CO2e of the item rows that used it (a category row would lend a coal figure to its gas)
    per_ref: dict[str, float] = {}
    for refs, m in zip(items["factor_refs"], items["co2e_t"].abs().to_numpy(float)):
        for ref in factor_library.unverified_defaults(refs, root):
            per_ref[ref] = per_ref.get(ref, 0.0) + float(m)
    by_ref = {f["ref"]: f for f in factors}
    verification = factor_library.load_verification(root)
    defaults_used = {r for refs in city["factor_refs"] for r in str(refs).split(";")
                     if r and r in by_ref and by_ref[r]["basis"] == "缺省"}
    rows = []
    for ref, co2e in sorted(per_ref.items(), key=lambda kv: (-kv[1], kv[0])):
        f = by_ref.get(ref, {})
        rows.append({"ref": ref, "parameter": f.get("parameter", ""), "item": f.get("item", ""), "scope": f.get("scope", ""),
                     "value": f.get("value"), "unit": f.get("unit", ""), "co2e_t": co2e,
                     "share_pct": 100 * co2e / total if total else 0.0,
                     "status": verification[ref].status if ref in verification else "unverified"})
    co2e_flagged = float(magnitude[flagged].sum()) if len(city) else 0.0
    return {"rows": rows, "count": len(rows), "defaults_used": len(defaults_used),
            "verified_used": len(defaults_used) - len(rows), "co2e_t": co2e_flagged, "total_t": total,
            "share_pct": 100 * co2e_flagged / total if total else 0.0}


def _t(q: dict | None) -> float | None:
    """A stored quantity ({value, unit}, a mass) in t."""
    if q is None:
        return None
    return float(units.Q_(float(q["value"]), q.get("unit") or "t").to("t").magnitude)


def _coal_chemicals(result) -> dict:
    """The carbon mass balances of the coal-chemical and fuel-transformation facilities (2.B.8, 1.B.3; IPCC 2006
    Vol 3 Eq. 3.17), one row per facility in t C and t CO2, and the compile's cross-sector findings."""
    catalog = load_catalog()
    order = {c: i for i, c in enumerate([*BANNER_CODES, CITY_CODE])}
    rows = []
    for b in result.balances:
        cat = catalog.categories.get(b["category"])
        row = {"region": b["region"], "region_name": _name(b["region"]), "category": b["category"],
               "category_name": cat.name_zh if cat else b["category"], "facility": b.get("facility") or "",
               "co2_t": _t(b.get("co2")), "verified": "carbon_in" not in b}
        if row["verified"]:  # an ETS-verified figure pulled bottom-up: no flows in the inventory
            row.update(carbon_in_t=None, carbon_products_t=None, carbon_wastes_t=None, carbon_recovered_t=None,
                       carbon_emitted_t=None, n_flows=0, n_default=0, n_measured=0, source=b.get("source") or "")
        else:
            flows = b.get("flows") or []
            row.update(carbon_in_t=_t(b["carbon_in"]), carbon_products_t=_t(b["carbon_products"]),
                       carbon_wastes_t=_t(b["carbon_wastes"]), carbon_recovered_t=_t(b["carbon_recovered"]),
                       carbon_emitted_t=_t(b["carbon_emitted"]), n_flows=len(flows),
                       n_default=sum(f.get("source") == CB_DEFAULT for f in flows),
                       n_measured=sum(f.get("source") == CB_MEASURED for f in flows), source="")
        rows.append(row)
    rows.sort(key=lambda r: (r["category"], order.get(r["region"], len(order)), r["region"], r["facility"]))
    findings = [{"check": c.get("check", ""), "region": c.get("region", ""), "region_name": _name(str(c.get("region", ""))),
                 "text_zh": finding_zh(c, catalog), "message": c.get("message", ""),
                 "coal": c.get("check") in COAL_CHECKS} for c in result.cross_sector]
    return {"balances": rows, "total_co2_t": sum(r["co2_t"] or 0.0 for r in rows),
            "measured": sum(r["n_measured"] for r in rows), "default": sum(r["n_default"] for r in rows),
            "findings": findings}


def _year_on_year(session: Session, inv: Inventory, totals: dict) -> dict:
    """This year's emissions by sector beside the previous year's stored inventory (same GWP set), or why not."""
    prev_year = inv.year - 1
    prev = intensity_service.inventory_for_year(session, prev_year)
    if prev is None:
        return {"available": False, "previous_year": prev_year,
                "reason": f"库中无{prev_year}年（上年）已编制的清单，未做同比比较。"}
    if prev.gwp_set != inv.gwp_set:
        return {"available": False, "previous_year": prev_year,
                "reason": f"{prev_year}年清单采用{prev.gwp_set}，与本年{inv.gwp_set}不同，未做同比比较。"}
    before = _totals(inventory_service.stored_result(session, inventory_id=prev.id).detail)
    prev_by = {r["sector"]: r for r in before["rows"]}
    rows = []
    for r in totals["rows"]:
        p = prev_by[r["sector"]]
        if not (r["present"] or p["present"]):
            continue
        rows.append(_change_row(r["name"], p["total"], r["total"]))
    rows.append(_change_row("合计（净排放）", before["total"], totals["total"], total=True))
    rows.append(_change_row("合计（不含土地利用变化和林业）", before["gross_excl_lulucf"], totals["gross_excl_lulucf"],
                            total=True))
    chart = charts.paired_hbars([(r["name"], r["previous_t"] / 1e4, r["current_t"] / 1e4) for r in rows if not r["total"]],
                                title=f"{prev_year}年与{inv.year}年各领域排放", unit="万t CO2e",
                                labels=(f"{prev_year}年", f"{inv.year}年"))
    return {"available": True, "previous_year": prev_year, "previous_inventory": {"id": prev.id, "version": prev.version,
            "status_zh": {"compiled": "已编制", "published": "已发布"}.get(prev.status, prev.status)},
            "rows": rows, "chart": chart}


def _change_row(name: str, previous: float, current: float, *, total: bool = False) -> dict:
    change = current - previous
    return {"name": name, "previous_t": previous, "current_t": current, "change_t": change,
            "change_pct": change / abs(previous) * 100 if previous else None, "total": total}


RECONCILE_STATUS_ZH = {"ok": "一致", "exceeds": "重点排放单位超过清单", "no_emitters": "无重点排放单位",
                       "no_inventory": "清单无数值"}


def _scope_zh(scope: str, catalog) -> str:
    return "、".join(f"{c} {catalog.categories[c].name_zh}" if c in catalog.categories else c for c in scope.split(";"))


def _reconcile_finding_zh(f: dict, catalog) -> str:
    """A finding of carbon/reconcile in Chinese for the report (the API keeps the English ``message``)."""
    region = _name(f["region"]) if f.get("region") else "未指定旗区"
    scope = _scope_zh(f["scope"], catalog) if f.get("scope") else ""
    t = f"{f.get('emitters_t', 0.0):,.0f}"
    if f["kind"] == "emitters_exceed_inventory":
        return (f"{region}（{scope}）：重点排放单位核查排放量合计 {t} t，超过清单数值 {f['inventory_t']:,.0f} t"
                f"（{'、'.join(f.get('uscc_list') or [])}）。请核对企业所在旗区、类别对应关系及清单活动水平。")
    if f["kind"] == "missing_mapping":
        return f"重点排放单位 {f['uscc']}（核查排放 {t} t）的行业没有对应的清单类别，未计入任何对照行。"
    if f["kind"] == "missing_region":
        return f"重点排放单位 {f['uscc']}（核查排放 {t} t）没有所在旗区（{region}），未计入旗区对照。"
    if f["kind"] == "unknown_category":
        return f"企业—类别对照表中的类别 {f.get('scope')} 不在清单类别目录中。"
    return f.get("message", "")


def _reconciliation(session: Session, year: int) -> dict:
    """The inventory beside its key emitters' verified emissions (carbon/reconcile), for the report: the city rows of
    every scope, the banner rows that have emitters, the findings in Chinese, and the 碳普惠 pool beside the city
    total."""
    from carbon.reconcile.service import reconcile

    data = reconcile(session, year=year)
    catalog = load_catalog()
    rows = []
    for r in data["rows"]:
        if r["region"] != CITY_CODE and not r["n_emitters"]:
            continue
        rows.append({**r, "region_name": _name(r["region"]), "scope_zh": _scope_zh(r["scope"], catalog),
                     "status_zh": RECONCILE_STATUS_ZH.get(r["status"], r["status"]),
                     "coverage_pct": None if r["coverage"] is None else r["coverage"] * 100,
                     "city": r["region"] == CITY_CODE})
    rows.sort(key=lambda r: (not r["city"], r["scope"], r["region"]))
    return {"rows": rows, "findings": [_reconcile_finding_zh(f, catalog) for f in data["findings"]],
            "emitters": len(data["emitters"]), "verified_emitters": sum(1 for e in data["emitters"] if e["verified_t"]),
            "puhui": data["puhui"]}


def _checks(intensity: dict, plan: list[dict], coal_chemicals: dict, unverified: dict, double_counts: list,
            factors: list[dict]) -> dict:
    """The report's check results, gathered in one chapter (核查结果) instead of markers in the text: the
    compile's findings (the coal-chemical ones summarised, they are listed in their chapter), data marked to be
    checked ([check] in the plan, the target or a factor's citation), unverified defaults, double counts, gaps."""
    items = []
    coal = [f for f in coal_chemicals["findings"] if f["coal"]]
    if coal:
        regions = "、".join(dict.fromkeys(f["region_name"] for f in coal))
        items.append({"kind": "交叉核对", "region": "多个旗区",
                      "text": f"煤化工与燃料燃烧交叉核对提示可能的重复计算 {len(coal)} 项（{regions}），"
                              "逐项见“煤化工碳平衡”一章的交叉核对表。"})
    for f in coal_chemicals["findings"]:
        if not f["coal"]:
            items.append({"kind": "编制检查", "region": f["region_name"], "text": f["text_zh"]})
    flagged_factors = [f for f in factors if f.get("flagged")]
    if flagged_factors:
        items.append({"kind": "因子出处", "region": "—",
                      "text": f"{len(flagged_factors)} 条排放因子的表/条目出处标注为待核实（"
                              f"{'、'.join(f['ref'] for f in flagged_factors)}），发布前应对照原文件核对。"})
    target = intensity.get("target") if intensity.get("available") else None
    if target and target.get("flagged"):
        items.append({"kind": "目标数据", "region": _name(CITY_CODE),
                      "text": f"强度目标（{target['base_year']}—{target['target_year']}年下降{target['value']:g}%）的来源标注为待核实，"
                              "发布前应以正式文件核对。"})
    for p in plan:
        if p.get("flagged"):
            items.append({"kind": "规划指标", "region": _name(CITY_CODE),
                          "text": f"规划指标“{p.get('name_zh', '')}”的数据标注为待核实"
                                  f"{'：' + p['target_text'] if p.get('target_text') else ''}。"})
    if unverified["count"]:
        items.append({"kind": "缺省值", "region": _name(CITY_CODE),
                      "text": f"使用了未核实的缺省值 {unverified['count']} 条，涉及排放 {unverified['co2e_t'] / 1e4:,.1f} 万t CO2e"
                              f"（占全市 {unverified['share_pct']:.1f}%），见“方法与排放因子来源”。"})
    for d in double_counts:
        items.append({"kind": "重复计算", "region": _name(CITY_CODE),
                      "text": f"{d.get('category', '')} {d.get('item', '')}（{d.get('gas', '')}）市级与旗区同时报告，市级数据未计入全市合计。"})
    if not intensity.get("available"):
        items.append({"kind": "数据缺项", "region": _name(CITY_CODE), "text": intensity.get("reason", "")})
    return {"entries": items, "count": len(items)}


def _signoff(prepared_by: str | None, reviewed_by: str | None, approved_by: str | None) -> dict:
    return {"org": labels.report_org(), "prepared_by": (prepared_by or "").strip(),
            "reviewed_by": (reviewed_by or "").strip(), "approved_by": (approved_by or "").strip(),
            "date": labels.local_date(utcnow())}


def inventory_report_context(session: Session, *, year: int, inventory_id: int | None = None,
                             numerator: str = DEFAULT_NUMERATOR, co2_source: str = "auto",
                             draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED, prepared_by: str | None = None,
                             reviewed_by: str | None = None, approved_by: str | None = None) -> dict:
    """Everything the inventory report shows, as plain data (numbers in t; templates format them). The sign-off
    names are printed when given (else blank lines to sign)."""
    inv = _inventory(session, year, inventory_id)
    result = inventory_service.stored_result(session, inventory_id=inv.id)
    detail = result.detail
    totals = _totals(detail)
    banners = _banners(detail)
    intensity = _intensity_section(session, inv, numerator=numerator, co2_source=co2_source)
    base_inv = None
    if intensity.get("base_year"):
        base_inv = intensity_service.inventory_for_year(session, intensity["base_year"])
        if base_inv is not None and base_inv.gwp_set != inv.gwp_set:
            base_inv = None
    keys = intensity_service.key_categories(session, inventory_id=inv.id,
                                            base_inventory_id=base_inv.id if base_inv else None)
    unc = intensity_service.uncertainty(session, inventory_id=inv.id, monte_carlo_draws=draws, seed=seed)
    catalog = load_catalog()
    notation = [{**n, "region_name": _name(n["region"]),
                 "category_name": catalog.categories[n["category"]].name_zh if n["category"] in catalog.categories else n["category"],
                 "meaning": NOTATION_KEYS.get(str(n["notation"]).split(",")[0], "")}
                for n in (inv.notation_keys or [])
                # the NE keys completeness wrote (note 自动…): the city's only, the banners' are in RESULTS
                if n["region"] == CITY_CODE or not is_auto(n.get("note"))]
    city_categories = inventory_service.get_results(session, inventory_id=inv.id, region=CITY_CODE)
    charts_ = {
        "sectors": charts.donut([(SECTOR_NAMES_ZH[r["sector"]], r["total"] / 1e4) for r in totals["rows"] if r["present"]],
                                title="各领域排放占比", unit="万t CO2e"),
        "banners": charts.hbars([(b["name"], b["total"] / 1e4) for b in banners if not b["city"]],
                                title="各旗区温室气体排放", unit="万t CO2e"),
    }
    level = keys["level"]
    factors, factor_sources = _factors(session, detail)
    u_sources: list[str] = []
    u_rows = _records(unc["categories"])
    for row in u_rows:
        row["source"] = labels.uncertainty_source_zh(row["source"])
        if row["source"] not in u_sources:
            u_sources.append(row["source"])
        row["source_no"] = u_sources.index(row["source"]) + 1
    plan = _plan(session, intensity)
    unverified = _unverified_defaults(detail, factors)
    coal = _coal_chemicals(result)
    double_counts = list(inv.double_counts or [])
    city_rows = _records(city_categories.drop(columns=["factor_refs"], errors="ignore"))
    for r in city_rows:
        r["sector_name"] = SECTOR_NAMES_ZH.get(r.get("sector"), r.get("sector"))
        r["method_name"] = labels.method_zh(r["method"]) if r.get("method") else ""
    return {
        "title": f"{_name(CITY_CODE)}{year}年温室气体清单报告",
        "generated_at": labels.local_time(utcnow()),
        "software": f"carbon {carbon.__version__}",
        "inventory": {"id": inv.id, "year": inv.year, "version": inv.version, "status": inv.status,
                      "status_zh": {"compiled": "已编制（未发布）", "published": "已发布"}.get(inv.status, inv.status),
                      "label": inv.label or "", "gwp_set": inv.gwp_set, "ch4_ar6": inv.ch4_ar6,
                      "factor_profile": inv.factor_profile, "factor_fingerprint": inv.factor_fingerprint or "",
                      "compiled_at": labels.local_time(inv.compiled_at),
                      "published_at": labels.local_time(inv.published_at)},
        "synthetic": "synthetic" in (inv.label or "").lower() or "合成" in (inv.label or ""),
        "totals": totals, "banners": banners, "sector_names": [SECTOR_NAMES_ZH[s] for s in SECTORS],
        "intensity": intensity, "plan": plan,
        "key_level": _records(level), "key_level_count": int(level["key"].sum()), "key_threshold": THRESHOLD * 100,
        "key_trend": _records(keys["trend"]) if keys["trend"] is not None else None,
        "key_trend_base_year": keys.get("base_year"), "key_source": labels.citation_zh(KEY_SOURCE),
        "uncertainty": {"categories": u_rows, "sources": u_sources, "approach1": unc["approach1"],
                        "approach2": unc["approach2"], "defaults": ["IPCC 2006 缺省不确定性表" if str(d).endswith(".csv") else d
                                                  for d in unc["provenance"]["defaults"]],
                        "factor_rows_with_uncertainty": unc["provenance"]["factor_rows_with_uncertainty"],
                        "source": labels.citation_zh(UNCERTAINTY_SOURCE)},
        "methods": _methods(detail), "factors": factors, "factor_sources": factor_sources, "notation": notation,
        "unverified": unverified,
        "notation_keys": NOTATION_KEYS, "double_counts": double_counts,
        "coal_chemicals": coal,
        "city_categories": city_rows,
        "charts": charts_,
        "year_on_year": _year_on_year(session, inv, totals),
        "reconciliation": _reconciliation(session, inv.year),
        "checks": _checks(intensity, plan, coal, unverified, double_counts, factors),
        "signoff": _signoff(prepared_by, reviewed_by, approved_by),
        "timezone": labels.timezone_name(),
    }


def render_inventory_report(session: Session, **kwargs) -> tuple[Rendered, dict]:
    """The report PDF (synchronous) and the context it was made from."""
    context = inventory_report_context(session, **kwargs)
    return html_to_pdf(render_html(TEMPLATE, context)), context


def report_html(session: Session, **kwargs) -> str:
    return render_html(TEMPLATE, inventory_report_context(session, **kwargs))


# --- jobs ---------------------------------------------------------------------------------------------

def submit(session: Session, *, year: int, inventory_id: int | None = None, numerator: str = DEFAULT_NUMERATOR,
           co2_source: str = "auto", draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
           requested_by: str | None = None, prepared_by: str | None = None, reviewed_by: str | None = None,
           approved_by: str | None = None) -> ReportJob:
    """Queue an inventory report (validated now, so a bad request fails at once, not in the worker)."""
    inv = _inventory(session, year, inventory_id)
    get_numerator(numerator)
    if co2_source not in intensity_service.CO2_SOURCES:
        raise ValidationError(key="report_co2_source", params={"known": ", ".join(intensity_service.CO2_SOURCES)},
                              field="co2_source")
    params = {"year": year, "inventory_id": inv.id, "inventory_version": inv.version, "numerator": numerator,
              "co2_source": co2_source, "draws": draws, "seed": seed, "prepared_by": prepared_by,
              "reviewed_by": reviewed_by, "approved_by": approved_by}
    job = ReportJob(kind="inventory", status="queued", inventory_id=inv.id, year=year, params=params,
                    requested_by=requested_by, created_at=utcnow(), attempts=0)
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, *, job_id: int) -> ReportJob:
    job = session.get(ReportJob, job_id)
    if job is None:
        raise NotFound(key="report_job_not_found", params={"id": job_id}, field="job_id")
    return job


def list_jobs(session: Session, *, limit: int = 50) -> list[ReportJob]:
    return list(session.scalars(select(ReportJob).order_by(ReportJob.id.desc()).limit(limit)))


def job_pdf(session: Session, *, job_id: int) -> tuple[bytes, str]:
    job = get_job(session, job_id=job_id)
    if job.status != "done":
        raise Conflict(key="report_job_not_done", params={"id": job.id, "status": job.status}, field="status")
    return job.pdf, job.filename or f"report-{job.id}.pdf"


def claim(session: Session, *, worker: str) -> int | None:
    """Take the oldest claimable job (conditional UPDATE: exactly one worker wins it). The caller commits."""
    while True:
        job_id = session.scalar(select(ReportJob.id).where(jobs.claimable()).order_by(ReportJob.created_at,
                                                                                      ReportJob.id).limit(1))
        if job_id is None:
            return None
        now = utcnow()
        done = session.execute(update(ReportJob).where(ReportJob.id == job_id, jobs.claimable(now)).values(
            status="running", started_at=now, heartbeat_at=now, worker=worker[-100:], attempts=ReportJob.attempts + 1))
        if done.rowcount == 1:
            return job_id


def run_job(factory: sessionmaker[Session], job_id: int, *, worker: str | None = None) -> bool:
    """Render a claimed job and store the PDF (or the error) if the job is still ``worker``'s (default: whoever
    claimed it). Returns whether the result was stored. The rendering reads in a transaction of its own, ended
    before the result is written (SQLite: the heartbeats commit meanwhile, and a read transaction cannot become a
    write transaction after another connection committed)."""
    started = time.perf_counter()
    try:
        with session_scope(factory) as session:
            job = get_job(session, job_id=job_id)
            p, worker = dict(job.params), worker or job.worker
        with jobs.Heartbeat(factory, job_id=job_id, worker=worker), session_scope(factory) as session:
            rendered, _ = render_inventory_report(session, year=p["year"], inventory_id=p["inventory_id"],
                                                  numerator=p["numerator"], co2_source=p["co2_source"],
                                                  draws=p["draws"], seed=p["seed"],
                                                  prepared_by=p.get("prepared_by"), reviewed_by=p.get("reviewed_by"),
                                                  approved_by=p.get("approved_by"))
        values = {"pdf": rendered.pdf, "pages": rendered.pages, "size_bytes": len(rendered.pdf),
                  "sha256": hashlib.sha256(rendered.pdf).hexdigest(),
                  "filename": f"ordos_{p['year']}_inventory_v{p['inventory_version']}_job{job_id}.pdf",
                  "status": "done", "error": None}
    except Exception as exc:  # noqa: BLE001 - any failure is the job's result, recorded for the client
        log.exception("report job %s failed", job_id)
        message = exc.message if isinstance(exc, CarbonError) else f"{type(exc).__name__}: {exc}"
        values = {"status": "failed", "error": message[:2000]}
    with session_scope(factory) as session:
        stored = session.execute(update(ReportJob).where(jobs.owned(job_id, worker)).values(
            **values, finished_at=utcnow(), seconds=time.perf_counter() - started)).rowcount == 1
    if not stored:
        log.warning("report job %s is no longer %s's (taken again after its lease): result dropped", job_id, worker)
    return stored


def drain(factory: sessionmaker[Session], *, worker: str, stop: threading.Event | None = None) -> int:
    """Run claimable jobs until none is left; returns how many ran."""
    with session_scope(factory) as session:
        jobs.recover(session)  # jobs of workers that died on this host: queued again (or failed, out of attempts)
    ran = 0
    while stop is None or not stop.is_set():
        with session_scope(factory) as session:
            job_id = claim(session, worker=worker)
        if job_id is None:
            return ran
        run_job(factory, job_id, worker=worker)
        ran += 1
    return ran


class ReportWorker:
    """One background thread per API process: runs queued report jobs, woken by ``wake()`` after a submit and
    polling every ``poll`` seconds for jobs submitted to other processes."""

    def __init__(self, factory: sessionmaker[Session], *, name: str, poll: float = 2.0):
        self.factory = factory
        self.name = name
        self.poll = poll
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"report-worker-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 60.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                drain(self.factory, worker=self.name, stop=self._stop)
            except Exception:  # noqa: BLE001 - a database hiccup must not kill the worker; retry after the poll
                log.exception("report worker %s", self.name)
            self._wake.wait(self.poll)
            self._wake.clear()
