"""Carbon-monitoring services: stacks, ingest of HJ 212 frames (idempotent per record), measured emissions and
their comparison with calculated emissions. HTTP-free; the caller owns the transaction (one commit per job or
request).

Ingest (``ingest_frames`` / ``ingest_text``):

1. read the frames together (``hj212.scan_lines``: CRCs in one batch, for each frame what ``hj212.parse_frame``
   gives or raises); a bad frame is reported with its line and message, not fatal;
2. keep hourly data (CN=2061) of known stacks (by MN; an emitter's token only reaches its own stacks) and known
   pollutant codes; one record per (stack, hour, pollutant): the ``Avg`` value (``Rtd`` if no Avg) and its flag;
3. store with ``store_hourly``: PostgreSQL: ``COPY`` into a temporary staging table (same pattern as
   carbon/inventory/bulk.py, CSV written directly), make the months' partitions, then ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``; SQLite:
   ``INSERT ... ON CONFLICT DO NOTHING`` per chunk. A record already stored (same stack, hour and pollutant) is
   not stored again and is counted as a duplicate: re-sending a frame, or a whole file, stores nothing twice.
   The first value stays; a correction is not an overwrite (the bureau would want to see both: left for later).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from carbon.core.errors import Conflict, NotFound, ValidationError
from carbon.ets.models import Emitter, Report
from carbon.ets.registry import get_emitter
from carbon.inventory import bulk
from carbon.monitoring import compute, hj212
from carbon.monitoring.models import PARTITION_SCHEMA, Hourly, Stack

HOURLY_CN = "2061"
COLUMNS = ("stack_id", "hour", "pollutant", "value", "flag")


# --- stacks -------------------------------------------------------------------------------------------------

def register_stack(session: Session, *, uscc: str, code: str, mn: str) -> Stack:
    e = get_emitter(session, uscc=uscc)
    code, mn = (code or "").strip(), (mn or "").strip()
    if not code:
        raise ValidationError(key="monitoring_stack_code_required", field="code")
    if not mn or len(mn) > 64:
        raise ValidationError(key="monitoring_mn_required", field="mn")
    if session.scalar(select(Stack.id).where(Stack.mn == mn)) is not None:
        raise Conflict(key="monitoring_mn_taken", params={"mn": mn}, field="mn")
    if session.scalar(select(Stack.id).where(Stack.emitter_id == e.id, Stack.code == code)) is not None:
        raise Conflict(key="monitoring_stack_taken", params={"code": code, "uscc": e.uscc}, field="code")
    s = Stack(emitter_id=e.id, code=code, mn=mn)
    session.add(s)
    session.flush()
    return s


def get_stack(session: Session, *, ref: str) -> Stack:
    """A stack by its MN, or by ``USCC:code``."""
    s = session.scalar(select(Stack).where(Stack.mn == ref.strip()))
    if s is None and ":" in ref:
        uscc, code = ref.split(":", 1)
        s = session.scalar(select(Stack).join(Emitter, Emitter.id == Stack.emitter_id)
                           .where(Emitter.uscc == uscc.strip().upper(), Stack.code == code.strip()))
    if s is None:
        raise NotFound(key="monitoring_stack_not_found", params={"ref": ref}, field="stack")
    return s


def list_stacks(session: Session, *, emitter_id: int | None = None) -> list[Stack]:
    q = select(Stack).order_by(Stack.emitter_id, Stack.code)
    if emitter_id is not None:
        q = q.where(Stack.emitter_id == emitter_id)
    return list(session.scalars(q))


# --- ingest ---------------------------------------------------------------------------------------------------

@dataclass
class IngestResult:
    frames: int = 0  # frames received
    hourly_frames: int = 0  # of which hourly data (CN=2061) of a known stack
    records: int = 0  # (stack, hour, pollutant) records in those frames
    stored: int = 0  # records newly stored
    duplicates: int = 0  # records already stored (a re-send): not stored again
    skipped: list[dict[str, Any]] = field(default_factory=list)  # frames parsed but not stored, and why
    errors: list[dict[str, Any]] = field(default_factory=list)  # frames that did not parse: line, message
    method: str = "none"  # copy | executemany | none

    def as_dict(self) -> dict[str, Any]:
        return {"frames": self.frames, "hourly_frames": self.hourly_frames, "records": self.records,
                "stored": self.stored, "duplicates": self.duplicates, "skipped": self.skipped,
                "errors": self.errors, "method": self.method}


def ingest_text(session: Session, *, text_: str, stack: Stack | None = None,
                emitter_id: int | None = None) -> IngestResult:
    """A text of frames, one per line (a DAU log file)."""
    lines = [(n, line.strip()) for n, line in enumerate(text_.splitlines(), start=1) if line.strip()]
    return _ingest(session, lines, stack=stack, emitter_id=emitter_id)


def ingest_frames(session: Session, *, frames: list[str], emitter_id: int | None = None) -> IngestResult:
    """Frames as sent by data acquisition units (``emitter_id``: only that emitter's stacks are reachable)."""
    return _ingest(session, list(enumerate(frames, start=1)), emitter_id=emitter_id)


def _ingest(session: Session, lines: list[tuple[int, str]], *, stack: Stack | None = None,
            emitter_id: int | None = None) -> IngestResult:
    """Frames read together by ``hj212.scan_lines`` (batch CRC; for each frame, what ``parse_frame`` would give
    or raise), then checked frame by frame in the order below; the records go straight into the columns."""
    out = IngestResult(frames=len(lines))
    q = select(Stack.mn, Stack.id)
    if emitter_id is not None:
        q = q.where(Stack.emitter_id == emitter_id)
    if stack is not None:
        q = q.where(Stack.id == stack.id)
    stacks = dict(session.execute(q).all())
    cols: dict[str, list] = {c: [] for c in COLUMNS}
    stack_ids, hours, pollutants, values, flags = (cols[c] for c in COLUMNS)
    utc_hours: dict[datetime, datetime | None] = {}  # DataTime -> its UTC hour (None: not on the hour), once each
    pollutant_codes = hj212.POLLUTANTS
    scans = hj212.scan_lines([line for _number, line in lines])
    for (number, _line), scan in zip(lines, scans, strict=True):
        if isinstance(scan, hj212.ParseError):
            out.errors.append({"line": number, "message": scan.message, "field": scan.field})
            continue
        header, data_time, readings = scan
        mn = header["MN"]
        stack_id = stacks.get(mn)
        if stack_id is None:
            why = (f"MN {mn} is not stack {stack.code} (MN {stack.mn})" if stack is not None
                   else f"unknown MN {mn}: register the stack first")
            out.errors.append({"line": number, "message": why, "field": "MN"})
            continue
        cn = header["CN"]
        if cn != HOURLY_CN:
            out.skipped.append({"line": number, "reason": f"CN={cn} ({hj212.CN_KINDS.get(cn, 'other')}): only "
                                                          f"hourly data (CN={HOURLY_CN}) is stored"})
            continue
        try:
            hour = utc_hours[data_time]
        except KeyError:
            hour = data_time.astimezone(UTC)
            hour = utc_hours[data_time] = None if hour.minute or hour.second else hour
        if hour is None:
            out.errors.append({"line": number, "message": f"hourly DataTime {data_time:%Y%m%d%H%M%S} is not "
                                                          "on the hour", "field": "DataTime"})
            continue
        out.hourly_frames += 1
        for code, (fields, flag) in readings.items():
            value = fields.get("Avg")  # hj212.Reading.value(): Avg, else Rtd
            if value is None:
                value = fields.get("Rtd")
            if value is None or code not in pollutant_codes:
                continue
            stack_ids.append(stack_id)
            hours.append(hour)
            pollutants.append(code)
            values.append(value)
            flags.append(flag)
    out.records = len(hours)
    out.stored, out.method = store_hourly(session, cols)
    out.duplicates = out.records - out.stored
    return out


def store_hourly(session: Session, columns: dict[str, list]) -> tuple[int, str]:
    """Store records given as columns ``stack_id, hour (tz-aware), pollutant, value, flag``; returns (newly
    stored, method). Records already present are skipped (``ON CONFLICT DO NOTHING``)."""
    n = len(columns["hour"])
    if n == 0:
        return 0, "none"
    if None in set(map(attrgetter("tzinfo"), columns["hour"])):
        raise ValidationError(key="monitoring_hours_naive", field="hour")
    session.flush()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # per distinct hour, not per record (a frame's records share their hour, an ingest's stacks their hours)
        hour_texts = {h: h.astimezone(UTC).isoformat() for h in dict.fromkeys(columns["hour"])}
        ensure_partitions(session, months_of(hour_texts))
        connection.exec_driver_sql("CREATE TEMPORARY TABLE IF NOT EXISTS cems_hourly_stage "
                                   "(LIKE cems_hourly INCLUDING DEFAULTS) ON COMMIT DROP")
        connection.exec_driver_sql("TRUNCATE cems_hourly_stage")
        _copy_stage(connection, columns, n, hour_texts)
        result = connection.exec_driver_sql(
            "INSERT INTO cems_hourly (stack_id, hour, pollutant, value, flag) "
            "SELECT stack_id, hour, pollutant, value, flag FROM cems_hourly_stage ON CONFLICT DO NOTHING")
        return result.rowcount, "copy"
    stmt = sqlite_insert(Hourly.__table__).on_conflict_do_nothing()
    stored = 0
    rows = [dict(zip(COLUMNS, r)) for r in zip(*(columns[c] for c in COLUMNS), strict=True)]
    for start in range(0, n, bulk.CHUNK):
        stored += connection.execute(stmt, rows[start:start + bulk.CHUNK]).rowcount
    return stored, "executemany"


def _copy_stage(connection, columns: dict[str, list], n: int, hour_texts: dict[datetime, str]) -> None:
    """COPY the records into the staging table. The CSV is written here rather than by carbon/inventory/bulk.py's
    pandas ``to_csv`` (which took a third of the store time in bench/monitoring.py): five known columns, the text
    ones (pollutant codes, flags) from closed sets that need no quoting; ``hour_texts``: each distinct hour as
    ISO 8601 text, formatted once."""
    dbapi = connection.connection.driver_connection  # psycopg.Connection, in the session's transaction
    with dbapi.cursor() as cursor, cursor.copy(
            "COPY cems_hourly_stage (stack_id, hour, pollutant, value, flag) FROM STDIN WITH (FORMAT csv)") as copy:
        cols = [columns[c] for c in COLUMNS]
        for start in range(0, n, bulk.COPY_CHUNK):
            stop = min(start + bulk.COPY_CHUNK, n)
            lines = [f"{sid},{hour_texts[hour]},{code},{value!r},{flag or ''}\n"
                     for sid, hour, code, value, flag in zip(*(c[start:stop] for c in cols), strict=True)]
            copy.write("".join(lines).encode("ascii"))


def months_of(hours: Iterable[datetime]) -> list[tuple[int, int]]:
    """The (year, month) in UTC of the hours, sorted, each once."""
    months = set()
    for h in hours:
        u = h.astimezone(UTC)
        months.add((u.year, u.month))
    return sorted(months)


def partition_name(year: int, month: int) -> str:
    return f"cems_hourly_{year:04d}{month:02d}"


def ensure_partitions(session: Session, months: list[tuple[int, int]]) -> list[str]:
    """PostgreSQL: create the monthly partitions of ``cems_hourly`` that do not exist yet (UTC months).

    Serialised by a transaction-scoped advisory lock (two ingests of a new month would otherwise race on the
    CREATE). Rows that already sit in the default partition for that month are moved into the new partition
    (PostgreSQL refuses to create a partition whose range the default partition holds rows of).
    """
    connection = session.connection()
    created: list[str] = []
    locked = False
    for year, month in months:
        name = partition_name(year, month)
        if connection.exec_driver_sql(f"SELECT to_regclass('{PARTITION_SCHEMA}.{name}')").scalar() is not None:
            continue
        if not locked:
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('cems_hourly_partitions'))")
            locked = True
            if connection.exec_driver_sql(f"SELECT to_regclass('{PARTITION_SCHEMA}.{name}')").scalar() is not None:
                continue
        lo = f"{year:04d}-{month:02d}-01 00:00:00+00"
        hi = f"{year + (month == 12):04d}-{month % 12 + 1:02d}-01 00:00:00+00"
        default = f"{PARTITION_SCHEMA}.cems_hourly_default"
        where = f"hour >= '{lo}' AND hour < '{hi}'"
        moved = connection.exec_driver_sql(f"SELECT count(*) FROM {default} WHERE {where}").scalar()
        if moved:
            connection.exec_driver_sql(f"CREATE TEMPORARY TABLE cems_moved ON COMMIT DROP AS "
                                       f"SELECT * FROM {default} WHERE {where}")
            connection.exec_driver_sql(f"DELETE FROM {default} WHERE {where}")
        connection.exec_driver_sql(f"CREATE TABLE {PARTITION_SCHEMA}.{name} PARTITION OF cems_hourly "
                                   f"FOR VALUES FROM ('{lo}') TO ('{hi}')")
        if moved:
            connection.exec_driver_sql("INSERT INTO cems_hourly SELECT * FROM cems_moved")
            connection.exec_driver_sql("DROP TABLE cems_moved")
        created.append(name)
    return created


