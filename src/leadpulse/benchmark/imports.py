"""The ``import`` phase: ``leadpulse import`` of an NDJSON file of past events (1 M events;
5 k in quick mode) into a fresh database, against the batch-ingest rate of the same run.

The file is written line by line (never held in memory), with events shaped like the main
workload's (SDK format, ten properties, 10 k leads). The import runs as the real command, in
its own process, on the benchmark database; its rate is rows read over the job's own
``created_at`` → ``finished_at`` (so interpreter start-up is not counted). Target: at least
50 % of the batch-ingest events/s measured in the same run (``phase_batch``).
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select

from leadpulse.benchmark.phases import Context
from leadpulse.benchmark.report import Figure
from leadpulse.benchmark.stack import fresh_database, register, start_server, wait_quiet
from leadpulse.benchmark.workload import PAGES, START
from leadpulse.store.db import Database
from leadpulse.store.models import ImportJob

FULL_EVENTS = 1_000_000
QUICK_EVENTS = 5_000
LEADS = 10_000
TYPES = ("page_view", "page_view", "page_view", "email_open", "form_submit", "download")


def write_file(path: Path, events: int) -> int:
    """Write ``events`` NDJSON lines of past events to ``path``; return its size."""
    with path.open("wb") as out:
        for n in range(events):
            lead = (n * 7919) % LEADS
            moment = START + timedelta(seconds=n)
            event = {
                "event": TYPES[n % len(TYPES)],
                "anonymousId": f"anon-{lead:05d}",
                "eventId": f"imp-bench-{n:07d}",
                "timestamp": moment.isoformat().replace("+00:00", "Z"),
                "properties": {
                    "page": PAGES[n % len(PAGES)],
                    "referrer": f"https://www.example-{n % 500}.com/search?q=lead+scoring",
                    "utm_source": ("google", "newsletter", "linkedin", "direct")[n % 4],
                    "utm_campaign": f"q{n % 4 + 1}-campaign-{n % 40}",
                    "user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
                    "screen": {"w": 1440, "h": 900},
                    "seq": n,
                    "plan": ("free", "team", "business")[n % 3],
                    "locale": "en-US",
                    "tz": "Europe/Berlin",
                },
            }
            out.write(orjson.dumps(event) + b"\n")
    return path.stat().st_size


async def _run_import(ctx: Context, path: Path, project_id: int) -> None:
    leadpulse = Path(sys.executable).with_name("leadpulse")
    log = ctx.backend.workdir / "import.log"
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            str(leadpulse),
            "import",
            str(path),
            "--project",
            str(project_id),
            "--format",
            "ndjson",
            env=ctx.backend.env(),
            stdout=out,
            stderr=out,
        )
        code = await proc.wait()
    if code != 0:
        raise RuntimeError(f"leadpulse import exited {code}; see {log}")


async def phase_import(ctx: Context) -> dict[str, Any]:
    """Import a file of past events with ``leadpulse import`` and measure its rate."""
    await fresh_database(ctx.backend)
    server = await start_server(ctx.backend, embedded_worker=False)
    try:
        _, project_id = await register(ctx.backend.port, "import")
    finally:
        server.stop()
    events = QUICK_EVENTS if ctx.plan.quick else FULL_EVENTS
    ctx.status(f"import: writing {events:,} events to a file")
    path = ctx.files / "import.ndjson"
    size = await asyncio.to_thread(write_file, path, events)
    ctx.quiet.append(round(await wait_quiet(timeout=0 if ctx.plan.quick else 10), 2))
    ctx.status(f"import: leadpulse import of {events:,} events ({size / 1e6:,.0f} MB)")
    await _run_import(ctx, path, project_id)
    db = Database(ctx.backend.database_url, pool_size=1)
    try:
        async with db.sessions() as session:
            job = await session.scalar(select(ImportJob).order_by(ImportJob.id.desc()).limit(1))
    finally:
        await db.dispose()
    path.unlink(missing_ok=True)
    if job is None or job.finished_at is None:
        raise RuntimeError("the import did not finish")
    seconds = (job.finished_at - job.created_at).total_seconds()
    return {
        "events": events,
        "file_mb": round(size / 1e6, 1),
        "rows_read": job.rows_read,
        "rows_stored": job.rows_stored,
        "rows_rejected": job.rows_rejected,
        "seconds": round(seconds, 2),
        "events_per_s": round(job.rows_read / seconds) if seconds else 0,
    }


def figures(raw: dict[str, Any]) -> list[Figure]:
    """The import figure: import events/s against batch ingest of the same run (≥ 50 %)."""
    if "import" not in raw:
        return []
    rate, batch = float(raw["import"]["events_per_s"]), float(raw["batch"]["events_per_s"])
    label = f"5. import ({raw['import']['events']:,} events)"
    return [
        Figure(label, "events/s", rate, batch, "batch ingest (same run)", "≥ 50 %",
               rate >= 0.5 * batch),
    ]  # fmt: skip
