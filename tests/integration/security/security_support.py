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
    """Count the rows of every table (one query): a refused request must change none."""
    tables = Base.metadata.sorted_tables
    counts = [select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables]
    async with db.sessions() as session:
        row = (await session.execute(select(*counts))).one()
    return dict(zip([t.name for t in tables], (int(n) for n in row), strict=True))


def problem_locs(response: httpx.Response) -> set[str]:
    """The field paths a problem+json answer names."""
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return {e["loc"] for e in response.json().get("errors", [])}


async def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201, 202), response.text
    body: dict[str, Any] = response.json()
    return body


async def seed_project(
    client: httpx.AsyncClient, db: Any, account: Any, marker: str
) -> dict[str, Any]:
    """Give the account's project one of every resource, each carrying ``marker``.

    Returns the resources' ids by the path-parameter name that addresses them.
    """
    from leadpulse.store.models import FailedJob
    from leadpulse.webhooks.schemas import EVENT_TYPES

    h = account.headers
    key = await secret_key(client, account)
    event = {
        "eventType": "page_view",
        "anonymousId": f"{marker}-visitor",
        "email": f"{marker}@example.com",
    }
    await _created(await client.post("/api/events", json=event, headers=key_header(key)))
    lead = await _created(
        await client.post(
            "/api/leads", json={"email": f"{marker}-2@example.com", "name": marker}, headers=h
        )
    )
    rule = await _created(
        await client.post(
            "/api/rules",
            json={"eventType": f"{marker}_evt", "name": marker, "points": 3},
            headers=h,
        )
    )
    automation = await _created(
        await client.post("/api/automations", json={"name": marker, "action": "log"}, headers=h)
    )
    hook = {"url": f"http://127.0.0.1:9/{marker}", "events": [EVENT_TYPES[0]]}
    webhook = await _created(await client.post("/api/webhooks", json=hook, headers=h))
    delivery = await _created(await client.post(f"/api/webhooks/{webhook['id']}/test", headers=h))
    rescore = await _created(await client.post("/api/rules/rescore", headers=h))
    keys = await _created(await client.get(f"/api/projects/{account.project_id}/keys", headers=h))
    async with db.transaction() as session:
        failed = FailedJob(
            project_id=account.project_id,
            lead_id=lead["id"],
            attempts=5,
            error=marker,
            traceback=marker,
        )
        session.add(failed)
        await session.flush()
        failed_id = failed.id
    return {
        "lead_id": lead["id"],
        "rule_id": rule["id"],
        "automation_id": automation["id"],
        "webhook_id": webhook["id"],
        "delivery_id": delivery["id"],
        "job_id": rescore["jobId"],
        "project_id": account.project_id,
        "key_id": keys["items"][0]["id"],
        "failed_id": failed_id,
        "secret_key": key,
    }
