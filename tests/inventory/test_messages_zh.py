"""The inventory's messages in Chinese by default and in their old English words under Accept-Language: en or
CARBON_LANG=en (issue 19, point 5); the machine ``code`` and ``field`` do not depend on the language."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from carbon.cli import app as cli_app

API = "/api/v1/inventories"
EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def default_language(monkeypatch):
    monkeypatch.delenv("CARBON_LANG", raising=False)


def both(client, method: str, url: str, headers: dict) -> tuple[dict, dict, int]:
    """The error of one request in Chinese (no Accept-Language) and in English, and its status."""
    zh = client.request(method, url, headers=headers)
    en = client.request(method, url, headers={**headers, **EN})
    assert zh.status_code == en.status_code
    zh_error, en_error = zh.json()["error"], en.json()["error"]
    assert (zh_error["code"], zh_error["field"]) == (en_error["code"], en_error["field"])
    return zh_error, en_error, zh.status_code


def test_store_errors_through_the_api(client, auth_headers):
    bureau = auth_headers("bureau")
    iid = client.post(API, json={"year": 2022}, headers=bureau).json()["id"]

    zh, en, status = both(client, "GET", f"{API}/{iid}/results", bureau)
    assert (status, zh["code"], zh["field"]) == (409, "conflict", "status")
    assert zh["message"] == f"清单 {iid} 是草稿, 没有当前结果; 请先计算"
    assert en["message"] == f"inventory {iid} is a draft without current results; compile it first"

    zh, en, status = both(client, "POST", f"{API}/{iid}/compile", bureau)
    assert (status, zh["code"], zh["field"]) == (422, "validation_error", "inventory_id")
    assert zh["message"] == f"清单 {iid} 没有活动数据; 请先导入文件"
    assert en["message"] == f"inventory {iid} has no activity data; import a file first"

    zh, en, status = both(client, "POST", f"{API}/{iid}/publish", bureau)
    assert (status, zh["code"]) == (409, "conflict")
    assert zh["message"] == f"清单 {iid} 的状态为 draft: 发布前请先计算"
    assert en["message"] == f"inventory {iid} is a draft: compile it before publishing"

    zh, en, status = both(client, "DELETE", f"{API}/{iid}/activity/999", bureau)
    assert (status, zh["code"], zh["field"]) == (404, "not_found", "batch_id")
    assert zh["message"] == f"清单 {iid} 没有批次 999 的记录"
    assert en["message"] == f"inventory {iid} has no records of batch 999"


def _compile(tmp_path, rows: str, *extra: str, env: dict | None = None):
    path = tmp_path / "a.csv"
    path.write_text("region,year,category,item,quantity,unit\n" + rows, encoding="utf-8")
    return CliRunner().invoke(cli_app, ["compile", str(path), "--year", "2022", *extra], env=env)


def test_compile_options_through_the_cli(tmp_path):
    proxy = tmp_path / "p.csv"
    proxy.write_text("region,year,population\n150600,2022,220\n", encoding="utf-8")
    rows = "达拉特旗,2022,1.A.1.a,原煤,10,t\n"
    zh = _compile(tmp_path, rows, "--proxy", str(proxy))
    assert zh.exit_code == 2
    assert "错误: --proxy 是 --backcast population|gdp 所用的序列; 请同时给出 --backcast (字段 proxy)" in zh.stderr
    en = _compile(tmp_path, rows, "--proxy", str(proxy), env={"CARBON_LANG": "en"})
    assert en.exit_code == 2
    assert "--proxy is the series for --backcast population|gdp; give --backcast too" in en.stderr


def test_category_problems_are_row_problems_in_chinese(tmp_path):
    rows = "达拉特旗,2022,1.A,原煤,10,t\n达拉特旗,2022,1.A.9,原煤,10,t\n"
    zh = _compile(tmp_path, rows)
    assert zh.exit_code == 2
    lines = zh.stderr.splitlines()
    assert "错误: 第 2 行, category 列: 1.A 化石燃料燃烧 是标题类别; 请填报其子类别: 1.A.1.a 电力和热力生产, " in "\n".join(lines)
    assert "错误: 第 3 行, category 列: 未知类别 '1.A.9': 既不是本目录的 IPCC 2006 编码, 也不是类别名称 (值 '1.A.9')" in lines
    en = "\n".join(_compile(tmp_path, rows, env={"CARBON_LANG": "en"}).stderr.splitlines())
    assert ("error: row 2, column category: 1.A 化石燃料燃烧 is a heading; report its sub-categories: 1.A.1.a "
            "电力和热力生产, ") in en
    assert ("error: row 3, column category: unknown category '1.A.9': neither an IPCC 2006 code of this catalogue "
            "nor a category name") in en
