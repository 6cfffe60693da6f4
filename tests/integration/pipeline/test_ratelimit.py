"""Ingest rate limits (SPEC §5): per IP for publishable keys, per key for everyone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from leadpulse.auth.security import key_cache
from leadpulse.store.models import Event, Project

IP_LIMIT = 3
KEY_LIMIT = 5


@pytest.fixture
def settings(settings: Any) -> Any:
    """The test settings with rate limits on and small budgets."""
    settings.rate_limit_enabled = True
    settings.rate_limit_ip_per_minute = IP_LIMIT
    settings.rate_limit_key_per_minute = KEY_LIMIT
    return settings


@asynccontextmanager
async def _from_ip(app: Any, ip: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def _event(http: Any, key: str, n: int, path: str = "/api/ingest/event") -> Any:
    body = {"event": "page_view", "anonymousId": "rl-visitor", "eventId": f"rl-{n}"}
    if path == "/api/events":
        body = {"eventType": "page_view", "anonymousId": "rl-visitor", "eventId": f"rl-{n}"}
    return await http.post(path, json=body, headers={"X-API-Key": key})


def _assert_limited(response: Any, limit: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert response.headers["RateLimit-Limit"] == str(limit)
    assert response.headers["RateLimit-Remaining"] == "0"
    assert 1 <= int(response.headers["RateLimit-Reset"]) <= 120


async def _stored(db: Any, event_id: str) -> int:
    async with db.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(Event).where(Event.event_id == event_id)
        )
    return int(count or 0)


async def test_publishable_key_beyond_the_ip_budget_gets_429_with_rate_headers(
    client: Any, app: Any, signup: Any, db: Any
) -> None:
    account = await signup()
    for n in range(IP_LIMIT):
        assert (await _event(client, account.publishable_key, n)).status_code == 202
    refused = await _event(client, account.publishable_key, IP_LIMIT)
    _assert_limited(refused, IP_LIMIT)
    assert await _stored(db, f"rl-{IP_LIMIT}") == 0, "a refused event must not be stored"
    async with _from_ip(app, "10.0.0.9") as other_visitor:  # another IP has its own budget
        assert (await _event(other_visitor, account.publishable_key, 99)).status_code == 202


async def test_secret_key_is_limited_per_key_not_per_ip(client: Any, app: Any, signup: Any) -> None:
    account = await signup()
    made = await client.post(
        "/api/auth/generate-api-key", json={"type": "secret"}, headers=account.headers
    )
    assert made.status_code == 201, made.text
    secret = made.json()["apiKey"]
    for n in range(KEY_LIMIT):  # more than the IP budget, from one IP
        response = await _event(client, secret, n, path="/api/events")
        assert response.status_code == 202, response.text
    _assert_limited(await _event(client, secret, KEY_LIMIT, path="/api/events"), KEY_LIMIT)
    async with _from_ip(app, "10.0.0.10") as elsewhere:  # the key's budget follows the key
        _assert_limited(await _event(elsewhere, secret, 50, path="/api/events"), KEY_LIMIT)


async def test_a_batch_counts_as_one_request(client: Any, signup: Any) -> None:
    account = await signup()

    async def batch(n: int) -> Any:
        events = [
            {"event": "page_view", "anonymousId": "rl-batch", "eventId": f"b{n}-{i}"}
            for i in range(10)
        ]
        return await client.post(
            "/api/ingest/batch",
            json={"events": events},
            headers={"X-API-Key": account.publishable_key},
        )

    for n in range(IP_LIMIT):
        response = await batch(n)
        assert response.status_code == 202 and response.json()["accepted"] == 10
    _assert_limited(await batch(IP_LIMIT), IP_LIMIT)


async def test_project_override_of_the_ip_budget_wins(client: Any, signup: Any, db: Any) -> None:
    account = await signup()
    async with db.transaction() as session:
        await session.execute(
            update(Project)
            .where(Project.id == account.project_id)
            .values(rate_limit_ip_per_minute=1)
        )
    key_cache.clear()
    assert (await _event(client, account.publishable_key, 0)).status_code == 202
    _assert_limited(await _event(client, account.publishable_key, 1), 1)


@pytest.mark.redis
async def test_two_api_processes_share_the_budget_through_redis(
    signup: Any, settings: Any, redis_url: str
) -> None:
    from leadpulse.api.app import create_app
    from leadpulse.bootstrap import build_container

    account = await signup()
    settings.redis_url = redis_url
    apps = [create_app(build_container(settings), auto_migrate=False) for _ in range(2)]
    async with (
        apps[0].router.lifespan_context(apps[0]),
        apps[1].router.lifespan_context(apps[1]),
        _from_ip(apps[0], "10.1.1.1") as first,
        _from_ip(apps[1], "10.1.1.1") as second,
    ):
        answers = [
            (await _event(first, account.publishable_key, 0)).status_code,
            (await _event(second, account.publishable_key, 1)).status_code,
            (await _event(first, account.publishable_key, 2)).status_code,
        ]
        assert answers == [202, 202, 202]
        _assert_limited(await _event(second, account.publishable_key, 3), IP_LIMIT)
