"""The ``leadpulse`` command: serve (embedded), api, worker, db, and operator tools."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from leadpulse.config import Settings

app = typer.Typer(
    help="LeadPulse: event-driven lead scoring. `leadpulse serve` runs everything in one process.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console(stderr=True)

HostOpt = Annotated[str | None, typer.Option(help="Interface to bind (default 127.0.0.1).")]
PortOpt = Annotated[int | None, typer.Option(help="Port to listen on (default 4000).")]
DataDirOpt = Annotated[
    Path | None, typer.Option(help="Where embedded mode keeps its SQLite file and secret.")
]


def _settings(host: str | None = None, port: int | None = None, data_dir: Path | None = None):  # type: ignore[no-untyped-def]
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
        console.print(f"[bold red]Configuration refused:[/] {exc}")
        raise typer.Exit(2) from exc
    from leadpulse.obs import configure_logging

    configure_logging(settings.log_level, json=settings.log_json)
    return settings


@app.command()
def serve(host: HostOpt = None, port: PortOpt = None, data_dir: DataDirOpt = None) -> None:
    """Run API, worker and scheduler in one process (embedded mode by default)."""
    from leadpulse.runner import run_serve

    settings = _settings(host, port, data_dir)
    url = f"http://{'localhost' if settings.host in ('127.0.0.1', '0.0.0.0') else settings.host}:{settings.port}"  # noqa: S104,E501
    console.print(f"[bold green]LeadPulse[/] on [link={url}]{url}[/]  (API docs: {url}/docs)")
    console.print(
        f"Sign up in the dashboard at {url}/ or: curl -X POST {url}/api/auth/register "
        "-H 'Content-Type: application/json' "
        """-d '{"email":"you@example.com","password":"a-long-password","name":"You"}'"""
    )
    run_serve(settings)


@app.command()
def api(
    host: HostOpt = None,
    port: PortOpt = None,
    data_dir: DataDirOpt = None,
    workers: Annotated[int, typer.Option(help="Number of API processes.")] = 1,
) -> None:
    """Run only the HTTP API (production: start workers separately)."""
    from leadpulse.runner import run_api

    run_api(_settings(host, port, data_dir), processes=workers)


@app.command()
def worker(
    data_dir: DataDirOpt = None,
    concurrency: Annotated[int | None, typer.Option(help="Leads processed at once.")] = None,
    burst: Annotated[bool, typer.Option(help="Process everything pending, then exit.")] = False,
    health_port: Annotated[int | None, typer.Option(help="Port of /health (0: off).")] = None,
) -> None:
    """Run a scoring worker (claims lead jobs, scores, fires automations and webhooks)."""
    from leadpulse.runner import run_worker

    settings = _settings(data_dir=data_dir)
    if concurrency is not None:
        settings.worker_concurrency = concurrency
    if health_port is not None:
        settings.worker_health_port = health_port
    raise typer.Exit(run_worker(settings, burst=burst))


@db_app.command("upgrade")
def db_upgrade(
    data_dir: DataDirOpt = None,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply database migrations up to REVISION (default: newest)."""
    from leadpulse.store import migrate
    from leadpulse.store.db import Database

    settings = _settings(data_dir=data_dir)

    async def run() -> str | None:
        db = Database(settings.resolved_database_url, pool_size=1)
        try:
            await migrate.upgrade(db, revision)
            return await migrate.current_revision(db)
        finally:
            await db.dispose()

    console.print(f"Database at revision [bold]{asyncio.run(run())}[/]")


@db_app.command("current")
def db_current(data_dir: DataDirOpt = None) -> None:
    """Print the revision the database is at."""
    from leadpulse.store import migrate
    from leadpulse.store.db import Database

    settings = _settings(data_dir=data_dir)

    async def run() -> str | None:
        db = Database(settings.resolved_database_url, pool_size=1)
        try:
            return await migrate.current_revision(db)
        finally:
            await db.dispose()

    typer.echo(asyncio.run(run()) or "unmigrated")


def main() -> None:
    """Entry point of the ``leadpulse`` script."""
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()
