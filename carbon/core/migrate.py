"""Run the alembic migrations from Python (``carbon db upgrade``, ``carbon serve``, tests).

The alembic ``Config`` is built here, in code, with ``script_location`` pointing at the migrations that
``carbon.core.resources`` finds (``carbon/_data/migrations`` in a wheel, ``migrations/`` in a checkout), so
``carbon db upgrade`` needs no ``alembic.ini`` and works from any folder. ``alembic.ini`` stays in the
repository for the ``alembic`` command line (``alembic revision ...``); ``ALEMBIC_OPTIONS`` repeats its
``[alembic]`` settings (tests/test_wheel.py checks that they agree).
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from carbon.core.resources import data_dir

# the [alembic] section of alembic.ini, less script_location (set from data_dir) and sqlalchemy.url
ALEMBIC_OPTIONS = {
    "file_template": "%%(rev)s_%%(slug)s",
    "truncate_slug_length": "40",
    "path_separator": "os",
    "timezone": "UTC",
}


def alembic_config(url: str | None = None, *, connection: Connection | None = None) -> Config:
    """An alembic ``Config`` for carbon's migrations, pointed at ``url`` or an open ``connection``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(data_dir("migrations")).replace("%", "%%"))
    for key, value in ALEMBIC_OPTIONS.items():
        cfg.set_main_option(key, value)
    cfg.attributes["configure_logger"] = False  # keep the caller's logging (uvicorn, pytest)
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # ConfigParser interpolation
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision`` (default: the newest)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` (``base`` removes every table)."""
    command.downgrade(alembic_config(url), revision)


def current_heads(url: str) -> set[str]:
    """The revision(s) the database at ``url`` is at (empty for an unmigrated database)."""
    from alembic.runtime.migration import MigrationContext

    from carbon.core.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
