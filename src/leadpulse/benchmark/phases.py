"""The three measured phases; each starts from a fresh database and fresh processes.

1. ``single``: single-event ingest vs ``/bench/noop`` on the same server (wrk, closed loop,
   best of N rounds), then both paced open-loop at 1,000 req/s for p99. No worker runs, so
   the server's CPU goes to ingest only.
2. ``batch``: the whole workload in 500-event requests (wrk, sent once), no worker; then the
   same rows written raw (COPY / executemany) into the same database.
3. ``e2e``: the workload in 500-event batches with one worker process scoring concurrently
   (``leadpulse serve`` style on SQLite: the worker runs in the server process); time from
   the first request to the last event processed. Then a steady ~2k events/s (paced
   20-event batches) for processed_at − received_at.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadpulse.benchmark import baselines, measure
from leadpulse.benchmark.loadgen import WrkResult, run_wrk, write_bodies
from leadpulse.benchmark.pacer import build_request, paced
from leadpulse.benchmark.stack import (
    Backend,
    Process,
    fresh_database,
    register,
    start_server,
    start_worker,
    wait_quiet,
)
from leadpulse.benchmark.workload import SPAN, START, Spec, Workload, generate
from leadpulse.store.db import Database

Status = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Plan:
    """Sizes and durations of a run (``quick`` shrinks everything)."""

    quick: bool
    events: int
    leads: int
    wrk_seconds: float
    warmup_seconds: float
    paced_seconds: float
    steady_seconds: float
    rounds: int
    single_connections: int = 16
    batch_connections: int = 4
    batch_size: int = 500
    paced_rate: float = 1000.0
    steady_rate: float = 2000.0
    steady_batch: int = 20


def make_plan(*, quick: bool) -> Plan:
    """Return the full plan (100k events) or the quick smoke plan."""
    if quick:
        return Plan(True, 5_000, 500, 2.0, 0.5, 2.0, 3.0, 1)
    return Plan(False, 100_000, 10_000, 8.0, 2.0, 10.0, 15.0, 2)


@dataclass(slots=True)
class Context:
    """What every phase needs."""

    backend: Backend
    plan: Plan
    work: Workload
    status: Status
    quiet: list[float] = field(default_factory=list)  # foreign load seen before each step

    @property
    def files(self) -> Path:
        """Where request-body files go."""
        return self.backend.workdir


def _db(ctx: Context) -> Database:
    return Database(ctx.backend.database_url, pool_size=1)


def _side_workload(ctx: Context, prefix: str, events: int, *, after: bool = False) -> Workload:
    spec = Spec(
        events=events,
        leads=ctx.plan.leads,
        seed=ctx.work.spec.seed + ord(prefix),
        prefix=prefix,
        start=START + SPAN if after else START,
    )
    return generate(spec)


def _wrk_summary(result: WrkResult) -> dict[str, Any]:
    return {
        "rps": round(result.requests_per_s, 1),
        "p50_ms": round(result.p50_ms, 2),
        "p99_ms": round(result.p99_ms, 2),
        "ok": result.ok,
        "bad": result.bad,
        "socket_errors": result.errors,
    }


async def _quiet(ctx: Context) -> None:
    ctx.quiet.append(round(await wait_quiet(timeout=0 if ctx.plan.quick else 10), 2))


async def _closed_loop(ctx: Context, key: str, path: str, bodies: Path) -> WrkResult:
    plan = ctx.plan
    await _quiet(ctx)
    return await run_wrk(
        port=ctx.backend.port,
        path=path,
        bodies=bodies,
        key=key,
        connections=plan.single_connections,
        duration=plan.wrk_seconds,
    )


async def _single_rounds(ctx: Context, key: str) -> dict[str, Any]:
    plan, bodies = ctx.plan, ctx.work.bodies()
    chunk = len(bodies) // plan.rounds
    noop: list[WrkResult] = []
    ingest: list[WrkResult] = []
    for r in range(plan.rounds):
        part = write_bodies(ctx.files / f"single-{r}.txt", bodies[r * chunk : (r + 1) * chunk])
        ctx.status(f"single: /bench/noop round {r + 1}/{plan.rounds}")
        noop.append(await _closed_loop(ctx, key, "/bench/noop", part))
        ctx.status(f"single: /api/ingest/event round {r + 1}/{plan.rounds}")
        ingest.append(await _closed_loop(ctx, key, "/api/ingest/event", part))
    best_noop = max(noop, key=lambda w: w.requests_per_s)
    best_ingest = max(ingest, key=lambda w: w.requests_per_s)
    return {
        "noop": _wrk_summary(best_noop),
        "ingest": _wrk_summary(best_ingest),
        "rounds": {
            "noop_rps": [round(w.requests_per_s) for w in noop],
            "ingest_rps": [round(w.requests_per_s) for w in ingest],
        },
    }


async def _paced_pair(ctx: Context, key: str) -> dict[str, Any]:
    plan, port = ctx.plan, ctx.backend.port
    count = int(plan.paced_rate * plan.paced_seconds)
    bodies = _side_workload(ctx, "p", count).bodies()
    out: dict[str, Any] = {}
    for name, path in (("noop", "/bench/noop"), ("ingest", "/api/ingest/event")):
        await _quiet(ctx)
        ctx.status(f"single: {path} paced at {plan.paced_rate:.0f} req/s")
        requests = [build_request("127.0.0.1", port, path, key, body) for body in bodies]
        result = await paced(host="127.0.0.1", port=port, requests=requests, rate=plan.paced_rate)
        out[name] = {
            "offered_rps": plan.paced_rate,
            "achieved_rps": round(result.achieved, 1),
            "p50_ms": round(result.percentile(50), 2),
            "p99_ms": round(result.percentile(99), 2),
            "ok": result.ok,
            "bad": result.bad,
            "errors": result.errors,
        }
    return out


async def phase_single(ctx: Context) -> dict[str, Any]:
    """Single-event ingest vs the no-I/O route of the same server."""
    await fresh_database(ctx.backend)
    server = await start_server(ctx.backend, embedded_worker=False)
    try:
        key, _ = await register(ctx.backend.port, "single")
        warm = write_bodies(ctx.files / "warm.txt", _side_workload(ctx, "u", 5000).bodies())
        ctx.status("single: warm-up")
        for path in ("/bench/noop", "/api/ingest/event"):
            await run_wrk(
                port=ctx.backend.port,
                path=path,
                bodies=warm,
                key=key,
                connections=ctx.plan.single_connections,
                duration=ctx.plan.warmup_seconds,
            )
        cpu0 = server.cpu_seconds()
        result = await _single_rounds(ctx, key)
        result["server_cpu_s_closed_loop"] = round(server.cpu_seconds() - cpu0, 2)
        result["paced"] = await _paced_pair(ctx, key)
        result["server_rss_mb"] = _rss(server)
    finally:
        server.stop()
    return result


def _rss(proc: Process) -> dict[str, float]:
    return {"idle": round(proc.idle_rss_mb, 1), "peak": round(proc.peak_rss_mb(), 1)}


async def _send_batches(ctx: Context, key: str, name: str) -> tuple[WrkResult, float]:
    bodies = write_bodies(ctx.files / f"{name}.txt", ctx.work.batches(ctx.plan.batch_size))
    result = await run_wrk(
        port=ctx.backend.port,
        path="/api/ingest/batch",
        bodies=bodies,
        key=key,
        connections=ctx.plan.batch_connections,
        duration=600,
        once=True,
    )
    requests = result.ok + result.bad
    seconds = requests / result.requests_per_s if result.requests_per_s else result.elapsed_s
    return result, len(ctx.work.events) / seconds


async def phase_batch(ctx: Context) -> dict[str, Any]:
    """Batch ingest (500 events/request) vs a raw write of the same rows."""
    await fresh_database(ctx.backend)
    server = await start_server(ctx.backend, embedded_worker=False)
    try:
        key, project_id = await register(ctx.backend.port, "batch")
        warm = _side_workload(ctx, "v", 2000).batches(ctx.plan.batch_size)
        ctx.status("batch: warm-up")
        await run_wrk(
            port=ctx.backend.port,
            path="/api/ingest/batch",
            bodies=write_bodies(ctx.files / "warm-batch.txt", warm),
            key=key,
            connections=ctx.plan.batch_connections,
            duration=600,
            once=True,
        )
        await _quiet(ctx)
        ctx.status(f"batch: {len(ctx.work.events):,} events in {ctx.plan.batch_size}s")
        cpu0 = server.cpu_seconds()
        result, events_per_s = await _send_batches(ctx, key, "batch")
        cpu = server.cpu_seconds() - cpu0
        rss = _rss(server)
    finally:
        server.stop()
    out: dict[str, Any] = {
        "events_per_s": round(events_per_s),
        "wrk": _wrk_summary(result),
        "server_cpu_us_per_event": round(cpu / len(ctx.work.events) * 1e6, 1),
        "server_rss_mb": rss,
    }
    out["baseline_rows_per_s"] = round(await _raw_baseline(ctx, project_id))
    return out


async def _raw_baseline(ctx: Context, project_id: int) -> float:
    await _quiet(ctx)
    ctx.status("batch: raw baseline (COPY / executemany)")
    db = _db(ctx)
    try:
        leads = await measure.lead_ids(db, project_id)
    finally:
        await db.dispose()
    rows = baselines.rows_for(ctx.work.events, leads, project_id)
    if ctx.backend.name == "postgres":
        return await baselines.copy_postgres(rows)
    return baselines.executemany_sqlite(ctx.backend.data_dir / "leadpulse.db", rows)


async def _wait_all(ctx: Context, db: Database, expected: int, label: str) -> float:
    def show(done: int, total: int) -> None:
        ctx.status(f"{label}: {done:,}/{total:,} events scored")

    finished = await measure.wait_processed(db, expected=expected, timeout=900, on_progress=show)
    if finished is None:
        raise RuntimeError(f"{label}: events were still unprocessed after 900 s")
    return finished


async def phase_e2e(ctx: Context) -> dict[str, Any]:
    """First event in → last event scored with one worker; then latency at a steady rate."""
    await fresh_database(ctx.backend)
    embedded = ctx.backend.name == "sqlite"
    server = await start_server(ctx.backend, embedded_worker=embedded)
    worker = None if embedded else start_worker(ctx.backend)
    db = _db(ctx)
    try:
        key, _ = await register(ctx.backend.port, "e2e")
        if worker is not None:
            worker.idle_rss_mb = worker.rss_mb()  # started and connected by now
        await _quiet(ctx)
        ctx.status(f"e2e: {len(ctx.work.events):,} events in batches, worker scoring")
        started = time.perf_counter()
        result, ingest_rate = await _send_batches(ctx, key, "e2e")
        started = result.first_request_at or started
        finished = await _wait_all(ctx, db, ctx.work.unique_events, "e2e")
        first, last = await measure.span(db)
        out: dict[str, Any] = {
            "events": ctx.work.unique_events,
            "events_per_s": round(ctx.work.unique_events / (finished - started)),
            "ingest_events_per_s_while_scoring": round(ingest_rate),
            "db_span_s": round((last - first).total_seconds(), 2) if first and last else None,
            "wrk": _wrk_summary(result),
        }
        out["steady"] = await _steady(ctx, key, db)
        out["server_rss_mb"] = _rss(server)
        out["worker_rss_mb"] = _rss(worker) if worker else out["server_rss_mb"]
    finally:
        await db.dispose()
        if worker is not None:
            worker.stop()
        server.stop()
    return out


async def _steady(ctx: Context, key: str, db: Database) -> dict[str, Any]:
    plan, port = ctx.plan, ctx.backend.port
    side = _side_workload(ctx, "s", int(plan.steady_rate * plan.steady_seconds), after=True)
    rate = plan.steady_rate / plan.steady_batch
    await _quiet(ctx)
    ctx.status(f"e2e: steady {plan.steady_rate:.0f} events/s for {plan.steady_seconds:.0f} s")
    requests = [
        build_request("127.0.0.1", port, "/api/ingest/batch", key, body)
        for body in side.batches(plan.steady_batch)
    ]
    http = await paced(host="127.0.0.1", port=port, requests=requests, rate=rate, connections=16)
    await _wait_all(ctx, db, ctx.work.unique_events + side.unique_events, "steady")
    latencies = await measure.processing_latencies(db, "s-")
    return {
        "events_per_s_offered": plan.steady_rate,
        "events": len(latencies),
        "scored_p50_ms": round(measure.percentile(latencies, 50) * 1000, 1),
        "scored_p99_ms": round(measure.percentile(latencies, 99) * 1000, 1),
        "scored_max_ms": round(max(latencies, default=0.0) * 1000, 1),
        "http_p99_ms": round(http.percentile(99), 2),
        "http_bad": http.bad + http.errors,
    }
