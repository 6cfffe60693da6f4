"""Run Alembic migrations programmatically (``leadpulse db upgrade``, embedded start-up)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from leadpulse.store.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """Build the Alembic config pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(db: Database, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the newest)."""
    async with db.engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)


async def current_revision(db: Database) -> str | None:
    """Return the revision the database is at, or None when unmigrated."""
    async with db.engine.begin() as conn:
        return await conn.run_sync(_current)
