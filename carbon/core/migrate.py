"""Run the alembic migrations from Python (``carbon db upgrade``, ``carbon serve``, tests).

The repository is installed editable, so ``alembic.ini`` and ``migrations/`` are found next to the
package: ``Path(__file__).resolve().parents[2]``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

REPO_ROOT = Path(__file__).resolve().parents[2]
ALEMBIC_INI = REPO_ROOT / "alembic.ini"


def alembic_config(url: str | None = None, *, connection: Connection | None = None) -> Config:
    """An alembic ``Config`` for this repository, pointed at ``url`` or an open ``connection``."""
    if not ALEMBIC_INI.exists():
        raise FileNotFoundError(f"{ALEMBIC_INI} not found: install the repository editable (pip install -e .)")
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
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
