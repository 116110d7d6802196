"""`carbon inventory ...` through typer's CliRunner, on a temporary SQLite file and, when configured,
PostgreSQL (the database comes from CARBON_DATABASE_URL, as for a user)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from typer.testing import CliRunner

from carbon.cli import app
from carbon.inventory.io import RESULTS_COLUMNS
from tests.inventory.store_helpers import ACTIVITY_CSV, BAD_CSV, LOCAL_FACTORS_CSV, energy_factors  # noqa: F401

runner = CliRunner()


@pytest.fixture
def cli_db(db_url, monkeypatch) -> str:
    monkeypatch.setenv("CARBON_DATABASE_URL", db_url)
    return db_url


def run(*args: str, code: int = 0, env: dict | None = None):
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result


def test_inventory_commands(cli_db, tmp_path):
    run("db", "upgrade")
    activity = tmp_path / "活动水平.csv"
    activity.write_bytes(ACTIVITY_CSV)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD_CSV)

    iid = run("inventory", "create", "--year", "2022", "--label", "初步", "--profile", "IPCC2006").stdout.strip()
    assert iid == "1"
    assert "imported 6 rows into inventory 1 (batch 1)" in run("inventory", "import", iid, str(activity)).stdout

    rejected = run("inventory", "import", iid, str(bad), code=2)
    assert "未导入任何数据" in rejected.stderr  # Chinese unless CARBON_LANG=en (issue 19)
    assert "第 3 行, region 列" in rejected.stderr and "第 4 行, quantity 列" in rejected.stderr

    compiled = run("inventory", "compile", iid)
    assert "温室气体排放" in compiled.stdout and "能源活动" in compiled.stdout and "合计" in compiled.stdout

    shown = run("inventory", "show", iid, "--region", "达拉特旗", "--category", "1.A")
    assert "compiled" in shown.stdout and "活动水平.csv" in shown.stdout and "3,661.020" in shown.stdout

    csv_path, xlsx_path = tmp_path / "results.csv", tmp_path / "results.xlsx"
    run("inventory", "export", iid, "--out", str(csv_path))
    run("inventory", "export", iid, "--out", str(xlsx_path))
    assert list(pd.read_csv(csv_path).columns) == RESULTS_COLUMNS
    sheets = pd.read_excel(io.BytesIO(xlsx_path.read_bytes()), sheet_name=None)
    assert {"results", "factors"} <= set(sheets) and len(sheets["factors"]) > 0

    assert "published" in run("inventory", "publish", iid).stdout
    refused = run("inventory", "import", iid, str(activity), code=2, env={"CARBON_LANG": "en"})
    assert "published" in refused.stderr
    assert "已发布, 不能修改 (import)" in run("inventory", "import", iid, str(activity), code=2).stderr

    v2 = run("inventory", "new-version", iid).stdout.strip()
    assert v2 == "2"
    local = tmp_path / "local.csv"
    local.write_bytes(LOCAL_FACTORS_CSV)
    assert "温室气体排放" in run("inventory", "compile", v2, "--factors", str(local)).stdout
    assert "+local-" in run("inventory", "show", v2).stdout

    listed = run("inventory", "list").stdout.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["2", "1"]
    assert "published" in listed[1] and "compiled" in listed[0]

    assert "already stored" in run("inventory", "sync-factors").stdout
    assert "没有编号为 99 的清单" in run("inventory", "show", "99", code=2).stderr


def test_inventory_commands_need_the_schema(cli_db, tmp_path):
    result = run("inventory", "list", code=1)
    assert "carbon db upgrade" in result.stderr
    run("db", "upgrade", "--revision", "0001")
    assert "carbon db upgrade" in run("inventory", "list", code=1).stderr
