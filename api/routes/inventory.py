"""Inventory endpoints: create, upload activity data, compile, read results, export, publish, correct.

Thin: validate (pydantic), authorize, call ``carbon.inventory.service``, map errors (api/errors.py).
Who sees what: the bureau sees and does everything; everybody else (no token, or another role) sees
published inventories only. An inventory the caller may not see is a 404, the same as one that does not
exist (a draft's existence is not announced).

Retried writes: POST create / activity / compile / publish / versions accept ``Idempotency-Key``
(api/idempotency.py).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from api.uploads import json_records, read_upload
from api.deps import BureauUser, OptionalUser, SessionDep
from api.params import Id63, Offset, Year
from api.idempotency import KeyHeader, idempotent
from carbon.core.errors import NotFound, Unauthorized
from carbon.core.models import ApiToken
from carbon.core.regions import BY_CODE, CITY_CODE
from carbon.factors.library import DEFAULT_PROFILE
from carbon.inventory import service
from carbon.inventory.models import Inventory

router = APIRouter(prefix="/inventories", tags=["inventory"])
templates_router = APIRouter(tags=["inventory"])

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

GWPSet = Literal["SAR", "AR4", "AR5", "AR6"]
Status = Literal["draft", "compiled", "published"]


# --- schemas ------------------------------------------------------------------------------------------

class InventoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=1990, le=2100)
    region: str = Field(CITY_CODE, description="Region code or name; default the city (150600)", max_length=64)
    gwp_set: GWPSet = "AR5"
    ch4_ar6: Literal["combined", "split"] = "combined"
    factor_profile: Literal["IPCC2006", "CN"] = Field(DEFAULT_PROFILE, description="CN (the default: China's statistical "
                                                      "NCVs and guideline factors) or IPCC2006; the other fills gaps")
    label: str | None = Field(None, max_length=200)


class InventoryOut(BaseModel):
    id: int
    region: str
    region_name: str
    year: int
    version: int
    status: Status
    parent_id: int | None
    label: str | None
    gwp_set: str
    ch4_ar6: str
    factor_profile: str
    factor_fingerprint: str | None
    created_at: datetime
    compiled_at: datetime | None
    published_at: datetime | None


class BatchOut(BaseModel):
    id: int
    filename: str
    sha256: str
    rows: int
    created_at: datetime
    created_by: str | None
    removed_at: datetime | None


class Totals(BaseModel):
    region: str
    co2e_t: float
    by_sector: dict[str, float]
    by_gas: dict[str, dict[str, float]]
    memo_co2e_t: dict[str, float]


class InventoryDetail(InventoryOut):
    totals: Totals | None = None
    double_counts: list[dict[str, Any]] | None = None
    notation_keys: list[dict[str, Any]] | None = None
    records: int | None = Field(None, description="activity records (bureau only)")
    batches: list[BatchOut] | None = Field(None, description="uploads to this version (bureau only)")


class InventoryPage(BaseModel):
    items: list[InventoryOut]
    total: int
    limit: int
    offset: int


class ImportOut(BaseModel):
    batch_id: int
    inventory_id: int
    filename: str
    sha256: str
    rows: int
    status: Status


class CompileOut(BaseModel):
    inventory: InventoryOut
    results: int = Field(description="result rows stored (region × category × item × gas)")
    totals: Totals
    double_counts: list[dict[str, Any]]
    notation_keys: list[dict[str, Any]]
    carbon_balances: list[dict[str, Any]] = Field(default_factory=list, description=(
        "carbon mass balances per facility (2.B.8, 1.B.3): every flow, carbon fraction and intermediate with its unit"))
    cross_sector: list[dict[str, Any]] = Field(default_factory=list, description=(
        "cross-sector checks: feedstock coal also burnt in 1.A, ETS-verified plants beside region-level rows"))


class PullOut(BaseModel):
    inventory_id: int
    batch_id: int | None = Field(description="the import batch of the pulled rows; null when nothing was verified")
    rows: int
    status: Status


class ResultsPage(BaseModel):
    level: Literal["category", "item"]
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


class Removed(BaseModel):
    batch_id: int
    removed: int


def inventory_out(inventory: Inventory) -> InventoryOut:
    code = inventory.region.code
    return InventoryOut(
        id=inventory.id, region=code, region_name=BY_CODE[code].name_zh if code in BY_CODE else inventory.region.name_zh,
        year=inventory.year, version=inventory.version, status=inventory.status, parent_id=inventory.parent_id,
        label=inventory.label, gwp_set=inventory.gwp_set, ch4_ar6=inventory.ch4_ar6,
        factor_profile=inventory.factor_profile, factor_fingerprint=inventory.factor_fingerprint,
        created_at=inventory.created_at, compiled_at=inventory.compiled_at, published_at=inventory.published_at)


def _is_bureau(user: ApiToken | None) -> bool:
    return user is not None and user.role == "bureau"


def _visible(session, inventory_id: int, user: ApiToken | None) -> Inventory:
    """The inventory if ``user`` may see it. Anonymous callers asking for one that is not public (unpublished or
    absent: the two look alike) get a 401 (issue 19: a token may show it), token holders a 404."""
    try:
        inventory = service.get_inventory(session, inventory_id=inventory_id)
    except NotFound:
        if user is None:
            raise Unauthorized("this inventory is not public; send a bearer token") from None
        raise
    if inventory.status != "published" and not _is_bureau(user):
        if user is None:
            raise Unauthorized("this inventory is not public; send a bearer token")
        raise NotFound(f"no inventory with id {inventory_id}", field="inventory_id")
    return inventory


def _who(user: ApiToken) -> str:
    return f"token {user.id} ({user.name})"




# --- inventories --------------------------------------------------------------------------------------

@router.post("", status_code=201, response_model=InventoryOut)
def create_inventory(body: InventoryCreate, session: SessionDep, user: BureauUser, request: Request,
                     idempotency_key: KeyHeader = None):
    """Create a draft inventory (version 1) of a region and year. 409 if that region-year has one already."""
    def produce() -> InventoryOut:
        inventory = service.create_inventory(session, year=body.year, region=body.region, gwp_set=body.gwp_set,
                                             ch4_ar6=body.ch4_ar6, factor_profile=body.factor_profile,
                                             label=body.label, user=_who(user))
        return inventory_out(inventory)

    return idempotent(session, request=request, user=user, key=idempotency_key, fingerprint=body.model_dump(),
                      status_code=201, produce=produce)


@router.get("", response_model=InventoryPage)
def list_inventories(session: SessionDep, user: OptionalUser, status: Status | None = None,
                     year: Year | None = None, region: str | None = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                     offset: Annotated[Offset, Query()] = 0) -> InventoryPage:
    """Inventories, newest first. The bureau sees all; everybody else published ones only."""
    if _is_bureau(user):
        statuses = (status,) if status else None
    else:
        statuses = ("published",) if status in (None, "published") else ()
    rows, total = service.list_inventories(session, statuses=statuses, year=year, region=region, limit=limit,
                                           offset=offset)
    return InventoryPage(items=[inventory_out(i) for i in rows], total=total, limit=limit, offset=offset)


@router.get("/{inventory_id}", response_model=InventoryDetail)
def get_inventory(inventory_id: Id63, session: SessionDep, user: OptionalUser) -> InventoryDetail:
    """One inventory with its totals (when compiled). Published: public. Draft or compiled: bureau only."""
    inventory = _visible(session, inventory_id, user)
    detail = InventoryDetail(**inventory_out(inventory).model_dump())
    if inventory.status != "draft":
        detail.totals = Totals(**service.totals(session, inventory_id=inventory.id, region=inventory.region.code))
        detail.double_counts = list(inventory.double_counts or [])
        detail.notation_keys = list(inventory.notation_keys or [])
    if _is_bureau(user):
        detail.records = service.record_count(session, inventory_id=inventory.id)
        detail.batches = [BatchOut.model_validate(b, from_attributes=True)
                          for b in service.batches(session, inventory_id=inventory.id)]
    return detail


@router.delete("/{inventory_id}", status_code=204)
def delete_inventory(inventory_id: Id63, session: SessionDep, user: BureauUser) -> Response:
    """Delete a draft or compiled inventory (409 for a published one)."""
    service.delete_inventory(session, inventory_id=inventory_id)
    return Response(status_code=204)


# --- activity data ------------------------------------------------------------------------------------

@router.post("/{inventory_id}/activity", status_code=201, response_model=ImportOut,
             responses={422: {"description": "the file was rejected; `rows` lists every bad row (row, column, reason)"},
                        409: {"description": "published inventory, or the same file already imported"}})
def upload_activity(inventory_id: Id63, session: SessionDep, user: BureauUser, request: Request,
                    file: Annotated[UploadFile, File(description="CSV or XLSX: region, year, category, item, quantity, unit[, note]")],
                    replace: Annotated[bool, Query(description="replace the inventory's current data")] = False,
                    codes: Annotated[Literal["ipcc2006", "crt"], Query(description=(
                        "category codes of the file: ipcc2006 (IPCC 2006 Guidelines, 4.A solid waste disposal) or crt "
                        "(UNFCCC common reporting tables, 5.A solid waste disposal); Chinese names work under both"))
                    ] = "ipcc2006",
                    idempotency_key: KeyHeader = None):
    """Upload activity data, all or nothing. 422 lists every bad row and nothing is stored. Records are stored
    with IPCC 2006 codes whatever ``codes`` the file used; results carry both (category, crt_category)."""
    content = read_upload(file, request)
    filename = file.filename or "upload.csv"
    digest = hashlib.sha256(content).hexdigest()

    def produce() -> ImportOut:
        batch = service.import_activity(session, inventory_id=inventory_id, content=content, filename=filename,
                                        user=_who(user), replace=replace, codes=codes)
        inventory = service.get_inventory(session, inventory_id=inventory_id)
        return ImportOut(batch_id=batch.id, inventory_id=inventory_id, filename=batch.filename, sha256=batch.sha256,
                         rows=batch.rows, status=inventory.status)

    return idempotent(session, request=request, user=user, key=idempotency_key, status_code=201, produce=produce,
                      fingerprint={"filename": filename, "sha256": digest, "replace": replace, "codes": codes})


@router.delete("/{inventory_id}/activity/{batch_id}", response_model=Removed)
def remove_batch(inventory_id: Id63, batch_id: Id63, session: SessionDep, user: BureauUser) -> Removed:
    """Remove the records of one upload from a draft or compiled inventory (the batch stays listed)."""
    n = service.remove_batch(session, inventory_id=inventory_id, batch_id=batch_id)
    return Removed(batch_id=batch_id, removed=n)


@router.post("/{inventory_id}/pull-ets", response_model=PullOut,
             responses={409: {"description": "published inventory"}})
def pull_ets(inventory_id: Id63, session: SessionDep, user: BureauUser, request: Request,
             idempotency_key: KeyHeader = None):
    """Bottom-up: the verified process CO2 of the region's chemical key emitters (ETS, method chemical) as
    2.B.8 / 1.B.3 facility rows (item 核查过程排放), replacing an earlier pull. Compile afterwards."""
    from carbon.inventory.bottom_up import pull_ets_verified

    def produce() -> PullOut:
        batch = pull_ets_verified(session, inventory_id=inventory_id, user=_who(user))
        inventory = service.get_inventory(session, inventory_id=inventory_id)
        return PullOut(inventory_id=inventory_id, batch_id=batch.id if batch else None, rows=batch.rows if batch else 0,
                       status=inventory.status)

    return idempotent(session, request=request, user=user, key=idempotency_key, status_code=200, produce=produce,
                      fingerprint={"pull": "ets"})


# --- compile, results, export -------------------------------------------------------------------------

@router.post("/{inventory_id}/compile", response_model=CompileOut)
def compile_inventory(inventory_id: Id63, session: SessionDep, user: BureauUser, request: Request,
                      factors: Annotated[UploadFile | None, File(description="optional local measured parameters CSV (category, item, parameter, value, unit)")] = None,
                      exclude_double_count: Annotated[list[str] | None, Query(
                          max_length=1000, description="cross-sector double counts to take out of 1.A: 'all', "
                          "REGION:CATEGORY or REGION:CATEGORY:ITEM (as a finding's key names it); repeatable")] = None,
                      idempotency_key: KeyHeader = None):
    """Compile the inventory's records (replacing earlier results); returns totals by sector and gas of the
    inventory's region and the possible double counts. 422 lists records that cannot be compiled."""
    local = read_upload(factors, request) if factors is not None else None
    local_name = (factors.filename if factors is not None else None) or "local_factors.csv"

    def produce() -> CompileOut:
        result = service.compile_inventory(session, inventory_id=inventory_id, local_factors=local,
                                           local_filename=local_name, exclude_double_counts=tuple(exclude_double_count or ()))
        inventory = service.get_inventory(session, inventory_id=inventory_id)
        totals = service.totals(session, inventory_id=inventory.id, region=inventory.region.code)
        return CompileOut(inventory=inventory_out(inventory), results=len(result.detail), totals=Totals(**totals),
                          double_counts=list(inventory.double_counts or []),
                          notation_keys=list(inventory.notation_keys or []),
                          carbon_balances=list(inventory.carbon_balances or []),
                          cross_sector=list(inventory.cross_sector or []))

    fingerprint = {"factors_sha256": hashlib.sha256(local).hexdigest() if local is not None else None,
                   "factors_filename": local_name if local is not None else None}
    if exclude_double_count:
        fingerprint["exclude_double_count"] = sorted(exclude_double_count)
    return idempotent(session, request=request, user=user, key=idempotency_key, fingerprint=fingerprint,
                      status_code=200, produce=produce)


