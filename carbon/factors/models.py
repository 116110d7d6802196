"""The emission-factor library as a table: every factor row an inventory was ever compiled with.

The files under ``emission_factors/`` stay the source of truth (reviewed in git, cited, checked at load
time). The table is their append-only copy, so that a stored result's ``factor_refs`` ('id@vN') can be
resolved to value, unit and source years later, after the files have moved on:

- ``(factor_id, version)`` is unique and a row is never updated. A correction is a new version (a new
  row), exactly as in the files. ``carbon.factors.service.sync_factor_library`` inserts rows that are
  not present yet and reports (never overwrites) rows whose file copy differs from the stored one.
- Local measured parameters (地方实测) uploaded with a compile are stored here too, with
  ``basis='local'``; their ``factor_id`` is ``local-<sha256 of the file>:<row>``, so the same file
  uploaded twice maps to the same rows.
- ``value`` is a double: the library parses the CSV text with ``float()``, so the stored double is
  bit-for-bit the number the calculation used (SQLite and PostgreSQL both store IEEE doubles).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carbon.core.db import Base, UTCDateTime, choice, utcnow

FACTOR_BASES = ("default", "local")
FACTOR_PROFILES = ("IPCC2006", "CN")


class EmissionFactor(Base):
    """One cited factor or parameter row (EF, NCV, carbon content, oxidation rate, DOC, k, ...)."""

    __tablename__ = "emission_factors"
    __table_args__ = (UniqueConstraint("factor_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    factor_id: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer)
    profile: Mapped[str] = mapped_column(choice(FACTOR_PROFILES, name="profile"))
    scope: Mapped[str] = mapped_column(String(32))  # category code prefix, or '*'
    item: Mapped[str] = mapped_column(String(64))  # item code, or '*'
    parameter: Mapped[str] = mapped_column(String(64), index=True)
    gas: Mapped[str] = mapped_column(String(32), default="")  # '' = serves every gas (NCV, ...)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    source_table: Mapped[str] = mapped_column(Text)
    edition: Mapped[str] = mapped_column(String(120))
    valid_from: Mapped[int | None] = mapped_column(Integer)
    valid_to: Mapped[int | None] = mapped_column(Integer)
    uncertainty_pct: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[str] = mapped_column(choice(FACTOR_BASES, name="basis"), default="default")
    region_code: Mapped[str | None] = mapped_column(String(6))  # local rows may be region-specific
    year: Mapped[int | None] = mapped_column(Integer)  # local rows may be year-specific
    file: Mapped[str] = mapped_column(String(255), default="")  # the CSV it came from
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def ref(self) -> str:
        return f"{self.factor_id}@v{self.version}"

    def __repr__(self) -> str:
        return f"EmissionFactor({self.ref} {self.parameter}={self.value} {self.unit})"
