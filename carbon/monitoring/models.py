"""Tables of the carbon-monitoring domain (prefixed ``cems_``).

- ``cems_stacks``: a monitored stack (排放口) of a key emitter: its code at the emitter and the MN (设备唯一标识)
  its data acquisition unit puts in every HJ 212 frame.
- ``cems_hourly``: one value per (stack, hour, pollutant): the hourly average (HJ 212 CN=2061 ``-Avg``) as sent,
  in the units of ``carbon.monitoring.hj212.POLLUTANTS``, with its flag. The primary key is the idempotency key:
  a frame sent again stores nothing (the first value stays). ``hour`` is the start of the hour, UTC.

On PostgreSQL ``cems_hourly`` is partitioned by range of ``hour``, one partition per calendar month (UTC) in the
schema ``cems_partitions`` (created on ingest, ``carbon.monitoring.service.ensure_partitions``), plus a default
partition; see migrations/versions/0009_cems.py and docs/monitoring.md. On SQLite it is a plain table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carbon.core.db import Base, UTCDateTime, choice, utcnow
from carbon.monitoring.hj212 import FLAGS

PARTITION_SCHEMA = "cems_partitions"


class Stack(Base):
    __tablename__ = "cems_stacks"
    __table_args__ = (UniqueConstraint("emitter_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    emitter_id: Mapped[int] = mapped_column(ForeignKey("ets_emitters.id"))
    code: Mapped[str] = mapped_column(String(64))  # the emitter's name for it, e.g. "1#"
    mn: Mapped[str] = mapped_column(String(64), unique=True)  # HJ 212 MN of its data acquisition unit
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Hourly(Base):
    __tablename__ = "cems_hourly"
    __table_args__ = {"postgresql_partition_by": "RANGE (hour)"}

    stack_id: Mapped[int] = mapped_column(ForeignKey("cems_stacks.id", ondelete="CASCADE"), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    pollutant: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[float] = mapped_column(Float)  # a measurement, in the pollutant's unit (hj212.POLLUTANTS)
    flag: Mapped[str | None] = mapped_column(choice(tuple(FLAGS), name="flag", length=1))
