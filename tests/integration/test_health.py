"""``GET /api/health``: each component on its own; 200 only when all of them work."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from foundation_support import api_client, free_port

from leadpulse.store.models import WorkerHeartbeat
from leadpulse.store.types import utcnow


async def _beat(db: Any, *, age: timedelta = timedelta(0)) -> None:
    async with db.transaction() as session:
        session.add(
            WorkerHeartbeat(
                worker_id=f"test-{uuid.uuid4().hex[:8]}",
                hostname="test-host",
                pid=1234,
                last_seen_at=utcnow() - age,
            )
        )


async def test_without_a_worker_heartbeat_health_is_degraded(
    client: httpx.AsyncClient, db: Any
) -> None:
    response = await client.get("/api/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["worker"]["status"] == "none"
    assert body["database"] == {"status": "ok", "backend": db.dialect}
    assert body["redis"]["status"] == "disabled"
    assert body["mode"] == ("embedded" if db.dialect == "sqlite" else "production")


async def test_a_fresh_heartbeat_makes_health_ok(client: httpx.AsyncClient, db: Any) -> None:
    await _beat(db)
    response = await client.get("/api/health")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok"
    assert body["worker"]["status"] == "ok"
    assert body["worker"]["workers"] == 1
    assert body["worker"]["lastHeartbeat"]
    assert body["version"]


async def test_a_stale_heartbeat_does_not_count(client: httpx.AsyncClient, db: Any) -> None:
    await _beat(db, age=timedelta(minutes=5))
    response = await client.get("/api/health")
    assert response.status_code == 503
    assert response.json()["worker"]["status"] == "none"


async def test_a_reachable_redis_is_reported_ok(settings: Any, db: Any, redis_url: str) -> None:
    await _beat(db)
    async with api_client(settings.model_copy(update={"redis_url": redis_url}), db) as (c, _):
        response = await c.get("/api/health")
    assert response.json()["redis"] == {"status": "ok"}
    assert response.status_code == 200


async def test_an_unreachable_redis_degrades_health(settings: Any, db: Any) -> None:
    await _beat(db)
    dead = f"redis://127.0.0.1:{free_port()}/0"
    try:
        async with api_client(settings.model_copy(update={"redis_url": dead}), db) as (c, _):
            response = await c.get("/api/health")
    except Exception as exc:  # pragma: no cover - a start-up hook refusing a dead Redis
        pytest.fail(f"the API must start (and report) with Redis down: {exc!r}")
    assert response.status_code == 503
    body = response.json()
    assert body["redis"]["status"] == "down"
    assert body["database"]["status"] == "ok"


@pytest.fixture
async def dead_database_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose PostgreSQL URL points at a closed port."""
    from leadpulse.api.app import create_app
    from leadpulse.bootstrap import build_container
    from leadpulse.config import Settings

    settings = Settings(
        env="test",
        data_dir=tmp_path,
        database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none",
        jwt_secret="test-secret-" + "x" * 40,
        log_json=False,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_app(build_container(settings), auto_migrate=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


async def test_a_database_that_is_down_is_reported(
    dead_database_client: httpx.AsyncClient,
) -> None:
    response = await dead_database_client.get("/api/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["status"] == "down"
    assert body["database"]["backend"] == "postgresql"
    assert body["database"]["error"]
    assert body["worker"]["status"] != "ok"


async def test_with_the_database_down_other_routes_answer_a_problem(
    dead_database_client: httpx.AsyncClient,
) -> None:
    response = await dead_database_client.post(
        "/api/auth/login", json={"email": "a@example.com", "password": "whatever1"}
    )
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "x-request-id" in response.headers
