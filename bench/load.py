"""Store load of activity records beside a bare PostgreSQL COPY of the same rows.

    .venv/bin/python bench/load.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test [--sizes ...]

THE DATABASE IS WIPED (DROP SCHEMA public CASCADE): point it at a scratch database only.

For each size N (the same synthetic records as bench/compile.py, written as a CSV file):
- import: `service.import_activity` end to end (read and validate the file, resolve names, COPY into
  activity_records with its foreign keys and index, in one transaction), then commit;
- write: `bulk.insert_columns` alone for the already-validated rows (the COPY stage of the import);
- COPY: psycopg `COPY ... FROM STDIN` of the same rows, as one CSV buffer prepared beforehand, into
  activity_records itself (same table, same foreign-key checks and index: the baseline for the target);
- bare COPY: the same into a table made `LIKE activity_records INCLUDING ALL` (same columns and index, no
  foreign keys), to show what the two foreign-key checks per row cost.
Target (issue 2): load <= 3x COPY.
"""

from __future__ import annotations

import argparse
import os
import time

import pandas as pd
from sqlalchemy import text

# A million rows is past the default input limits (carbon/core/input_limits.py, settings input_max_*): raise them
# for this process before any setting is read. An explicit environment still wins.
for _name, _value in {"CARBON_INPUT_MAX_ROWS": "20000000", "CARBON_INPUT_MAX_CELLS": "400000000",
                      "CARBON_INPUT_MAX_UPLOAD_BYTES": str(8 * 2**30)}.items():
    os.environ.setdefault(_name, _value)

from bench.compile import synthetic  # noqa: E402
from carbon.core import migrate  # noqa: E402
from carbon.core.db import make_engine, session_factory  # noqa: E402
from carbon.inventory import bulk, service  # noqa: E402
from carbon.inventory.io import read_activity  # noqa: E402
from carbon.inventory.models import ActivityRecord  # noqa: E402

COLUMNS = ["inventory_id", "batch_id", "region_code", "year", "category", "item", "quantity", "unit", "notation", "note", "source_row"]


def reset(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    migrate.upgrade(url)


def csv_file(n: int) -> bytes:
    df = synthetic(n)
    out = pd.DataFrame({c: df[c].astype(str) for c in ("region", "year", "category", "item")})
    out["quantity"] = df["quantity"].map(lambda v: f"{v:.6f}")
    out["unit"] = df["unit"].astype(str)
    return out[["region", "year", "category", "item", "quantity", "unit"]].to_csv(index=False).encode()


def run(sizes: list[int], url: str, _synthetic=None) -> None:
    print(f"{'records':>10} {'import s':>9} {'write s':>8} {'COPY s':>8} {'bare COPY s':>12} {'import/COPY':>12} "
          f"{'write/COPY':>11} {'import/bare':>12}")
    for n in sizes:
        reset(url)
        engine = make_engine(url)
        Session = session_factory(engine)
        content = csv_file(n)
        with Session() as s:
            inv = service.create_inventory(s, year=2022)
            s.commit()
            inv_id = inv.id
        t0 = time.perf_counter()
        with Session() as s:
            batch = service.import_activity(s, inventory_id=inv_id, content=content, filename="bench.csv")
            s.commit()
            batch_id = batch.id
        t_import = time.perf_counter() - t0
        act = read_activity(content, "bench.csv")
        with Session() as s:
            t0 = time.perf_counter()
            bulk.insert_columns(s, ActivityRecord.__table__, {
                "inventory_id": inv_id, "batch_id": batch_id, "region_code": act["region"], "year": act["year"],
                "category": act["category"], "item": act["item"], "quantity": act["quantity"], "unit": act["unit"],
                "notation": None, "note": None, "source_row": act["row"]}, n)
            s.commit()
            t_write = time.perf_counter() - t0
        frame = pd.DataFrame({"inventory_id": inv_id, "batch_id": batch_id, "region_code": act["region"].astype(str),
                              "year": act["year"], "category": act["category"].astype(str), "item": act["item"].astype(str),
                              "quantity": act["quantity"], "unit": act["unit"].astype(str), "notation": None, "note": None,
                              "source_row": act["row"]})
        buffer = frame[COLUMNS].to_csv(index=False, header=False).encode()
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE copy_scratch (LIKE activity_records INCLUDING ALL)"))
        t_copy = _copy(engine, "activity_records", buffer)
        t_bare = _copy(engine, "copy_scratch", buffer)
        engine.dispose()
        print(f"{n:>10,} {t_import:>9.2f} {t_write:>8.2f} {t_copy:>8.2f} {t_bare:>12.2f} {t_import / t_copy:>12.2f} "
              f"{t_write / t_copy:>11.2f} {t_import / t_bare:>12.2f}")


def _copy(engine, table: str, buffer: bytes) -> float:
    raw = engine.raw_connection()
    try:
        dbapi = raw.driver_connection
        t0 = time.perf_counter()
        with dbapi.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)") as cp:
            view = memoryview(buffer)
            for start in range(0, len(view), 1 << 20):
                cp.write(view[start:start + (1 << 20)])
        dbapi.commit()
        return time.perf_counter() - t0
    finally:
        raw.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg", required=True)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = ap.parse_args()
    run(args.sizes, args.pg)


if __name__ == "__main__":
    main()
