"""``leadpulse jobs list | replay``: dead-lettered lead jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from leadpulse.cli.framework import Typer, console
from leadpulse.cli.options import DataDirOpt, load_settings, with_db

if TYPE_CHECKING:
    from leadpulse.store.db import Database
    from leadpulse.store.models import FailedJob

jobs_app = Typer(help="Dead-lettered lead jobs.", no_args_is_help=True)


@jobs_app.command("list")
def list_failed(data_dir: DataDirOpt = None) -> None:
    """List dead-lettered jobs that have not been replayed."""
    from rich.console import Console
    from rich.table import Table
    from sqlalchemy import select

    from leadpulse.store.models import FailedJob

    async def work(db: Database) -> list[FailedJob]:
        async with db.sessions() as session:
            query = select(FailedJob).where(FailedJob.replayed_at.is_(None)).order_by(FailedJob.id)
            return list(await session.scalars(query))

    failed = with_db(load_settings(data_dir=data_dir), work)
    if not failed:
        console.print("No failed jobs.")
        return
    table = Table("id", "project", "lead", "attempts", "failed at", "error")
    for f in failed:
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
def replay(
    ids: Annotated[list[int] | None, typer.Argument(help="Failed job ids (default: all).")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Send dead-lettered jobs back to the queue (each at most once)."""
    from sqlalchemy import select

    from leadpulse.errors import NotFound
    from leadpulse.queue import jobs
    from leadpulse.store.models import FailedJob
    from leadpulse.store.types import utcnow

    async def work(db: Database) -> int:
        async with db.transaction() as session:
            wanted = ids or list(
                await session.scalars(select(FailedJob.id).where(FailedJob.replayed_at.is_(None)))
            )
            for failed_id in wanted:
                try:
                    await jobs.replay(session, failed_id=failed_id, project_id=None, now=utcnow())
                except NotFound as exc:
                    raise NotFound(f"no failed job {failed_id}") from exc
            return len(wanted)

    count = with_db(load_settings(data_dir=data_dir), work)
    console.print(f"Re-enqueued {count} job(s); a running worker picks them up.")
