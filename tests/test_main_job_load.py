"""The main job's load (scripts/demo) through the CLI against the test database: on SQLite, and in CI on PostgreSQL
(CARBON_TEST_DATABASE_URL, set by .ci/run). Issue 19: the bundled sample stopped at its notation-key row (原油, NO,
empty unit) on PostgreSQL, and no test loaded it there.

The steps are those of scripts/demo: db upgrade, inventory create, import the synthetic sample, compile with the
local factors, import the economy and the plan indicators, render the inventory report (to tmp). The expected
counts are read from the sample files themselves, not from what the code reports."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from carbon.cli import app
from carbon.core.db import make_engine, session_scope
from carbon.inventory.models import ActivityRecord, Inventory

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
runner = CliRunner()


def data_rows(path: Path) -> list[dict]:
    """The rows of a sample CSV (after its leading ``#`` provenance lines), as csv.DictReader reads them."""
    lines = [line for line in path.read_text(encoding="utf-8-sig").splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines))


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
    return result.stdout


@pytest.fixture
def cli_db(db_url, monkeypatch) -> str:
    monkeypatch.setenv("CARBON_DATABASE_URL", db_url)
    return db_url


def test_main_job_load(cli_db, tmp_path):
    activity = data_rows(SAMPLE / "ordos_2022_synthetic.csv")
    keyed = [r for r in activity if r["quantity"].strip().upper() in {"NO", "NE", "NA", "IE", "C"}]
    assert keyed, "the sample carries notation-key rows (原油 NO): the case this test is about"

    run("db", "upgrade")
    iid = run("inventory", "create", "--year", "2022", "--gwp", "AR5", "--label", "鄂尔多斯市 2022 (synthetic sample)").strip()
    imported = run("inventory", "import", iid, str(SAMPLE / "ordos_2022_synthetic.csv"))
    assert f"imported {len(activity)} rows" in imported
    compiled = run("inventory", "compile", iid, "--factors", str(SAMPLE / "ordos_local_factors.csv"))
    assert "合计" in compiled
    economy = data_rows(SAMPLE / "ordos_economy_synthetic.csv")
    assert f"imported {len(economy)} rows" in run("intensity", "import-economy", str(SAMPLE / "ordos_economy_synthetic.csv"))
    plan = data_rows(SAMPLE / "ordos_plan_indicators.csv")
    assert f"imported {len(plan)} indicators" in run("intensity", "import-plan", str(SAMPLE / "ordos_plan_indicators.csv"))
    pdf = tmp_path / "out" / "ordos_2022_inventory.pdf"
    written = run("report", "inventory", "--year", "2022", "--out", str(pdf), "--draws", "2000")
    pages = int(re.search(r"\((\d+) (?:页|pages)", written).group(1))  # 已写入 FILE (N 页, ...), or English
    assert pdf.read_bytes().startswith(b"%PDF") and pages > 1

    engine = make_engine(cli_db)
    try:
        with session_scope(engine) as session:
            inventory = session.get(Inventory, int(iid))
            assert inventory.status == "compiled"
            r = ActivityRecord
            assert session.scalar(select(func.count()).select_from(r).where(r.inventory_id == inventory.id)) == len(activity)
            keys = session.execute(select(r.notation, r.quantity, r.unit).where(r.inventory_id == inventory.id,
                                                                                r.notation.is_not(None))).all()
            assert sorted(k for k, _, _ in keys) == sorted(row["quantity"].strip().upper() for row in keyed)
            assert {(q, u) for _, q, u in keys} == {(None, "")}
            user_keys = {(k["category"], k["notation"]) for k in inventory.notation_keys
                         if not str(k["note"] or "").startswith("自动")}
            assert ("1.B.2.a", "NO") in user_keys
    finally:
        engine.dispose()
