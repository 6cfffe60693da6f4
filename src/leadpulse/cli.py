"""The ``leadpulse`` command: serve (embedded), api, worker, db, and operator tools."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from leadpulse.config import Settings
from leadpulse.store.db import Database

T = TypeVar("T")

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


def _settings(
    host: str | None = None, port: int | None = None, data_dir: Path | None = None
) -> Settings:
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
    from leadpulse.processes import run_serve

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
    from leadpulse.processes import run_api

    run_api(_settings(host, port, data_dir), processes=workers)


@app.command()
def worker(
    data_dir: DataDirOpt = None,
    concurrency: Annotated[int | None, typer.Option(help="Leads processed at once.")] = None,
    burst: Annotated[bool, typer.Option(help="Process everything pending, then exit.")] = False,
    health_port: Annotated[int | None, typer.Option(help="Port of /health (0: off).")] = None,
) -> None:
    """Run a scoring worker (claims lead jobs, scores, fires automations and webhooks)."""
    from leadpulse.processes import run_worker

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

    async def work(db: Database) -> str | None:
        await migrate.upgrade(db, revision)
        return await migrate.current_revision(db)

    current = _with_db(_settings(data_dir=data_dir), work)
    console.print(f"Database at revision [bold]{current}[/]")


@db_app.command("current")
def db_current(data_dir: DataDirOpt = None) -> None:
    """Print the revision the database is at."""
    from leadpulse.store import migrate

    typer.echo(_with_db(_settings(data_dir=data_dir), migrate.current_revision) or "unmigrated")


def main() -> None:
    """Entry point of the ``leadpulse`` script."""
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()


bench_app = typer.Typer(help="Benchmarks against baselines measured in the same run.")
app.add_typer(bench_app, name="bench")


@bench_app.command("run")
def bench_run(
    quick: Annotated[bool, typer.Option(help="Small smoke run (well under a minute).")] = False,
    backend: Annotated[
        str, typer.Option(help="sqlite, postgres or all (PostgreSQL + Redis must be up).")
    ] = "all",
    out: Annotated[Path, typer.Option(help="Where result JSON files go.")] = Path("bench/results"),
) -> None:
    """Run the standard workload against SQLite and/or PostgreSQL + Redis; print the table."""
    import sys

    from leadpulse.benchmark.run import run as run_bench

    choices = {"sqlite": ["sqlite"], "postgres": ["postgres"], "all": ["sqlite", "postgres"]}
    if backend not in choices:
        console.print(f"[bold red]Unknown backend[/] {backend!r}: use sqlite, postgres or all")
        raise typer.Exit(2)
    wide = Console(width=None if sys.stdout.isatty() else 150)
    asyncio.run(run_bench(choices[backend], quick=quick, out_dir=out, console=wide))


jobs_app = typer.Typer(help="Dead-lettered lead jobs.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")


def _with_db(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    async def run() -> T:
        db = Database(settings.resolved_database_url, pool_size=2)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


@jobs_app.command("list")
def jobs_list(data_dir: DataDirOpt = None) -> None:
    """List dead-lettered jobs that have not been replayed."""
    from rich.table import Table
    from sqlalchemy import select

    from leadpulse.store.models import FailedJob

    async def work(db: Database) -> list[FailedJob]:
        async with db.sessions() as session:
            query = select(FailedJob).where(FailedJob.replayed_at.is_(None)).order_by(FailedJob.id)
            return list(await session.scalars(query))

    table = Table("id", "project", "lead", "attempts", "failed at", "error")
    for f in _with_db(_settings(data_dir=data_dir), work):
        table.add_row(
            str(f.id),
            str(f.project_id),
            str(f.lead_id),
            str(f.attempts),
            f.failed_at.isoformat(timespec="seconds"),
            f.error[:80],
        )
    Console().print(table)


@jobs_app.command("replay")
def jobs_replay(
    ids: Annotated[list[int] | None, typer.Argument(help="Failed job ids (default: all).")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Send dead-lettered jobs back to the queue (each at most once)."""
    from sqlalchemy import select

    from leadpulse.queue import jobs
    from leadpulse.store.models import FailedJob
    from leadpulse.store.types import utcnow

    async def work(db: Database) -> int:
        async with db.transaction() as session:
            wanted = ids or list(
                await session.scalars(select(FailedJob.id).where(FailedJob.replayed_at.is_(None)))
            )
            for failed_id in wanted:
                await jobs.replay(session, failed_id=failed_id, project_id=None, now=utcnow())
            return len(wanted)

    count = _with_db(_settings(data_dir=data_dir), work)
    console.print(f"Re-enqueued {count} job(s); a running worker picks them up.")


@app.command()
def rescore(
    project_id: Annotated[int, typer.Option(help="Project whose leads to recompute.")],
    data_dir: DataDirOpt = None,
    wait: Annotated[bool, typer.Option(help="Score here and show progress until done.")] = True,
) -> None:
    """Recompute every lead of a project from its events with the current rules."""
    from rich.progress import Progress

    from leadpulse.bootstrap import build_container
    from leadpulse.rules import service as rules_service
    from leadpulse.worker.loop import Worker

    settings = _settings(data_dir=data_dir)

    async def run() -> None:
        container = build_container(settings)
        try:
            async with container.db.transaction() as session:
                job = await rules_service.start_rescore(session, project_id=project_id)
            await container.waker.notify()
            if not wait:
                console.print(f"Rescore job {job.id} queued for {job.total} lead(s).")
                return
            worker = Worker(container)
            with Progress(console=console) as progress:
                task = progress.add_task("Rescoring", total=job.total)
                while True:
                    await worker.step()
                    async with container.db.sessions() as session:
                        state = await rules_service.get_rescore(
                            session, project_id=project_id, job_id=job.id
                        )
                    progress.update(task, completed=min(state.done, state.total))
                    if state.status == "finished":
                        break
        finally:
            await container.close()

    asyncio.run(run())


def _mount_decay() -> None:
    from leadpulse.leads.cli import decay_app

    app.add_typer(decay_app, name="decay")


_mount_decay()
