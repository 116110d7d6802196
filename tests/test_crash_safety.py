"""Crash safety (issue 17, point 4): a process killed (SIGKILL) in the middle of a workflow leaves nothing partial.

Each test starts the real CLI in a child process against the test database (SQLite file, or PostgreSQL with
CARBON_TEST_DATABASE_URL), makes it stop *inside* its transaction after it has written rows, kills it with
SIGKILL, then checks from outside that nothing of the interrupted work is visible, and runs the same command again
again (the restart: new connections, in the test's process to save the seconds a child spends importing), which
must succeed and give what a clean run gives.

How the kill lands in the middle, deterministically and without a hook in production code: the child wraps one
function of the workflow (``STALL`` below, test code only) so that, once the rows are written but before the
commit, it writes a marker file and sleeps; the test waits for the marker and kills the child.

Workflows: activity import (killed mid-COPY/INSERT, after the first 20 000 of 25 000 rows), stored compile (after
the results are written), a report job (while rendering; the restarted worker takes the orphaned job at once
because its pid is gone, without waiting for the lease), CEMS ingest (after the hourly rows, and on PostgreSQL the
monthly partitions, are written).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select, text

from bench.compile import synthetic
from carbon.core.db import make_engine, session_scope
from carbon.core.settings import get_settings
from carbon.ets import service as ets
from carbon.factors import service as factor_service
from carbon.inventory import service as inventory_service
from carbon.inventory.engine import CompileOptions, compile_activity
from carbon.inventory.io import read_activity, read_local_factors
from carbon.inventory.models import ActivityRecord, EmissionResult, ImportBatch, Inventory
from carbon.monitoring import service as monitoring
from carbon.reporting import service as report_service
from carbon.reporting.models import ReportJob
from carbon.reporting.render import Rendered
from tests.ets.helpers import EMITTER_A
from tests.monitoring.test_ingest import hourly_frame

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "ordos_2022_synthetic.csv"
LOCAL = ROOT / "sample_data" / "ordos_local_factors.csv"  # the sample's chemical plants need measured values
ROWS = 25_000  # the import is killed after its first chunk of 20 000 (carbon.inventory.bulk.CHUNK / COPY_CHUNK)

# The child: wrap MODULE.ATTR so that it stalls (marker file, then sleep) once rows are written, then run the CLI.
# TABLE limits the stall to bulk.insert_columns into that table ("-": any call, "<": any call, stalling before it
# runs). When the wrapped insert reports progress, the stall comes at the first report short of the end (mid-load);
# otherwise after the call returns.
STALL = r"""
import importlib, os, sys, time
module, attr, table, marker, *args = sys.argv[1:]
mod = importlib.import_module(module)
original = getattr(mod, attr)

def stall():
    with open(marker + ".tmp", "w") as f:
        f.write(str(os.getpid()))
    os.replace(marker + ".tmp", marker)
    time.sleep(600)

def wrapped(*a, **k):
    if table == "<":
        stall()
    if table not in "-<" and getattr(a[1] if len(a) > 1 else None, "name", None) != table:
        return original(*a, **k)
    report = k.get("progress")
    if report is not None:
        def progress(done, total):
            report(done, total)
            if done < total:
                stall()
        k["progress"] = progress
    result = original(*a, **k)
    stall()
    return result

setattr(mod, attr, wrapped)
from carbon.cli import app
app(args, prog_name="carbon")
"""

def csv_file(n: int) -> bytes:
    """N synthetic activity rows (bench/compile.py's) as a CSV file. Not bench.load.csv_file: importing bench/load.py
    raises the input limits of the whole test process."""
    df = synthetic(n)
    out = pd.DataFrame({c: df[c].astype(str) for c in ("region", "year", "category", "item")})
    out["quantity"] = df["quantity"].map(lambda v: f"{v:.6f}")
    out["unit"] = df["unit"].astype(str)
    return out[["region", "year", "category", "item", "quantity", "unit"]].to_csv(index=False).encode()


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "CARBON_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}


def crash(url: str, tmp_path: Path, target: str, table: str, *args: str) -> int:
    """Run ``carbon ARGS`` with TARGET stalled, SIGKILL it inside its transaction; returns the killed pid."""
    module, attr = target.split(":")
    marker = tmp_path / f"stalled-{time.monotonic_ns()}"
    log = (tmp_path / "child.log").open("w")
    child = subprocess.Popen([sys.executable, "-c", STALL, module, attr, table, str(marker), *args],
                             env=_env(url), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    try:
        while not marker.exists():
            if child.poll() is not None:
                pytest.fail(f"the child ended (exit {child.returncode}) before the stall point:\n"
                            f"{(tmp_path / 'child.log').read_text()}")
            if time.monotonic() > deadline:
                pytest.fail("the child did not reach the stall point within 60 s")
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()  # reaped: its pid is gone (a worker looking for it finds no process)
        log.close()
    assert child.returncode == -signal.SIGKILL
    return child.pid


def carbon(url: str, *args: str):
    """``carbon ARGS`` after the crash (the restart), in this process (a child would cost seconds of imports): its
    own engine and connections, like a new process; exit code and output as a child's."""
    from typer.testing import CliRunner

    from carbon.cli import app

    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args), env={"CARBON_DATABASE_URL": url}, catch_exceptions=False)
    finally:
        get_settings.cache_clear()


