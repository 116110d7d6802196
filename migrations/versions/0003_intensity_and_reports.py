"""intensity: economic data, targets, plan indicators, report jobs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

Tables of carbon.intensity.models (economic_indicators, intensity_targets, plan_indicators,
plan_indicator_values) and carbon.reporting.models (report_jobs). Only new tables; nothing is seeded (the plan
indicators and sample economy are data files a user imports).

Checklist (engineering-notes §6): runs up AND down on SQLite and PostgreSQL; constraint names explicit
and wrapped in op.f(); enums as sa.Enum(..., native_enum=False, create_constraint=True); changes to
existing tables inside op.batch_alter_table(); data migrations use sa.table(), never ORM models.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

METRICS = ("carbon_intensity", "energy_intensity", "energy_total", "non_fossil_share", "coal_share")
KINDS = ("binding", "expected")
DIRECTIONS = ("decrease", "increase", "max", "min", "keep")
JOB_STATUSES = ("queued", "running", "done", "failed")
JOB_KINDS = ("inventory",)


def _choice(values: tuple[str, ...], constraint: str, length: int = 32) -> sa.Enum:
    """VARCHAR(length) + CHECK with an explicit, final name (matches carbon.core.db.choice)."""
    return sa.Enum(*values, name=op.f(constraint), native_enum=False, create_constraint=True, length=length)


def _created_at() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "economic_indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("price_base_year", sa.Integer(), nullable=False),
        sa.Column("gdp_yuan", sa.BigInteger(), nullable=False),
        sa.Column("gdp_current_yuan", sa.BigInteger(), nullable=True),
        sa.Column("energy_kgce", sa.BigInteger(), nullable=True),
        sa.Column("coal_share", sa.Float(), nullable=True),
        sa.Column("non_fossil_share", sa.Float(), nullable=True),
        sa.Column("population", sa.BigInteger(), nullable=True),
        sa.Column("energy_co2_t", sa.Float(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_economic_indicators")),
        sa.UniqueConstraint("region_code", "year", "price_base_year",
                            name=op.f("uq_economic_indicators_region_code")),
    )
    with op.batch_alter_table("economic_indicators") as batch:
        batch.create_index(batch.f("ix_economic_indicators_region_code"), ["region_code"], unique=False)

    op.create_table(
        "intensity_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("metric", _choice(METRICS, "ck_intensity_targets_metric"), nullable=False),
        sa.Column("kind", _choice(KINDS, "ck_intensity_targets_kind", 16), nullable=False),
        sa.Column("base_year", sa.Integer(), nullable=False),
        sa.Column("target_year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("price_base_year", sa.Integer(), nullable=True),
        sa.Column("numerator", sa.String(length=40), nullable=True),
        sa.Column("method", sa.String(length=40), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("gdp_path", sa.JSON(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=True),
        _created_at(),
        sa.ForeignKeyConstraint(["parent_id"], ["intensity_targets.id"], ondelete="CASCADE",
                                name=op.f("fk_intensity_targets_parent_id_intensity_targets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intensity_targets")),
    )
    with op.batch_alter_table("intensity_targets") as batch:
        batch.create_index(batch.f("ix_intensity_targets_region_code"), ["region_code"], unique=False)
        batch.create_index(batch.f("ix_intensity_targets_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "plan_indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("group_zh", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("kind", _choice(KINDS, "ck_plan_indicators_kind", 16), nullable=False),
        sa.Column("direction", _choice(DIRECTIONS, "ck_plan_indicators_direction", 16), nullable=False),
        sa.Column("baseline_year", sa.Integer(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("target_year", sa.Integer(), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("target_text", sa.String(length=200), nullable=True),
        sa.Column("metric", sa.String(length=40), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_indicators")),
        sa.UniqueConstraint("code", name=op.f("uq_plan_indicators_code")),
    )
    op.create_table(
        "plan_indicator_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["indicator_id"], ["plan_indicators.id"], ondelete="CASCADE",
                                name=op.f("fk_plan_indicator_values_indicator_id_plan_indicators")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_indicator_values")),
        sa.UniqueConstraint("indicator_id", "year", name=op.f("uq_plan_indicator_values_indicator_id")),
    )

    op.create_table(
        "report_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _choice(JOB_KINDS, "ck_report_jobs_kind", 16), nullable=False),
        sa.Column("status", _choice(JOB_STATUSES, "ck_report_jobs_status", 16), nullable=False),
        sa.Column("inventory_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=True),
        _created_at(),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=100), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_jobs")),
    )
    with op.batch_alter_table("report_jobs") as batch:
        batch.create_index("ix_report_jobs_status", ["status", "created_at"], unique=False)
        batch.create_index(batch.f("ix_report_jobs_inventory_id"), ["inventory_id"], unique=False)


def downgrade() -> None:
    op.drop_table("report_jobs")
    op.drop_table("plan_indicator_values")
    op.drop_table("plan_indicators")
    op.drop_table("intensity_targets")
    op.drop_table("economic_indicators")
