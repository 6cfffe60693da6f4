"""The ``leadpulse bench scale`` run: a progress bar, the result JSON and a table."""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from leadpulse.benchmark import scale
from leadpulse.benchmark.stack import Backend
from leadpulse.store.types import utcnow


async def run_scale_command(
    *, leads: int, events: int, repeat: int, out: Path, workdir: Path, console: Console
) -> Path:
    """Run the scale phase against PostgreSQL; write bench/results/scale-<stamp>.json."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("scale", total=1)

        def progress(what: str, done: int, total: int) -> None:
            bar.update(task, description=f"scale: {what}", completed=done, total=max(total, 1))

        try:
            result = await scale.run_scale(
                Backend("postgres", workdir, port=4721, database="leadpulse_scale"),
                leads=leads,
                events=events,
                repeat=repeat,
                progress=progress,
            )
        except BaseException:
            console.print(f"[bold red]scale failed[/]; server log kept in {workdir}")
            raise
    shutil.rmtree(workdir, ignore_errors=True)
    table = Table(title=f"scale: {leads:,} leads / {events:,} events, {repeat} requests each")
    for header in ("query", "p50 ms", "p99 ms", "target p99 ms", "met"):
        table.add_column(header)
    for row in scale.rows_of(result):
        table.add_row(*row)
    console.print(table)
    console.print(
        f"seeded in {result['seed_s']} s; API peak RSS {result['api_rss_mb']['peak']} MB; "
        f"this process {result['bench_process_peak_rss_mb']} MB"
    )
    path = _write(out, leads, scale.dumps(result | {"finished_at": utcnow().isoformat()}))
    console.print(f"results: {path}")
    return path


def _write(out: Path, leads: int, text: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"scale-{leads}-{utcnow().strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(text)
    return path