@router.get("/{inventory_id}/results", response_model=ResultsPage)
def get_results(inventory_id: Id63, session: SessionDep, user: OptionalUser,
                region: str | None = None, sector: str | None = None, category: str | None = None,
                gas: str | None = None, level: Literal["category", "item"] = "category",
                limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
                offset: Annotated[Offset, Query()] = 0) -> ResultsPage:
    """Results (409 for a draft). ``level=category``: the rows of RESULTS.csv; ``item``: per item too.
    ``category`` includes sub-categories (``1.A`` = all fuel combustion)."""
    inventory = _visible(session, inventory_id, user)
    frame = service.get_results(session, inventory_id=inventory.id, region=region, sector=sector, category=category,
                                gas=gas, level=level)
    page = frame.iloc[offset:offset + limit]
    return ResultsPage(level=level, items=json_records(page), total=len(frame), limit=limit, offset=offset)


@router.get("/{inventory_id}/explain", response_model=dict[str, Any],
            responses={409: {"description": "a draft (no results yet)"}})
def explain_figure(inventory_id: Id63, session: SessionDep, user: OptionalUser,
                   region: Annotated[str, Query(max_length=64)] = CITY_CODE,
                   category: Annotated[str | None, Query(max_length=64, description=(
                       "IPCC 2006 code or name; sub-categories included"))] = None,
                   sector: Annotated[Literal["energy", "ippu", "agriculture", "lulucf", "waste", "memo"] | None,
                                     Query()] = None,
                   gas: Annotated[str | None, Query(max_length=32)] = None,
                   item: Annotated[str | None, Query(max_length=64)] = None) -> dict[str, Any]:
    """Why this number: the CO2e of ``region`` × ``category`` or ``sector`` (neither: the territorial total)
    [× gas] [× item] and the stored result rows that add up to it, each with its activity records (import batch,
    file row, source note), factor rows (id and version, value, unit, source, table, edition), method and
    equation, GWP and intermediates with units (carbon/inventory/explain.py). Published: public; facilities and
    uploaders: bureau only."""
    from carbon.inventory.explain import explain

    inventory = _visible(session, inventory_id, user)
    return explain(session, inventory_id=inventory.id, region=region, category=category, sector=sector, gas=gas,
                   item=item, bureau=_is_bureau(user))


