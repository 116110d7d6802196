"""Intensity endpoints: economic data, carbon/energy intensity, targets and their split across banners, yearly
evaluation, plan indicators, key categories and uncertainty of a stored inventory.

Thin: validate (pydantic), authorize (the bureau: these are internal assessments of the banners), call
``carbon.intensity.service``, map errors (api/errors.py). Uploads and writes a client may retry take
``Idempotency-Key`` (api/idempotency.py).
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from api.uploads import json_records, read_upload
from api.deps import BureauUser, SessionDep
from api.params import Count63, Id63, Year
from api.idempotency import KeyHeader, idempotent
from carbon.intensity import decomposition as dec
from carbon.intensity import service
from carbon.intensity.intensity import DEFAULT_NUMERATOR, NUMERATORS
from carbon.intensity.models import IntensityTarget
from carbon.intensity.uncertainty import DEFAULT_SEED

router = APIRouter(prefix="/intensity", tags=["intensity"])

Numerator = Literal[tuple(NUMERATORS)]  # type: ignore[valid-type]
CO2Source = Literal["auto", "inventory", "statistics"]
Method = Literal["equal_rate", "intensity_level", "gdp_share"]




# --- economic data ------------------------------------------------------------------------------------

class EconomyImportOut(BaseModel):
    rows: int
    added: int
    replaced: int
    filename: str


@router.post("/economy", status_code=201, response_model=EconomyImportOut,
             responses={422: {"description": "rejected; `rows` lists every bad row (row, column, reason)"}})
def upload_economy(session: SessionDep, user: BureauUser, request: Request,
                   file: Annotated[UploadFile, File(description="CSV/XLSX: region, year, gdp, unit, price_base_year[, gdp_current, energy, energy_unit, coal_share_pct, non_fossil_share_pct, population, population_unit, energy_co2, energy_co2_unit, source]")],
                   idempotency_key: KeyHeader = None):
    """Import GDP (constant prices of a named base year), energy, shares and population, all or nothing.
    A row for a region, year and price basis already stored is replaced."""
    content = read_upload(file, request)
    name = file.filename or "economy.csv"
    return idempotent(session, request=request, user=user, key=idempotency_key, status_code=201,
                      fingerprint={"filename": name, "sha256": hashlib.sha256(content).hexdigest()},
                      produce=lambda: EconomyImportOut(**service.import_economy(session, content=content, filename=name)))


@router.get("/economy")
def list_economy(session: SessionDep, user: BureauUser, year: Year | None = None, region: str | None = None) -> dict:
    """Stored economic data (GDP in yuan, energy in kgce: exact integers as stored)."""
    frame = service.economy(session, years=[year] if year is not None else None, region=region)
    return {"items": json_records(frame.drop(columns=["gdp_10k_cny", "energy_tce"]))}


# --- intensity ----------------------------------------------------------------------------------------

class IntensityOut(BaseModel):
    year: int
    base_year: int | None
    numerator: str
    numerator_zh: str
    numerator_definition: str
    co2_source: str
    price_base_year: int
    items: list[dict[str, Any]]
    provenance: dict[str, Any]


@router.get("", response_model=IntensityOut)
def get_intensity(session: SessionDep, user: BureauUser, year: Year, base_year: Year | None = None,
                  numerator: Numerator = DEFAULT_NUMERATOR, co2_source: CO2Source = "auto",
                  price_base_year: Year | None = None) -> IntensityOut:
    """Carbon intensity (t CO2 / 10^4 CNY) and energy intensity (tce / 10^4 CNY) of every banner and the city
    (a ratio of sums), and the change against ``base_year``. The numerator and its source are in the output."""
    table, prov = service.intensity(session, year=year, base_year=base_year, numerator=numerator,
                                    co2_source=co2_source, price_base_year=price_base_year)
    return IntensityOut(year=year, base_year=base_year, numerator=prov["numerator"], numerator_zh=prov["numerator_zh"],
                        numerator_definition=prov["numerator_definition"], co2_source=prov["co2_source"],
                        price_base_year=prov["price_base_year"], items=json_records(table), provenance=prov)


@router.get("/numerators")
def numerators() -> dict:
    """What each carbon-intensity numerator counts. Public."""
    return {"default": DEFAULT_NUMERATOR,
            "items": [{"key": n.key, "label_zh": n.label_zh, "label_en": n.label_en, "definition": n.describe()}
                      for n in NUMERATORS.values()]}


# --- targets ------------------------------------------------------------------------------------------

class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metric: Literal["carbon_intensity", "energy_intensity", "energy_total", "non_fossil_share", "coal_share"]
    base_year: int = Field(ge=1990, le=2100)
    target_year: int = Field(ge=1990, le=2100)
    value: float = Field(description="intensity: reduction in % (18 = −18 %); energy_total: the cap in `unit`; shares: %")
    unit: str = Field("%", max_length=16, description="'%' or an energy unit (万tce) for energy_total")
    kind: Literal["binding", "expected"] = "binding"
    price_base_year: Year | None = None
    numerator: Numerator | None = None
    source: str | None = Field(None, max_length=500)
    label: str | None = Field(None, max_length=200)


class TargetOut(BaseModel):
    id: int
    region: str
    metric: str
    kind: str
    base_year: int
    target_year: int
    value: float
    unit: str
    price_base_year: int | None
    numerator: str | None
    method: str | None
    parent_id: int | None
    source: str | None
    label: str | None
    banner_targets: list[TargetOut] | None = None


def _target_out(t: IntensityTarget, children: list[IntensityTarget] | None = None) -> TargetOut:
    return TargetOut(id=t.id, region=t.region_code, metric=t.metric, kind=t.kind, base_year=t.base_year,
                     target_year=t.target_year, value=t.value, unit=t.unit, price_base_year=t.price_base_year,
                     numerator=t.numerator, method=t.method, parent_id=t.parent_id, source=t.source, label=t.label,
                     banner_targets=[_target_out(c) for c in children] if children is not None else None)


@router.post("/targets", status_code=201, response_model=TargetOut)
def create_target(body: TargetIn, session: SessionDep, user: BureauUser, request: Request,
                  idempotency_key: KeyHeader = None):
    """A city target (intensity reduction, energy cap, share)."""
    return idempotent(session, request=request, user=user, key=idempotency_key, fingerprint=body.model_dump(),
                      status_code=201, produce=lambda: _target_out(service.create_target(session, **body.model_dump())))


@router.get("/targets", response_model=list[TargetOut])
def list_targets(session: SessionDep, user: BureauUser) -> list[TargetOut]:
    """City targets with the banner targets adopted for each."""
    return [_target_out(t, service.list_targets(session, parent_id=t.id))
            for t in service.list_targets(session, city_only=True)]


@router.get("/targets/{target_id}", response_model=TargetOut)
def get_target(target_id: Id63, session: SessionDep, user: BureauUser) -> TargetOut:
    t = service.get_target(session, target_id=target_id)
    return _target_out(t, service.list_targets(session, parent_id=t.id))


class DecomposeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Method = "equal_rate"
    alpha: float = Field(1.0, gt=0, le=5, description="exponent of the differentiated methods")
    gdp_path: Literal["trend", "uniform"] = "trend"
    growth_pct: float | None = Field(None, ge=-20, le=30, description="uniform path: GDP growth % per year")
    co2_source: CO2Source = "auto"
    adopt: bool = Field(False, description="store the banner targets (replacing an earlier split)")


@router.post("/targets/{target_id}/decompose")
def decompose(target_id: Id63, body: DecomposeIn, session: SessionDep, user: BureauUser, request: Request,
              idempotency_key: KeyHeader = None):
    """Split a city intensity target across the banners, with the check that the banner targets meet the city
    target under the GDP path used. ``adopt`` stores the split (only if it meets the target)."""
    def produce() -> dict:
        result, prov = service.decompose(session, target_id=target_id, method=body.method, alpha=body.alpha,
                                         gdp_path=body.gdp_path, growth_pct=body.growth_pct, co2_source=body.co2_source)
        adopted = None
        if body.adopt:
            adopted = [_target_out(t).model_dump() for t in service.adopt(
                session, target_id=target_id, method=body.method, alpha=body.alpha, gdp_path=body.gdp_path,
                growth_pct=body.growth_pct, co2_source=body.co2_source)]
        return {"target_id": target_id, "method": body.method, "method_zh": dec.METHODS[body.method],
                "alpha": body.alpha, "city_reduction_pct": result.city_reduction * 100,
                "implied_city_reduction_pct": result.implied_city_reduction * 100, "meets": result.meets,
                "k": result.k, "notes": result.notes, "notes_zh": result.notes_zh,
                "banners": json_records(result.as_frame()), "provenance": prov, "adopted": adopted}

    return idempotent(session, request=request, user=user, key=idempotency_key, fingerprint=body.model_dump(),
                      status_code=200, produce=produce)


@router.get("/targets/{target_id}/evaluation")
def evaluation(target_id: Id63, year: Year, session: SessionDep, user: BureauUser,
               co2_source: CO2Source = "auto") -> dict:
    """Each banner's and the city's progress in ``year``: required annual rate, achieved rate, status and the
    rule that decided it."""
    rows, prov = service.evaluate(session, target_id=target_id, year=year, co2_source=co2_source)
    return {"target_id": target_id, "year": year, "items": rows, "status_rule": prov["status_rule"],
            "status_rule_zh": prov["status_rule_zh"], "provenance": prov}


@router.get("/targets/{target_id}/cap-split")
def cap_split(target_id: Id63, session: SessionDep, user: BureauUser,
              method: Literal["base_share", "gdp_path"] = "base_share") -> dict:
    """Split an energy total cap (tce) across banners; the banner caps add up to the city cap."""
    frame, prov = service.split_cap(session, target_id=target_id, method=method)
    return {"target_id": target_id, "method": method, "method_zh": dec.CAP_METHODS[method], "unit": "tce",
            "items": json_records(frame), "provenance": prov}


# --- plan indicators ----------------------------------------------------------------------------------

@router.post("/plan-indicators", status_code=201)
def upload_plan_indicators(session: SessionDep, user: BureauUser, request: Request,
                           file: Annotated[UploadFile, File(description="the plan's indicator table (see carbon/intensity/io.py)")],
                           idempotency_key: KeyHeader = None):
    """Import or update (by code) the plan's indicators and yearly values; rows with a target metric set the
    city's targets."""
    content = read_upload(file, request)
    name = file.filename or "plan_indicators.csv"
    return idempotent(session, request=request, user=user, key=idempotency_key, status_code=201,
                      fingerprint={"filename": name, "sha256": hashlib.sha256(content).hexdigest()},
                      produce=lambda: service.import_plan_indicators(session, content=content, filename=name))


