"""``leadpulse decay run``: apply score decay now (or as of a given day), with a progress bar."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from leadpulse.leads.decay import DecayReport, parse_now, run_decay

decay_app = typer.Typer(help="Score decay of idle leads.", no_args_is_help=True)
console = Console(stderr=True)


@decay_app.callback()
def decay_group() -> None:
    """Score decay of idle leads (mounted as ``leadpulse decay``)."""


async def _run(now_raw: str | None, project_id: int | None, batch: int) -> DecayReport:
    from leadpulse.config import Settings
    from leadpulse.store.db import Database
    from leadpulse.store.types import utcnow

    now = parse_now(now_raw) if now_raw else utcnow()
    db = Database(Settings().resolved_database_url, pool_size=2)
    columns = (
        TextColumn("Decaying leads"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("decay", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            return await run_decay(
                db, now=now, project_id=project_id, batch=batch, progress=progress
            )
    finally:
        await db.dispose()


@decay_app.command("run")
def run(
    now: Annotated[
        str | None,
        typer.Option(help="Decay as of this UTC day or ISO time (default: now), e.g. 2026-12-31."),
    ] = None,
    project_id: Annotated[int | None, typer.Option(help="Only this project.")] = None,
    batch: Annotated[int, typer.Option(min=1, max=10_000, help="Leads per transaction.")] = 500,
) -> None:
    """Apply decay to every idle lead now; safe to run repeatedly (once per lead per day)."""
    if now is not None:
        try:
            parse_now(now)
        except ValueError as exc:
            raise typer.BadParameter(
                f"not a date or ISO datetime: {now}", param_hint="--now"
            ) from exc
    report = asyncio.run(_run(now, project_id, batch))
    console.print(
        f"[bold green]Decay done:[/] {report.decayed} lead(s) decayed, "
        f"{report.scanned} scanned in {report.projects} project(s)."
    )