@router.get("/{inventory_id}/export", response_class=Response,
            responses={200: {"content": {MEDIA["csv"]: {}, MEDIA["xlsx"]: {}},
                             "description": "RESULTS as CSV, or XLSX with sheets results, factors, double_counts, inventory"}})
def export_results(inventory_id: Id63, session: SessionDep, user: OptionalUser,
                   format: Literal["csv", "xlsx"] = "csv",  # noqa: A002 - the public query name
                   excel: bool | None = None) -> Response:
    """Download the results. XLSX adds every factor row used (value, unit, source, table, edition).
    The CSV starts with a UTF-8 BOM so that Excel on a Chinese Windows opens it (CARBON_CSV_BOM, on by default);
    ``excel=false``: bare UTF-8, ``excel=true``: a BOM whatever the setting."""
    inventory = _visible(session, inventory_id, user)
    content = service.export_results(session, inventory_id=inventory.id, fmt=format, excel=excel)
    name = f"inventory-{inventory.region.code}-{inventory.year}-v{inventory.version}.{format}"
    return Response(content, media_type=MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/{inventory_id}/activity", response_class=Response,
            responses={200: {"content": {MEDIA["csv"]: {}, MEDIA["xlsx"]: {}},
                             "description": "the activity records as the import template (CSV, or XLSX sheet activity)"}})