# --- measured emissions and comparison ------------------------------------------------------------------------

def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise ValidationError(key="monitoring_time_naive", params={"name": name}, field=name)
    return value.astimezone(UTC)


def hourly_frame(session: Session, *, stack_ids: list[int], start: datetime, end: datetime) -> pd.DataFrame:
    """The stored hourly values ``stack_id, hour, pollutant, value, flag`` of ``[start, end)``."""
    q = (select(Hourly.stack_id, Hourly.hour, Hourly.pollutant, Hourly.value, Hourly.flag)
         .where(Hourly.stack_id.in_(stack_ids), Hourly.hour >= _utc(start, "start"), Hourly.hour < _utc(end, "end"))
         .order_by(Hourly.stack_id, Hourly.hour, Hourly.pollutant))
    rows = session.execute(q).all()
    return pd.DataFrame(rows, columns=list(COLUMNS))


def stack_emissions(session: Session, *, stack: Stack, start: datetime, end: datetime,
                    basis: compute.Basis | None = None, flatline_hours: int = compute.DEFAULT_FLATLINE_HOURS,
                    ranges: dict[str, tuple[float, float]] | None = None) -> compute.Measured:
    df = hourly_frame(session, stack_ids=[stack.id], start=start, end=end)
    return compute.measured_emissions(df, _utc(start, "start"), _utc(end, "end"), basis=basis,
                                      flatline_hours=flatline_hours, ranges=ranges)


