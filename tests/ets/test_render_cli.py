"""The PDF summary (only where WeasyPrint imports) and the `carbon ets` registration commands."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from carbon.cli import app
from carbon.core import migrate
from carbon.core.db import make_engine, session_scope
from carbon.ets import service
from tests.ets.helpers import E1_REPORT, EMITTER_A, TENCENT
from tests.ets.test_service import at


def _has_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    return bool(subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip())


def test_summary_pdf(client, world, engine, tmp_path):
    pytest.importorskip("weasyprint")
    with session_scope(engine) as s:
        service.submit_report(s, uscc=EMITTER_A, payload=E1_REPORT, actor="t")
        g = service.assign_verifier(s, uscc=EMITTER_A, year=2022, verifier_id=world.verifier_a, actor="t")
        service.record_review(s, engagement_id=g.id, kind="document", notes="n", actor="t")
        service.conclude(s, engagement_id=g.id, conclusion="核查结论", actor="t", now=at("2024-06-03"))
    r = client.get(f"/api/v1/ets/emitters/{EMITTER_A}/summary/2022.pdf", headers=world.headers["emitter_a"])
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    # Without a CJK font WeasyPrint draws tofu boxes silently (engineering-notes §3): check the embedded fonts
    if _has_cjk_font() and shutil.which("pdffonts"):
        pdf = tmp_path / "summary.pdf"
        pdf.write_bytes(r.content)
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        assert any(name in fonts for name in ("CJK", "WenQuanYi", "Hei", "Ming", "Han")), fonts


def test_cli_registers_emitters_verifiers_and_principals(tmp_path, monkeypatch, make_token):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CARBON_DATABASE_URL", url)
    migrate.upgrade(url)
    runner = CliRunner()
    r = runner.invoke(app, ["ets", "emitter", "add", "91440300708461136U", "x"], env={"CARBON_LANG": "en"})
    assert r.exit_code != 0 and "check character" in r.output
    r = runner.invoke(app, ["ets", "emitter", "add", TENCENT, "某电厂", "--region", "达拉特旗", "--quality-plan", "DQCP-1"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["ets", "verifier", "add", "甲核查机构"])
    assert r.exit_code == 0 and r.stdout.startswith("1\t")
    token = runner.invoke(app, ["token", "create", "--role", "verifier", "--name", "甲核查机构系统"])
    assert token.exit_code == 0
    r = runner.invoke(app, ["ets", "principal", "add", "1", "--emitter", TENCENT], env={"CARBON_LANG": "en"})
    assert r.exit_code != 0 and "only emitter tokens" in r.output
    r = runner.invoke(app, ["ets", "principal", "add", "1", "--verifier", "1"])
    assert r.exit_code == 0 and "verifier 1 甲核查机构" in r.stdout
    assert "1\tverifier 1 甲核查机构" in runner.invoke(app, ["ets", "principal", "list"]).stdout
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            e = service.get_emitter(s, uscc=TENCENT)
            assert (e.region.code, e.quality_plan_ref) == ("150621", "DQCP-1")
    finally:
        engine.dispose()


def test_cli_summary_html(world, engine, migrated_url, monkeypatch, tmp_path):
    with session_scope(engine) as s:
        service.submit_report(s, uscc=EMITTER_A, payload=E1_REPORT, actor="t")
    monkeypatch.setenv("CARBON_DATABASE_URL", migrated_url)
    out = tmp_path / "summary.html"
    r = CliRunner().invoke(app, ["ets", "summary", EMITTER_A, "2022", "-o", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    # not verified yet: the reported figure, labelled as such
    assert "报告排放量（未核查）" in text and "2,946,003" in text and "DQCP-2022-A" in text
