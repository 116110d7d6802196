"""The intensity domain with the database: economic data, targets and their split across banners, yearly
evaluation, plan indicators, key categories and uncertainty of stored inventories.

Functions take the session first, keyword-only arguments after it, and commit nothing (carbon.core.db).

Where the carbon-intensity numerator comes from (``co2_source``), never mixed within one series:

- ``inventory``: the stored inventory of the city for each year (the latest published version, else the
  latest compiled one), summed by the numerator (``carbon.intensity.intensity.NUMERATORS``);
- ``statistics``: the ``energy_co2`` column of the economic data (the statistics' own energy-CO2 accounting);
  only for the ``energy_co2`` numerator;
- ``auto``: ``inventory`` when every year asked for has an inventory, else ``statistics`` when the economic
  data cover them all, else an error naming the missing years.

Every output carries ``provenance``: the numerator, the source per year (inventory id, version, status,
factor fingerprint; or the file the statistics came from) and the price basis of GDP.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from carbon.core.db import utcnow
from carbon.core.errors import NotFound, ValidationError
from carbon.core.models import Region
from carbon.core.regions import BANNER_CODES, CITY_CODE, resolve_region
from carbon.factors import service as factor_service
from carbon.intensity import decomposition as dec
from carbon.intensity import io
from carbon.intensity.intensity import (
    DEFAULT_NUMERATOR,
    emissions_from_results,
    get_numerator,
    intensity_table,
    select_price_basis,
)
from carbon.intensity.key_categories import level_assessment, trend_assessment
from carbon.intensity.models import EconomicIndicator, IntensityTarget, PlanIndicator, PlanIndicatorValue
from carbon.intensity.uncertainty import DEFAULT_SEED, approach1, assign, monte_carlo
from carbon.inventory import service as inventory_service
from carbon.inventory.catalog import SECTOR_NAMES_ZH, load_catalog
from carbon.inventory.models import EmissionResult, Inventory

CO2_SOURCES = ("auto", "inventory", "statistics")
GDP_PATHS = ("trend", "uniform")
INTENSITY_METRICS = ("carbon_intensity", "energy_intensity")


# --- economic data ------------------------------------------------------------------------------------

ECON_FIELDS = ("region", "year", "price_base_year", "gdp_yuan", "gdp_current_yuan", "energy_kgce", "coal_share",
               "non_fossil_share", "population", "energy_co2_t", "source")


def import_economy(session: Session, *, content: bytes, filename: str) -> dict:
    """Import economic data, all or nothing. A row for a region, year and price basis already stored replaces it."""
    frame = io.read_economy(content, filename)
    keys = list(zip(frame["region"], frame["year"].astype(int), frame["price_base_year"].astype(int)))
    existing = session.scalars(select(EconomicIndicator).where(
        EconomicIndicator.year.in_(sorted({k[1] for k in keys})))).all()
    by_key = {(e.region_code, e.year, e.price_base_year): e for e in existing}
    replaced = 0
    for key in keys:
        if key in by_key:
            session.delete(by_key[key])
            replaced += 1
    session.flush()
    now = utcnow()
    name = Path(filename).name[:255]
    for r in frame.to_dict(orient="records"):
        session.add(EconomicIndicator(
            region_code=r["region"], year=int(r["year"]), price_base_year=int(r["price_base_year"]),
            gdp_yuan=int(r["gdp_yuan"]), gdp_current_yuan=_int(r["gdp_current_yuan"]), energy_kgce=_int(r["energy_kgce"]),
            coal_share=_float(r["coal_share"]), non_fossil_share=_float(r["non_fossil_share"]),
            population=_int(r["population"]), energy_co2_t=_float(r["energy_co2_t"]), source=r["source"],
            filename=name, source_row=int(r["row"]), created_at=now))
    session.flush()
    return {"rows": len(frame), "replaced": replaced, "added": len(frame) - replaced, "filename": name}


def _int(v) -> int | None:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else int(v)


def _float(v) -> float | None:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)


def economy(session: Session, *, years: Iterable[int] | None = None, region: str | None = None) -> pd.DataFrame:
    """Stored economic data (columns of ``io.read_economy`` plus gdp_10k_cny and energy_tce)."""
    query = select(EconomicIndicator).order_by(EconomicIndicator.year, EconomicIndicator.region_code,
                                               EconomicIndicator.price_base_year)
    if years is not None:
        query = query.where(EconomicIndicator.year.in_(list(years)))
    if region is not None:
        query = query.where(EconomicIndicator.region_code == resolve_region(region))
    rows = session.scalars(query).all()
    frame = pd.DataFrame([{
        "region": e.region_code, "year": e.year, "price_base_year": e.price_base_year, "gdp_yuan": e.gdp_yuan,
        "gdp_current_yuan": e.gdp_current_yuan, "energy_kgce": e.energy_kgce, "coal_share": e.coal_share,
        "non_fossil_share": e.non_fossil_share, "population": e.population, "energy_co2_t": e.energy_co2_t,
        "source": e.source, "filename": e.filename} for e in rows],
        columns=[*ECON_FIELDS, "filename"])
    return io.economy_frame(frame)


# --- emissions series ---------------------------------------------------------------------------------

def inventory_for_year(session: Session, year: int) -> Inventory | None:
    """The city's inventory of ``year`` that intensity uses: latest published version, else latest compiled."""
    city = session.scalar(select(Region.id).where(Region.code == CITY_CODE))
    found = session.scalars(select(Inventory).where(Inventory.region_id == city, Inventory.year == year,
                                                    Inventory.status.in_(("published", "compiled")))
                            .order_by(Inventory.version.desc())).all()
    published = [i for i in found if i.status == "published"]
    return (published or found or [None])[0]


