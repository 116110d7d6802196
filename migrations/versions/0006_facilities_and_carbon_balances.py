"""inventory: facility of an activity record; carbon balances and cross-sector checks of a compile

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

Coal chemicals and fuel transformation (2.B.8, 1.B.3) close a carbon mass balance per facility:

- ``activity_records.facility`` (nullable): the plant's name or USCC from the optional ``facility`` column of
  an activity file; NULL where none was named (the balance then closes per region × category);
- ``inventories.carbon_balances`` (JSON, nullable): each balance with its flows and intermediates;
- ``inventories.cross_sector`` (JSON, nullable): the compile's cross-sector findings (feedstock coal also in 1.A,
  ETS-verified plants beside region-level rows).

Only nullable columns added to existing tables, inside op.batch_alter_table() (engineering-notes §6), so the
migration runs up and down on SQLite and PostgreSQL and existing rows stay valid.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("activity_records") as batch:
        batch.add_column(sa.Column("facility", sa.String(length=200), nullable=True))
    with op.batch_alter_table("inventories") as batch:
        batch.add_column(sa.Column("carbon_balances", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("cross_sector", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inventories") as batch:
        batch.drop_column("cross_sector")
        batch.drop_column("carbon_balances")
    with op.batch_alter_table("activity_records") as batch:
        batch.drop_column("facility")
