"""``leadpulse import FILE --project ID``: stream a file of past events into the project.

The command checks the file at once (a binary or wrong-format file is one red line and
exit 1), creates an import job already claimed by this process, runs it here with a
progress bar (rows/s, ETA from the file's size), then writes the rejected rows to a CSV
report and prints a summary. The events are scored by the worker (``leadpulse serve`` or
``leadpulse worker``) like any others. Transactions: the job runner owns them
(``imports.runner``); this command opens one to create the job and one to read its end.
"""

from __future__ import annotations

import csv
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leadpulse.cli.framework import console, fail
from leadpulse.cli.options import DataDirOpt, load_settings

if TYPE_CHECKING:
    from leadpulse.container import Container
    from leadpulse.store.models import ImportJob

MapOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help="part=column (event_type, timestamp, email, anonymous_id, event_id; "
        "properties=col1,col2); event_type==signup sets a constant type. Repeatable.",
    ),
]


def mapping_of(pairs: list[str]) -> dict[str, object]:
    """Turn ``--map part=column`` options into a mapping in wire form."""
    from leadpulse.imports.uploads import parse_mapping

    values: dict[str, object] = {}
    for pair in pairs:
        part, sep, column = pair.partition("=")
        if not sep or not part.strip():
            fail(f"--map {pair}: expected part=column")
        part = part.strip()
        if part == "properties":
            values["properties"] = [c.strip() for c in column.split(",") if c.strip()]
        elif part == "event_type" and column.startswith("="):
            values["event_type_constant"] = column[1:]
        else:
            values[part] = column
    return parse_mapping(values, loc="--map") if values else {}


async def _start(
    container: Container,
    path: Path,
    size: int,
    project_id: int,
    fmt: str,
    mapping: dict[str, object],
) -> tuple[ImportJob, str]:
    from datetime import timedelta

    from leadpulse.errors import NotFound
    from leadpulse.imports import service
    from leadpulse.store.models import Project
    from leadpulse.store.types import utcnow

    worker_id = f"cli:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    lease = timedelta(seconds=container.settings.import_lease_seconds)
    async with container.db.transaction() as session:
        if await session.get(Project, project_id) is None:
            raise NotFound(f"no project {project_id}")
        job = await service.create_job(
            session,
            project_id=project_id,
            fmt=fmt,
            mapping=mapping,
            filename=path.name,
            path=str(path),
            size=size,
            now=utcnow(),
            claimed_by=worker_id,
            lease=lease,
        )
    return job, worker_id


async def _run_with_progress(container: Container, job: ImportJob, worker_id: str) -> str:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    from leadpulse.imports.runner import Progress as Step
    from leadpulse.imports.runner import run_job

    columns = (
        TextColumn("Importing"),
        BarColumn(),
        TaskProgressColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]} rows · {task.fields[rate]} rows/s"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("import", total=job.size_bytes or 1, rows=0, rate=0)
        start = progress.get_time()

        def show(step: Step) -> None:
            elapsed = max(progress.get_time() - start, 1e-6)
            rate = int(step.read / elapsed)
            progress.update(task, completed=step.offset, rows=step.read, rate=rate)

        status = await run_job(container, job, worker_id=worker_id, on_progress=show)
        progress.update(task, completed=job.size_bytes or 1)
    return status


async def write_report(container: Container, job_id: int, project_id: int, target: Path) -> int:
    """Write the job's rejected rows (line, reason, row) to ``target``; return how many."""
    from leadpulse.imports import service

    written = 0
    with target.open("w", newline="") as file:
        out = csv.writer(file)
        out.writerow(["line", "reason", "row"])
        async with container.db.sessions() as session:
            while rows := await service.list_rejections(
                session, job_id=job_id, limit=1000, offset=written
            ):
                for row in rows:
                    reason = "; ".join(f"{e['loc']}: {e['msg']}" for e in row.errors)
                    out.writerow([row.line, reason, row.raw])
                written += len(rows)
    return written


async def _import(
    container: Container,
    path: Path,
    size: int,
    project_id: int,
    fmt: str,
    mapping: dict[str, object],
    report: Path | None,
) -> None:
    from leadpulse.imports import service

    job, worker_id = await _start(container, path, size, project_id, fmt, mapping)
    status = await _run_with_progress(container, job, worker_id)
    async with container.db.sessions() as session:
        done = await service.get_job(session, project_id=project_id, job_id=job.id)
    if status == "failed":
        fail(f"import {job.id} failed: {done.error}")
    target = report or path.with_name(path.name + ".rejected.csv")
    rejected = (
        await write_report(container, job.id, project_id, target) if done.rows_rejected else 0
    )
    console.print(
        f"[bold green]Imported[/] {done.rows_read} row(s) of {path.name} into project "
        f"{project_id} (import {job.id}): {done.rows_stored} stored, {done.rows_duplicate} "
        f"duplicate, {done.rows_rejected} rejected.",
        highlight=False,
    )
    if rejected:
        console.print(f"Rejected rows with line numbers and reasons: {target}", highlight=False)


def import_file(
    file: Annotated[Path, typer.Argument(help="CSV, NDJSON or Segment export file.")],
    project: Annotated[int, typer.Option("--project", help="Project to import into.")],
    format: Annotated[
        str | None, typer.Option("--format", help="csv | ndjson | segment-json (default: guess)")
    ] = None,
    map: MapOpt = None,
    report: Annotated[
        Path | None,
        typer.Option(help="Where to write the rejected rows (default FILE.rejected.csv)."),
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Import past events from a file; re-importing the same rows adds nothing."""
    import asyncio

    from leadpulse.bootstrap import build_container
    from leadpulse.imports.formats import check_file
    from leadpulse.imports.uploads import parse_format

    if not file.is_file():
        fail(f"{file}: no such file")
    settings = load_settings(data_dir=data_dir)
    mapping = mapping_of(map or [])
    path = file.resolve()
    chosen = parse_format(format, path=path, name=path.name)
    check_file(path, chosen)  # a binary or wrong-format file is refused before anything

    async def run() -> None:
        container = build_container(settings)
        try:
            await _import(container, path, path.stat().st_size, project, chosen, mapping, report)
        finally:
            await container.close()

    asyncio.run(run())
