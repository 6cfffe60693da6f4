"""Health counts a worker only while its heartbeat is younger than the job lease (§4.11)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from foundation_support import api_client

from leadpulse.api.health import live_workers
from leadpulse.store.models import WorkerHeartbeat
from leadpulse.store.types import utcnow

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


async def _beat(db: Any, seen_at: datetime) -> None:
    async with db.transaction() as session:
        session.add(
            WorkerHeartbeat(
                worker_id=f"w-{uuid.uuid4().hex[:8]}", hostname="h", pid=1, last_seen_at=seen_at
            )
        )


async def test_a_worker_silent_for_longer_than_the_lease_is_not_counted(db: Any) -> None:
    await _beat(db, NOW - timedelta(seconds=5))
    await _beat(db, NOW - LEASE + timedelta(seconds=1))
    await _beat(db, NOW - LEASE - timedelta(seconds=1))  # dead: its jobs are being taken back
    await _beat(db, NOW - timedelta(days=3))
    async with db.sessions() as session:
        count, last = await live_workers(session, now=NOW, lease=LEASE)
    assert count == 2
    assert last == NOW - timedelta(seconds=5)


async def test_only_dead_workers_leave_none_alive(db: Any) -> None:
    await _beat(db, NOW - LEASE - timedelta(seconds=1))
    async with db.sessions() as session:
        assert await live_workers(session, now=NOW, lease=LEASE) == (0, None)


async def test_health_takes_the_lease_from_the_settings(settings: Any, db: Any) -> None:
    await _beat(db, utcnow() - timedelta(seconds=40))
    await _beat(db, utcnow() - timedelta(seconds=1))
    short = settings.model_copy(update={"worker_lease_seconds": 20})
    async with api_client(short, db) as (client, _):
        body = (await client.get("/api/health")).json()
    assert body["worker"]["workers"] == 1
    long = settings.model_copy(update={"worker_lease_seconds": 120})
    async with api_client(long, db) as (client, _):
        response = await client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["worker"]["workers"] == 2
