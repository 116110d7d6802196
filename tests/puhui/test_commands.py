"""``carbon puhui ...`` on a migrated database: the expiry job and the totals."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from typer.testing import CliRunner

from carbon.cli import app
from carbon.core.db import session_scope
from carbon.puhui import ledger, service
from carbon.puhui.wechat import Code2Session

CST = ledger.ExpiryPolicy().tz


def test_expire_job_and_stats(engine, migrated_url, monkeypatch):
    monkeypatch.setenv("CARBON_DATABASE_URL", migrated_url)
    earned = datetime(2024, 5, 1, 12, tzinfo=CST)
    with session_scope(engine) as s:
        _, user = service.login(s, identity=Code2Session(openid="cli"), secret="x")
        claim = service.Claim(type="walking", quantity=Decimal(15000), unit="steps", occurred_at=earned)
        service.record_behaviour(s, user_id=user.id, claim=claim, secret="x", now=earned)  # 300 points
    runner = CliRunner()
    early = runner.invoke(app, ["puhui", "expire", "--as-of", "2025-12-31T23:00:00+08:00"])
    assert early.exit_code == 0, early.output
    assert json.loads(early.output)["points"] == 0
    run = runner.invoke(app, ["puhui", "expire", "--as-of", "2026-01-01T00:00:00+08:00"])
    assert json.loads(run.output)["points"] == 300
    stats = json.loads(runner.invoke(app, ["puhui", "stats"]).output)
    assert (stats["points_issued"], stats["points_expired"], stats["reduction_g_recorded"]) == (300, 300, 300)
    assert stats["conservation"] == {"points": 0, "reduction_g": 0}
    bad = runner.invoke(app, ["puhui", "expire", "--as-of", "2026-01-01T00:00:00"])
    assert bad.exit_code == 2  # no time zone
    listed = runner.invoke(app, ["puhui", "methodologies"])
    assert listed.exit_code == 0 and "electricity_saving" in listed.output
