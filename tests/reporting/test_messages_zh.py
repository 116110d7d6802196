"""Report errors in Chinese by default, in English on request (issue 19, point 5): the API's ``message`` beside
the unchanged ``code`` and ``field``, and the CLI's error line."""

from __future__ import annotations

from typer.testing import CliRunner

from carbon.core.settings import get_settings

EN = {"Accept-Language": "en"}


def test_report_errors_through_the_api(client, auth_headers):
    bureau = auth_headers("bureau")
    zh = client.post("/api/v1/reports/inventory", json={"year": 2019}, headers=bureau)
    en = client.post("/api/v1/reports/inventory", json={"year": 2019}, headers={**bureau, **EN})
    assert zh.status_code == en.status_code == 404, zh.text
    zh, en = zh.json()["error"], en.json()["error"]
    assert (zh["code"], zh["field"]) == (en["code"], en["field"]) == ("not_found", "year")
    assert zh["message"] == "没有 2019 年已计算或已发布的全市清单"
    assert en["message"] == "no compiled or published inventory of the city for 2019"

    zh = client.get("/api/v1/reports/jobs/987654", headers=bureau).json()["error"]
    en = client.get("/api/v1/reports/jobs/987654", headers={**bureau, **EN}).json()["error"]
    assert zh["code"] == en["code"] == "not_found" and zh["field"] == en["field"] == "job_id"
    assert zh["message"] == "没有编号为 987654 的报告任务"
    assert en["message"] == "no report job with id 987654"


def test_an_unknown_export_format_through_the_cli(migrated_url, monkeypatch, tmp_path):
    from carbon.cli import app

    monkeypatch.setenv("CARBON_DATABASE_URL", migrated_url)
    get_settings.cache_clear()
    args = ["export", "tables", "--inventory", "1", "--format", "ipcc", "--out", str(tmp_path / "x.xlsx")]
    zh = CliRunner().invoke(app, args)
    en = CliRunner().invoke(app, args, env={"CARBON_LANG": "en"})
    assert zh.exit_code == en.exit_code == 2
    assert "未知的导出格式 'ipcc': 应为以下之一: provincial, crt, gpc" in zh.stderr
    assert "unknown format 'ipcc': one of provincial, crt, gpc" in en.stderr