def _results_frame(session: Session, inventory_id: int) -> pd.DataFrame:
    r = EmissionResult
    rows = session.execute(select(r.region_code, r.year, r.sector, r.category, r.gas, r.co2e_t, r.memo)
                           .where(r.inventory_id == inventory_id)).all()
    return pd.DataFrame(rows, columns=["region", "year", "sector", "category", "gas", "co2e_t", "memo"])


def emissions_series(session: Session, *, years: Iterable[int], numerator: str = DEFAULT_NUMERATOR,
                     co2_source: str = "auto", economy_frame: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict]:
    """The numerator per region and year (region, year, co2_t) and its provenance (see module docstring)."""
    years = sorted(set(int(y) for y in years))
    num = get_numerator(numerator)
    if co2_source not in CO2_SOURCES:
        raise ValidationError(key="intensity_unknown_co2_source", params={"known": ", ".join(CO2_SOURCES)}, field="co2_source")
    inventories = {y: inventory_for_year(session, y) for y in years}
    missing_inv = [y for y, inv in inventories.items() if inv is None]
    source = co2_source
    if source == "auto":
        source = "inventory" if not missing_inv else "statistics"
    if source == "inventory":
        if missing_inv:
            raise ValidationError(key="intensity_no_city_inventory", params={"years": ", ".join(map(str, missing_inv))},
                                  field="year")
        frames, per_year = [], {}
        for y, inv in inventories.items():
            frames.append(emissions_from_results(_results_frame(session, inv.id), num))
            per_year[y] = {"source": "inventory", "inventory_id": inv.id, "version": inv.version, "status": inv.status,
                           "gwp_set": inv.gwp_set, "factor_fingerprint": inv.factor_fingerprint}
        series = pd.concat(frames, ignore_index=True)
        series = series[series["year"].isin(years)]
    else:
        if num.key != "energy_co2":
            raise ValidationError(key="intensity_statistics_energy_only",
                                  params={"numerator": num.key, "years": ", ".join(map(str, missing_inv or years))},
                                  field="numerator")
        econ = economy_frame if economy_frame is not None else economy(session, years=years)
        have = econ[econ["year"].isin(years)].dropna(subset=["energy_co2_t"]).drop_duplicates(["region", "year"])
        lacking = [y for y in years if not (have["year"] == y).any()]
        if lacking:
            params = {"years": ", ".join(map(str, lacking))}
            if co2_source == "auto" and missing_inv:  # say why the statistics were read
                raise ValidationError(key="intensity_no_inventory_no_energy_co2",
                                      params={**params, "missing": ", ".join(map(str, missing_inv))}, field="co2_source")
            raise ValidationError(key="intensity_no_energy_co2", params=params, field="co2_source")
        series = have[["region", "year", "energy_co2_t"]].rename(columns={"energy_co2_t": "co2_t"})
        per_year = {y: {"source": "statistics", "files": sorted({str(f) for f in have.loc[have["year"] == y, "filename"]
                                                                  if f is not None})} for y in years}
    provenance = {"numerator": num.key, "numerator_zh": num.label_zh, "numerator_definition": num.describe(),
                  "co2_source": source, "years": per_year}
    return series.reset_index(drop=True), provenance


