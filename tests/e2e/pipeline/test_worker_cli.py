"""``leadpulse worker`` as operators run it: burst mode, /health, /metrics, SIGTERM drain."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
from typing import Any

import httpx
import pytest
from pipeline_e2e_support import (
    assert_exactly_once,
    free_port,
    random_events,
    wait_for,
    worker_env,
)
from sqlalchemy import func, select

from leadpulse.store.models import Event, Lead, LeadJob, WorkerHeartbeat

pytestmark = pytest.mark.slow
WALKTHROUGH = ("page_view", "signup", "demo_request")


async def _count(db: Any, query: Any) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(query) or 0)


async def test_burst_worker_scores_pending_jobs_and_exits_0(
    signup: Any, ingest: Any, spawn: Any, db: Any, database_url: str
) -> None:
    account = await signup()
    events = [{"event": name, "anonymousId": "walker"} for name in WALKTHROUGH]
    await ingest(account.publishable_key, events)
    burst = spawn(["worker", "--burst"], worker_env(database_url))
    assert await burst.wait() == 0, burst.output[-3000:]
    async with db.sessions() as session:
        lead = await session.scalar(select(Lead).where(Lead.anonymous_id == "walker"))
        jobs_left = await session.scalar(select(func.count()).select_from(LeadJob))
    assert lead is not None and (lead.score, lead.stage) == (75, "hot")
    assert jobs_left == 0


async def _get(url: str) -> httpx.Response | None:
    try:
        async with httpx.AsyncClient(timeout=2.0) as http:
            return await http.get(url)
    except httpx.TransportError:
        return None  # not listening yet


async def test_running_worker_serves_health_and_metrics_and_heartbeats(
    signup: Any, ingest: Any, spawn: Any, db: Any, client: Any, database_url: str
) -> None:
    account = await signup()
    port = free_port()
    env = worker_env(
        database_url,
        LEADPULSE_WORKER_HEALTH_PORT=str(port),
        LEADPULSE_WORKER_POLL_SECONDS="0.2",
    )
    worker = spawn(["worker"], env)
    health = await wait_for(
        lambda: _get(f"http://127.0.0.1:{port}/health"), what="the worker's /health", interval=0.1
    )
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    worker_id = body["workerId"]

    await ingest(account.publishable_key, random_events(20, 5, seed=3))
    await wait_for(lambda: _all_processed(db, 100), what="the running worker to score events")

    metrics = await _get(f"http://127.0.0.1:{port}/metrics")
    assert metrics is not None and metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    assert 'leadpulse_queue_depth{state="due"} ' in metrics.text
    assert "leadpulse_worker_processed_leads " in metrics.text

    beats = select(func.count()).select_from(WorkerHeartbeat)
    assert await _count(db, beats.where(WorkerHeartbeat.worker_id == worker_id)) == 1
    api_health = await client.get("/api/health")
    assert api_health.json()["worker"]["status"] == "ok", api_health.text
    assert api_health.json()["worker"]["workers"] == 1

    worker.signal(signal.SIGTERM)
    assert await worker.wait() == 0, worker.output[-3000:]
    assert await _count(db, beats) == 0, "a stopped worker must remove its heartbeat"
    api_health = await client.get("/api/health")
    assert api_health.status_code == 503
    assert api_health.json()["worker"]["status"] == "none"


async def _all_processed(db: Any, total: int) -> bool:
    done = select(func.count()).select_from(Event).where(Event.processed.is_(True))
    jobs_left = await _count(db, select(func.count()).select_from(LeadJob))
    return await _count(db, done) == total and jobs_left == 0


async def test_sigterm_drains_in_flight_work_and_abandons_no_lease(
    signup: Any, ingest: Any, spawn: Any, db: Any, database_url: str
) -> None:
    account = await signup()
    total = 300 * 8
    await ingest(account.publishable_key, random_events(300, 8, seed=5))
    # One lead per transaction keeps the run long enough to be caught in the middle.
    env = worker_env(
        database_url, LEADPULSE_WORKER_LEASE_SECONDS="600", LEADPULSE_WORKER_CLAIM_BATCH="1"
    )
    worker = spawn(["worker"], env)
    await wait_for(
        lambda: _processed_between(db, 0, total), what="the worker to be mid-run", interval=0.005
    )
    worker.signal(signal.SIGTERM)
    assert await worker.wait() == 0, worker.output[-3000:]
    running = select(func.count()).select_from(LeadJob).where(LeadJob.status == "running")
    assert await _count(db, running) == 0, "SIGTERM left claimed jobs behind instead of draining"
    # With a 600 s lease, anything abandoned would stall this burst; drained work does not.
    burst = spawn(["worker", "--burst"], env)
    assert await burst.wait() == 0, burst.output[-3000:]
    await assert_exactly_once(db, account.project_id, expected_events=total)


async def _processed_between(db: Any, low: int, high: int) -> bool:
    """Count processed events without queueing behind the worker's writes.

    On SQLite every LeadPulse transaction takes the write lock (BEGIN IMMEDIATE), so a poll
    through ``db`` waits for the worker and may only ever see "none" or "all"; a plain WAL
    reader never waits.
    """
    if db.is_postgres:
        done = select(func.count()).select_from(Event).where(Event.processed.is_(True))
        count = await _count(db, done)
    else:
        count = await asyncio.to_thread(_sqlite_processed, db.engine.url.database)
    return low < count < high


def _sqlite_processed(path: str) -> int:
    with contextlib.closing(sqlite3.connect(path, timeout=30)) as conn:
        return int(conn.execute("SELECT count(*) FROM events WHERE processed = 1").fetchone()[0])
