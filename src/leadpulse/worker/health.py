"""The worker's own HTTP endpoint (port 5000 by default): ``/health`` and ``/metrics``.

A minimal HTTP/1.0 responder on asyncio streams, not uvicorn: uvicorn would take over the
process's signal handlers, which belong to the worker's graceful drain.
"""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
import orjson
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.core import GaugeMetricFamily

from leadpulse import obs
from leadpulse.queue import backlog
from leadpulse.store.types import utcnow
from leadpulse.worker.loop import Worker

Reply = tuple[int, bytes, str]
FORBIDDEN = b'{"detail":"send Authorization: Bearer <LEADPULSE_METRICS_TOKEN>"}'


async def health(worker: Worker, _: str | None = None) -> Reply:
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


async def metrics(worker: Worker, authorization: str | None = None) -> Reply:
    """Expose this worker's metrics and the database-wide queue gauges (read at scrape time)."""
    if not obs.metrics_allowed(worker.container.settings, authorization, public=False):
        return 403, FORBIDDEN, "application/json"
    async with worker.container.db.sessions() as session:
        families = await backlog.families(session, now=utcnow())
    processed = GaugeMetricFamily(
        "leadpulse_worker_processed_leads",
        "Lead states written by this worker since it started",
        value=worker.processed,
    )
    return 200, obs.exposition([*families, processed]), CONTENT_TYPE_LATEST


ROUTES = {"/health": health, "/metrics": metrics}
MAX_HEADERS = 100


async def _authorization(reader: asyncio.StreamReader) -> str | None:
    """Read the request's header lines; return its Authorization value, if any."""
    found: str | None = None
    for _ in range(MAX_HEADERS):
        line = (await reader.readline()).decode("latin-1").strip()
        if not line:
            break
        name, _, value = line.partition(":")
        if name.strip().lower() == "authorization":
            found = value.strip()
    return found


async def serve_health(worker: Worker, *, host: str, port: int, stop: anyio.Event) -> None:
    """Serve /health and /metrics until ``stop`` is set."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = (await asyncio.wait_for(reader.readline(), 5)).decode("latin-1").split()
            handler = ROUTES.get(line[1].split("?")[0] if len(line) > 1 else "")
            authorization = await asyncio.wait_for(_authorization(reader), 5)
            status, body, media = (
                await handler(worker, authorization)
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
