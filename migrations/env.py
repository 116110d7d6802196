"""Alembic environment: one set of migrations for SQLite and PostgreSQL.

Where the database comes from, first match wins:
1. ``config.attributes["connection"]``: an open SQLAlchemy Connection (tests); the caller commits.
2. ``sqlalchemy.url`` in the config (``carbon.core.migrate`` sets it; ``alembic -x`` is not used).
3. ``CARBON_DATABASE_URL`` / the settings default (``sqlite:///./carbon.db``).

``render_as_batch=True`` makes autogenerate write ``batch_alter_table`` blocks, which copy the table on
SQLite (no ALTER COLUMN there) and pass straight through on PostgreSQL. ``compare_type=True`` makes
autogenerate notice type changes.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.pool import NullPool

from carbon.core.db import Base, UTCDateTime, import_all_models, make_engine
from carbon.core.settings import get_settings

config = context.config

# Programmatic callers (carbon serve, tests) keep their own logging: fileConfig would otherwise
# replace the handlers of the running application.
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

import_all_models()
target_metadata = Base.metadata


def render_item(type_: str, obj: object, autogen_context) -> str | bool:
    """Autogenerate writes our column types as plain SQLAlchemy types, so a migration never imports
    application code (it must keep working after that code changes)."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False  # default rendering


CONFIGURE_OPTS = {
    "target_metadata": target_metadata,
    "render_as_batch": True,
    "compare_type": True,
    "render_item": render_item,
}


def database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    """``alembic upgrade head --sql``: print the SQL instead of running it."""
    context.configure(
        url=database_url(),
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **CONFIGURE_OPTS,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_on(connection: Connection) -> None:
    """Run the migrations in one transaction, on SQLite too (make_engine gives it transactional DDL),
    so a failing migration leaves the database as it was."""
    context.configure(connection=connection, transactional_ddl=True, **CONFIGURE_OPTS)
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            check_sqlite_foreign_keys(connection)


def check_sqlite_foreign_keys(connection: Connection) -> None:
    """Foreign keys are off while migrating (below); verify them before committing instead."""
    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if violations:
        raise RuntimeError(f"migration left foreign-key violations (table, rowid, parent, fk): {violations[:10]}")


def run_migrations_online() -> None:
    """Foreign keys are OFF on the SQLite migration connection: batch mode rebuilds a table as
    copy -> DROP old -> rename, and with foreign keys ON the DROP of a referenced table fails (seen:
    "FOREIGN KEY constraint failed" on DROP TABLE regions) or fires ON DELETE CASCADE on the children.
    This is SQLite's documented procedure for schema changes; ``foreign_key_check`` runs at the end.
    A caller passing its own connection is responsible for that connection's foreign-key setting.
    """
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = make_engine(database_url(), foreign_keys=False, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
