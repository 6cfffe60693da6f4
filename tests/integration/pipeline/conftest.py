"""Pipeline fixtures: a worker on the test container, and event-sending helpers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from leadpulse.worker.loop import Worker


@pytest.fixture
def worker(container: Any) -> Worker:
    """A worker on the test container; ``await worker.drain()`` scores everything due."""
    return Worker(container, worker_id=f"test-{uuid.uuid4().hex[:6]}")


@pytest.fixture
def send(client: Any) -> Any:
    """Send one SDK event with a publishable key; return the JSON answer."""

    async def _send(key: str, event: str, anonymous_id: str, **fields: Any) -> dict[str, Any]:
        body = {"event": event, "anonymousId": anonymous_id, **fields}
        response = await client.post("/api/ingest/event", json=body, headers={"X-API-Key": key})
        assert response.status_code == 202, response.text
        data: dict[str, Any] = response.json()
        return data

    return _send


@pytest.fixture
def lead_of(client: Any) -> Any:
    """Fetch a lead as the account sees it."""

    async def _lead(account: Any, lead_id: int) -> dict[str, Any]:
        response = await client.get(f"/api/leads/{lead_id}", headers=account.headers)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    return _lead


def anon() -> str:
    """A unique anonymous id."""
    return f"anon-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def new_anon() -> Any:
    """Factory of unique anonymous ids."""
    return anon


@pytest.fixture
async def account(signup: Any) -> Any:
    """One registered account for the test (shared by hypothesis examples)."""
    return await signup()
