"""An event is identified by (project, eventId): never stored or scored twice."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from leadpulse.store.models import Event, Lead, ScoreHistory


async def _counts(db: Any, project_id: int, event_id: str) -> tuple[int, int]:
    async with db.sessions() as session:
        events = await session.scalar(
            select(func.count()).where(Event.project_id == project_id, Event.event_id == event_id)
        )
        rows = await session.scalar(
            select(func.count()).where(
                ScoreHistory.project_id == project_id, ScoreHistory.event_id == event_id
            )
        )
    return int(events or 0), int(rows or 0)


async def test_same_event_id_sent_three_times_concurrently_is_scored_once(
    client: Any, signup: Any, worker: Any, db: Any, new_anon: Any
) -> None:
    account = await signup()
    visitor = new_anon()
    headers = {"X-API-Key": account.publishable_key}
    single = {"event": "signup", "anonymousId": visitor, "eventId": "evt-dup-1"}
    batch = {"events": [single, {**single}]}
    answers = await asyncio.gather(
        client.post("/api/ingest/event", json=single, headers=headers),
        client.post("/api/ingest/event", json=single, headers=headers),
        client.post("/api/ingest/batch", json=batch, headers=headers),
        client.post(
            "/api/events",
            json={"eventType": "signup", "anonymousId": visitor, "eventId": "evt-dup-1"},
            headers=account.headers,
        ),
    )
    statuses = (
        [a.json().get("status") for a in answers[:2]]
        + [r["status"] for r in answers[2].json()["results"]]
        + [answers[3].json()["status"]]
    )
    assert all(a.status_code == 202 for a in answers)
    assert statuses.count("queued") == 1 and statuses.count("duplicate") == 4
    await worker.drain()
    await worker.drain()
    assert await _counts(db, account.project_id, "evt-dup-1") == (1, 1)
    async with db.sessions() as session:
        lead = await session.scalar(select(Lead).where(Lead.anonymous_id == visitor))
    assert lead is not None and lead.score == 20


async def test_duplicate_after_scoring_is_reported_and_changes_nothing(
    signup: Any, send: Any, worker: Any, db: Any, new_anon: Any
) -> None:
    account = await signup()
    visitor = new_anon()
    first = await send(account.publishable_key, "demo_request", visitor, eventId="e-1")
    await worker.drain()
    again = await send(account.publishable_key, "demo_request", visitor, eventId="e-1")
    await worker.drain()
    assert first["status"] == "queued" and again["status"] == "duplicate"
    assert again["leadId"] == first["leadId"]
    assert await _counts(db, account.project_id, "e-1") == (1, 1)


async def test_the_same_event_id_in_two_projects_are_two_events(
    signup: Any, send: Any, worker: Any, new_anon: Any
) -> None:
    one, two = await signup(), await signup()
    a = await send(one.publishable_key, "signup", new_anon(), eventId="shared-id")
    b = await send(two.publishable_key, "signup", new_anon(), eventId="shared-id")
    assert a["status"] == b["status"] == "queued"
    assert a["leadId"] != b["leadId"]


async def test_server_generates_uuid7_event_ids(signup: Any, send: Any, new_anon: Any) -> None:
    account = await signup()
    answer = await send(account.publishable_key, "page_view", new_anon())
    assert len(answer["eventId"]) == 36 and answer["eventId"][14] == "7"
