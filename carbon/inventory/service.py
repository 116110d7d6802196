"""The inventory store: create, import activity data, compile, read results, publish, correct.

Every function takes the session first and keyword-only arguments after it, and commits nothing: the
caller (a request, a CLI command, a job) commits once, so an import or a compile is all or nothing.
Rows of an inventory that is being changed are locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
has one writer anyway), so a publish cannot interleave with an import of the same inventory.

Rules:
- A published inventory is immutable: import, compile, publish again, remove a batch or delete raise
  ``Conflict``. ``new_version`` makes a draft copy (version + 1, ``parent_id``) to correct it.
- New data make a compiled inventory a draft again, and its results are cleared (they no longer
  describe the data).
- Records of years before the inventory year are kept as history (landfill first-order decay needs
  it); records of later years are refused.
- The factor library is copied into ``emission_factors`` at each compile (see carbon.factors.service),
  together with the local factors given to that compile, so every stored ``factor_refs`` resolves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import delete, exists, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from carbon.core.db import utcnow
from carbon.core.errors import Conflict, ImportRejected, NotFound, RowError, ValidationError
from carbon.core.gases import CH4_AR6_VARIANTS, GWP_SETS
from carbon.core.models import Region
from carbon.core.regions import BY_CODE, CITY_CODE, resolve_region
from carbon.factors import service as factors
from carbon.factors.library import DEFAULT_PROFILE, PROFILES
from carbon.inventory import bulk
from carbon.inventory.catalog import check_codes
from carbon.inventory.engine import CompileOptions, CompileResult, compile_activity
from carbon.inventory.io import activity_table, read_activity, read_local_factors, to_bytes
from carbon.inventory.lookup import get_inventory
from carbon.inventory.lookup import writable as _writable
from carbon.inventory.models import STATUSES, ActivityRecord, EmissionResult, ImportBatch, Inventory
from carbon.inventory.years import check_inventory_year
# the results workflow lives in carbon.inventory.results; re-exported so callers keep using service.*
from carbon.inventory.results import (LEVELS, NOTATION_COLUMNS, export_results, get_results,  # noqa: F401
                                      stored_result, totals)

RECORD_COLUMNS = ("region_code", "year", "category", "item", "quantity", "unit", "notation", "note", "facility",
                  "source_row")


# --- inventories --------------------------------------------------------------------------------------

def create_inventory(session: Session, *, year: int, region: str = CITY_CODE, gwp_set: str = "AR5",
                     ch4_ar6: str = "combined", factor_profile: str = DEFAULT_PROFILE, label: str | None = None,
                     user: str | None = None) -> Inventory:
    """A new draft inventory (version 1) for ``region`` (default: the city) and ``year``."""
    code = resolve_region(region, field="region")
    if not isinstance(year, int) or not 1990 <= year <= 2100:
        raise ValidationError(key="inventory_bad_year", params={"year": year}, field="year")
    gwp_set = str(gwp_set).upper()
    if gwp_set not in GWP_SETS:
        raise ValidationError(key="unknown_gwp_set", params={"value": gwp_set, "known": ", ".join(GWP_SETS)},
                              field="gwp_set")
    if ch4_ar6 not in CH4_AR6_VARIANTS:
        raise ValidationError(key="inventory_bad_ch4_ar6", params={"known": ", ".join(CH4_AR6_VARIANTS)}, field="ch4_ar6")
    if factor_profile not in PROFILES:
        raise ValidationError(key="inventory_unknown_profile", params={"value": factor_profile,
                                                                       "known": ", ".join(PROFILES)},
                              field="factor_profile")
    region_row = session.scalar(select(Region).where(Region.code == code))
    if region_row is None:
        raise NotFound(key="inventory_region_not_loaded", params={"code": code}, field="region")
    existing = session.scalar(select(Inventory).where(Inventory.region_id == region_row.id, Inventory.year == year)
                              .order_by(Inventory.version.desc()).limit(1))
    if existing is not None:
        raise Conflict(key="inventory_exists", params={"region": region_row.name_zh, "year": year, "id": existing.id,
                                                       "version": existing.version, "status": existing.status},
                       field="year")
    inventory = Inventory(region=region_row, region_id=region_row.id, year=year, gwp_set=gwp_set, ch4_ar6=ch4_ar6,
                          factor_profile=factor_profile, status="draft", version=1, label=label, created_by=user,
                          created_at=utcnow())
    _add_unique(session, inventory, "inventory_created_concurrently", region=region_row.name_zh, year=year)
    return inventory


def _add_unique(session: Session, inventory: Inventory, key: str, **params) -> None:
    """Insert; a concurrent insert of the same (region, year, version) is a Conflict (message ``key``), not a 500."""
    try:
        with session.begin_nested():
            session.add(inventory)
            session.flush()
    except IntegrityError:
        raise Conflict(key=key, params=params, field="version") from None


def list_inventories(session: Session, *, statuses: tuple[str, ...] | None = None, year: int | None = None,
                     region: str | None = None, limit: int = 100, offset: int = 0) -> tuple[list[Inventory], int]:
    """Inventories, newest year and version first, and how many match."""
    query = select(Inventory)
    if statuses is not None:
        unknown = set(statuses) - set(STATUSES)
        if unknown:
            raise ValidationError(key="inventory_unknown_status", params={"statuses": str(sorted(unknown)),
                                                                          "known": ", ".join(STATUSES)}, field="status")
        query = query.where(Inventory.status.in_(statuses))
    if year is not None:
        query = query.where(Inventory.year == year)
    if region is not None:
        code = resolve_region(region, field="region")
        query = query.join(Region, Region.id == Inventory.region_id).where(Region.code == code)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Inventory.year.desc(), Inventory.region_id, Inventory.version.desc())
                           .limit(limit).offset(offset)).all()
    return list(rows), total


def delete_inventory(session: Session, *, inventory_id: int) -> None:
    """Delete a draft or compiled inventory with its records, batches and results."""
    inventory = _writable(session, inventory_id, "delete")
    session.execute(update(Inventory).where(Inventory.parent_id == inventory.id).values(parent_id=None))
    session.execute(delete(EmissionResult).where(EmissionResult.inventory_id == inventory.id))
    session.execute(delete(ActivityRecord).where(ActivityRecord.inventory_id == inventory.id))
    # batches of this inventory may still be cited by records of its child versions: keep those
    cited = select(ActivityRecord.batch_id).where(ActivityRecord.batch_id == ImportBatch.id)
    session.execute(delete(ImportBatch).where(ImportBatch.inventory_id == inventory.id, ~exists(cited)))
    if session.scalar(select(func.count()).select_from(ImportBatch).where(ImportBatch.inventory_id == inventory.id)):
        raise Conflict(key="inventory_uploads_in_use", params={"id": inventory.id}, field="inventory_id")
    session.delete(inventory)
    session.flush()


def _back_to_draft(session: Session, inventory: Inventory) -> None:
    if inventory.status == "compiled":
        session.execute(delete(EmissionResult).where(EmissionResult.inventory_id == inventory.id))
        inventory.status = "draft"
        inventory.compiled_at = None
        inventory.factor_fingerprint = None
        inventory.double_counts = None
        inventory.notation_keys = None
        inventory.carbon_balances = None
        inventory.cross_sector = None


def record_count(session: Session, *, inventory_id: int) -> int:
    return session.scalar(select(func.count()).select_from(ActivityRecord)
                          .where(ActivityRecord.inventory_id == inventory_id)) or 0


def batches(session: Session, *, inventory_id: int) -> list[ImportBatch]:
    """The uploads of this inventory (not those inherited from a parent version), oldest first."""
    return list(session.scalars(select(ImportBatch).where(ImportBatch.inventory_id == inventory_id)
                                .order_by(ImportBatch.id)))


# --- activity data ------------------------------------------------------------------------------------

def _check_scope(inventory: Inventory, activity: pd.DataFrame) -> None:
    """Rows must belong to the inventory: its year, or earlier years as the history of a time-series category
    (landfill FOD; carbon/inventory/years.py), and its region (or the city's banners)."""
    errors: list[RowError] = []
    try:
        check_inventory_year(activity, inventory.year)
    except ImportRejected as exc:
        errors.extend(exc.errors)
    code = inventory.region.code
    if code != CITY_CODE:
        regions = activity["region"].astype(str).to_numpy()
        for i in np.flatnonzero(regions != code)[:1000]:
            errors.append(RowError.keyed(int(activity["row"].iloc[i]), "region", "inventory_other_region",
                                         str(regions[i]), region=BY_CODE[code].name_zh, code=code))
    if errors:
        errors.sort(key=lambda e: e.row)
        raise ImportRejected(errors=errors, what="activity import")


def import_activity(session: Session, *, inventory_id: int, content: bytes, filename: str, user: str | None = None,
                    replace: bool = False, progress: Callable[[int, int], None] | None = None,
                    codes: str = "ipcc2006") -> ImportBatch:
    """Validate a CSV/XLSX file and add its rows to the inventory, all or nothing.

    ``codes``: the scheme of the file's category codes, "ipcc2006" (default) or "crt"; records hold IPCC 2006 codes.
    ``replace``: remove the inventory's current records first (upload a corrected complete file).
    ``progress(done, total)`` is called while the rows are written.
    Raises ImportRejected (row report), Conflict (published, or the same file already imported).
    """
    check_codes(codes)
    _writable(session, inventory_id, "import", lock=False)  # fail fast, before reading a big file
    activity = read_activity(content, filename, codes=codes)
    if activity.empty:
        raise ValidationError(f"{Path(filename).name} has no data rows", key="no_data_rows",
                              params={"path": Path(filename).name}, field="file")
    inventory = _writable(session, inventory_id, "import")  # locked from here to the commit
    _check_scope(inventory, activity)
    digest = hashlib.sha256(content).hexdigest()
    if replace:
        _remove_records(session, inventory, None)
    else:
        same = select(ImportBatch).where(
            ImportBatch.sha256 == digest,
            exists(select(ActivityRecord.id).where(ActivityRecord.inventory_id == inventory.id,
                                                   ActivityRecord.batch_id == ImportBatch.id)))
        duplicate = session.scalars(same.limit(1)).first()
        if duplicate is not None:
            raise Conflict(key="inventory_file_imported", params={"filename": duplicate.filename, "digest": digest[:12],
                                                                  "batch": duplicate.id}, field="file")
    batch = ImportBatch(inventory_id=inventory.id, filename=Path(filename).name[:255], sha256=digest,
                        rows=len(activity), created_by=user, created_at=utcnow())
    session.add(batch)
    session.flush()
    n = len(activity)
    bulk.insert_columns(session, ActivityRecord.__table__, {
        "inventory_id": inventory.id,
        "batch_id": batch.id,
        "region_code": activity["region"],
        "year": activity["year"],
        "category": activity["category"],
        "item": activity["item"],
        "quantity": activity["quantity"],
        "unit": activity["unit"],
        "notation": _texts(activity, "notation", n),
        "note": _texts(activity, "note", n),
        "facility": _texts(activity, "facility", n),
        "source_row": activity["row"],
    }, n, progress=progress)
    _back_to_draft(session, inventory)
    session.flush()
    return batch


def _texts(activity: pd.DataFrame, column: str, n: int) -> list:
    """An optional text column as a list, empty text (or NaN) stored as NULL."""
    if column not in activity.columns:
        return [None] * n
    return [v if isinstance(v, str) and v else None for v in activity[column].astype(object).tolist()]


def _remove_records(session: Session, inventory: Inventory, batch_id: int | None) -> None:
    query = delete(ActivityRecord).where(ActivityRecord.inventory_id == inventory.id)
    own = update(ImportBatch).where(ImportBatch.inventory_id == inventory.id, ImportBatch.removed_at.is_(None))
    if batch_id is not None:
        query = query.where(ActivityRecord.batch_id == batch_id)
        own = own.where(ImportBatch.id == batch_id)
    session.execute(query)
    session.execute(own.values(removed_at=utcnow()))
    _back_to_draft(session, inventory)


def remove_batch(session: Session, *, inventory_id: int, batch_id: int) -> int:
    """Remove the records of one upload from the inventory; returns how many. The batch row stays
    (audit trail) with ``removed_at`` if it is this inventory's own upload."""
    inventory = _writable(session, inventory_id, "remove data")
    n = session.scalar(select(func.count()).select_from(ActivityRecord).where(
        ActivityRecord.inventory_id == inventory.id, ActivityRecord.batch_id == batch_id)) or 0
    if n == 0:
        raise NotFound(key="inventory_no_batch", params={"id": inventory.id, "batch": batch_id}, field="batch_id")
    _remove_records(session, inventory, batch_id)
    session.flush()
    return n


def load_activity(session: Session, *, inventory_id: int) -> pd.DataFrame:
    """All records of the inventory (every year: earlier years are history) as the engine's input frame:
    region, year, category, item, quantity, unit, notation, note, facility, row (position), batch_id, source_row."""
    r = ActivityRecord
    query = (select(r.region_code.label("region"), r.year, r.category, r.item, r.quantity, r.unit, r.notation,
                    r.note, r.facility, r.batch_id, r.source_row)
             .where(r.inventory_id == inventory_id).order_by(r.id))
    frame = bulk.read_frame(session, query, {
        "region": "category", "year": "int", "category": "category", "item": "category", "quantity": "float",
        "unit": "category", "notation": "str", "note": "str", "facility": "str", "batch_id": "int", "source_row": "int"})
    frame["row"] = np.arange(len(frame), dtype=np.int64)
    return frame


def export_activity(session: Session, *, inventory_id: int, fmt: str = "csv", excel: bool | None = None) -> bytes:
    """The inventory's activity records as the import template (CSV, or XLSX with one sheet ``activity``): region,
    year, category, item, quantity, unit, note, facility, codes throughout, a notation key in the quantity column with
    an empty unit. Importing the file into an inventory of the same year gives the same records (not the same
    ``source_row``: that is the row of the file each came from). ``excel``: the CSV starts with a UTF-8 BOM (None: by CARBON_CSV_BOM, on by default)."""
    fmt = fmt.lower()
    if fmt not in ("csv", "xlsx"):
        raise ValidationError(key="inventory_bad_format", field="format")
    inventory = get_inventory(session, inventory_id=inventory_id)
    table = activity_table(load_activity(session, inventory_id=inventory.id))
    return to_bytes({"activity": table}, fmt, excel=excel)


# --- compile ------------------------------------------------------------------------------------------

def compile_inventory(session: Session, *, inventory_id: int, local_factors: bytes | None = None,
                      local_filename: str = "local_factors.csv",
                      exclude_double_counts: tuple[str, ...] = ()) -> CompileResult:
    """Compile the inventory's records and replace its results; status becomes ``compiled``.

    ``exclude_double_counts``: cross-sector double counts taken out of 1.A, as ``carbon compile
    --exclude-double-count`` (CompileOptions); each finding stored in ``cross_sector`` records whether and by which
    key it was excluded, so the stored result says what the user decided.

    ``local_factors``: a local measured-parameter file (地方实测) for this compile; its rows are stored
    in ``emission_factors`` (basis 'local') so the results' factor_refs resolve.
    Raises ImportRejected (rows that cannot be compiled, with their file and row), Conflict (published).
    """
    inventory = _writable(session, inventory_id, "compile")
    activity = load_activity(session, inventory_id=inventory.id)
    if activity.empty:
        raise ValidationError(key="inventory_no_activity", params={"id": inventory.id}, field="inventory_id")
    local = read_local_factors(local_factors, local_filename) if local_factors is not None else None
    library = factors.library(inventory.factor_profile, local=local)
    factors.sync_factor_library(session)
    if local is not None:
        factors.store_rows(session, local[0])
    options = CompileOptions(year=inventory.year, gwp_set=inventory.gwp_set, ch4_ar6=inventory.ch4_ar6,
                             exclude_double_counts=tuple(exclude_double_counts))
    try:
        result = compile_activity(activity, library, options)
    except ImportRejected as exc:
        raise _locate(session, exc, activity) from None
    refs = {ref for refs in result.detail["factor_refs"] for ref in str(refs).split(";") if ref}
    factors.check_refs(session, library, refs)

    session.execute(delete(EmissionResult).where(EmissionResult.inventory_id == inventory.id))
    detail = result.detail
    bulk.insert_columns(session, EmissionResult.__table__, {
        "inventory_id": inventory.id,
        "region_code": detail["region"].astype(str),
        "year": detail["year"].astype(int),
        "sector": detail["sector"].astype(str),
        "category": detail["category"].astype(str),
        "item": detail["item"].astype(str),
        "gas": detail["gas"].astype(str),
        "mass_t": detail["mass_t"].astype(float),
        "co2e_t": detail["co2e_t"].astype(float),
        "gwp_set": detail["gwp_set"].astype(str),
        "memo": detail["memo"].astype(bool),
        "method": detail["method"].astype(str),
        "factor_refs": detail["factor_refs"].astype(str),
        "basis": detail["basis"].astype(str),
        "records": detail["records"].astype(int),
    }, len(detail))
    inventory.status = "compiled"
    inventory.compiled_at = utcnow()
    inventory.factor_fingerprint = result.factor_fingerprint
    inventory.double_counts = [_plain(d) for d in result.double_counts]
    notation = result.notation
    inventory.notation_keys = [_plain(dict(zip(NOTATION_COLUMNS, row)))
                               for row in notation.reindex(columns=NOTATION_COLUMNS).itertuples(index=False)]
    inventory.carbon_balances = [_json(b) for b in result.balances]
    inventory.cross_sector = [_json(c) for c in result.cross_sector]
    session.flush()
    return result


def _scalar(v):
    """A JSON-safe scalar: numpy scalars to Python, NaN to None."""
    if isinstance(v, np.generic):
        v = v.item()
    return None if isinstance(v, float) and v != v else v


def _plain(d: dict) -> dict:
    """JSON-safe values of a flat dict."""
    return {k: _scalar(v) for k, v in d.items()}


def _json(value):
    """Nested JSON-safe values (the balances hold dicts of lists of dicts)."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    return _scalar(value)


def _locate(session: Session, exc: ImportRejected, activity: pd.DataFrame) -> ImportRejected:
    """Compile errors name a position in the loaded frame: give the file and row of the record instead."""
    names = dict(session.execute(select(ImportBatch.id, ImportBatch.filename).where(
        ImportBatch.id.in_([int(b) for b in pd.unique(activity["batch_id"])]))).all())
    located = []
    for e in exc.errors:
        if 0 <= e.row < len(activity):
            batch = int(activity["batch_id"].iloc[e.row])
            located.append(RowError.keyed(int(activity["source_row"].iloc[e.row]), e.column, "inventory_row_located",
                                          e.value, detail=f"{e.reason} [file {names.get(batch, '?')}, batch {batch}]",
                                          reason_zh=e.reason_text("zh"), file=names.get(batch, "?"), batch=batch))
        else:
            located.append(e)
    return ImportRejected(errors=located, what=f"compile of inventory (records of {len(names)} upload(s))")


# --- publish and correct ------------------------------------------------------------------------------

def publish(session: Session, *, inventory_id: int) -> Inventory:
    """Publish a compiled inventory: from now on it is immutable and public."""
    inventory = _writable(session, inventory_id, "publish")
    if inventory.status != "compiled":
        raise Conflict(key="inventory_not_compiled", params={"id": inventory.id, "status": inventory.status},
                       field="status")
    inventory.status = "published"
    inventory.published_at = utcnow()
    session.flush()
    return inventory


def new_version(session: Session, *, inventory_id: int, user: str | None = None,
                label: str | None = None) -> Inventory:
    """A draft copy of an inventory (usually a published one, to correct it): next free version number,
    ``parent_id`` = the source, same options, its activity records copied (INSERT ... SELECT in the
    database; the records keep their batch ids). Results are not copied: compile the new version."""
    source = get_inventory(session, inventory_id=inventory_id, for_update=True)
    latest = session.scalar(select(func.max(Inventory.version)).where(Inventory.region_id == source.region_id,
                                                                      Inventory.year == source.year)) or 0
    copy = Inventory(region_id=source.region_id, year=source.year, gwp_set=source.gwp_set, ch4_ar6=source.ch4_ar6,
                     factor_profile=source.factor_profile, status="draft", version=latest + 1, parent_id=source.id,
                     label=label if label is not None else source.label, created_by=user, created_at=utcnow())
    _add_unique(session, copy, "inventory_version_created_concurrently", version=latest + 1)
    r = ActivityRecord
    columns = ["inventory_id", "batch_id", *RECORD_COLUMNS]
    session.execute(insert(r).from_select(
        columns,
        select(literal(copy.id).label("inventory_id"), r.batch_id, *(getattr(r, c) for c in RECORD_COLUMNS))
        .where(r.inventory_id == source.id).order_by(r.id)))
    session.flush()
    return copy