def intensity(session: Session, *, year: int, base_year: int | None = None, numerator: str = DEFAULT_NUMERATOR,
              co2_source: str = "auto", price_base_year: int | None = None) -> tuple[pd.DataFrame, dict]:
    """Carbon and energy intensity of the banners and the city for ``year`` (change vs ``base_year``)."""
    years = [year] + ([base_year] if base_year is not None else [])
    econ = economy(session, years=years)
    if econ.empty:
        raise ValidationError(key="intensity_no_economy", params={"years": ", ".join(map(str, years))}, field="year")
    series, provenance = emissions_series(session, years=years, numerator=numerator, co2_source=co2_source,
                                          economy_frame=econ)
    table = intensity_table(series, econ, year=year, base_year=base_year, numerator=numerator,
                            price_base_year=price_base_year)
    provenance["price_base_year"] = int(table["price_base_year"].iloc[0])
    return table, provenance


# --- targets ------------------------------------------------------------------------------------------

def create_target(session: Session, *, metric: str, base_year: int, target_year: int, value: float, unit: str,
                  kind: str = "binding", region: str = CITY_CODE, price_base_year: int | None = None,
                  numerator: str | None = None, source: str | None = None, label: str | None = None) -> IntensityTarget:
    code = resolve_region(region)
    if metric in INTENSITY_METRICS:
        if unit != "%" or not 0 < value < 100:
            raise ValidationError(key="intensity_target_not_percent", field="value")
        if metric == "carbon_intensity":
            numerator = get_numerator(numerator or DEFAULT_NUMERATOR).key
    elif metric == "energy_total":
        from carbon.core import units
        units.check_dimension(unit, "energy", "unit")
        value = units.convert(value, unit, "tce")
        unit = "tce"
    elif unit != "%" or not 0 <= value <= 100:
        raise ValidationError(key="intensity_share_not_percent", field="value")
    if target_year <= base_year:
        raise ValidationError(key="intensity_target_year_order", field="target_year")
    target = IntensityTarget(region_code=code, metric=metric, kind=kind, base_year=base_year, target_year=target_year,
                             value=float(value), unit=unit, price_base_year=price_base_year, numerator=numerator,
                             source=source, label=label, created_at=utcnow())
    session.add(target)
    session.flush()
    return target


def get_target(session: Session, *, target_id: int) -> IntensityTarget:
    target = session.get(IntensityTarget, target_id)
    if target is None:
        raise NotFound(key="intensity_target_not_found", params={"id": target_id}, field="target_id")
    return target


def list_targets(session: Session, *, parent_id: int | None = None, city_only: bool = False) -> list[IntensityTarget]:
    query = select(IntensityTarget).order_by(IntensityTarget.id)
    if parent_id is not None:
        query = query.where(IntensityTarget.parent_id == parent_id)
    elif city_only:
        query = query.where(IntensityTarget.parent_id.is_(None))
    return list(session.scalars(query))


