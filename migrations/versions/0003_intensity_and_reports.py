"""intensity: economic data, targets, plan indicators, report jobs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

Reserved in the linear chain so that the intensity (0003), ETS (0004) and 碳普惠 (0005) domains can be
built side by side; each fills in its own tables.

Checklist (engineering-notes §6): runs up AND down on SQLite and PostgreSQL; constraint names explicit
and wrapped in op.f(); enums as sa.Enum(..., native_enum=False, create_constraint=True); changes to
existing tables inside op.batch_alter_table(); data migrations use sa.table(), never ORM models.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
