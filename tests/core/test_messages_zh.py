"""The domain core's messages (input limits, API tokens, file text, units, gases) in Chinese by default and in their old
English words under Accept-Language: en or CARBON_LANG=en (issue 19, point 5); ``code``, ``field`` and the limit's
fields do not depend on the language."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.main import create_app
from bench import limits as bombs
from carbon.cli import app as cli_app
from carbon.core import gases, units
from carbon.core.errors import CarbonError
from carbon.core.input_limits import InputLimits, check_csv
from carbon.core.settings import Settings

API = "/api/v1"
WIDE_CSV = (",".join(f"c{i}" for i in range(100)) + "\n").encode()


@pytest.fixture(autouse=True)
def default_language(monkeypatch):
    monkeypatch.delenv("CARBON_LANG", raising=False)


def _inventory(client, headers) -> int:
    response = client.post(f"{API}/inventories", json={"year": 2022}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_a_limit_is_chinese_by_default_and_keeps_its_fields(client, auth_headers):
    headers = auth_headers("bureau")
    iid = _inventory(client, headers)
    url = f"{API}/inventories/{iid}/activity"
    zh = client.post(url, files={"file": ("wide.csv", WIDE_CSV)}, headers=headers).json()["error"]
    en = client.post(url, files={"file": ("wide.csv", WIDE_CSV)}, headers={**headers, "Accept-Language": "en"}).json()["error"]
    assert zh["message"] == "第 1 行有: 100 列, 超过上限 64 (设置项 CARBON_INPUT_MAX_COLUMNS)"
    assert en["message"] == "line 1 has: 100 columns, more than the limit of 64 (setting CARBON_INPUT_MAX_COLUMNS)"
    fields = ("code", "field", "limit", "limit_value", "actual", "setting")
    assert [zh[k] for k in fields] == [en[k] for k in fields] == [
        "limit_exceeded", "file", "columns", 64, 100, "CARBON_INPUT_MAX_COLUMNS"]


def test_an_upload_past_the_byte_limit_is_413_in_chinese(migrated_url, auth_headers):
    app = create_app(Settings(database_url=migrated_url, input_max_upload_bytes=1000))
    with TestClient(app) as client:
        headers = auth_headers("bureau")
        url = f"{API}/inventories/{_inventory(client, headers)}/activity"
        content = bombs.csv_rows(40)
        zh = client.post(url, files={"file": ("a.csv", content)}, headers=headers)
        en = client.post(url, files={"file": ("a.csv", content)}, headers={**headers, "Accept-Language": "en"})
    assert zh.status_code == en.status_code == 413
    size = f"{min(len(content), 1001):,}"  # the upload is read no further than one byte past the limit
    assert zh.json()["error"]["message"] == f"文件 a.csv 过大: {size} 字节, 超过上限 1,000 (设置项 CARBON_INPUT_MAX_UPLOAD_BYTES)"
    assert en.json()["error"]["message"] == (f"a.csv is too large: {size} bytes, more than the limit of 1,000 "
                                             "(setting CARBON_INPUT_MAX_UPLOAD_BYTES)")
    assert zh.json()["error"]["limit"] == en.json()["error"]["limit"] == "upload_bytes"


def test_missing_and_malformed_tokens_are_refused_in_chinese(client):
    zh = client.get(f"{API}/me")
    assert zh.status_code == 401 and zh.headers["www-authenticate"] == "Bearer"
    assert zh.json()["error"] == {"code": "unauthorized", "message": "缺少 Bearer 令牌", "field": None}
    bad = client.get(f"{API}/me", headers={"Authorization": "Bearer nope"}).json()["error"]
    assert (bad["code"], bad["message"]) == ("unauthorized", "令牌无效或已被吊销")
    malformed = client.get(f"{API}/me", headers={"Authorization": "Basic abc"}).json()["error"]
    assert (malformed["field"], malformed["message"]) == ("Authorization", "Authorization 请求头格式有误; 应为 "
                                                          "`Authorization: Bearer <token>`")
    en = client.get(f"{API}/me", headers={"Authorization": "Basic abc", "Accept-Language": "en"}).json()["error"]
    assert en["message"] == "malformed Authorization header; expected `Authorization: Bearer <token>`"


def test_a_role_without_the_right_is_403_in_chinese(client, auth_headers):
    citizen = auth_headers("citizen")
    zh = client.post(f"{API}/inventories", json={"year": 2022}, headers=citizen)
    assert zh.status_code == 403 and zh.json()["error"]["code"] == "forbidden"
    assert zh.json()["error"]["message"].startswith("角色 'citizen' 无权执行此操作; 需要以下角色之一: ")
    en = client.post(f"{API}/inventories", json={"year": 2022}, headers={**citizen, "Accept-Language": "en"})
    assert en.json()["error"]["message"].startswith("role 'citizen' may not do this; needs one of: ")


def test_a_utf16_file_through_the_cli(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("region,year,category,item,quantity,unit\n".encode("utf-16"))
    zh = CliRunner().invoke(cli_app, ["compile", str(path), "--year", "2022"])
    assert zh.exit_code == 2
    assert "错误: 文件是 UTF-16 文本 (Excel 的 'Unicode 文本'), 不是 UTF-8 或 GBK 编码的 CSV" in zh.stderr
    en = CliRunner().invoke(cli_app, ["compile", str(path), "--year", "2022"], env={"CARBON_LANG": "en"})
    assert en.exit_code == 2
    assert "the file is UTF-16 text (Excel's 'Unicode text'), not a CSV in UTF-8 or GBK; save it as" in en.stderr


@pytest.mark.parametrize(("call", "zh", "en"), [
    (lambda: units.as_fraction(1.0, "kg"), "单位 'kg' 不是无量纲单位",
     "unit 'kg' is not a dimensionless unit (write 1, %, ‰, dimensionless, 无量纲 or leave it blank)"),
    (lambda: gases.load_gwp_table().value("NF3", "SAR"), "NF3 在 SAR 中没有 GWP-100 值; 请选择其他 GWP 版本",
     "NF3 has no GWP-100 value in SAR; choose another GWP set"),
    (lambda: check_csv('"a"\n1\n2\n3\n', InputLimits(rows=2)), "文件至少有: 3 行, 超过上限 2 (设置项 CARBON_INPUT_MAX_ROWS)",
     "the file has at least: 3 rows, more than the limit of 2 (setting CARBON_INPUT_MAX_ROWS)"),
])
def test_core_errors_in_both_languages(call, zh, en):
    with pytest.raises(CarbonError) as info:
        call()
    assert info.value.text("zh").startswith(zh)
    assert info.value.message == info.value.text("en") == en


def test_a_request_body_past_the_server_limit_is_413_in_chinese(migrated_url):
    """api/body_limit.py refuses by Content-Length before the app runs: Chinese by default, English when asked."""
    app = create_app(Settings(database_url=migrated_url, input_max_upload_bytes=1000))
    body = b"x" * (1000 + 2 * 1024 * 1024)  # past the upload limit plus the 1 MiB multipart envelope
    with TestClient(app) as client:
        zh = client.post(f"{API}/inventories", content=body, headers={"Content-Type": "application/json"})
        en = client.post(f"{API}/inventories", content=body,
                         headers={"Content-Type": "application/json", "Accept-Language": "en"})
    assert zh.status_code == en.status_code == 413
    assert zh.json()["error"]["code"] == en.json()["error"]["code"] == "too_large"
    assert zh.json()["error"]["limit"] == "body_bytes"
    assert zh.json()["error"]["message"].startswith(f"请求体 {len(body):,} 字节, 超过上限")
    assert en.json()["error"]["message"].startswith(f"request body of {len(body):,} bytes, more than the limit of")
