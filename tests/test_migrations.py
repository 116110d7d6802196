"""Every migration runs up and down on SQLite and PostgreSQL, and the models match the migrations."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from carbon.core import migrate
from carbon.core.db import Base, import_all_models, make_engine
from carbon.core.regions import REGIONS

PLATFORM_TABLES = {"regions", "api_tokens"}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_up_down_up(db_url):
    migrate.upgrade(db_url)
    assert PLATFORM_TABLES <= _tables(db_url)
    migrate.downgrade(db_url, "base")
    assert _tables(db_url) == set()
    assert migrate.current_heads(db_url) == set()
    migrate.upgrade(db_url)
    assert PLATFORM_TABLES <= _tables(db_url)


def test_each_revision_steps_up_and_down(db_url):
    """The stairway: for every revision in order, up, down one, up again. Covers future migrations."""
    script = ScriptDirectory.from_config(migrate.alembic_config(db_url))
    revisions = list(reversed(list(script.walk_revisions("base", "heads"))))
    assert revisions, "no migrations found"
    for rev in revisions:
        migrate.upgrade(db_url, rev.revision)
        migrate.downgrade(db_url, rev.down_revision or "base")
        migrate.upgrade(db_url, rev.revision)
    assert migrate.current_heads(db_url) == set(script.get_heads())


def test_single_head():
    """Two people adding a migration on the same parent gives two heads: merge or re-parent one."""
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, f"multiple alembic heads: {script.get_heads()}"


def test_models_match_migrations(migrated_url):
    """Autogenerate finds nothing to do: the ORM models and the migrated schema agree."""
    import_all_models()
    engine = make_engine(migrated_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_regions_seeded(engine):
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.code, r.name_zh, r.name_en, r.level, p.code FROM regions r "
                "LEFT JOIN regions p ON p.id = r.parent_id ORDER BY r.code"
            )
        ).all()
    assert len(rows) == 10
    expected = sorted((r.code, r.name_zh, r.name_en, r.level, r.parent) for r in REGIONS)
    assert [tuple(row) for row in rows] == expected


def test_seed_survives_down_and_up(db_url):
    migrate.upgrade(db_url)
    migrate.downgrade(db_url, "base")
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM regions")).scalar_one() == 10
    finally:
        engine.dispose()


def test_offline_sql_renders(capsys):
    """`alembic upgrade head --sql` works (DBAs may want to review the DDL for production)."""
    from alembic import command

    cfg = migrate.alembic_config("postgresql+psycopg://u@localhost/x")
    command.upgrade(cfg, "head", sql=True)
    sql = capsys.readouterr().out
    assert "CREATE TABLE regions" in sql
    assert "鄂尔多斯市" in sql


@pytest.mark.parametrize("statement", [
    "INSERT INTO regions (code, name_zh, name_en, level) VALUES ('150699', 'x', 'x', 'province')",
    "INSERT INTO regions (code, name_zh, name_en, level, parent_id) VALUES ('150699', 'x', 'x', 'county', 9999)",
    "INSERT INTO regions (code, name_zh, name_en, level) VALUES ('150600', 'x', 'x', 'city')",
])
def test_constraints_enforced(engine, statement):
    """CHECK (enum), FOREIGN KEY (PRAGMA foreign_keys on SQLite) and UNIQUE hold on both backends."""
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(statement))
