"""Profile the API (or the worker) under one benchmark load with pyinstrument.

    .venv/bin/python bench/profile.py --backend postgres --load batch   # API, 500-event batches
    .venv/bin/python bench/profile.py --backend postgres --load single  # API, single events
    .venv/bin/python bench/profile.py --backend postgres --load worker  # worker scoring

Writes bench/results/profile-<backend>-<load>.txt.tmp (pyinstrument's text report).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from leadpulse.benchmark import measure
from leadpulse.benchmark.loadgen import run_wrk, write_bodies
from leadpulse.benchmark.stack import (
    ROOT,
    Backend,
    fresh_database,
    register,
    start_server,
    start_worker,
)
from leadpulse.benchmark.workload import Spec, generate
from leadpulse.store.db import Database


async def main(backend_name: str, load: str, events: int) -> Path:
    out = ROOT / "bench" / "results" / f"profile-{backend_name}-{load}.txt.tmp"
    launcher = [str(Path(sys.executable).with_name("pyinstrument")), "-r", "text", "-o", str(out)]
    work = generate(Spec(events=events, leads=max(1, events // 10)))
    backend = Backend(backend_name, Path(tempfile.mkdtemp(prefix="leadpulse-profile-")))
    await fresh_database(backend)
    server = await start_server(
        backend, embedded_worker=False, launcher=launcher if load != "worker" else None
    )
    try:
        key, _ = await register(backend.port, "profile")
        if load == "single":
            bodies = write_bodies(backend.workdir / "b.txt", work.bodies())
            await run_wrk(port=backend.port, path="/api/ingest/event", bodies=bodies, key=key,
                          connections=16, duration=15)  # fmt: skip
        else:
            bodies = write_bodies(backend.workdir / "b.txt", work.batches(500))
            await run_wrk(port=backend.port, path="/api/ingest/batch", bodies=bodies, key=key,
                          connections=4, duration=600, once=True)  # fmt: skip
        if load == "worker":
            worker = start_worker(backend, launcher=launcher)
            db = Database(backend.database_url, pool_size=1)
            await measure.wait_processed(db, expected=work.unique_events, timeout=600)
            await db.dispose()
            worker.popen.send_signal(signal.SIGINT)
            worker.popen.wait(60)
    finally:
        server.popen.send_signal(signal.SIGINT)
        server.popen.wait(60)
    shutil.rmtree(backend.workdir, ignore_errors=True)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--load", choices=("single", "batch", "worker"), default="batch")
    parser.add_argument("--events", type=int, default=30_000)
    args = parser.parse_args()
    print(asyncio.run(main(args.backend, args.load, args.events)))