def _draft(engine) -> int:
    with session_scope(engine) as s:
        return inventory_service.create_inventory(s, year=2022, user="test").id


def _state(engine, inventory_id: int) -> tuple:
    with session_scope(engine) as s:
        inv = s.get(Inventory, inventory_id)
        return inv.status, inv.version, inv.compiled_at


def _count(engine, model, **where) -> int:
    with session_scope(engine) as s:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return s.scalar(q)


def test_killed_activity_import_leaves_nothing_and_is_retried(engine, migrated_url, tmp_path):
    iid = _draft(engine)
    before = _state(engine, iid)
    path = tmp_path / "activity.csv"
    path.write_bytes(csv_file(ROWS))
    crash(migrated_url, tmp_path, "carbon.inventory.bulk:insert_columns", "activity_records",
          "inventory", "import", str(iid), str(path))

    assert _count(engine, ActivityRecord) == 0  # 20 000 rows were written, none committed
    assert _count(engine, ImportBatch) == 0
    assert _state(engine, iid) == before

    retry = carbon(migrated_url, "inventory", "import", str(iid), str(path))
    assert retry.exit_code == 0, retry.output
    assert f"imported {ROWS} rows" in retry.stdout
    expected = pd.read_csv(path)  # the file itself, read independently of the importer
    with session_scope(engine) as s:
        n, total = s.execute(select(func.count(), func.sum(ActivityRecord.quantity))
                             .where(ActivityRecord.inventory_id == iid)).one()
        assert [b.rows for b in inventory_service.batches(s, inventory_id=iid)] == [ROWS]
    assert n == len(expected) == ROWS
    assert total == pytest.approx(expected["quantity"].sum(), rel=1e-9)


def test_killed_compile_leaves_the_draft_and_is_retried(engine, migrated_url, tmp_path):
    iid = _draft(engine)
    content = SAMPLE.read_bytes()
    with session_scope(engine) as s:
        inventory_service.import_activity(s, inventory_id=iid, content=content, filename=SAMPLE.name, user="test")
    before = _state(engine, iid)
    crash(migrated_url, tmp_path, "carbon.inventory.bulk:insert_columns", "emission_results",
          "inventory", "compile", str(iid), "--factors", str(LOCAL))

    assert _count(engine, EmissionResult) == 0
    assert _state(engine, iid) == before and before[0] == "draft" and before[2] is None

    retry = carbon(migrated_url, "inventory", "compile", str(iid), "--factors", str(LOCAL))
    assert retry.exit_code == 0, retry.output
    assert _state(engine, iid)[0] == "compiled"
    # a clean run: the same file compiled in memory, no database, no crash
    clean = compile_activity(read_activity(content, SAMPLE.name), factor_service.library("CN", local=read_local_factors(LOCAL.read_bytes(), LOCAL.name)),
                             CompileOptions(year=2022, gwp_set="AR5"))
    detail = clean.detail[~clean.detail["memo"].astype(bool)]
    with session_scope(engine) as s:
        rows, co2e = s.execute(select(func.count(), func.sum(EmissionResult.co2e_t)).where(
            EmissionResult.inventory_id == iid, EmissionResult.memo.is_(False))).one()
    assert rows == len(detail)
    assert co2e == pytest.approx(detail["co2e_t"].sum(), rel=1e-9)


