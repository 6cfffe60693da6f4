"""``leadpulse rescore``: recompute a project's leads here, with a progress bar and a summary.

Transactions: the command is a runner over several transactions and owns them: one to check
the project, count its stages and queue the rescore job, then the worker's own scoring
transactions, then a read-only session per progress poll and one for the final counts.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated

import typer

from leadpulse.cli.framework import console
from leadpulse.cli.options import DataDirOpt, load_settings

if TYPE_CHECKING:
    from leadpulse.container import Container
    from leadpulse.store.models import RescoreJob


def stage_changes(before: Mapping[str, int], after: Mapping[str, int]) -> str:
    """Describe how the lead count of each stage moved, e.g. ``cold 8 → 6, hot 1 → 3``."""
    moved = [
        f"{stage} {before.get(stage, 0)} → {after.get(stage, 0)}"
        for stage in dict.fromkeys([*before, *after])
        if before.get(stage, 0) != after.get(stage, 0)
    ]
    if moved:
        return "stages: " + ", ".join(moved)
    kept = ", ".join(f"{stage} {count}" for stage, count in after.items())
    return f"stages unchanged ({kept})" if kept else "stages unchanged"


async def _queue(container: Container, project_id: int) -> tuple[RescoreJob, dict[str, int]]:
    from leadpulse.errors import NotFound
    from leadpulse.leads import service as leads_service
    from leadpulse.rules import service as rules_service
    from leadpulse.store.models import Project

    async with container.db.transaction() as session:
        if await session.get(Project, project_id) is None:
            raise NotFound(f"no project {project_id}")
        before = await leads_service.stage_counts(session, project_id=project_id)
        job = await rules_service.start_rescore(session, project_id=project_id)
    await container.waker.notify()
    return job, before


async def _score_with_progress(container: Container, job: RescoreJob) -> None:
    from rich.progress import Progress

    from leadpulse.rules import service as rules_service
    from leadpulse.worker.loop import Worker

    worker = Worker(container)
    with Progress(console=console) as progress:
        task = progress.add_task("Rescoring", total=job.total)
        while True:
            await worker.step()
            async with container.db.sessions() as session:
                state = await rules_service.get_rescore(
                    session, project_id=job.project_id, job_id=job.id
                )
            progress.update(task, completed=min(state.done, state.total))
            if state.status == "finished":
                return


async def _rescore(project_id: int, wait: bool, container: Container) -> None:
    from leadpulse.leads import service as leads_service

    job, before = await _queue(container, project_id)
    if not wait:
        console.print(f"Rescore job {job.id} queued for {job.total} lead(s).")
        return
    started = time.perf_counter()
    await _score_with_progress(container, job)
    elapsed = time.perf_counter() - started
    async with container.db.sessions() as session:
        after = await leads_service.stage_counts(session, project_id=project_id)
    console.print(
        f"[bold green]Rescored[/] {job.total} lead(s) of project {project_id} in "
        f"{elapsed:.1f} s; {stage_changes(before, after)}.",
        highlight=False,
    )


def rescore(
    project_id: Annotated[int, typer.Option(help="Project whose leads to recompute.")],
    data_dir: DataDirOpt = None,
    wait: Annotated[bool, typer.Option(help="Score here and show progress until done.")] = True,
) -> None:
    """Recompute every lead of a project from its events with the current rules."""
    import asyncio

    from leadpulse.bootstrap import build_container

    settings = load_settings(data_dir=data_dir)

    async def run() -> None:
        container = build_container(settings)
        try:
            await _rescore(project_id, wait, container)
        finally:
            await container.close()

    asyncio.run(run())