def banner_base(session: Session, *, target: IntensityTarget, gdp_path: str = "trend", growth_pct: float | None = None,
                co2_source: str = "auto", latest_year: int | None = None) -> tuple[pd.DataFrame, dict]:
    """Per banner: base_value (CO2 t or energy tce in the base year), base_gdp, target_gdp (10^4 CNY, constant
    prices of the target's price basis) on the GDP path, and the provenance.

    GDP paths: ``trend`` continues each banner's average growth from the base year to ``latest_year`` (default:
    the latest year with GDP for every banner) up to the target year; ``uniform`` grows every banner by
    ``growth_pct`` per year (shares unchanged, so the structural effect vanishes).
    """
    if target.metric not in INTENSITY_METRICS:
        raise ValidationError(key="intensity_not_an_intensity_target", params={"metric": target.metric}, field="metric")
    econ = economy(session)
    econ = econ[econ["region"].isin(BANNER_CODES)]
    if target.price_base_year is not None:
        econ = econ[econ["price_base_year"] == target.price_base_year]
    base = econ[econ["year"] == target.base_year].drop_duplicates("region")
    if base.empty:
        raise ValidationError(key="intensity_no_banner_gdp", params={"year": target.base_year}, field="base_year")
    basis = select_price_basis(econ, target.price_base_year, years=[target.base_year])
    pby = int(basis["price_base_year"].iloc[0])
    econ = econ[econ["price_base_year"] == pby]
    base = econ[econ["year"] == target.base_year].set_index("region")
    provenance: dict = {"price_base_year": pby, "gdp_path": gdp_path}
    if target.metric == "carbon_intensity":
        series, prov = emissions_series(session, years=[target.base_year], numerator=target.numerator or DEFAULT_NUMERATOR,
                                        co2_source=co2_source, economy_frame=econ)
        values = series.set_index("region")["co2_t"]
        provenance.update(prov)
    else:
        values = base["energy_tce"].dropna()
        provenance["base_values"] = "energy consumption (tce) of the economic data"
    regions = [c for c in BANNER_CODES if c in base.index and c in values.index]
    if not regions:
        raise ValidationError(key="intensity_no_banner_base", field="base_year")
    g0 = base.loc[regions, "gdp_10k_cny"].to_numpy(float)
    years_to_target = target.target_year - target.base_year
    if gdp_path == "uniform":
        if growth_pct is None:
            raise ValidationError(key="intensity_growth_pct_needed", field="growth_pct")
        gT = g0 * (1 + growth_pct / 100) ** years_to_target
        provenance["growth_pct"] = growth_pct
    elif gdp_path == "trend":
        years_known = sorted(y for y in econ["year"].unique()
                             if target.base_year < y <= target.target_year
                             and set(regions) <= set(econ.loc[econ["year"] == y, "region"]))
        if latest_year is not None:
            years_known = [y for y in years_known if y <= latest_year]
        if not years_known:
            raise ValidationError(key="intensity_trend_needs_gdp", field="gdp_path")
        last = years_known[-1]
        gl = econ[econ["year"] == last].set_index("region").loc[regions, "gdp_10k_cny"].to_numpy(float)
        rate = (gl / g0) ** (1 / (last - target.base_year))
        gT = gl * rate ** (target.target_year - last)
        provenance["trend_years"] = [target.base_year, int(last)]
    else:
        raise ValidationError(key="intensity_unknown_gdp_path", params={"known": ", ".join(GDP_PATHS)}, field="gdp_path")
    frame = pd.DataFrame({"region": regions, "base_value": values.loc[regions].to_numpy(float), "base_gdp": g0,
                          "target_gdp": gT})
    return frame, provenance


