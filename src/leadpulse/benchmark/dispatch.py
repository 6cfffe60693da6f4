"""The ``dispatch`` phase: webhook deliveries per second to one fast local receiver.

``N`` pending deliveries (a ``lead.stage_changed`` payload each, ≈ 600 bytes) of one
subscription are written straight into ``webhook_deliveries``; then one ``leadpulse
worker`` starts and its delivery loop drains them (claim a batch, sign and POST each over
the shared keep-alive client, record the batch). The rate is taken at the receiver
(``benchmark.receiver``, a separate process), from the first request to the last, so
worker start-up is not counted. Baseline in the same run: the same bodies POSTed by a bare
``httpx.AsyncClient`` (keep-alive, the same number in flight) from the benchmark process,
i.e. what the HTTP client stack allows with no database, signing or bookkeeping.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import anyio
import httpx
from sqlalchemy import func, insert, select

from leadpulse.benchmark.report import Figure
from leadpulse.benchmark.stack import ROOT, Process, fresh_database, register, start_server
from leadpulse.benchmark.stack import start_worker as start_worker_process
from leadpulse.config import Settings
from leadpulse.store.db import Database
from leadpulse.store.models import WebhookDelivery, WebhookSubscription, WorkerHeartbeat
from leadpulse.store.sql import table_of
from leadpulse.store.types import utcnow
from leadpulse.webhooks.delivery import encode

if TYPE_CHECKING:  # phases registers this module's phase
    from leadpulse.benchmark.phases import Context

DELIVERIES = table_of(WebhookDelivery)
SUBSCRIPTIONS = table_of(WebhookSubscription)
HEARTBEATS = table_of(WorkerHeartbeat)
TARGET_PER_S = 500.0


def _payload(i: int) -> dict[str, Any]:
    return {
        "type": "lead.stage_changed",
        "timestamp": "2026-12-01T12:00:00Z",
        "data": {
            "leadId": 100_000 + i,
            "anonymousId": f"anon-{i:08d}",
            "email": f"lead{i}@example.com",
            "name": f"Lead {i}",
            "company": "Example Corp",
            "previousStage": "warm",
            "stage": "hot",
            "previousScore": 58,
            "score": 63,
            "eventTypes": ["pricing_page_visit", "demo_request"],
            "traits": {"plan": "trial", "seats": 12, "region": "eu-west"},
            "changedAt": "2026-12-01T12:00:00Z",
        },
    }


async def _seed(db: Database, project_id: int, url: str, count: int) -> None:
    now = utcnow()
    async with db.transaction() as session:
        sub_id = await session.scalar(
            insert(SUBSCRIPTIONS)
            .values(
                project_id=project_id,
                url=url,
                events=["lead.stage_changed"],
                secret="whsec_" + "b" * 32,
                active=True,
                created_at=now,
                updated_at=now,
            )
            .returning(SUBSCRIPTIONS.c.id)
        )
        rows = [
            {
                "project_id": project_id,
                "subscription_id": sub_id,
                "message_id": f"msg_bench_{i:08d}",
                "event_type": "lead.stage_changed",
                "payload": _payload(i),
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for i in range(count)
        ]
        await session.execute(insert(DELIVERIES), rows)


def _start_receiver(port: int, log_dir: Any) -> subprocess.Popen[bytes]:
    with (log_dir / "receiver.log").open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "leadpulse.benchmark.receiver", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def _stats(client: httpx.AsyncClient) -> dict[str, Any]:
    reply = await client.get("/stats")
    return dict(reply.json())


async def _wait_receiver(client: httpx.AsyncClient, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            await _stats(client)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


async def _wait_count(client: httpx.AsyncClient, count: int, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        stats = await _stats(client)
        if stats["count"] >= count or time.monotonic() > deadline:
            return stats
        await asyncio.sleep(0.2)


async def _wait_started(db: Database, timeout: float = 60.0) -> None:
    """Wait for the worker's first heartbeat (it has started and its loops run)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with db.sessions() as session:
            if await session.scalar(select(func.count()).select_from(HEARTBEATS)):
                return
        await asyncio.sleep(0.2)
    raise RuntimeError("the worker did not start")


