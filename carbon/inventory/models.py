"""Tables of the inventory store: inventories, their imported activity data and compiled results.

Lifecycle of an ``Inventory`` (one region × year × version)::

    draft --compile--> compiled --publish--> published (immutable)
      ^                   |
      +---- import -------+        published --new_version--> a draft copy (version + 1, parent_id)

- ``activity_records`` may hold millions of rows: they are written with COPY / executemany
  (``carbon.inventory.bulk``), never as ORM objects, and read back as columns. The composite index
  (inventory_id, batch_id) serves "all records of an inventory" and "the records of one batch".
- ``emission_results`` are the compile output per region × category × item × gas. Masses are
  ``Float``: they are recomputable from the records and the factor rows named in ``factor_refs``, and
  are rounded for display (carbon.core.db on numbers).
- ``import_batches`` is the audit trail of uploads. A batch whose records were removed keeps its row
  (``removed_at``). A new version copies the records of its parent *with their batch ids*, so a record
  always points at the upload it came from (which may belong to an earlier version).
- ``idempotency_keys`` stores the response of a retried write (``Idempotency-Key`` header, see
  ``api/idempotency.py``). It is generic (route + token), not inventory-specific; it lives here until
  the platform takes it into ``carbon.core``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carbon.core.db import Base, UTCDateTime, choice, utcnow
from carbon.core.gases import CH4_AR6_VARIANTS, GWP_SETS
from carbon.core.models import Region
from carbon.factors.models import FACTOR_PROFILES

STATUSES = ("draft", "compiled", "published")

# Row ids of the big tables: BIGINT on PostgreSQL (millions of rows per version, many versions);
# SQLite only autoincrements an "INTEGER PRIMARY KEY", which is 64-bit there anyway.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Inventory(Base):
    __tablename__ = "inventories"
    __table_args__ = (UniqueConstraint("region_id", "year", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    year: Mapped[int] = mapped_column(Integer)
    gwp_set: Mapped[str] = mapped_column(choice(GWP_SETS, name="gwp_set", length=8))
    ch4_ar6: Mapped[str] = mapped_column(choice(CH4_AR6_VARIANTS, name="ch4_ar6", length=16), default="combined")
    factor_profile: Mapped[str] = mapped_column(choice(FACTOR_PROFILES, name="factor_profile", length=16))
    status: Mapped[str] = mapped_column(choice(STATUSES, name="status", length=16), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("inventories.id", ondelete="SET NULL"), index=True)
    label: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    compiled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    factor_fingerprint: Mapped[str | None] = mapped_column(String(120))
    # What the last compile noticed: [{category, item, gas, city_mass_t, banner_mass_t}, ...]
    double_counts: Mapped[list | None] = mapped_column(JSON)
    # Categories reported with a notation key and no figure: [{region, category, item, notation, note}, ...]
    notation_keys: Mapped[list | None] = mapped_column(JSON)
    # Carbon mass balances of the coal-chemical and fuel-transformation facilities, every flow and
    # intermediate with its unit: [{region, category, facility, flows: [...], carbon_in, ..., co2}, ...]
    carbon_balances: Mapped[list | None] = mapped_column(JSON)
    # Cross-sector checks: feedstock coal in 2.B.8 / 1.B.3 and also burnt in 1.A, ETS-verified plants
    # beside region-level rows of the same category: [{check, region, ...}, ...]
    cross_sector: Mapped[list | None] = mapped_column(JSON)

    region: Mapped[Region] = relationship()

    def __repr__(self) -> str:
        return f"Inventory({self.id} {self.year} v{self.version} {self.status})"


class ImportBatch(Base):
    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inventory_id: Mapped[int] = mapped_column(ForeignKey("inventories.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"ImportBatch({self.id} {self.filename!r} {self.rows} rows)"


class ActivityRecord(Base):
    """One row of an imported file, codes resolved (region code, category code, item code)."""

    __tablename__ = "activity_records"
    __table_args__ = (Index("ix_activity_records_inventory_id", "inventory_id", "batch_id"),
                      # a record has a figure or a notation key, never both nor neither (migration 0012)
                      CheckConstraint("(quantity IS NULL) = (notation IS NOT NULL)", name="figure_or_notation"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    inventory_id: Mapped[int] = mapped_column(ForeignKey("inventories.id", ondelete="CASCADE"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))
    region_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[float | None] = mapped_column(Float)  # NULL when the row carries a notation key instead
    unit: Mapped[str] = mapped_column(String(32))  # '' on a notation-key row (no figure, no unit)
    notation: Mapped[str | None] = mapped_column(String(4))  # NO, NE, IE, C, NA (no figure), else NULL
    facility: Mapped[str | None] = mapped_column(String(200))  # plant name or USCC (carbon balances close per facility)
    note: Mapped[str | None] = mapped_column(Text)
    source_row: Mapped[int] = mapped_column(Integer)  # row number in the uploaded file (header = 1)


class EmissionResult(Base):
    """Compile output, one row per region × category × item × gas (the 150600 rows are the city roll-up)."""

    __tablename__ = "emission_results"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    inventory_id: Mapped[int] = mapped_column(ForeignKey("inventories.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    sector: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(String(64))
    gas: Mapped[str] = mapped_column(String(32))
    mass_t: Mapped[float] = mapped_column(Float)  # recomputable; see module docstring
    co2e_t: Mapped[float] = mapped_column(Float)
    gwp_set: Mapped[str] = mapped_column(String(16))
    memo: Mapped[bool] = mapped_column(Boolean)
    method: Mapped[str] = mapped_column(String(64))
    factor_refs: Mapped[str] = mapped_column(Text)  # 'id@vN;id@vN' -> emission_factors
    basis: Mapped[str] = mapped_column(String(32))  # 'default', 'local' or 'default;local'
    records: Mapped[int] = mapped_column(Integer)  # how many activity records went into the row


class IdempotencyKey(Base):
    """A write already done for (token, key): the retry gets the stored response, nothing is redone."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    route: Mapped[str] = mapped_column(String(300))  # 'POST /api/v1/inventories/3/activity'
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict | list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