def decompose(session: Session, *, target_id: int, method: str = "equal_rate", alpha: float = 1.0,
              gdp_path: str = "trend", growth_pct: float | None = None, co2_source: str = "auto") -> tuple[dec.Decomposition, dict]:
    """Split a city intensity target across the banners (a preview: nothing is stored; see ``adopt``)."""
    target = get_target(session, target_id=target_id)
    if target.parent_id is not None or target.region_code != CITY_CODE:
        raise ValidationError(key="intensity_only_city_split", field="target_id")
    banners, provenance = banner_base(session, target=target, gdp_path=gdp_path, growth_pct=growth_pct,
                                      co2_source=co2_source)
    result = dec.decompose(banners, reduction=target.value / 100, base_year=target.base_year,
                           target_year=target.target_year, method=method, alpha=alpha, metric=target.metric)
    return result, provenance


def adopt(session: Session, *, target_id: int, method: str = "equal_rate", alpha: float = 1.0, gdp_path: str = "trend",
          growth_pct: float | None = None, co2_source: str = "auto") -> list[IntensityTarget]:
    """Split the city target and store the banner targets (replacing an earlier split of the same target)."""
    result, provenance = decompose(session, target_id=target_id, method=method, alpha=alpha, gdp_path=gdp_path,
                                   growth_pct=growth_pct, co2_source=co2_source)
    if not result.meets:
        raise ValidationError(key="intensity_split_misses_target", field="method")
    city = get_target(session, target_id=target_id)
    session.execute(delete(IntensityTarget).where(IntensityTarget.parent_id == city.id))
    path = {b.region: b.target_gdp for b in result.banners}
    out = []
    for b in result.banners:
        t = IntensityTarget(region_code=b.region, metric=city.metric, kind=city.kind, base_year=city.base_year,
                            target_year=city.target_year, value=b.reduction * 100, unit="%",
                            price_base_year=provenance.get("price_base_year"), numerator=city.numerator,
                            method=method if method != "intensity_level" and method != "gdp_share" else f"{method}:{alpha:g}",
                            parent_id=city.id, gdp_path=path, source=f"decomposition of target {city.id} ({gdp_path} GDP path)",
                            label=city.label, created_at=utcnow())
        session.add(t)
        out.append(t)
    session.flush()
    return out


def evaluate(session: Session, *, target_id: int, year: int, co2_source: str = "auto") -> tuple[list[dict], dict]:
    """Each banner's and the city's progress in ``year`` against the target (adopted banner targets, or the
    city's own rate for every banner when no split was adopted; the output says which)."""
    city = get_target(session, target_id=target_id)
    if city.metric not in INTENSITY_METRICS:
        raise ValidationError(key="intensity_only_intensity_evaluated", field="target_id")
    table, provenance = intensity(session, year=year, base_year=city.base_year,
                                  numerator=city.numerator or DEFAULT_NUMERATOR, co2_source=co2_source,
                                  price_base_year=city.price_base_year)
    children = {t.region_code: t for t in list_targets(session, parent_id=city.id)}
    provenance["banner_targets"] = "adopted split" if children else "none adopted: the city's rate for every banner"
    provenance["status_rule"] = dec.STATUS_RULE
    provenance["status_rule_zh"] = dec.STATUS_RULE_ZH
    cur, base = ("intensity_t_per_10k_cny", "base_intensity_t_per_10k_cny")
    if city.metric == "energy_intensity":
        cur, base = ("energy_intensity_tce_per_10k_cny", "base_energy_intensity_tce_per_10k_cny")
    out = []
    for r in table.to_dict(orient="records"):
        if r[cur] != r[cur] or r[base] != r[base]:  # NaN: no energy data for this region
            continue
        own = children.get(r["region"]) if r["region"] != CITY_CODE else city
        reduction = (own.value if own is not None else city.value) / 100
        ev = dec.evaluate(region=r["region"], base_intensity=r[base], intensity=r[cur], base_year=city.base_year,
                          year=year, target_year=city.target_year, reduction=reduction).as_dict()
        ev["target_source"] = ("city target" if r["region"] == CITY_CODE
                               else (own.method if own is not None else "city rate (no split adopted)"))
        out.append(ev)
    return out, provenance


