"""The worker's own HTTP endpoint (port 5000 by default): ``/health`` and ``/metrics``.

A minimal HTTP/1.0 responder on asyncio streams, not uvicorn: uvicorn would take over the
process's signal handlers, which belong to the worker's graceful drain.
"""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
import orjson
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest

from leadpulse.queue import jobs
from leadpulse.store.types import utcnow
from leadpulse.worker.loop import Worker

PENDING = Gauge("leadpulse_pending_jobs", "Lead jobs due and waiting to be scored")
PROCESSED = Gauge("leadpulse_worker_processed_leads", "Leads scored by this worker")
Reply = tuple[int, bytes, str]


async def health(worker: Worker) -> Reply:
    """Report liveness, last claim and database reachability."""
    body: dict[str, Any] = {
        "status": "ok",
        "workerId": worker.worker_id,
        "processed": worker.processed,
        "lastClaimAt": worker.last_claim_at.isoformat() if worker.last_claim_at else None,
        "startedAt": worker.started_at.isoformat(),
        "database": "ok",
    }
    try:
        await worker.container.db.ping()
    except Exception as exc:  # report it; the probe itself must not fail
        body.update(status="degraded", database="down", error=str(exc)[:200])
    return (200 if body["status"] == "ok" else 503), orjson.dumps(body), "application/json"


async def metrics(worker: Worker) -> Reply:
    """Expose Prometheus metrics, reading queue depth at scrape time."""
    async with worker.container.db.sessions() as session:
        PENDING.set(await jobs.pending_count(session, due_before=utcnow()))
    PROCESSED.set(worker.processed)
    return 200, generate_latest(), CONTENT_TYPE_LATEST


ROUTES = {"/health": health, "/metrics": metrics}


async def serve_health(worker: Worker, *, host: str, port: int, stop: anyio.Event) -> None:
    """Serve /health and /metrics until ``stop`` is set."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = (await asyncio.wait_for(reader.readline(), 5)).decode("latin-1").split()
            handler = ROUTES.get(line[1].split("?")[0] if len(line) > 1 else "")
            status, body, media = (
                await handler(worker)
                if handler
                else (404, b'{"detail":"not found"}', "application/json")
            )
            head = f"HTTP/1.0 {status} {'OK' if status < 400 else 'Error'}\r\n"
            head += f"Content-Type: {media}\r\nContent-Length: {len(body)}\r\n\r\n"
            writer.write(head.encode() + body)
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host, port)
    async with server:
        await stop.wait()
