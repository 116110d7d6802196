"""Engine, session scope and portable types behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from carbon.core.db import make_engine, session_scope
from carbon.core.models import ApiToken, Region, seed_regions

BEIJING = timezone(timedelta(hours=8))


def test_sqlite_pragmas(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    finally:
        engine.dispose()


def test_in_memory_sqlite_is_one_database():
    engine = make_engine("sqlite://")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 0
    engine.dispose()


def test_utc_datetime_round_trip(engine):
    created = datetime(2025, 3, 1, 8, 0, tzinfo=BEIJING)
    with session_scope(engine) as session:
        session.add(ApiToken(token_hash="a" * 64, role="bureau", name="t", created_at=created))
    with session_scope(engine) as session:
        stored = session.scalar(select(ApiToken))
        assert stored.created_at == created
        assert stored.created_at.tzinfo is not None
        assert stored.created_at.utcoffset() == timedelta(0)
        assert stored.created_at.hour == 0


def test_utc_datetime_refuses_naive(engine):
    with pytest.raises(StatementError, match="naive datetime"), session_scope(engine) as session:
        session.add(ApiToken(token_hash="b" * 64, role="bureau", name="t", created_at=datetime(2025, 1, 1)))
        session.flush()


def test_session_scope_commits_once_or_rolls_back(engine):
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        session.add(ApiToken(token_hash="c" * 64, role="bureau", name="t"))
        session.flush()
        raise RuntimeError("boom")
    with session_scope(engine) as session:
        session.add(ApiToken(token_hash="d" * 64, role="bureau", name="t"))
    with engine.connect() as conn:
        hashes = conn.execute(text("SELECT token_hash FROM api_tokens")).scalars().all()
    assert hashes == ["d" * 64]


def test_seed_regions_is_idempotent(session):
    assert seed_regions(session) == 0  # migration 0001 already seeded them
    session.execute(text("DELETE FROM regions WHERE code = '150627'"))
    assert seed_regions(session) == 1
    banner = session.scalar(select(Region).where(Region.code == "150627"))
    assert banner.parent.code == "150600"
    assert banner.name_zh == "伊金霍洛旗"


def test_seed_regions_on_create_all():
    """Without migrations (e.g. a quick script on in-memory SQLite), create_all + seed works too."""
    from carbon.core.db import Base, import_all_models

    import_all_models()
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with session_scope(engine) as session:
        assert seed_regions(session) == 10
    with session_scope(engine) as session:
        assert seed_regions(session) == 0
        assert len(session.scalars(select(Region).where(Region.level == "county")).all()) == 9
    engine.dispose()


def test_failed_ddl_rolls_back(engine):
    """Transactional DDL on SQLite too: a failing migration must not leave half its tables behind."""
    from sqlalchemy import inspect

    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("migration failed midway")
    assert "half_done" not in inspect(engine).get_table_names()


def test_savepoint_rolls_back_inside_transaction(engine):
    with session_scope(engine) as session:
        session.add(ApiToken(token_hash="e" * 64, role="bureau", name="outer"))
        nested = session.begin_nested()
        session.add(ApiToken(token_hash="f" * 64, role="bureau", name="inner"))
        session.flush()
        nested.rollback()
    with session_scope(engine) as session:
        assert session.scalars(select(ApiToken.name)).all() == ["outer"]


def test_batch_rebuild_of_referenced_table_keeps_children(migrated_url):
    """What a batch migration does to `regions` once domain tables reference it (ON DELETE CASCADE)."""
    import sqlalchemy as sa
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    engine = make_engine(migrated_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE child (id INTEGER PRIMARY KEY, region_id INTEGER NOT NULL "
            "REFERENCES regions(id) ON DELETE CASCADE)"
        )
        conn.exec_driver_sql("INSERT INTO child (id, region_id) VALUES (1, 1), (2, 2)")
    engine.dispose()

    migration_engine = make_engine(migrated_url, foreign_keys=False)  # as migrations/env.py does
    with migration_engine.begin() as conn:
        op = Operations(MigrationContext.configure(conn, opts={"render_as_batch": True}))
        with op.batch_alter_table("regions") as batch:  # SQLite: copy, DROP, rename; PG: ALTER
            batch.alter_column("name_en", type_=sa.String(80), existing_type=sa.String(64))
    migration_engine.dispose()

    engine = make_engine(migrated_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM child").scalar_one() == 2
        assert conn.exec_driver_sql("SELECT count(*) FROM regions").scalar_one() == 10
    engine.dispose()
