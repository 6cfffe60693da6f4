"""Helpers of the security tests (a unique module name: several ``conftest`` modules exist)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from leadpulse.store.models import Base, Event

MAX_BIGINT = 2**63 - 1


async def secret_key(client: httpx.AsyncClient, account: Any) -> str:
    """Create a secret key for the account's project and return it."""
    response = await client.post(
        "/api/auth/generate-api-key", json={"type": "secret"}, headers=account.headers
    )
    assert response.status_code == 201, response.text
    key: str = response.json()["apiKey"]
    return key


def key_header(key: str) -> dict[str, str]:
    """The X-API-Key header of a key."""
    return {"X-API-Key": key}


async def event_count(db: Any, project_id: int) -> int:
    """Count the events stored for a project."""
    async with db.sessions() as session:
        count = await session.scalar(select(func.count()).where(Event.project_id == project_id))
    return int(count or 0)


async def row_counts(db: Any) -> dict[str, int]:
    """Count the rows of every table: a refused request must leave all of them unchanged."""
    counts: dict[str, int] = {}
    async with db.sessions() as session:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = int(
                await session.scalar(select(func.count()).select_from(table)) or 0
            )
    return counts


def problem_locs(response: httpx.Response) -> set[str]:
    """The field paths a problem+json answer names."""
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return {e["loc"] for e in response.json().get("errors", [])}
