"""``leadpulse db upgrade | current``: the database schema."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leadpulse.cli.framework import Typer, console
from leadpulse.cli.options import DataDirOpt, load_settings, with_db

if TYPE_CHECKING:
    from leadpulse.store.db import Database

db_app = Typer(help="Database schema commands.", no_args_is_help=True)
SQLITE_PREFIX = "sqlite+aiosqlite:///"


@db_app.command("upgrade")
def upgrade(
    data_dir: DataDirOpt = None,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply database migrations up to REVISION (default: newest)."""
    from leadpulse.store import migrate

    async def work(db: Database) -> str | None:
        await migrate.upgrade(db, revision)
        return await migrate.current_revision(db)

    current = with_db(load_settings(data_dir=data_dir), work)
    console.print(f"Database at revision [bold]{current}[/]")


@db_app.command("current")
def current(data_dir: DataDirOpt = None) -> None:
    """Print the revision the database is at ("unmigrated" for a new one)."""
    settings = load_settings(data_dir=data_dir, logs=False)
    url = settings.resolved_database_url
    if url.startswith(SQLITE_PREFIX):
        revision = sqlite_revision(Path(url.removeprefix(SQLITE_PREFIX)))
    else:
        from leadpulse.obs import configure_logging_from
        from leadpulse.store import migrate

        configure_logging_from(settings)

        # Alembic announces its dialect at INFO; for a one-word answer that is noise.
        logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
        revision = with_db(settings, migrate.current_revision)
    typer.echo(revision or "unmigrated")


def sqlite_revision(path: Path) -> str | None:
    """Read Alembic's revision from an embedded database file, creating nothing.

    The standard library answers this in milliseconds; Alembic and SQLAlchemy would take
    most of a second just to import (``leadpulse db current`` is meant to be instant).
    """
    if not path.is_file():
        return None
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise
    return str(row[0]) if row else None