def split_cap(session: Session, *, target_id: int, method: str = "base_share") -> tuple[pd.DataFrame, dict]:
    """Split an energy total cap across banners by base-year consumption or by the trend GDP path."""
    target = get_target(session, target_id=target_id)
    if target.metric != "energy_total":
        raise ValidationError(key="intensity_only_energy_cap", field="target_id")
    econ = economy(session)
    econ = econ[econ["region"].isin(BANNER_CODES)]
    proxy = IntensityTarget(metric="energy_intensity", base_year=target.base_year, target_year=target.target_year,
                            price_base_year=target.price_base_year, region_code=CITY_CODE, value=1, unit="%")
    banners, provenance = banner_base(session, target=proxy, gdp_path="trend")
    return dec.split_cap(banners, cap=target.value, method=method), provenance


# --- plan indicators ----------------------------------------------------------------------------------

def import_plan_indicators(session: Session, *, content: bytes, filename: str) -> dict:
    """Import (or update, by code) the plan's indicators and their yearly values; rows with a target metric also
    set the city's target of that metric (updated in place when one with the same years exists)."""
    items = io.read_plan_indicators(content, filename)
    existing = {p.code: p for p in session.scalars(select(PlanIndicator))}
    added = updated = targets = 0
    for it in items:
        ind = existing.get(it["code"])
        fields = {k: it[k] for k in ("seq", "group_zh", "name_zh", "name_en", "unit", "kind", "direction",
                                     "baseline_year", "baseline", "target_year", "target", "target_text", "source")}
        fields["metric"] = it["target_metric"]
        if ind is None:
            ind = PlanIndicator(code=it["code"], **fields)
            session.add(ind)
            added += 1
        else:
            for k, v in fields.items():
                setattr(ind, k, v)
            ind.values.clear()
            updated += 1
        session.flush()
        for y, v in sorted(it["values"].items()):
            ind.values.append(PlanIndicatorValue(year=y, value=v))
        if it["target_metric"]:
            targets += 1
            _plan_target(session, it, filename)
    session.flush()
    return {"indicators": len(items), "added": added, "updated": updated, "targets": targets}


def _plan_target(session: Session, it: dict, filename: str) -> None:
    metric = it["target_metric"]
    unit = "%" if metric != "energy_total" else it["unit"]
    source = f"plan indicator {it['code']} ({Path(filename).name}): {it['source'] or ''}".strip()
    found = session.scalar(select(IntensityTarget).where(
        IntensityTarget.region_code == CITY_CODE, IntensityTarget.metric == metric,
        IntensityTarget.parent_id.is_(None), IntensityTarget.base_year == it["baseline_year"],
        IntensityTarget.target_year == it["target_year"]))
    if found is not None:
        from carbon.core import units
        value = units.convert(it["target"], unit, "tce") if metric == "energy_total" else it["target"]
        found.value, found.kind, found.source, found.label = float(value), it["kind"], source, it["name_zh"]
        return
    create_target(session, metric=metric, base_year=it["baseline_year"], target_year=it["target_year"],
                  value=it["target"], unit=unit, kind=it["kind"], source=source, label=it["name_zh"],
                  price_base_year=it["baseline_year"] if metric in INTENSITY_METRICS else None)


def plan_progress(session: Session, *, year: int | None = None) -> list[dict]:
    """Progress of every plan indicator at ``year`` (default: its latest value)."""
    out = []
    for ind in session.scalars(select(PlanIndicator).order_by(PlanIndicator.seq)):
        values = {v.year: v.value for v in ind.values}
        out.append(indicator_progress(ind, values, year))
    return out


