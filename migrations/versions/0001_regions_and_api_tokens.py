"""regions (Ordos and its 9 banners/districts, seeded) and api_tokens

Revision ID: 0001
Revises:
Create Date: 2025-11-28

The seed rows are written out here, not imported from carbon.core.regions: a migration must produce
the same database forever, whatever the application code says later. Children find their parent with
a sub-select, so no explicit ids are inserted (an explicit id would not advance PostgreSQL's sequence
and the next insert would collide).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEVELS = ("city", "county")
ROLES = ("bureau", "verifier", "emitter", "citizen")

CITY = ("150600", "鄂尔多斯市", "Ordos")
BANNERS = (
    ("150602", "东胜区", "Dongsheng"),
    ("150603", "康巴什区", "Kangbashi"),
    ("150621", "达拉特旗", "Dalad"),
    ("150622", "准格尔旗", "Jungar"),
    ("150623", "鄂托克前旗", "Otog Front"),
    ("150624", "鄂托克旗", "Otog"),
    ("150625", "杭锦旗", "Hanggin"),
    ("150626", "乌审旗", "Uxin"),
    ("150627", "伊金霍洛旗", "Ejin Horo"),
)


def _choice(values: tuple[str, ...], constraint: str) -> sa.Enum:
    """VARCHAR(32) + CHECK with an explicit, final name (matches carbon.core.db.choice)."""
    return sa.Enum(*values, name=op.f(constraint), native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name_zh", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=64), nullable=False),
        sa.Column("level", _choice(LEVELS, "ck_regions_level"), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["regions.id"], name=op.f("fk_regions_parent_id_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("code", name=op.f("uq_regions_code")),
    )
    op.create_index(op.f("ix_regions_parent_id"), "regions", ["parent_id"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", _choice(ROLES, "ck_api_tokens_role"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )

    regions = sa.table(
        "regions",
        sa.column("id", sa.Integer()),
        sa.column("code", sa.String()),
        sa.column("name_zh", sa.String()),
        sa.column("name_en", sa.String()),
        sa.column("level", sa.String()),
        sa.column("parent_id", sa.Integer()),
    )
    code, name_zh, name_en = CITY
    op.execute(regions.insert().values(code=code, name_zh=name_zh, name_en=name_en, level="city"))
    city_id = sa.select(regions.c.id).where(regions.c.code == code).scalar_subquery()
    for code, name_zh, name_en in BANNERS:
        op.execute(
            regions.insert().values(
                code=code, name_zh=name_zh, name_en=name_en, level="county", parent_id=city_id
            )
        )


def downgrade() -> None:
    op.drop_table("api_tokens")
    op.drop_index(op.f("ix_regions_parent_id"), table_name="regions")
    op.drop_table("regions")
