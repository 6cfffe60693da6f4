"""``GET /api/health``: database, Redis and worker status, each on its own.

A worker counts as alive while its last heartbeat is younger than the job lease
(``LEADPULSE_WORKER_LEASE_SECONDS``): past that, its claims are being taken back by the others,
so a dead worker leaves the count exactly when the queue stops waiting for it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse import __version__
from leadpulse.api.deps import ContainerDep
from leadpulse.container import Container
from leadpulse.store.models import WorkerHeartbeat
from leadpulse.store.types import utcnow

router = APIRouter(tags=["health"])
Status = Literal["ok", "down", "disabled", "none"]


async def _database(c: Container) -> dict[str, Any]:
    try:
        await c.db.ping()
    except Exception as exc:  # any driver error means "down"; the detail tells which
        return {"status": "down", "backend": c.db.dialect, "error": str(exc)[:200]}
    return {"status": "ok", "backend": c.db.dialect}


async def _redis(c: Container) -> dict[str, Any]:
    client = c.redis
    if client is None:
        return {"status": "disabled", "mode": "in-process"}
    try:
        await client.ping()
    except Exception as exc:  # connection refused, timeout, auth: all "down"
        return {"status": "down", "error": str(exc)[:200]}
    return {"status": "ok"}


async def live_workers(
    session: AsyncSession, *, now: datetime, lease: timedelta
) -> tuple[int, datetime | None]:
    """Count the workers whose heartbeat is younger than ``lease``, and their latest beat."""
    row = (
        await session.execute(
            select(func.count(), func.max(WorkerHeartbeat.last_seen_at)).where(
                WorkerHeartbeat.last_seen_at > now - lease
            )
        )
    ).one()
    return int(row[0]), row[1]


async def _worker(c: Container) -> dict[str, Any]:
    lease = timedelta(seconds=c.settings.worker_lease_seconds)
    try:
        async with c.db.sessions() as session:
            count, last = await live_workers(session, now=utcnow(), lease=lease)
    except Exception as exc:  # database down: the database entry already says so
        return {"status": "unknown", "error": str(exc)[:200]}
    state = "ok" if count else "none"
    return {"status": state, "workers": count, "lastHeartbeat": last.isoformat() if last else None}


@router.get("/api/health", summary="Health of the API and its dependencies")
async def health(c: ContainerDep) -> JSONResponse:
    """Answer 200 ``ok`` when every component works, else 503 ``degraded``."""
    database, redis, worker = await _database(c), await _redis(c), await _worker(c)
    healthy = (
        database["status"] == "ok"
        and redis["status"] in ("ok", "disabled")
        and worker["status"] == "ok"
    )
    body = {
        "status": "ok" if healthy else "degraded",
        "version": __version__,
        "mode": "embedded" if c.settings.is_sqlite else "production",
        "database": database,
        "redis": redis,
        "worker": worker,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
