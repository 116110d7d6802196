"""`carbon db ...` and `carbon token ...` through typer's CliRunner on a temporary SQLite file."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from carbon.cli import app
from carbon.core.auth import authenticate
from carbon.core.db import make_engine, session_scope

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CARBON_DATABASE_URL", url)
    return url


def test_db_upgrade_downgrade(cli_db):
    from alembic.script import ScriptDirectory

    from carbon.core import migrate

    head = ScriptDirectory.from_config(migrate.alembic_config(cli_db)).get_current_head()
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert head in result.output
    assert runner.invoke(app, ["db", "current"]).output.strip() == head
    result = runner.invoke(app, ["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["db", "current"]).output.strip() == "base"


def test_token_create(cli_db):
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["token", "create", "--role", "bureau", "--name", "生态环境局"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    engine = make_engine(cli_db)
    try:
        with session_scope(engine) as session:
            user = authenticate(session, token)
            assert (user.role, user.name) == ("bureau", "生态环境局")
    finally:
        engine.dispose()
    listed = runner.invoke(app, ["token", "list"])
    assert "生态环境局" in listed.output and token not in listed.output
    assert runner.invoke(app, ["token", "revoke", str(user.id)]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["token", "list"]).output


def test_token_create_needs_schema_and_valid_role(cli_db):
    result = runner.invoke(app, ["token", "create", "--role", "bureau"])
    assert result.exit_code == 1
    assert "carbon db upgrade" in result.output
    runner.invoke(app, ["db", "upgrade"])
    assert runner.invoke(app, ["token", "create", "--role", "admin"]).exit_code != 0


def test_help_lists_groups():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for group in ("db", "token", "serve"):
        assert group in result.output
