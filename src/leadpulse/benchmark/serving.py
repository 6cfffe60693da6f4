"""Two ingest phases about how LeadPulse is served, each against bare FastAPI (``bench/bare.py``:
one no-I/O route, same uvicorn options, nothing else in the process):

- ``serve_busy`` (SQLite): single-event ingest on ``leadpulse serve`` (bench/server.py
  ``--embedded-worker``) **while its in-process worker is scoring a backlog** (the workload,
  sent first in 500-event batches), and ``/bench/noop`` of that same busy server.
- ``api_workers`` (PostgreSQL + Redis): single-event ingest on ``leadpulse api --workers N``
  for N = 1 and 2 (no worker running), each against bare FastAPI with N processes.

Skipped (an empty result) on the other backend.
"""

from __future__ import annotations

from typing import Any

from leadpulse.benchmark import measure
from leadpulse.benchmark.loadgen import WrkResult, run_wrk, write_bodies
from leadpulse.benchmark.phases import Context, _db, _quiet, _side_workload, _wrk_summary
from leadpulse.benchmark.stack import (
    Process,
    fresh_database,
    register,
    start_api,
    start_bare,
    start_server,
)


async def _wrk(ctx: Context, path: str, key: str, name: str, prefix: str) -> WrkResult:
    count = max(2000, int(ctx.plan.wrk_seconds * 3000))
    bodies = write_bodies(ctx.files / f"{name}.txt", _side_workload(ctx, prefix, count).bodies())
    await _quiet(ctx)
    ctx.status(f"{name}: {path}")
    return await run_wrk(
        port=ctx.backend.port,
        path=path,
        bodies=bodies,
        key=key,
        connections=ctx.plan.single_connections,
        duration=ctx.plan.wrk_seconds,
    )


async def _bare(ctx: Context, workers: int, name: str) -> dict[str, Any]:
    bare = await start_bare(ctx.backend, workers=workers)
    try:
        await _wrk(ctx, "/bench/noop", "none", f"{name}-warm", "w")
        return _wrk_summary(await _wrk(ctx, "/bench/noop", "none", name, "x"))
    finally:
        bare.stop()


async def _backlog(ctx: Context, key: str) -> None:
    batches = write_bodies(ctx.files / "busy-batches.txt", ctx.work.batches(ctx.plan.batch_size))
    ctx.status("serve_busy: backlog for the worker")
    await run_wrk(
        port=ctx.backend.port,
        path="/api/ingest/batch",
        bodies=batches,
        key=key,
        connections=ctx.plan.batch_connections,
        duration=600,
        once=True,
    )


async def phase_serve_busy(ctx: Context) -> dict[str, Any]:
    """``leadpulse serve`` answering single events while its worker scores a backlog."""
    if ctx.backend.name != "sqlite":
        return {}
    await fresh_database(ctx.backend)
    server = await start_server(ctx.backend, embedded_worker=True)
    db = _db(ctx)
    try:
        key, _ = await register(ctx.backend.port, "busy")
        await _backlog(ctx, key)
        before = (await measure.counts(db))[1]
        ingest = await _wrk(ctx, "/api/ingest/event", key, "serve_busy-ingest", "b")
        noop = await _wrk(ctx, "/bench/noop", key, "serve_busy-noop", "c")
        after = (await measure.counts(db))[1]
    finally:
        await db.dispose()
        server.stop()
    return {
        "ingest": _wrk_summary(ingest),
        "noop_same_server": _wrk_summary(noop),
        "unprocessed_before": before,
        "unprocessed_after": after,  # > 0: the worker was still busy at the end
        "bare": await _bare(ctx, 1, "serve_busy-bare"),
    }


async def _api(ctx: Context, workers: int) -> dict[str, Any]:
    await fresh_database(ctx.backend)
    api: Process = await start_api(ctx.backend, workers=workers)
    try:
        key, _ = await register(ctx.backend.port, f"api{workers}")
        await _wrk(ctx, "/api/ingest/event", key, f"api{workers}-warm", "y")
        ingest = await _wrk(ctx, "/api/ingest/event", key, f"api{workers}", "z")
    finally:
        api.stop()
    return {"ingest": _wrk_summary(ingest), "bare": await _bare(ctx, workers, f"bare{workers}")}


async def phase_api_workers(ctx: Context) -> dict[str, Any]:
    """``leadpulse api --workers 1`` and ``2`` vs bare FastAPI with as many processes."""
    if ctx.backend.name != "postgres":
        return {}
    return {f"workers_{n}": await _api(ctx, n) for n in (1, 2)}
