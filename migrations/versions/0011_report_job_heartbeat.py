"""reporting: a heartbeat on report jobs (report_jobs.heartbeat_at), so a crashed worker's job is taken again soon

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

One nullable column on an existing table (issue 17, point 4; see carbon/reporting/jobs.py): the worker rendering
a job refreshes ``heartbeat_at`` every third of the lease (setting ``report_job_lease_seconds``); a ``running``
job whose heartbeat (or, before the first one, start) is older than the lease is claimable again. Existing rows
keep NULL: their ``started_at`` stands in.

Checklist (engineering-notes §6): runs up AND down on SQLite and PostgreSQL; changes to existing tables inside
op.batch_alter_table(); no database reads.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_jobs") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_jobs") as batch:
        batch.drop_column("heartbeat_at")
