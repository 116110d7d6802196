"""inventory: a notation-key record has no quantity (activity_records.quantity NULL), and a record has a figure or a
notation key, never both nor neither (ck_activity_records_figure_or_notation)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

Issue 19, point 1: a row ``原油,NO,,`` (a notation key, IPCC 2006 Vol 1 Ch 8 Table 8.1, instead of a figure, and no
unit) was stored with quantity 0, a figure it never had. From here its quantity is NULL; the records 0002-0009
stored that way (notation set, quantity 0) become NULL. Downgrade writes 0 back. The unit of such a row stays the
empty string (NOT NULL text, as before).


Checklist (engineering-notes §6): runs up AND down on SQLite and PostgreSQL; changes to existing tables inside
op.batch_alter_table(); constraint name explicit and wrapped in op.f(); no database reads (the data change is one
UPDATE, which ``alembic upgrade --sql`` renders).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "(quantity IS NULL) = (notation IS NOT NULL)"


def upgrade() -> None:
    with op.batch_alter_table("activity_records") as batch:
        batch.alter_column("quantity", existing_type=sa.Float(), nullable=True)
    op.execute("UPDATE activity_records SET quantity = NULL WHERE notation IS NOT NULL")
    with op.batch_alter_table("activity_records") as batch:
        batch.create_check_constraint(op.f("ck_activity_records_figure_or_notation"), CHECK)


def downgrade() -> None:
    with op.batch_alter_table("activity_records") as batch:
        batch.drop_constraint(op.f("ck_activity_records_figure_or_notation"), type_="check")
    op.execute("UPDATE activity_records SET quantity = 0 WHERE quantity IS NULL")
    with op.batch_alter_table("activity_records") as batch:
        batch.alter_column("quantity", existing_type=sa.Float(), nullable=False)
