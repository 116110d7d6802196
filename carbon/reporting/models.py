"""Report jobs: a PDF rendered in the background, its status persisted, the file kept in the database.

A job is ``queued`` when submitted, ``running`` while a worker renders it, then ``done`` (``pdf`` holds the
file) or ``failed`` (``error`` says why). Workers claim a queued job with a conditional UPDATE, so any number
of API processes (each runs one worker thread, see ``carbon.reporting.service``) never render one job twice.
The worker refreshes ``heartbeat_at`` while it renders; a job left ``running`` by a process that died is taken
again once its heartbeat is older than the lease, or at once when a worker on the same host sees that the pid
named in ``worker`` is gone (``carbon.reporting.jobs``).

The PDF is stored in the row (a few hundred KB): no object store is needed for one bureau; ``sha256`` lets a
downloader check it. ``params`` records what was asked for (year, inventory id and version, numerator, …).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from carbon.core.db import Base, UTCDateTime, choice, utcnow

JOB_STATUSES = ("queued", "running", "done", "failed")
JOB_KINDS = ("inventory",)


class ReportJob(Base):
    __tablename__ = "report_jobs"
    __table_args__ = (Index("ix_report_jobs_status", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(choice(JOB_KINDS, name="kind", length=16))
    status: Mapped[str] = mapped_column(choice(JOB_STATUSES, name="status", length=16), default="queued")
    inventory_id: Mapped[int | None] = mapped_column(Integer, index=True)  # no FK: a report outlives a draft
    year: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict] = mapped_column(JSON)
    requested_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # refreshed by the worker while running
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int | None] = mapped_column(Integer)
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    seconds: Mapped[float | None] = mapped_column(Float)
    sha256: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(200))
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
