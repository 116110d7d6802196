"""Issue 19 point 5: the CLI prints one line per problem (Chinese unless CARBON_LANG=en) and exits 2 on bad input,
1 on a bug with a hint to rerun with --debug; --debug or CARBON_DEBUG=1 shows the traceback instead."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from carbon.cli import app
from carbon.core.db import make_engine, session_scope
from carbon.core.errors import ValidationError
from carbon.inventory.models import ActivityRecord

runner = CliRunner()
HEADER = "region,year,category,item,quantity,unit\n"
ROW_2022 = "达拉特旗,2022,1.A.1.a,原煤,1000,t\n"


@pytest.fixture(autouse=True)
def chinese(monkeypatch):
    """The default language, whatever the developer's shell says."""
    monkeypatch.delenv("CARBON_LANG", raising=False)
    monkeypatch.delenv("CARBON_DEBUG", raising=False)


def compile_(*args: str, env: dict | None = None):
    return runner.invoke(app, ["compile", *args], env=env)


def lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_one_line(result, *fragments: str) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    [line] = lines(result)
    assert line.startswith("错误: ") and "Traceback" not in result.stderr and "Error" not in line
    for f in fragments:
        assert f in line, line
    return line


def test_header_only_file(tmp_path):
    path = write(tmp_path, "header.csv", HEADER)
    assert_one_line(compile_(str(path), "--year", "2022"), "文件没有数据行", "header.csv")


def test_empty_file(tmp_path):
    path = write(tmp_path, "empty.csv", "")
    assert_one_line(compile_(str(path), "--year", "2022"), "文件没有数据行")


def test_missing_file(tmp_path):
    assert_one_line(compile_(str(tmp_path / "没有.csv"), "--year", "2022"), "找不到文件", "没有.csv")


def test_file_of_another_year(tmp_path):
    path = write(tmp_path, "y2022.csv", HEADER + ROW_2022 * 3)
    assert_one_line(compile_(str(path), "--year", "2023"), "没有 2023 年的数据", "2022")


def test_rows_of_other_years_are_skipped_and_counted(tmp_path):
    rows = ROW_2022 * 2 + "达拉特旗,2021,1.A.1.a,原煤,800,t\n" * 2 + "准格尔旗,2023,1.A.4.b,天然气,12,万m3\n"
    result = compile_(str(write(tmp_path, "mixed.csv", HEADER + rows)), "--year", "2022")
    assert result.exit_code == 0, (result.stderr, result.exception)
    assert "跳过 3 行其他年份的数据 (2021: 2 行, 2023: 1 行)" in result.stderr
    assert "合计" in result.stdout


def test_english_with_carbon_lang(tmp_path):
    result = compile_(str(tmp_path / "missing.csv"), "--year", "2022", env={"CARBON_LANG": "en"})
    assert result.exit_code == 2
    [line] = lines(result)
    assert line.startswith("error: file not found") and "missing.csv" in line
    rows = ROW_2022 + "达拉特旗,2021,1.A.1.a,原煤,800,t\n"
    mixed = compile_(str(write(tmp_path, "m.csv", HEADER + rows)), "--year", "2022", env={"CARBON_LANG": "en"})
    assert "skipped 1 rows of other years (2021: 1 rows)" in mixed.stderr


def test_row_report_is_one_line_per_problem(tmp_path):
    bad = HEADER + "火星,2022,1.A.1.a,原煤,1000,t\n" + "达拉特旗,2022,1.A.1.a,原煤,lots,t\n" + ROW_2022
    result = compile_(str(write(tmp_path, "bad.csv", bad)), "--year", "2022")
    assert result.exit_code == 2
    head, *rows = lines(result)
    assert head.startswith("错误: ") and "2 行有误" in head and "未导入" in head
    assert len(rows) == 2 and all(r.startswith("错误: ") for r in rows)
    assert "第 2 行, region 列: 未知地区 '火星'" in rows[0] and "第 3 行, quantity 列" in rows[1] and "'lots'" in rows[1]


def test_missing_columns_are_named(tmp_path):
    result = compile_(str(write(tmp_path, "cols.csv", "region,year\n达拉特旗,2022\n")), "--year", "2022")
    assert result.exit_code == 2
    head, *rows = lines(result)
    assert len(rows) == 4 and all("缺少必需的列" in r for r in rows) and "category" in rows[0]


def test_debug_shows_the_exception(tmp_path):
    missing = str(tmp_path / "missing.csv")
    result = runner.invoke(app, ["--debug", "compile", missing, "--year", "2022"])
    assert isinstance(result.exception, ValidationError) and result.exception.key == "file_not_found"
    result = compile_(missing, "--year", "2022", env={"CARBON_DEBUG": "1"})
    assert isinstance(result.exception, ValidationError)


def test_a_bug_exits_1_with_a_hint(tmp_path, monkeypatch):
    import carbon.inventory.commands as commands

    def broken(*args, **kwargs):
        raise KeyError("co2e_t")

    monkeypatch.setattr(commands, "compile_file", broken)
    result = compile_(str(write(tmp_path, "ok.csv", HEADER + ROW_2022)), "--year", "2022")
    assert result.exit_code == 1
    [line] = lines(result)
    assert line.startswith("错误: 内部错误: KeyError: 'co2e_t'") and "--debug" in line


def test_import_of_other_years_is_refused_with_row_numbers(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("CARBON_DATABASE_URL", db_url)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    iid = runner.invoke(app, ["inventory", "create", "--year", "2022"]).stdout.strip()
    rows = ROW_2022 + "达拉特旗,2021,1.A.1.a,原煤,800,t\n" + ROW_2022 + "达拉特旗,2023,1.A.1.a,原煤,9,t\n"
    result = runner.invoke(app, ["inventory", "import", iid, str(write(tmp_path, "a.csv", HEADER + rows))])
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    head, *bad = lines(result)
    assert "2 行有误" in head
    assert bad[0].startswith("错误: 第 3 行, year 列: 2021 年的数据不属于 2022 年清单")
    assert bad[1].startswith("错误: 第 5 行, year 列: 2023 年的数据不属于 2022 年清单")
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            assert session.scalar(select(func.count()).select_from(ActivityRecord)) == 0
    finally:
        engine.dispose()
