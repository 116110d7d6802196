"""Database plumbing shared by every domain: declarative base, engine, sessions, portable types.

The same models and migrations run on SQLite (embedded default, dev, unit tests) and PostgreSQL
(production). The choices below are the ones that keep that true (engineering-notes §6):

- A naming convention on ``Base.metadata``: alembic batch mode on SQLite must drop and recreate
  constraints *by name*, so every constraint needs a predictable one. In migrations, wrap names that
  are already final in ``op.f()`` so the convention is not applied twice.
- ``choice()`` for enums: VARCHAR + named CHECK (``native_enum=False, create_constraint=True``). PG
  native ENUMs need ``CREATE TYPE``/``ALTER TYPE`` migrations and do not exist on SQLite.
- ``UTCDateTime``: SQLite drops tzinfo, so timestamps are normalised to UTC on the way in and come
  back tz-aware on both backends.
- Numbers: ``Numeric`` is a float on SQLite (silently rounds at ~15 significant digits). Store money,
  quotas and allowances as integers (``BigInteger``: yuan fen, whole tonnes, grams…); values whose
  exactness a test or an auditor relies on as ``BigInteger`` in a small unit, or ``Numeric`` and test
  them on PostgreSQL. Computed emission results may be ``Float`` (they are recomputable, carry the
  factor ids that produced them, and are rounded for display); say so on the column.
- Transactions: commit once per request or job (``session_scope``), never inside helpers.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, Enum, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table. Import domain models before using ``Base.metadata``."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def choice(values: tuple[str, ...] | type[enum.Enum], *, name: str, length: int = 32) -> Enum:
    """A portable enum column type: VARCHAR(length) + CHECK named ``ck_<table>_<name>``.

    ``name`` is required because the CHECK constraint needs a stable name (batch migrations drop it by
    name). ``length`` is generous on purpose, so adding a longer value later only changes the CHECK,
    not the column type. Python ``enum.Enum`` classes are stored by ``.value``.
    """
    if isinstance(values, type) and issubclass(values, enum.Enum):
        return Enum(
            values,
            name=name,
            native_enum=False,
            create_constraint=True,
            length=length,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        )
    return Enum(
        *values,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
    )


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned tz-aware (UTC) on SQLite and PostgreSQL.

    Naive datetimes are refused: we cannot know whether 08:00 meant Beijing time or UTC, and guessing
    would shift records by eight hours. Use ``datetime.now(UTC)`` (see ``utcnow``).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
        value = value.astimezone(UTC)
        # SQLite would store the wall time and drop the offset; store the UTC wall time explicitly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, tz-aware UTC (the only kind ``UTCDateTime`` accepts)."""
    return datetime.now(UTC)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, foreign_keys: bool = True, **kwargs: Any) -> Engine:
    """An engine for ``url``. On SQLite: real transactions, foreign keys and WAL on every connection.

    - Transactions: Python's sqlite3 by default ("legacy transaction control") does not BEGIN before
      DDL or SELECT, so a failed migration leaves half its tables behind (seen: a stray
      ``_alembic_tmp_regions`` after a failed batch operation) and SAVEPOINTs do not nest. We switch
      the driver's own transaction handling off and emit ``BEGIN`` whenever SQLAlchemy starts a
      transaction (the recipe in SQLAlchemy's SQLite dialect docs). Consequence: a transaction that
      read, then writes after another connection committed, gets "database is locked" at once;
      commit (end the read transaction) before handing over to another connection.
    - ``foreign_keys``: SQLite ignores foreign keys unless each connection asks for them. Migrations
      turn them off (see ``migrations/env.py``); everything else should leave them on.
    - WAL lets the API read while a job writes (still one writer at a time: SQLite is for dev and
      tests); ``busy_timeout`` makes a second writer wait instead of failing at once.
    - An in-memory URL gets a single shared connection (``StaticPool``), otherwise every pooled
      connection would see its own empty database.
    """
    sa_url = make_url(url)
    if sa_url.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(sa_url, **kwargs)

    in_memory = sa_url.database in (None, "", ":memory:") or "mode=memory" in str(sa_url)
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("check_same_thread", False)  # FastAPI runs sync code in a thread pool
    if in_memory:
        kwargs.setdefault("poolclass", StaticPool)
    engine = create_engine(sa_url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver emits no BEGIN; _sqlite_begin does
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            cursor.execute("PRAGMA busy_timeout=5000")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A sessionmaker bound to ``engine``.

    ``expire_on_commit=False``: objects loaded in a request or job stay readable after the single
    commit at the end (e.g. while FastAPI serialises the response) without a second round trip.
    """
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(engine_or_factory: Engine | sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit once at the end, roll back on any exception, always close.

    For jobs, the CLI and tests. Helpers inside take the session as an argument and never commit.
    """
    factory = (
        engine_or_factory
        if isinstance(engine_or_factory, sessionmaker)
        else session_factory(engine_or_factory)
    )
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def import_all_models() -> None:
    """Import ``carbon.<domain>.models`` for every domain that has one, so ``Base.metadata`` is complete.

    Alembic autogenerate and the "models match migrations" test need every table registered; doing it
    by discovery means a new domain does not have to edit ``migrations/env.py``.
    """
    import importlib
    import importlib.util
    import pkgutil

    import carbon

    importlib.import_module("carbon.core.models")
    for module in pkgutil.iter_modules(carbon.__path__):
        if module.ispkg and importlib.util.find_spec(f"carbon.{module.name}.models") is not None:
            importlib.import_module(f"carbon.{module.name}.models")
