"""CEMS hourly ingest into PostgreSQL beside a raw COPY of the same rows.

    CARBON_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/scratch .venv/bin/python bench/monitoring.py \
        [--stacks 50] [--days 31] [--repeat 3]

THE DATABASE IS WIPED (DROP SCHEMA public CASCADE): point it at a scratch database only. Without a PostgreSQL
URL in CARBON_BENCH_DATABASE_URL (or CARBON_TEST_DATABASE_URL, or --pg) the script says so and exits 0.

Rows: ``stacks × days × 24 h × 3 pollutants`` (CO2, flow, humidity), across two calendar months (two partitions).
Each measurement starts from an empty ``cems_hourly`` (TRUNCATE; the partitions stay), then commits:

- store: ``carbon.monitoring.service.store_hourly`` on the records as columns (the ingest path after parsing:
  COPY into a temporary staging table, partitions checked, ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``);
- ingest: ``service.ingest_frames`` on the HJ 212 frames of the same rows (parse + CRC + store), end to end;
- resend: the same frames again (nothing stored: every record is a duplicate);
- COPY: psycopg ``COPY cems_hourly FROM STDIN`` of the same rows, one CSV buffer prepared beforehand (baseline).

Target (issue 16, point 4): ingest (parse + store, end to end) >= 1/3 of COPY's rows/s. Prints rows/s of each,
that ratio (ingest / COPY) and beside it store / COPY (the store part alone); asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from datetime import UTC, datetime, timedelta

from carbon.core import migrate
from carbon.core.db import make_engine, session_factory
from carbon.core.db import session_scope
from carbon.ets import service as ets
from carbon.ets.uscc import make_uscc
from carbon.monitoring import service
from carbon.monitoring.hj212 import BEIJING, build_frame

START = datetime(2024, 1, 20, tzinfo=UTC)


def reset(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS cems_partitions CASCADE")
    engine.dispose()


def synthetic(stack_ids: list[int], mns: list[str], days: int) -> tuple[dict[str, list], list[str]]:
    cols: dict[str, list] = {c: [] for c in service.COLUMNS}
    frames: list[str] = []
    for sid, mn in zip(stack_ids, mns, strict=True):
        for i in range(days * 24):
            h = START + timedelta(hours=i)
            co2, flow, hum = 250_000.0 + (i % 7) * 100, 500.0 + (i % 5), 8.0 + (i % 3) * 0.1
            for code, v in (("a05001", co2), ("a00000", flow), ("a01014", hum)):
                cols["stack_id"].append(sid)
                cols["hour"].append(h)
                cols["pollutant"].append(code)
                cols["value"].append(v)
                cols["flag"].append("N")
            t = h.astimezone(BEIJING)
            frames.append(build_frame(
                f"QN={t:%Y%m%d%H%M%S}000;ST=31;CN=2061;PW=123456;MN={mn};Flag=4;CP=&&DataTime={t:%Y%m%d%H%M%S};"
                f"a05001-Avg={co2},a05001-Flag=N;a00000-Avg={flow},a00000-Flag=N;a01014-Avg={hum},a01014-Flag=N&&"))
    return cols, frames


def truncate(engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE cems_hourly")


def timed(engine, work) -> tuple[float, object]:
    truncate(engine)
    factory = session_factory(engine)
    t0 = time.perf_counter()
    with session_scope(factory) as s:
        out = work(s)
    return time.perf_counter() - t0, out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pg", default=os.environ.get("CARBON_BENCH_DATABASE_URL") or os.environ.get("CARBON_TEST_DATABASE_URL"))
    p.add_argument("--stacks", type=int, default=50)
    p.add_argument("--days", type=int, default=31)
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    if not a.pg or not a.pg.startswith("postgresql"):
        print("skipped: no PostgreSQL URL (set CARBON_BENCH_DATABASE_URL or CARBON_TEST_DATABASE_URL, or --pg)")
        return
    reset(a.pg)
    migrate.upgrade(a.pg)
    engine = make_engine(a.pg)
    try:
        with session_scope(engine) as s:
            uscc = make_uscc("91150602MA0N00001")
            ets.create_emitter(s, uscc=uscc, name="bench", actor="bench")
            stacks = [service.register_stack(s, uscc=uscc, code=f"{i + 1}#", mn=f"BENCH-{i:04d}")
                      for i in range(a.stacks)]
            ids, mns = [x.id for x in stacks], [x.mn for x in stacks]
        cols, frames = synthetic(ids, mns, a.days)
        n = len(cols["hour"])
        csv = io.StringIO()
        for row in zip(*(cols[c] for c in service.COLUMNS)):
            csv.write(f"{row[0]},{row[1].isoformat()},{row[2]},{row[3]!r},{row[4]}\n")
        payload = csv.getvalue().encode()
        print(f"{n:,} hourly records ({a.stacks} stacks × {a.days} days × 24 h × 3 pollutants), "
              f"{len(frames):,} frames; PostgreSQL {engine.dialect.server_version_info}")
        # warm-up: creates the partitions, so every measurement below sees the same table
        timed(engine, lambda s: service.store_hourly(s, cols))

        def raw_copy(s):
            dbapi = s.connection().connection.driver_connection
            with dbapi.cursor() as cur, cur.copy("COPY cems_hourly (stack_id, hour, pollutant, value, flag) "
                                                 "FROM STDIN WITH (FORMAT csv)") as cp:
                cp.write(payload)

        best: dict[str, float] = {}
        for _ in range(a.repeat):
            for name, work in (("COPY", raw_copy), ("store", lambda s: service.store_hourly(s, cols)),
                               ("ingest", lambda s: service.ingest_frames(s, frames=frames))):
                dt, _out = timed(engine, work)
                best[name] = min(best.get(name, dt), dt)
        with session_scope(engine) as s:
            service.ingest_frames(s, frames=frames)
        t0 = time.perf_counter()
        with session_scope(engine) as s:
            again = service.ingest_frames(s, frames=frames)
        best["resend"] = time.perf_counter() - t0
        assert again.stored == 0 and again.duplicates == n
        for name in ("COPY", "store", "ingest", "resend"):
            print(f"{name:>7}: {best[name]:7.3f} s  {n / best[name]:12,.0f} rows/s")
        print(f"ingest (parse + store, end to end) / COPY rate ratio: {best['COPY'] / best['ingest']:.2f} "
              f"(target >= 0.33); store / COPY: {best['COPY'] / best['store']:.2f}")
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
