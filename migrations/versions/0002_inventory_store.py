"""inventory store: emission_factors, inventories, import_batches, activity_records, emission_results,
idempotency_keys

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-29

Only new tables, so no batch_alter_table is needed for the tables themselves (indexes are created in
batch blocks, as autogenerate writes them; on PostgreSQL they pass straight through). The factor
library is NOT seeded here: a migration must produce the same database forever, while the library
grows. ``carbon.factors.service.sync_factor_library`` inserts missing rows when an inventory is
compiled (or on ``carbon inventory sync-factors``).

Checklist (engineering-notes §6): runs up AND down on SQLite and PostgreSQL; constraint names explicit
and wrapped in op.f(); enums as sa.Enum(..., native_enum=False, create_constraint=True).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROFILES = ("IPCC2006", "CN")
BASES = ("default", "local")
GWP_SETS = ("SAR", "AR4", "AR5", "AR6")
CH4_AR6 = ("combined", "split")
STATUSES = ("draft", "compiled", "published")

# BIGINT ids on PostgreSQL; SQLite autoincrements only an INTEGER PRIMARY KEY (64-bit there anyway).
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _choice(values: tuple[str, ...], constraint: str, length: int = 32) -> sa.Enum:
    """VARCHAR(length) + CHECK with an explicit, final name (matches carbon.core.db.choice)."""
    return sa.Enum(*values, name=op.f(constraint), native_enum=False, create_constraint=True, length=length)


def upgrade() -> None:
    op.create_table(
        "emission_factors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("factor_id", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("profile", _choice(PROFILES, "ck_emission_factors_profile"), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("parameter", sa.String(length=64), nullable=False),
        sa.Column("gas", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_table", sa.Text(), nullable=False),
        sa.Column("edition", sa.String(length=120), nullable=False),
        sa.Column("valid_from", sa.Integer(), nullable=True),
        sa.Column("valid_to", sa.Integer(), nullable=True),
        sa.Column("uncertainty_pct", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("basis", _choice(BASES, "ck_emission_factors_basis"), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("file", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emission_factors")),
        sa.UniqueConstraint("factor_id", "version", name=op.f("uq_emission_factors_factor_id")),
    )
    with op.batch_alter_table("emission_factors") as batch_op:
        batch_op.create_index(batch_op.f("ix_emission_factors_parameter"), ["parameter"], unique=False)

    op.create_table(
        "inventories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("gwp_set", _choice(GWP_SETS, "ck_inventories_gwp_set", 8), nullable=False),
        sa.Column("ch4_ar6", _choice(CH4_AR6, "ck_inventories_ch4_ar6", 16), nullable=False),
        sa.Column("factor_profile", _choice(PROFILES, "ck_inventories_factor_profile", 16), nullable=False),
        sa.Column("status", _choice(STATUSES, "ck_inventories_status", 16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("compiled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("factor_fingerprint", sa.String(length=120), nullable=True),
        sa.Column("double_counts", sa.JSON(), nullable=True),
        sa.Column("notation_keys", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["inventories.id"], name=op.f("fk_inventories_parent_id_inventories"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"], name=op.f("fk_inventories_region_id_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventories")),
        sa.UniqueConstraint("region_id", "year", "version", name=op.f("uq_inventories_region_id")),
    )
    with op.batch_alter_table("inventories") as batch_op:
        batch_op.create_index(batch_op.f("ix_inventories_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inventory_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["inventory_id"], ["inventories.id"],
                                name=op.f("fk_import_batches_inventory_id_inventories"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    with op.batch_alter_table("import_batches") as batch_op:
        batch_op.create_index(batch_op.f("ix_import_batches_inventory_id"), ["inventory_id"], unique=False)

    op.create_table(
        "activity_records",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("inventory_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("notation", sa.String(length=4), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batches.id"],
                                name=op.f("fk_activity_records_batch_id_import_batches")),
        sa.ForeignKeyConstraint(["inventory_id"], ["inventories.id"],
                                name=op.f("fk_activity_records_inventory_id_inventories"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_records")),
    )
    with op.batch_alter_table("activity_records") as batch_op:
        batch_op.create_index(op.f("ix_activity_records_inventory_id"), ["inventory_id", "batch_id"], unique=False)

    op.create_table(
        "emission_results",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("inventory_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("gas", sa.String(length=32), nullable=False),
        sa.Column("mass_t", sa.Float(), nullable=False),
        sa.Column("co2e_t", sa.Float(), nullable=False),
        sa.Column("gwp_set", sa.String(length=16), nullable=False),
        sa.Column("memo", sa.Boolean(), nullable=False),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("factor_refs", sa.Text(), nullable=False),
        sa.Column("basis", sa.String(length=32), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["inventory_id"], ["inventories.id"],
                                name=op.f("fk_emission_results_inventory_id_inventories"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emission_results")),
    )
    with op.batch_alter_table("emission_results") as batch_op:
        batch_op.create_index(batch_op.f("ix_emission_results_inventory_id"), ["inventory_id"], unique=False)

    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("route", sa.String(length=300), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["token_id"], ["api_tokens.id"], name=op.f("fk_idempotency_keys_token_id_api_tokens"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("token_id", "key", name=op.f("uq_idempotency_keys_token_id")),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("emission_results") as batch_op:
        batch_op.drop_index(batch_op.f("ix_emission_results_inventory_id"))
    op.drop_table("emission_results")
    with op.batch_alter_table("activity_records") as batch_op:
        batch_op.drop_index(op.f("ix_activity_records_inventory_id"))
    op.drop_table("activity_records")
    with op.batch_alter_table("import_batches") as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batches_inventory_id"))
    op.drop_table("import_batches")
    with op.batch_alter_table("inventories") as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventories_parent_id"))
    op.drop_table("inventories")
    with op.batch_alter_table("emission_factors") as batch_op:
        batch_op.drop_index(batch_op.f("ix_emission_factors_parameter"))
    op.drop_table("emission_factors")