def indicator_progress(ind: PlanIndicator, values: dict[int, float], year: int | None = None) -> dict:
    """Status of one indicator. ``increase``/``decrease``: share of the way from baseline to target achieved,
    against the share of the period elapsed (on_track if ≥, warning if within one year's share, else
    off_track). ``max``/``min``: a cap or a floor, on_track while respected. ``keep``: not below the baseline."""
    known = {y: v for y, v in values.items() if year is None or y <= year}
    latest_year = max(known) if known else None
    latest = known.get(latest_year) if latest_year is not None else None
    row = {"code": ind.code, "seq": ind.seq, "group_zh": ind.group_zh, "name_zh": ind.name_zh, "name_en": ind.name_en,
           "unit": ind.unit, "kind": ind.kind, "kind_zh": "约束性" if ind.kind == "binding" else "预期性",
           "direction": ind.direction, "baseline_year": ind.baseline_year, "baseline": ind.baseline,
           "target_year": ind.target_year, "target": ind.target, "target_text": ind.target_text, "metric": ind.metric,
           "values": dict(sorted(values.items())), "latest_year": latest_year, "latest": latest,
           "progress_pct": None, "expected_pct": None, "status": None}
    if latest is None or ind.target is None:
        return row
    span = ind.target_year - ind.baseline_year
    elapsed = min(max(latest_year - ind.baseline_year, 0), span)
    if ind.direction in ("increase", "decrease") and ind.baseline is not None and ind.target != ind.baseline:
        progress = (latest - ind.baseline) / (ind.target - ind.baseline)
        expected = elapsed / span
        row["progress_pct"], row["expected_pct"] = progress * 100, expected * 100
        row["status"] = ("on_track" if progress >= expected - 1e-12 else
                         "warning" if progress >= expected - 1 / span - 1e-12 else "off_track")
    elif ind.direction in ("increase", "decrease") and ind.baseline is None:
        # a cumulative change from 0 (e.g. intensity reduction in %): progress against a constant-rate path
        progress = latest / ind.target
        expected = elapsed / span
        row["progress_pct"], row["expected_pct"] = progress * 100, expected * 100
        row["status"] = ("on_track" if progress >= expected - 1e-12 else
                         "warning" if progress >= expected - 1 / span - 1e-12 else "off_track")
    elif ind.direction == "max":
        row["status"] = "on_track" if latest <= ind.target else "off_track"
    elif ind.direction == "min":
        row["status"] = "on_track" if latest >= ind.target else "off_track"
    elif ind.direction == "keep":
        row["status"] = "on_track" if ind.baseline is None or latest >= ind.baseline else "off_track"
    if row["status"]:
        row["status_zh"] = dec.STATUS_ZH[row["status"]]
    return row


# --- key categories and uncertainty of a stored inventory --------------------------------------------

def _category_gas(session: Session, inventory_id: int, region: str) -> pd.DataFrame:
    r = EmissionResult
    rows = session.execute(select(r.category, r.gas, r.sector, r.co2e_t).where(
        r.inventory_id == inventory_id, r.region_code == region, r.memo.is_(False))).all()
    frame = pd.DataFrame(rows, columns=["category", "gas", "sector", "co2e_t"])
    frame = frame.groupby(["category", "gas", "sector"], as_index=False)["co2e_t"].sum()
    catalog = load_catalog()
    frame["category_name"] = frame["category"].map(lambda c: catalog.categories[c].name_zh if c in catalog.categories else c)
    frame["sector_name"] = frame["sector"].map(lambda s: SECTOR_NAMES_ZH.get(s, s))
    return frame


