"""Identity resolution through the whole pipeline: identify → merge → one refolded lead."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from leadpulse.store.models import Lead, ScoreHistory

BASE = datetime.now(UTC) - timedelta(hours=6)


async def _send(
    client: Any, key: str, anonymous_id: str, event: str, minute: int, **extra: Any
) -> Any:
    body = {
        "event": event,
        "anonymousId": anonymous_id,
        "timestamp": (BASE + timedelta(minutes=minute)).isoformat(),
        **extra,
    }
    response = await client.post("/api/ingest/event", json=body, headers={"X-API-Key": key})
    assert response.status_code == 202, response.text
    return response.json()


async def test_merge_with_interleaved_timestamps_gives_the_fold_of_the_union(
    client: Any, account: Any, worker: Any, db: Any, new_anon: Any
) -> None:
    known = await client.post(
        "/api/leads",
        json={"name": "Ada", "email": "Ada@Example.com", "company": "Analytical"},
        headers=account.headers,
    )
    assert known.status_code == 201, known.text
    survivor_id = known.json()["id"]
    visitor = new_anon()
    key = account.publishable_key
    # In event-time order: page_view 5, signup 25, unsubscribe 5, identify (0 points) 5,
    # demo_request 55 — the identify arrives mid-stream and triggers the merge.
    await _send(client, key, visitor, "page_view", 0)
    await _send(client, key, visitor, "signup", 10)
    await worker.drain()
    await _send(client, key, visitor, "unsubscribe", 20)
    await _send(
        client, key, visitor, "identify", 25, email=" ada@example.COM ", traits={"name": "Ada L."}
    )
    await _send(client, key, visitor, "demo_request", 30)
    await worker.drain()
    await worker.drain()  # the survivor's full refold was queued by the merge

    async with db.sessions() as session:
        survivor = await session.get(Lead, survivor_id)
        merged = await session.scalar(select(Lead).where(Lead.anonymous_id == visitor))
        total = await session.scalar(
            select(func.sum(ScoreHistory.delta)).where(ScoreHistory.lead_id == survivor_id)
        )
        merges = await session.scalar(
            select(func.count()).where(
                ScoreHistory.lead_id == survivor_id, ScoreHistory.cause == "merge"
            )
        )
    assert survivor is not None and merged is not None
    assert merged.merged_into_id == survivor_id and merged.email is None
    assert survivor.email == "ada@example.com" and survivor.score == 55
    assert total == 55 and merges == 1
    pointer = await client.get(f"/api/leads/{merged.id}", headers=account.headers)
    assert pointer.status_code == 200 and pointer.json()["mergedInto"] == survivor_id

    later = await _send(client, key, visitor, "pricing_page_visit", 40)  # alias routing
    assert later["leadId"] == survivor_id
    await worker.drain()
    async with db.sessions() as session:
        survivor = await session.get(Lead, survivor_id)
    assert survivor is not None and survivor.score == 70


async def test_concurrent_identifies_of_one_email_end_with_one_survivor(
    client: Any, account: Any, worker: Any, db: Any, new_anon: Any
) -> None:
    visitors = [new_anon() for _ in range(3)]
    key = account.publishable_key
    for minute, visitor in enumerate(visitors):
        await _send(client, key, visitor, "signup", minute)
    await asyncio.gather(
        *(
            _send(client, key, v, "identify", 10 + i, email="same@example.com")
            for i, v in enumerate(visitors)
        )
    )
    for _ in range(4):
        await worker.drain()
    async with db.sessions() as session:
        live = list(
            await session.scalars(
                select(Lead).where(
                    Lead.project_id == account.project_id, Lead.merged_into_id.is_(None)
                )
            )
        )
    assert len(live) == 1
    assert live[0].email == "same@example.com" and live[0].score == 60
