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


def _sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    # A PRAGMA, outside any transaction (inside one SQLite ignores it): straight to the driver.
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    finally:
        cursor.close()


def _upgrade_sqlite(connection: Connection, revision: str) -> None:
    # Batch migrations rebuild tables (copy, drop, rename). With foreign keys on, dropping the
    # old table would cascade to every referencing row, so they are off for the run and
    # checked before it commits.
    _sqlite_foreign_keys(connection, on=False)
    try:
        with connection.begin():
            _upgrade(connection, revision)
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left dangling foreign keys: {broken[:5]}")
    finally:
        _sqlite_foreign_keys(connection, on=True)


async def upgrade(db: Database, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the newest)."""
    if db.dialect == "sqlite":
        async with db.engine.connect() as conn:
            await conn.run_sync(_upgrade_sqlite, revision)
        return
    async with db.engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)


async def current_revision(db: Database) -> str | None:
    """Return the revision the database is at, or None when unmigrated."""
    async with db.engine.begin() as conn:
        return await conn.run_sync(_current)