def test_report_job_of_a_killed_worker_is_picked_up_again(engine, migrated_url, tmp_path, monkeypatch):
    iid = _draft(engine)
    with session_scope(engine) as s:
        inventory_service.import_activity(s, inventory_id=iid, content=SAMPLE.read_bytes(), filename=SAMPLE.name)
        inventory_service.compile_inventory(s, inventory_id=iid, local_factors=LOCAL.read_bytes(),
                                            local_filename=LOCAL.name)
    with session_scope(engine) as s:
        job_id = report_service.submit(s, year=2022, inventory_id=iid, draws=200).id
    pid = crash(migrated_url, tmp_path, "carbon.reporting.service:html_to_pdf", "<",
                "report", "worker", "--once")

    with session_scope(engine) as s:
        job = s.get(ReportJob, job_id)
        assert (job.status, job.attempts, job.finished_at) == ("running", 1, None)
        assert job.worker.endswith(f":{pid}") and s.scalar(select(ReportJob.pdf).where(ReportJob.id == job_id)) is None

    # the default lease (120 s) has not run out: the restarted worker takes the job because its worker's pid is gone.
    # The layout step (WeasyPrint, tested in tests/reporting) is replaced to keep this test fast.
    monkeypatch.setattr(report_service, "html_to_pdf", lambda html: Rendered(pdf=b"%PDF-1.7 " + html.encode(), pages=9))
    retry = carbon(migrated_url, "report", "worker", "--once")
    assert retry.exit_code == 0, retry.output
    with session_scope(engine) as s:
        job = s.get(ReportJob, job_id)
        pdf = s.scalar(select(ReportJob.pdf).where(ReportJob.id == job_id))
        assert (job.status, job.attempts, job.error) == ("done", 2, None)
        assert not job.worker.endswith(f":{pid}")
    assert pdf.startswith(b"%PDF") and b"2022" in pdf and len(pdf) == job.size_bytes and job.pages == 9


def test_killed_cems_ingest_leaves_nothing_and_is_retried(engine, migrated_url, tmp_path):
    start = datetime(2024, 1, 20, 0, 0, tzinfo=UTC)  # 40 days: January and February (two monthly partitions)
    frames = [hourly_frame("MN-A-1", start + timedelta(hours=i), 250_000.0, 500.0) for i in range(40 * 24)]
    path = tmp_path / "frames.txt"
    path.write_text("\n".join(frames), encoding="utf-8")
    with session_scope(engine) as s:
        ets.create_emitter(s, uscc=EMITTER_A, name="鄂尔多斯甲电厂", region="东胜区", actor="test")
        monitoring.register_stack(s, uscc=EMITTER_A, code="1#", mn="MN-A-1")
    postgres = engine.dialect.name == "postgresql"

    def partitions() -> set[str]:
        if not postgres:
            return set()
        with engine.connect() as c:
            return set(c.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'cems_partitions'")).scalars())

    before = partitions()
    crash(migrated_url, tmp_path, "carbon.monitoring.service:store_hourly", "-",
          "monitoring", "ingest", str(path), "--stack", "MN-A-1")
    with session_scope(engine) as s:
        assert monitoring.count_hourly(s) == 0
    assert partitions() == before  # the partitions it created went with its transaction

    retry = carbon(migrated_url, "monitoring", "ingest", str(path), "--stack", "MN-A-1")
    assert retry.exit_code == 0, retry.output
    counts = json.loads(retry.stdout)
    records = 40 * 24 * 3  # CO2, flow and O2 per hour
    assert (counts["records"], counts["stored"], counts["duplicates"]) == (records, records, 0)
    with session_scope(engine) as s:
        assert monitoring.count_hourly(s) == records
    if postgres:
        assert {"cems_hourly_202401", "cems_hourly_202402"} <= partitions()


def test_the_killed_postgres_session_is_gone(backend, migrated_url, tmp_path):
    """PostgreSQL ends the killed client's backend (rolling its transaction back, releasing its locks): no session
    is left idle in a transaction to block the retry."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL only")
    engine = make_engine(migrated_url)
    try:
        iid = _draft(engine)
        path = tmp_path / "activity.csv"
        path.write_bytes(csv_file(ROWS))
        crash(migrated_url, tmp_path, "carbon.inventory.bulk:insert_columns", "activity_records",
              "inventory", "import", str(iid), str(path))
        deadline = time.monotonic() + 10
        with engine.connect() as c:
            while True:
                left = c.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                      "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'")).scalar()
                if left == 0 or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
        assert left == 0
    finally:
        engine.dispose()
