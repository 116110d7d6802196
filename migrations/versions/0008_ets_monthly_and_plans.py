"""ets: monthly key-parameter filings (关键参数月度存证) and versioned data-quality control plans (数据质量控制计划)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

Only new tables (issue 14, items 3 and 5; see carbon/ets/models.py):

- ``ets_quality_plans``: one row per version of an emitter's plan (its monitored parameters as JSON); a new
  version is a new row, never an update.
- ``ets_monthly_filings``: one row per version of one month's filing (emitter, year, month, version); a
  correction is version n+1 with its reason, earlier versions stay.
- ``ets_monthly_values``: the values of a filing (parameter, item, value, unit, source 实测/缺省/计算, samples,
  batches, method).

Checklist (engineering-notes §6): runs up AND down on SQLite and PostgreSQL; constraint names explicit and
wrapped in op.f(); enums as VARCHAR + CHECK.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _choice(values: tuple[str, ...], constraint: str, length: int = 32) -> sa.Enum:
    """VARCHAR(length) + CHECK with an explicit, final name (matches carbon.core.db.choice)."""
    return sa.Enum(*values, name=op.f(constraint), native_enum=False, create_constraint=True, length=length)


def upgrade() -> None:
    op.create_table(
        "ets_quality_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("emitter_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("applies_from", sa.Integer(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["emitter_id"], ["ets_emitters.id"],
                                name=op.f("fk_ets_quality_plans_emitter_id_ets_emitters")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ets_quality_plans")),
        sa.UniqueConstraint("emitter_id", "version", name=op.f("uq_ets_quality_plans_emitter_id")),
    )
    op.create_table(
        "ets_monthly_filings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("emitter_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.Column("filed_by", sa.String(length=200), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name=op.f("ck_ets_monthly_filings_month_range")),
        sa.ForeignKeyConstraint(["emitter_id"], ["ets_emitters.id"],
                                name=op.f("fk_ets_monthly_filings_emitter_id_ets_emitters")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ets_monthly_filings")),
        sa.UniqueConstraint("emitter_id", "year", "month", "version", name=op.f("uq_ets_monthly_filings_emitter_id")),
    )
    with op.batch_alter_table("ets_monthly_filings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ets_monthly_filings_emitter_id"), ["emitter_id"], unique=False)
    op.create_table(
        "ets_monthly_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("parameter", sa.String(length=64), nullable=False),
        sa.Column("item", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("source", _choice(("measured", "default", "calculated"), "ck_ets_monthly_values_source", 16),
                  nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["filing_id"], ["ets_monthly_filings.id"],
                                name=op.f("fk_ets_monthly_values_filing_id_ets_monthly_filings"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ets_monthly_values")),
        sa.UniqueConstraint("filing_id", "parameter", "item", name=op.f("uq_ets_monthly_values_filing_id")),
    )
    with op.batch_alter_table("ets_monthly_values", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ets_monthly_values_filing_id"), ["filing_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ets_monthly_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ets_monthly_values_filing_id"))
    op.drop_table("ets_monthly_values")
    with op.batch_alter_table("ets_monthly_filings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ets_monthly_filings_emitter_id"))
    op.drop_table("ets_monthly_filings")
    op.drop_table("ets_quality_plans")