def key_categories(session: Session, *, inventory_id: int, base_inventory_id: int | None = None,
                   region: str = CITY_CODE) -> dict:
    """Approach 1 level assessment of a compiled inventory (and the trend against ``base_inventory_id``)."""
    inv = inventory_service.get_inventory(session, inventory_id=inventory_id)
    inventory_service.stored_result(session, inventory_id=inv.id)  # Conflict for a draft
    code = resolve_region(region)
    level = level_assessment(_category_gas(session, inv.id, code))
    out = {"inventory_id": inv.id, "year": inv.year, "region": code, "level": level, "trend": None}
    if base_inventory_id is not None:
        base = inventory_service.get_inventory(session, inventory_id=base_inventory_id)
        if base.year >= inv.year:
            raise ValidationError(key="intensity_base_not_earlier", field="base_inventory_id")
        if base.gwp_set != inv.gwp_set:
            raise ValidationError(key="intensity_gwp_sets_differ", params={"base": base.gwp_set, "current": inv.gwp_set},
                                  field="base_inventory_id")
        out["trend"] = trend_assessment(_category_gas(session, base.id, code), _category_gas(session, inv.id, code))
        out["base_year"] = base.year
    return out


def uncertainty_rows(session: Session, *, inventory_id: int, region: str = CITY_CODE) -> tuple[pd.DataFrame, dict]:
    """The inventory's territorial result rows (category × item × gas) of ``region`` with their activity and
    factor uncertainty: the factor library's ``uncertainty_pct`` where the rows used carry one, else the
    defaults of emission_factors/uncertainty/."""
    inventory_service.stored_result(session, inventory_id=inventory_id)
    code = resolve_region(region)
    r = EmissionResult
    rows = session.execute(select(r.sector, r.category, r.item, r.gas, r.co2e_t, r.factor_refs).where(
        r.inventory_id == inventory_id, r.region_code == code, r.memo.is_(False))).all()
    frame = pd.DataFrame(rows, columns=["sector", "category", "item", "gas", "co2e_t", "factor_refs"])
    frame = frame[frame["co2e_t"] != 0].reset_index(drop=True)
    if frame.empty:
        raise ValidationError(key="intensity_no_emissions_in_region", field="region")
    refs = {ref for refs in frame["factor_refs"] for ref in str(refs).split(";") if ref}
    factor_pct = {f.ref: f.uncertainty_pct for f in factor_service.factors_by_refs(session, refs)
                  if f.uncertainty_pct is not None}
    table = io.load_uncertainty_defaults()
    assigned = assign(frame, list(table.rows), factor_pct)
    return assigned, {"defaults": list(table.files), "factor_rows_with_uncertainty": len(factor_pct)}


def uncertainty(session: Session, *, inventory_id: int, region: str = CITY_CODE, monte_carlo_draws: int | None = None,
                seed: int = DEFAULT_SEED) -> dict:
    """Approach 1 for the categories (items combined by Eq. 3.2) and the total; Approach 2 when asked."""
    rows, provenance = uncertainty_rows(session, inventory_id=inventory_id, region=region)
    per_row, total = approach1(rows)
    per_row["abs_var"] = (per_row["u_combined_pct"] * per_row["emissions"]) ** 2
    by_cat = per_row.groupby(["sector", "category", "gas"], as_index=False).agg(
        emissions=("emissions", "sum"), abs_var=("abs_var", "sum"), u_activity_pct=("u_activity_pct", "max"),
        u_factor_pct=("u_factor_pct", "max"), source=("u_source", "first"))
    by_cat["u_combined_pct"] = np.where(by_cat["emissions"] != 0,
                                        np.sqrt(by_cat["abs_var"]) / by_cat["emissions"].abs(), np.nan)
    by_cat["variance_share"] = by_cat["abs_var"] / by_cat["abs_var"].sum()
    catalog = load_catalog()
    by_cat["category_name"] = by_cat["category"].map(lambda c: catalog.categories[c].name_zh)
    by_cat = by_cat.drop(columns="abs_var").sort_values("variance_share", ascending=False, ignore_index=True)
    out = {"inventory_id": inventory_id, "region": resolve_region(region), "categories": by_cat,
           "approach1": total.as_dict(), "approach2": None, "provenance": provenance}
    if monte_carlo_draws:
        _, mc = monte_carlo(rows, draws=monte_carlo_draws, seed=seed)
        out["approach2"] = mc.as_dict()
    return out