def calculated_for_year(session: Session, *, emitter: Emitter, year: int) -> int:
    """The latest reported emissions (t) of the emitter's yearly ETS report (``ets_reports``)."""
    r = session.scalar(select(Report).where(Report.emitter_id == emitter.id, Report.year == year)
                       .order_by(Report.version.desc()).limit(1))
    if r is None:
        raise NotFound(key="monitoring_no_ets_report", params={"uscc": emitter.uscc, "year": year}, field="calculated_t")
    return r.reported_emissions_t


def compare_emitter(session: Session, *, uscc: str, start: datetime, end: datetime,
                    calculated_t: float | None = None, year: int | None = None,
                    thresholds: dict[str, float] | None = None, min_coverage: float = compute.DEFAULT_MIN_COVERAGE,
                    flatline_hours: int = compute.DEFAULT_FLATLINE_HOURS) -> dict[str, Any]:
    """Measured (sum over the emitter's stacks) vs calculated emissions of ``[start, end)``.

    ``calculated_t``: the accounting figure for the same period; without it, the emitter's ETS report of
    ``year`` (then the period should be that year).
    """
    e = get_emitter(session, uscc=uscc)
    stacks = list_stacks(session, emitter_id=e.id)
    if not stacks:
        raise NotFound(key="monitoring_no_stack", params={"uscc": e.uscc}, field="uscc")
    if calculated_t is None:
        if year is None:
            raise ValidationError(key="monitoring_calculated_or_year", field="calculated_t")
        calculated_t = float(calculated_for_year(session, emitter=e, year=year))
    per_stack = {}
    total, hours, valid, issues = 0.0, 0, 0, 0
    for s in stacks:
        m = stack_emissions(session, stack=s, start=start, end=end, flatline_hours=flatline_hours)
        per_stack[s.code] = {"mn": s.mn, **m.as_dict()}
        total += m.total_t
        hours += m.hours_in_period
        valid += m.hours_valid
        issues += len(m.issues)
    coverage = valid / hours if hours else 0.0
    cmp = compute.compare(measured_t=total, calculated_t=calculated_t, industry=e.industry, emitter=e.uscc,
                          period=(_utc(start, "start"), _utc(end, "end")), stacks=[s.code for s in stacks],
                          coverage=coverage, quality_issues=issues, thresholds=thresholds, min_coverage=min_coverage)
    return {"emitter": e.uscc, "industry": e.industry, "start": _utc(start, "start"), "end": _utc(end, "end"),
            "stacks": per_stack, **cmp.as_dict()}


def count_hourly(session: Session, *, stack_id: int | None = None) -> int:
    q = select(func.count()).select_from(Hourly)
    if stack_id is not None:
        q = q.where(Hourly.stack_id == stack_id)
    return session.scalar(q) or 0

