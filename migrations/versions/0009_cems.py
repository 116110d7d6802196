"""monitoring: CEMS stacks and hourly values (cems_stacks, cems_hourly, partitioned by month on PostgreSQL)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

Only new tables (issue 16, items 3-4; see carbon/monitoring/models.py):

- ``cems_stacks``: emitter, stack code, MN (unique).
- ``cems_hourly``: (stack, hour UTC, pollutant) primary key = the idempotency key of a record; value, flag.
  PostgreSQL: ``PARTITION BY RANGE (hour)``; the monthly partitions live in the schema ``cems_partitions``
  (created on ingest by ``carbon.monitoring.service.ensure_partitions``) so that table listings and
  autogenerate see only the parent; a DEFAULT partition catches rows of a month not created yet. SQLite: a
  plain table.

Checklist (engineering-notes §6): runs up AND down on SQLite and PostgreSQL; constraint names explicit and
wrapped in op.f(); enums as VARCHAR + CHECK; no database reads (``alembic upgrade --sql`` renders it).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTITION_SCHEMA = "cems_partitions"
FLAGS = ("N", "F", "M", "S", "D", "C", "T", "B")  # HJ 212-2017 table 9 (carbon.monitoring.hj212.FLAGS)


def _postgres() -> bool:
    return op.get_context().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "cems_stacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("emitter_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("mn", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["emitter_id"], ["ets_emitters.id"], name=op.f("fk_cems_stacks_emitter_id_ets_emitters")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cems_stacks")),
        sa.UniqueConstraint("emitter_id", "code", name=op.f("uq_cems_stacks_emitter_id")),
        sa.UniqueConstraint("mn", name=op.f("uq_cems_stacks_mn")),
    )
    op.create_table(
        "cems_hourly",
        sa.Column("stack_id", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pollutant", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("flag", sa.Enum(*FLAGS, name=op.f("ck_cems_hourly_flag"), native_enum=False, create_constraint=True,
                                  length=1), nullable=True),
        sa.ForeignKeyConstraint(["stack_id"], ["cems_stacks.id"], name=op.f("fk_cems_hourly_stack_id_cems_stacks"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("stack_id", "hour", "pollutant", name=op.f("pk_cems_hourly")),
        postgresql_partition_by="RANGE (hour)",
    )
    if _postgres():
        op.execute(f"CREATE SCHEMA IF NOT EXISTS {PARTITION_SCHEMA}")
        op.execute(f"CREATE TABLE {PARTITION_SCHEMA}.cems_hourly_default PARTITION OF cems_hourly DEFAULT")


def downgrade() -> None:
    op.drop_table("cems_hourly")  # on PostgreSQL its partitions go with it
    if _postgres():
        op.execute(f"DROP SCHEMA IF EXISTS {PARTITION_SCHEMA} CASCADE")
    op.drop_table("cems_stacks")