async def _wait_succeeded(db: Database, count: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        async with db.sessions() as session:
            done = await session.scalar(
                select(func.count()).where(DELIVERIES.c.status == "succeeded")
            )
        if int(done or 0) >= count or time.monotonic() > deadline:
            return int(done or 0)
        await asyncio.sleep(0.2)


def _rate(stats: dict[str, Any]) -> float:
    span = stats["last"] - stats["first"]
    return (stats["count"] - 1) / span if span > 0 and stats["count"] > 1 else 0.0


async def _baseline(client: httpx.AsyncClient, count: int, in_flight: int) -> float:
    """POST ``count`` bodies with ``in_flight`` concurrent requests; return requests/s."""
    bodies = [encode(_payload(i)) for i in range(count)]
    limiter = anyio.CapacityLimiter(in_flight)
    headers = {"Content-Type": "application/json"}

    async def one(body: bytes) -> None:
        async with limiter:
            (await client.post("/in", content=body, headers=headers)).raise_for_status()

    await client.post("/reset")
    async with anyio.create_task_group() as tg:
        for body in bodies:
            tg.start_soon(one, body)
    return _rate(await _stats(client))


async def phase_dispatch(ctx: Context) -> dict[str, Any]:
    """Deliver ``N`` seeded webhook deliveries with one worker; see the module docstring."""
    backend = ctx.backend
    count = 500 if ctx.plan.quick else 5_000
    in_flight = Settings().outbox_concurrency
    ctx.status("dispatch: seeding deliveries")
    await fresh_database(backend)
    server = await start_server(backend, embedded_worker=False)
    try:
        _, project_id = await register(backend.port, "dispatch")
    finally:
        server.stop()
    port = backend.port + 1
    receiver = _start_receiver(port, backend.workdir)
    worker: Process | None = None
    limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        try:
            await _wait_receiver(client)
            ctx.status("dispatch: baseline (bare httpx client)")
            cpu_started = time.process_time()
            baseline = await _baseline(client, count, in_flight)
            baseline_cpu = time.process_time() - cpu_started
            db = Database(backend.database_url, pool_size=1)
            worker = start_worker_process(backend)
            await _wait_started(db)
            cpu_before = worker.cpu_seconds()
            await client.post("/reset")
            ctx.status(f"dispatch: worker delivering {count:,}")
            await _seed(db, project_id, f"{base}/in", count)
            stats = await _wait_count(client, count, timeout=600)
            succeeded = await _wait_succeeded(db, count, timeout=60)
            cpu = worker.cpu_seconds() - cpu_before
            await db.dispose()
            rss = {"idle": round(worker.idle_rss_mb, 1), "peak": round(worker.peak_rss_mb(), 1)}
        finally:
            if worker is not None:
                worker.stop()
            receiver.terminate()
            receiver.wait(30)
    return {
        "deliveries": count,
        "note": "rate at the receiver, first request to last; CPU from /proc (µs per item)",
        "received": stats["count"],
        "succeeded": int(succeeded or 0),
        "deliveries_per_s": round(_rate(stats), 1),
        "baseline_per_s": round(baseline, 1),
        "worker_cpu_us_per_delivery": round(cpu / count * 1e6),
        "baseline_cpu_us_per_request": round(baseline_cpu / count * 1e6),
        "in_flight": in_flight,
        "receiver_peak_connections": stats["peak"],
        "worker_rss_mb": rss,
    }


def figures(raw: dict[str, Any]) -> list[Figure]:
    """The dispatch figure (when the phase ran)."""
    if "dispatch" not in raw:
        return []
    d = raw["dispatch"]
    rate = float(d["deliveries_per_s"])
    return [
        Figure("5. webhook dispatch, 1 worker", "deliveries/s", rate, d["baseline_per_s"],
               "bare httpx client, same bodies", f"≥ {TARGET_PER_S:,.0f}/s",
               rate >= TARGET_PER_S and d["succeeded"] == d["deliveries"]),
    ]  # fmt: skip
