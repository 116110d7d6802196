"""The factor library in the database: seeding, local factor sets, and resolving factor_refs.

When the library is copied into ``emission_factors``: ``sync_factor_library`` runs at the start of
every inventory compile (``carbon.inventory.service.compile_inventory``), in the compile's own
transaction, so the results and the factor rows they cite are committed together. It is cheap when
nothing is missing (one SELECT of the (factor_id, version) pairs). ``carbon inventory sync-factors``
runs it by hand. It is deliberately not part of ``carbon db upgrade``: a migration must produce the
same database forever, while the library grows.

Rows are only ever inserted, never updated (INSERT ... ON CONFLICT DO NOTHING, so two compiles racing
to seed the same rows do not fail). A row whose file copy differs from the stored copy (someone edited
a cited row in place instead of adding a version) is reported in ``SyncReport.changed``, and a compile
that would use such a row refuses (``check_refs``): its stored provenance would not match the
number it used.

Functions take ``session`` and never commit (carbon.core.db).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Select, func, or_, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from carbon.core.errors import FactorError, NotFound, ValidationError
from carbon.factors.library import DEFAULT_PROFILE, FACTOR_DIR, PROFILES, FactorLibrary, FactorRow, load_library
from carbon.factors.models import EmissionFactor

# Where the cited library files are. Tests point this at a fixed copy (the files are being edited).
FACTOR_ROOT: Path = FACTOR_DIR

COLUMNS = ("factor_id", "version", "profile", "scope", "item", "parameter", "gas", "value", "unit", "source",
           "source_table", "edition", "valid_from", "valid_to", "uncertainty_pct", "note", "basis", "region_code",
           "year", "file")
COMPARED = ("value", "unit", "parameter", "gas", "scope", "item", "profile")  # what provenance relies on

# Libraries by (root, profile, local fingerprint), most recently used last: reusing the object keeps the
# engine's per-library coefficient memo warm across compiles. Bounded, since every local file adds one.
_LIBRARIES: dict[tuple[str, str, str], FactorLibrary] = {}
_MAX_LIBRARIES = 16


@dataclass
class SyncReport:
    added: int = 0
    present: int = 0
    changed: list[str] = field(default_factory=list)  # refs whose file copy differs from the stored copy


def library(profile: str = DEFAULT_PROFILE, local: tuple[list[FactorRow], str] | None = None) -> FactorLibrary:
    """The bundled library (``FACTOR_ROOT``) with ``profile``, plus local rows if given."""
    if profile not in PROFILES:
        raise ValidationError(key="factor_unknown_profile", params={"profile": profile, "known": ", ".join(PROFILES)},
                              field="factor_profile")
    key = (str(FACTOR_ROOT), profile, local[1] if local else "")
    lib = _LIBRARIES.pop(key, None)
    if lib is None:
        lib = load_library(FACTOR_ROOT, profile=profile)
        if local is not None:
            lib = lib.with_local(*local)
    _LIBRARIES[key] = lib
    while len(_LIBRARIES) > _MAX_LIBRARIES:
        del _LIBRARIES[next(iter(_LIBRARIES))]
    return lib


def _values(r: FactorRow) -> dict:
    return {
        "factor_id": r.factor_id, "version": r.version, "profile": r.profile, "scope": r.scope, "item": r.item,
        "parameter": r.parameter, "gas": r.gas or "", "value": r.value, "unit": r.unit, "source": r.source,
        "source_table": r.source_table, "edition": r.edition, "valid_from": r.valid_from, "valid_to": r.valid_to,
        "uncertainty_pct": r.uncertainty_pct, "note": r.note or "", "basis": r.basis, "region_code": r.region,
        "year": r.year, "file": r.file,
    }


def _insert_missing(session: Session, rows: list[dict]) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(EmissionFactor.__table__)
    stmt = insert.on_conflict_do_nothing(index_elements=["factor_id", "version"])
    for start in range(0, len(rows), 1000):
        session.execute(stmt, rows[start:start + 1000])


def _differs(stored: EmissionFactor, row: dict) -> bool:
    for col in COMPARED:
        a, b = getattr(stored, col), row[col]
        if isinstance(a, float) and isinstance(b, float):
            if not math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0):
                return True
        elif a != b:
            return True
    return False


def store_rows(session: Session, rows: Iterable[FactorRow]) -> SyncReport:
    """Insert the factor rows not stored yet; report the stored ones whose content differs."""
    wanted = {(r.factor_id, r.version): _values(r) for r in rows}
    report = SyncReport()
    if not wanted:
        return report
    stored: dict[tuple[str, int], EmissionFactor] = {}
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        query = select(EmissionFactor).where(tuple_(EmissionFactor.factor_id, EmissionFactor.version).in_(chunk))
        stored.update({(f.factor_id, f.version): f for f in session.scalars(query)})
    missing = [v for k, v in wanted.items() if k not in stored]
    _insert_missing(session, missing)
    report.added = len(missing)
    report.present = len(stored)
    report.changed = sorted(f"{k[0]}@v{k[1]}" for k, f in stored.items() if _differs(f, wanted[k]))
    return report


def sync_factor_library(session: Session) -> SyncReport:
    """Copy every row of the bundled library (both profiles) that is not in the table yet."""
    return store_rows(session, library().rows)


def check_refs(session: Session, lib: FactorLibrary, refs: Iterable[str]) -> None:
    """Refuse if a factor row used by a compile differs from its stored copy (edited in place)."""
    by_ref = {r.ref: r for r in lib.rows}
    used = [by_ref[ref] for ref in set(refs) if ref in by_ref]
    report = store_rows(session, used)
    if report.changed:
        raise FactorError(key="factor_edited_in_place", params={"refs": ", ".join(report.changed[:10])}, field="factors")


TEXT_COLUMNS = ("factor_id", "item", "parameter", "scope", "source", "source_table", "edition", "note")


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def factors_query(*, parameter: str | None = None, item: str | None = None, profile: str | None = None,
                  basis: str | None = None, factor_id: str | None = None, gas: str | None = None,
                  text: str | None = None) -> Select:
    """Exact filters (``gas`` '' = the rows that serve every gas: NCV, oxidation, ...); ``text`` is a case-insensitive
    substring of any of ``TEXT_COLUMNS`` (id, item, parameter, scope, source document, table, edition, note)."""
    query = select(EmissionFactor)
    for column, value in (("parameter", parameter), ("item", item), ("profile", profile), ("basis", basis),
                          ("factor_id", factor_id)):
        if value is not None:
            query = query.where(getattr(EmissionFactor, column) == value)
    if gas is not None:
        query = query.where(EmissionFactor.gas == gas)
    if text:
        pattern = _like(text.strip())
        query = query.where(or_(*(getattr(EmissionFactor, c).ilike(pattern, escape="\\") for c in TEXT_COLUMNS)))
    return query


def list_factors(session: Session, *, limit: int = 100, offset: int = 0, **filters) -> tuple[list[EmissionFactor], int]:
    """Stored factor rows (filters of ``factors_query``) and how many match."""
    query = factors_query(**filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(EmissionFactor.factor_id, EmissionFactor.version)
                           .limit(limit).offset(offset)).all()
    return list(rows), total


def parse_ref(ref: str) -> tuple[str, int]:
    factor_id, sep, version = ref.rpartition("@v")
    if not sep or not factor_id or not version.isdigit():
        raise ValidationError(key="factor_bad_ref", params={"ref": ref}, field="ref")
    return factor_id, int(version)


def get_factor(session: Session, ref: str) -> EmissionFactor:
    factor_id, version = parse_ref(ref)
    found = session.scalar(select(EmissionFactor).where(EmissionFactor.factor_id == factor_id,
                                                        EmissionFactor.version == version))
    if found is None:
        raise NotFound(key="factor_stored_not_found", params={"ref": ref}, field="ref")
    return found


def factors_by_refs(session: Session, refs: Iterable[str]) -> list[EmissionFactor]:
    """The stored rows for 'id@vN' references (unknown references are skipped), sorted by ref."""
    keys = sorted({parse_ref(r) for r in refs if r})
    found: list[EmissionFactor] = []
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        found.extend(session.scalars(
            select(EmissionFactor).where(tuple_(EmissionFactor.factor_id, EmissionFactor.version).in_(chunk))))
    return sorted(found, key=lambda f: (f.factor_id, f.version))