@router.get("/plan-indicators")
def plan_indicators(session: SessionDep, user: BureauUser, year: Year | None = None) -> dict:
    """Every plan indicator with its progress (status rule in carbon.intensity.service.indicator_progress)."""
    return {"items": service.plan_progress(session, year=year)}


# --- key categories and uncertainty -------------------------------------------------------------------

@router.get("/inventories/{inventory_id}/key-categories")
def key_categories(inventory_id: Id63, session: SessionDep, user: BureauUser, base_inventory_id: Id63 | None = None,
                   region: str = "150600") -> dict:
    """IPCC Approach 1 level assessment (and trend against ``base_inventory_id``), ranked, 95 % cut marked."""
    out = service.key_categories(session, inventory_id=inventory_id, base_inventory_id=base_inventory_id, region=region)
    return {**out, "level": json_records(out["level"]),
            "trend": json_records(out["trend"]) if out["trend"] is not None else None}


@router.get("/inventories/{inventory_id}/uncertainty")
def uncertainty(inventory_id: Id63, session: SessionDep, user: BureauUser, region: str = "150600",
                draws: Annotated[int, Query(ge=0, le=200_000, description="Monte Carlo draws; 0 = Approach 1 only")] = 0,
                seed: Count63 = DEFAULT_SEED) -> dict:
    """Approach 1 per category and for the total (95 % interval); Approach 2 (seeded Monte Carlo) with draws."""
    out = service.uncertainty(session, inventory_id=inventory_id, region=region, monte_carlo_draws=draws or None,
                              seed=seed)
    return {**out, "categories": json_records(out["categories"])}
