"""Shared fixtures: a fresh database per test on SQLite, and on PostgreSQL too when configured.

Every database fixture is parametrised over ``backend`` = ["sqlite", "postgresql"]; the PostgreSQL half
is skipped unless ``CARBON_TEST_DATABASE_URL`` is set, e.g.::

    CARBON_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test pytest tests

That database is wiped (``DROP SCHEMA public CASCADE``) before each test that uses it: never point it
at a database you care about. PostgreSQL tests share one database, so do not run them in parallel.

Fixtures (ask for the highest one you need):

    db_url        URL of an empty database (for migration tests)
    migrated_url  URL of a database at alembic head (regions seeded)
    engine        an Engine on migrated_url (disposed after the test)
    session       a Session on that engine; commit if your code under test expects committed data
    app           create_app() on migrated_url
    client        a TestClient on app (lifespan started)
    make_token    make_token(role, name=None) -> a token string, committed
    auth_headers  auth_headers(role) -> {"Authorization": "Bearer ..."}
    bureau_token  a bureau token string
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.main import create_app
from carbon.core import migrate
from carbon.core.auth import create_token
from carbon.core.db import make_engine, session_factory, session_scope
from carbon.core.settings import Settings, get_settings

PG_URL_ENV = "CARBON_TEST_DATABASE_URL"


@pytest.fixture(autouse=True, scope="session")
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Never touch a real database or ./carbon.db: default settings point at a throwaway file."""
    saved = os.environ.get("CARBON_DATABASE_URL")
    os.environ["CARBON_DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('default') / 'carbon.db'}"
    get_settings.cache_clear()
    yield
    if saved is None:
        os.environ.pop("CARBON_DATABASE_URL", None)
    else:
        os.environ["CARBON_DATABASE_URL"] = saved
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Tests that monkeypatch CARBON_* variables see them; nobody sees a previous test's settings."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not os.environ.get(PG_URL_ENV):
        pytest.skip(f"{PG_URL_ENV} not set")
    return request.param


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")  # a leaked connection fails loudly
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def _sqlite_head_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per run; tests get a copy (cheaper than migrating again)."""
    path = tmp_path_factory.mktemp("template") / "head.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> str:
    """An empty database (no tables) on ``backend``."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url = os.environ[PG_URL_ENV]
    _reset_postgres(url)
    return url


@pytest.fixture
def migrated_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database at alembic head (regions seeded) on ``backend``."""
    if backend == "sqlite":
        template = request.getfixturevalue("_sqlite_head_template")
        path = tmp_path / "test.db"
        with sqlite3.connect(template) as src, sqlite3.connect(path) as dst:
            src.backup(dst)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("db_url")
    migrate.upgrade(url)
    return url


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A plain session; uncommitted work is rolled back at the end (the database is per-test anyway)."""
    with session_factory(engine)() as session:
        yield session


@pytest.fixture
def app(migrated_url: str):
    return create_app(Settings(database_url=migrated_url))


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def make_token(engine: Engine) -> Callable[..., str]:
    """``make_token("emitter", "鄂尔多斯某电厂")`` -> a committed token for that role."""

    def make(role: str = "bureau", name: str | None = None) -> str:
        with session_scope(engine) as session:
            return create_token(session, role, name or f"test {role}")

    return make


@pytest.fixture
def auth_headers(make_token: Callable[..., str]) -> Callable[..., dict[str, str]]:
    """``client.get(url, headers=auth_headers("bureau"))``."""

    def headers(role: str = "bureau", name: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {make_token(role, name)}"}

    return headers


@pytest.fixture
def bureau_token(make_token: Callable[..., str]) -> str:
    return make_token("bureau", "test bureau")
