"""ETS figures: the stateless calculator and ledger writes.

    .venv/bin/python bench/ets.py [--reports 2000] [--surrenders 500] [--pg URL]

- compute: `carbon.ets.report.compute_report` on example E-1 with 4 units (one CHP), reports/s.
- surrender: sequential surrenders through `carbon.ets.service.surrender` (emitter row lock, balance from
  entries, one commit each) on a scratch SQLite file, and on PostgreSQL with --pg (THAT DATABASE IS WIPED);
  surrenders/s and the balance query time as entries grow.
No targets are asserted; the script prints figures.
"""

from __future__ import annotations

import argparse
import copy
import tempfile
import time
from pathlib import Path

from carbon.core import migrate
from carbon.core.db import make_engine, session_scope
from carbon.ets import ledger, service
from carbon.ets.models import Allocation
from carbon.ets.report import compute_report
from carbon.ets.uscc import make_uscc

E1_UNIT = {
    "id": "1", "type": "coal_300_plus", "capacity_mw": 600, "cooling": "water", "operating_hours": 6000,
    "fuels": [{"name": "原煤", "quantity": 1_500_000, "unit": "t", "ncv": 20.0, "ncv_unit": "GJ/t",
               "carbon_content": 0.027, "carbon_content_unit": "tC/GJ", "oxidation": 0.99}],
    "purchased_electricity_mwh": 10_000, "gross_generation_mwh": 3_300_000, "supplied_mwh": 3_118_500,
}


def bench_compute(n: int) -> None:
    units = []
    for i in range(4):
        u = copy.deepcopy(E1_UNIT)
        u["id"] = str(i + 1)
        if i == 3:
            u.update(heat_ratio=0.2, heat_supplied_gj=2_000_000)
            u["fuels"][0].pop("carbon_content"), u["fuels"][0].pop("carbon_content_unit")
        units.append(u)
    report = {"year": 2022, "units": units}
    compute_report(report)
    t0 = time.perf_counter()
    for _ in range(n):
        compute_report(report)
    dt = time.perf_counter() - t0
    print(f"compute: {n} reports of 4 units in {dt:.2f} s = {n / dt:,.0f} reports/s ({dt / n * 1e3:.2f} ms each)")


def bench_surrender(url: str, n: int, label: str) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    uscc = make_uscc("91150602MA0N00001")
    try:
        with session_scope(engine) as s:
            service.create_emitter(s, uscc=uscc, name="bench", actor="bench")
            e = service.get_emitter(s, uscc=uscc)
            s.add(Allocation(emitter_id=e.id, year=2023, kind="final", amount_t=n, obligation_t=n, basis={},
                             rules_version="bench"))
            service.apply_operation(s, op=ledger.Operation("issue", uscc, "CEA", 2023, n, year=2023), actor="bench")
        t0 = time.perf_counter()
        for i in range(n):
            with session_scope(engine) as s:
                service.surrender(s, uscc=uscc, year=2023, asset="CEA", vintage=2023, amount_t=1, actor="bench",
                                  idempotency_key=f"bench-{i}")
        dt = time.perf_counter() - t0
        with session_scope(engine) as s:
            t1 = time.perf_counter()
            bal = service.balances(s, owner=uscc)
            q = time.perf_counter() - t1
        print(f"surrender ({label}): {n} in {dt:.2f} s = {n / dt:,.0f}/s; balance query {q * 1e3:.1f} ms; "
              f"final balance {bal[0]['balance_t']}")
    finally:
        engine.dispose()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reports", type=int, default=2000)
    p.add_argument("--surrenders", type=int, default=500)
    p.add_argument("--pg", default=None, help="PostgreSQL URL (wiped)")
    a = p.parse_args()
    bench_compute(a.reports)
    with tempfile.TemporaryDirectory() as d:
        bench_surrender(f"sqlite:///{Path(d) / 'bench.db'}", a.surrenders, "SQLite")
    if a.pg:
        engine = make_engine(a.pg)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
        bench_surrender(a.pg, a.surrenders, "PostgreSQL")


if __name__ == "__main__":
    main()
