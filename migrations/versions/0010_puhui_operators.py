"""碳普惠 operators: operator principals, their signing keys, their trip and meter records; claims' verification

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

Issue 17 point 5 (see carbon/puhui/operators.py):

- ``puhui_operators``: a bus company's card system, a bike-share operator, the grid company; its own bearer token
  (only the SHA-256 stored) and the methodology codes it may record (``kinds``, comma separated).
- ``puhui_operator_keys``: an operator's signing keys, HMAC-SHA256 (shared secret) or Ed25519 (public key);
  a rotated key stays valid until ``valid_until`` (the grace period).
- ``puhui_operator_records``: a trip or meter record, pushed by the operator or taken from a claim carrying a
  valid signature; (operator, record id) unique; the resident only as the keyed hash of their openid.
- ``puhui_behaviours.verification`` (operator|signed|werun|self_reported|unchecked) and
  ``puhui_behaviours.operator_record_id`` UNIQUE: an operator record is claimed once across all residents.

Checklist: runs up AND down on SQLite and PostgreSQL; constraint names explicit and wrapped in op.f(); enums as
VARCHAR + CHECK; existing tables changed inside op.batch_alter_table(); no database reads.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "puhui_operators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("kinds", sa.String(length=400), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_puhui_operators")),
        sa.UniqueConstraint("code", name=op.f("uq_puhui_operators_code")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_puhui_operators_token_hash")),
    )
    op.create_table(
        "puhui_operator_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("algorithm", sa.String(length=12), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("algorithm IN ('hmac-sha256', 'ed25519')", name=op.f("ck_puhui_operator_keys_algorithm")),
        sa.ForeignKeyConstraint(["operator_id"], ["puhui_operators.id"],
                                name=op.f("fk_puhui_operator_keys_operator_id_puhui_operators")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_puhui_operator_keys")),
        sa.UniqueConstraint("operator_id", "key_id", name=op.f("uq_puhui_operator_keys_operator_id")),
    )
    op.create_table(
        "puhui_operator_records",
        sa.Column("id", BigId, nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("user_hash", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('pushed', 'signed')", name=op.f("ck_puhui_operator_records_source")),
        sa.ForeignKeyConstraint(["operator_id"], ["puhui_operators.id"],
                                name=op.f("fk_puhui_operator_records_operator_id_puhui_operators")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_puhui_operator_records")),
        sa.UniqueConstraint("operator_id", "record_id", name=op.f("uq_puhui_operator_records_operator_id")),
    )
    with op.batch_alter_table("puhui_behaviours") as batch_op:
        batch_op.add_column(sa.Column("verification", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("operator_record_id", BigId, nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_puhui_behaviours_operator_record_id"), ["operator_record_id"])
        batch_op.create_foreign_key(batch_op.f("fk_puhui_behaviours_operator_record_id_puhui_operator_records"),
                                    "puhui_operator_records", ["operator_record_id"], ["id"])
        batch_op.create_check_constraint(
            batch_op.f("ck_puhui_behaviours_verification"),
            "verification IN ('operator', 'signed', 'werun', 'self_reported', 'unchecked')")


def downgrade() -> None:
    with op.batch_alter_table("puhui_behaviours") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_puhui_behaviours_verification"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_puhui_behaviours_operator_record_id_puhui_operator_records"),
                                 type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_puhui_behaviours_operator_record_id"), type_="unique")
        batch_op.drop_column("operator_record_id")
        batch_op.drop_column("verification")
    op.drop_table("puhui_operator_records")
    op.drop_table("puhui_operator_keys")
    op.drop_table("puhui_operators")
