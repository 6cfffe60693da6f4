"""Options every command shares, and the Settings and database a command runs against.

Nothing heavy is imported here at module level: ``leadpulse --help`` loads this module, and
the settings (pydantic) and database (SQLAlchemy) are only needed once a command runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from leadpulse.cli.framework import console

if TYPE_CHECKING:
    from leadpulse.config import Settings
    from leadpulse.store.db import Database

T = TypeVar("T")

HostOpt = Annotated[
    str | None, typer.Option(help="Interface to bind (default 127.0.0.1; env LEADPULSE_HOST).")
]
PortOpt = Annotated[
    int | None, typer.Option(help="Port to listen on (default 4000; env LEADPULSE_PORT).")
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        help="Where embedded mode keeps its SQLite file and secret (default ./data; "
        "env LEADPULSE_DATA_DIR)."
    ),
]
EXIT_CONFIG = 2


def load_settings(
    host: str | None = None,
    port: int | None = None,
    data_dir: Path | None = None,
    *,
    logs: bool = True,
) -> Settings:
    """Return the validated Settings with the command's overrides; set up logging.

    ``logs=False`` leaves logging alone, for a command that logs nothing (structlog alone
    takes a tenth of a second to import).
    """
    from leadpulse.config import Settings

    overrides: dict[str, object] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValueError as exc:
        console.print(f"[bold red]Configuration refused:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_CONFIG) from exc
    if logs:
        from leadpulse.obs import configure_logging_from

        configure_logging_from(settings)
    return settings


def with_db(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run ``work`` against a small engine on the configured database, then dispose of it."""
    import asyncio

    from leadpulse.store.db import Database

    async def run() -> T:
        db = Database(settings.resolved_database_url, pool_size=2)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())
