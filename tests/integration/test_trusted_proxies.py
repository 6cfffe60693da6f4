"""X-Forwarded-For is believed only from LEADPULSE_TRUSTED_PROXIES (issue §4.7).

The app runs behind uvicorn's own proxy-headers middleware, configured exactly as ``serve``
and ``api`` configure uvicorn (``processes.uvicorn_options``), over ASGI: the peer is
127.0.0.1, a same-host proxy, and every request claims another client IP.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import uvicorn

from leadpulse.processes import uvicorn_options

IP_BUDGET = 2


@asynccontextmanager
async def behind_uvicorn(settings: Any, db: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests come from 127.0.0.1 through uvicorn's configured middleware."""
    from leadpulse.api.app import create_app
    from leadpulse.bootstrap import build_container

    container = build_container(settings)
    await container.db.dispose()
    container.db = db
    app = create_app(container, auto_migrate=False)
    config = uvicorn.Config(app, log_config=None, **uvicorn_options(settings))
    config.load()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=config.loaded_app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


def _limited(settings: Any, **changes: Any) -> Any:
    return settings.model_copy(
        update={"rate_limit_enabled": True, "rate_limit_ip_per_minute": IP_BUDGET, **changes}
    )


async def _publishable_key(client: httpx.AsyncClient) -> str:
    body = {
        "email": f"px-{uuid.uuid4().hex[:12]}@example.com",
        "password": "correct horse battery",
        "name": "Proxy Tester",
    }
    token = (await client.post("/api/auth/register", json=body)).json()["token"]
    project = await client.get("/api/auth/project", headers={"Authorization": f"Bearer {token}"})
    key: str = project.json()["publishableKey"]
    return key


async def _ingest(client: httpx.AsyncClient, key: str, forwarded_for: str) -> int:
    response = await client.post(
        "/api/ingest/event",
        json={"event": "page_view", "anonymousId": f"v-{uuid.uuid4().hex[:8]}"},
        headers={"X-API-Key": key, "X-Forwarded-For": forwarded_for},
    )
    return response.status_code


async def test_by_default_a_rotating_forwarded_for_does_not_reset_the_ip_budget(
    settings: Any, db: Any
) -> None:
    async with behind_uvicorn(_limited(settings), db) as client:
        key = await _publishable_key(client)
        statuses = [await _ingest(client, key, f"203.0.113.{n}") for n in range(IP_BUDGET + 2)]
    assert statuses == [202] * IP_BUDGET + [429, 429]


async def test_a_trusted_proxys_forwarded_for_is_the_client_ip(settings: Any, db: Any) -> None:
    trusting = _limited(settings, trusted_proxies=["127.0.0.1"])
    async with behind_uvicorn(trusting, db) as client:
        key = await _publishable_key(client)
        rotating = [await _ingest(client, key, f"203.0.113.{n}") for n in range(IP_BUDGET + 2)]
        same = [await _ingest(client, key, "198.51.100.9") for _ in range(IP_BUDGET + 1)]
    assert rotating == [202] * (IP_BUDGET + 2)  # each is a different client
    assert same == [202] * IP_BUDGET + [429]  # one client, one budget


async def test_a_proxy_outside_the_trusted_network_is_not_believed(settings: Any, db: Any) -> None:
    elsewhere = _limited(settings, trusted_proxies=["10.0.0.0/8"])
    async with behind_uvicorn(elsewhere, db) as client:
        key = await _publishable_key(client)
        statuses = [await _ingest(client, key, f"203.0.113.{n}") for n in range(IP_BUDGET + 1)]
    assert statuses == [202] * IP_BUDGET + [429]
