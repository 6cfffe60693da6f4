"""``leadpulse decay run``: apply score decay now (or as of a given day), with a progress bar.

Transactions: ``leads.decay.run_decay`` is the runner and owns them (one per batch).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from leadpulse.cli.framework import Typer, console
from leadpulse.cli.options import DataDirOpt, load_settings

if TYPE_CHECKING:
    from datetime import datetime

    from leadpulse.config import Settings
    from leadpulse.leads.decay import DecayReport

decay_app = Typer(help="Score decay of idle leads.", no_args_is_help=True)


@decay_app.callback()
def decay_group() -> None:
    """Score decay of idle leads (mounted as ``leadpulse decay``)."""


async def _run(
    settings: Settings, now: datetime, project_id: int | None, batch: int
) -> DecayReport:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from leadpulse.leads.decay import run_decay
    from leadpulse.store.db import Database

    db = Database(settings.resolved_database_url, pool_size=2)
    columns = (TextColumn("Decaying leads"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
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


def _parse_now(raw: str | None) -> datetime:
    from leadpulse.leads.decay import parse_now
    from leadpulse.store.types import utcnow

    if raw is None:
        return utcnow()
    try:
        return parse_now(raw)
    except ValueError as exc:
        raise typer.BadParameter(f"not a date or ISO datetime: {raw}", param_hint="--now") from exc


@decay_app.command("run")
def run(
    now: Annotated[
        str | None,
        typer.Option(help="Decay as of this UTC day or ISO time (default: now), e.g. 2026-12-31."),
    ] = None,
    project_id: Annotated[int | None, typer.Option(help="Only this project.")] = None,
    batch: Annotated[int, typer.Option(min=1, max=10_000, help="Leads per transaction.")] = 500,
    data_dir: DataDirOpt = None,
) -> None:
    """Apply decay to every idle lead now; safe to run repeatedly (once per lead per day)."""
    import asyncio

    as_of = _parse_now(now)
    report = asyncio.run(_run(load_settings(data_dir=data_dir), as_of, project_id, batch))
    console.print(
        f"[bold green]Decay done:[/] {report.decayed} lead(s) decayed, "
        f"{report.scanned} scanned in {report.projects} project(s).",
        highlight=False,
    )