def export_activity(inventory_id: Id63, session: SessionDep, user: BureauUser,
                    format: Literal["csv", "xlsx"] = "csv",  # noqa: A002 - the public query name
                    excel: bool | None = None) -> Response:
    """Download the activity records (bureau only: they name facilities): region, year, category, item, quantity,
    unit, note, facility, a notation key in the quantity column with an empty unit. Uploading the file to
    ``POST /{id}/activity`` of an inventory of the same year gives the same records."""
    content = service.export_activity(session, inventory_id=inventory_id, fmt=format, excel=excel)
    inventory = service.get_inventory(session, inventory_id=inventory_id)
    name = f"activity-{inventory.region.code}-{inventory.year}-v{inventory.version}.{format}"
    return Response(content, media_type=MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/{inventory_id}/export/tables", response_class=Response,
            responses={200: {"content": {MEDIA["xlsx"]: {}},
                             "description": "XLSX: provincial-guideline, CRT or GPC tables (carbon/reporting/exports.py)"}})
def export_tables(inventory_id: Id63, session: SessionDep, user: OptionalUser,
                  format: Literal["provincial", "crt", "gpc"]) -> Response:  # noqa: A002 - the public query name
    """The inventory in the tables others read: 省级指南 report tables, UNFCCC CRT, or GPC (BASIC/BASIC+)."""
    from carbon.reporting.exports import export_tables as tables

    inventory = _visible(session, inventory_id, user)
    content = tables(session, inventory_id=inventory.id, fmt=format)
    name = f"inventory-{inventory.region.code}-{inventory.year}-v{inventory.version}-{format}.xlsx"
    return Response(content, media_type=MEDIA["xlsx"],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- publish and correct ------------------------------------------------------------------------------

@router.post("/{inventory_id}/publish", response_model=InventoryOut)
def publish(inventory_id: Id63, session: SessionDep, user: BureauUser, request: Request,
            idempotency_key: KeyHeader = None):
    """Publish a compiled inventory: it becomes public and immutable (409 for a draft or a published one)."""
    return idempotent(session, request=request, user=user, key=idempotency_key, fingerprint={}, status_code=200,
                      produce=lambda: inventory_out(service.publish(session, inventory_id=inventory_id)))


class VersionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(None, max_length=200)


@router.post("/{inventory_id}/versions", status_code=201, response_model=InventoryOut)
def new_version(inventory_id: Id63, session: SessionDep, user: BureauUser, request: Request,
                body: VersionCreate | None = None, idempotency_key: KeyHeader = None):
    """A new draft version copying this inventory's activity data, to correct a published inventory."""
    label = body.label if body is not None else None

    def produce() -> InventoryOut:
        return inventory_out(service.new_version(session, inventory_id=inventory_id, user=_who(user), label=label))

    return idempotent(session, request=request, user=user, key=idempotency_key, fingerprint={"label": label},
                      status_code=201, produce=produce)


# --- templates ----------------------------------------------------------------------------------------

@templates_router.get("/templates/{sector}", response_class=Response,
                      responses={200: {"content": {MEDIA["csv"]: {}, MEDIA["xlsx"]: {}}}})
def template(sector: str, format: Literal["csv", "xlsx"] = "csv", excel: bool | None = None) -> Response:  # noqa: A002
    """A blank data-collection template for one sector. XLSX: Chinese headers, drop-down lists of regions, categories,
    items and units, example rows on sheet 示例, a sheet of the items. Public.
    The CSV starts with a UTF-8 BOM (CARBON_CSV_BOM, on by default; ``excel=false``: bare UTF-8)."""
    from carbon.inventory.io import blank_template, to_bytes
    from carbon.inventory.templates import template_xlsx

    body = template_xlsx(sector) if format == "xlsx" else to_bytes({"activity": blank_template(sector)}, "csv", excel=excel)
    return Response(body, media_type=MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="template-{sector}.{format}"'})
