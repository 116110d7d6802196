"""碳普惠 methodologies in the database: versions in force, adding a version, syncing the shipped editions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbon.core.db import utcnow
from carbon.core.errors import ValidationError
from carbon.puhui import methodologies
from carbon.puhui.common import conflict
from carbon.puhui.methodologies import Methodology
from carbon.puhui.models import PuhuiMethodology


# --- methodologies -------------------------------------------------------------------------------------------

METHOD_COLUMNS = ("code", "version", "name_zh", "behaviour", "quantity_unit", "factor", "factor_unit", "confidence",
                  "baseline", "source", "cap_period", "cap_claims", "cap_quantity", "speed_min_kmh", "speed_max_kmh",
                  "step_length_m", "max_quantity_per_claim", "window_days", "evidence_required", "valid_from", "note")


def _row_values(row: PuhuiMethodology) -> tuple:
    return tuple(getattr(row, c) for c in METHOD_COLUMNS)


@lru_cache(maxsize=256)
def _methodology_of(values: tuple) -> Methodology:
    row = {c: ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v))
           for c, v in zip(METHOD_COLUMNS, values, strict=True)}
    return methodologies.from_row(row)


def as_methodology(row: PuhuiMethodology) -> Methodology:
    return _methodology_of(_row_values(row))


def _method_values(m: Methodology) -> dict:
    def text(v):
        return None if v is None else str(v)

    return {"code": m.code, "version": m.version, "name_zh": m.name_zh, "behaviour": m.behaviour,
            "quantity_unit": m.quantity_unit, "factor": str(m.factor), "factor_unit": m.factor_unit,
            "confidence": m.confidence, "baseline": m.baseline, "source": m.source, "cap_period": m.cap_period,
            "cap_claims": m.cap_claims, "cap_quantity": text(m.cap_quantity), "speed_min_kmh": text(m.speed_min_kmh),
            "speed_max_kmh": text(m.speed_max_kmh), "step_length_m": text(m.step_length_m),
            "max_quantity_per_claim": text(m.max_quantity_per_claim), "window_days": m.window_days,
            "evidence_required": m.evidence_required, "valid_from": m.valid_from, "note": m.note}


def current_methodology(session: Session, *, code: str, on: date) -> PuhuiMethodology:
    """The newest version of ``code`` in force on ``on`` (valid_from <= on)."""
    row = session.scalar(select(PuhuiMethodology)
                         .where(PuhuiMethodology.code == code, PuhuiMethodology.valid_from <= on)
                         .order_by(PuhuiMethodology.version.desc()).limit(1))
    if row is None:
        known = session.scalars(select(PuhuiMethodology.code).distinct()).all()
        raise ValidationError(key="puhui_type_not_in_force",
                              params={"code": code, "on": on, "known": ", ".join(sorted(known))}, field="type")
    return row


def list_methodologies(session: Session, *, code: str | None = None) -> list[PuhuiMethodology]:
    q = select(PuhuiMethodology).order_by(PuhuiMethodology.code, PuhuiMethodology.version)
    if code:
        q = q.where(PuhuiMethodology.code == code)
    return list(session.scalars(q))


def add_methodology(session: Session, *, data: dict, origin: str, now: datetime | None = None) -> PuhuiMethodology:
    """A new methodology, or a new version of one (``version`` omitted: the next one). Existing versions are
    never changed: the same (code, version) again is a 409."""
    data = dict(data)
    code = str(data.get("code", "")).strip()
    latest = session.scalar(select(func.max(PuhuiMethodology.version)).where(PuhuiMethodology.code == code))
    if data.get("version") is None:
        data["version"] = (latest or 0) + 1
    strings = {k: ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v)) for k, v in data.items()}
    m = methodologies.from_row(strings)
    if session.scalar(select(PuhuiMethodology.id).where(PuhuiMethodology.code == m.code,
                                                        PuhuiMethodology.version == m.version)) is not None:
        raise conflict("methodology_exists", key="puhui_methodology_exists",
                       params={"ref": m.ref, "next": (latest or 0) + 1}, field="version")
    row = PuhuiMethodology(**_method_values(m), origin=origin[:120], created_at=now or utcnow())
    session.add(row)
    session.flush()
    return row


@dataclass
class SyncReport:
    added: list[str]
    unchanged: int


def sync_methodologies(session: Session, *, now: datetime | None = None) -> SyncReport:
    """Insert the shipped editions' methodologies that the database lacks. A stored row that differs from the
    file is an error (a data file was edited in place)."""
    stored = {(r.code, r.version): r for r in list_methodologies(session)}
    added, unchanged = [], 0
    for m in methodologies.load_all():
        row = stored.get((m.code, m.version))
        if row is not None:
            if as_methodology(row) != m:
                raise conflict("methodology_changed", key="puhui_methodology_changed", params={"ref": m.ref})
            unchanged += 1
            continue
        session.add(PuhuiMethodology(**_method_values(m), origin="data files", created_at=now or utcnow()))
        added.append(m.ref)
    session.flush()
    return SyncReport(added, unchanged)
