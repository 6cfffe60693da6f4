"""Ingest validation and limits: every rejected field is named, and nothing is written."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from leadpulse.store.models import Event, Lead


async def _event_count(db: Any, project_id: int) -> int:
    async with db.sessions() as session:
        count = await session.scalar(select(func.count()).where(Event.project_id == project_id))
    return int(count or 0)


def _locs(response: Any) -> set[str]:
    return {e["loc"] for e in response.json().get("errors", [])}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"anonymousId": "a"}, "body.event"),
        ({"event": "bad type!", "anonymousId": "a"}, "body.event"),
        ({"event": "x" * 65, "anonymousId": "a"}, "body.event"),
        ({"event": "page_view", "anonymousId": "a" * 129}, "body.anonymousId"),
        ({"event": "page_view", "anonymousId": "a", "eventId": "e" * 129}, "body.eventId"),
        ({"event": "page_view", "anonymousId": "a", "timestamp": "yesterday"}, "body.timestamp"),
        ({"event": "page_view", "anonymousId": "a", "email": "not-an-email"}, "body.email"),
        ({"event": "page_view", "anonymousId": "a", "properties": [1]}, "body.properties"),
        ({"event": "page_view", "anonymousId": "a", "surprise": 1}, "body.surprise"),
    ],
)
async def test_invalid_sdk_event_is_422_naming_the_field_and_writes_nothing(
    client: Any, account: Any, db: Any, body: dict[str, Any], loc: str
) -> None:
    response = await client.post(
        "/api/ingest/event", json=body, headers={"X-API-Key": account.publishable_key}
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert loc in _locs(response)
    assert await _event_count(db, account.project_id) == 0


async def test_properties_nested_deeper_than_five_levels_are_refused(
    client: Any, account: Any
) -> None:
    deep: dict[str, Any] = {"v": 1}
    for level in range(5):
        deep = {f"l{level}": deep}
    body = {"event": "page_view", "anonymousId": "a", "properties": deep}
    response = await client.post(
        "/api/ingest/event", json=body, headers={"X-API-Key": account.publishable_key}
    )
    assert response.status_code == 422
    assert any(loc.startswith("body.properties") for loc in _locs(response))


async def test_more_than_100_keys_in_properties_are_refused(client: Any, account: Any) -> None:
    body = {
        "event": "page_view",
        "anonymousId": "a",
        "properties": {f"k{i}": i for i in range(101)},
    }
    response = await client.post(
        "/api/ingest/event", json=body, headers={"X-API-Key": account.publishable_key}
    )
    assert response.status_code == 422 and "body.properties" in _locs(response)


async def test_event_over_32_kb_is_refused(client: Any, account: Any, db: Any) -> None:
    body = {"event": "page_view", "anonymousId": "a", "properties": {"blob": "x" * 33_000}}
    response = await client.post(
        "/api/ingest/event", json=body, headers={"X-API-Key": account.publishable_key}
    )
    assert response.status_code == 422 and "body" in _locs(response)
    assert await _event_count(db, account.project_id) == 0


async def test_batch_accepts_good_items_and_reports_bad_ones_by_index(
    client: Any, account: Any, db: Any
) -> None:
    events = [
        {"event": "page_view", "anonymousId": "v1", "eventId": "b-1"},
        {"event": "no spaces allowed", "anonymousId": "v1"},
        {"event": "signup", "anonymousId": "v1", "eventId": "b-1"},
        {"event": "signup", "anonymousId": "v2", "eventId": "b-3"},
        "not an object",
    ]
    response = await client.post(
        "/api/ingest/batch",
        json={"events": events, "apiKey": account.publishable_key},
    )
    assert response.status_code == 202
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (2, 1, 2)
    statuses = [r["status"] for r in body["results"]]
    assert statuses == ["queued", "rejected", "duplicate", "queued", "rejected"]
    assert body["results"][1]["errors"][0]["loc"] == "events.1.event"
    assert body["results"][4]["errors"][0]["loc"] == "events.4"
    assert await _event_count(db, account.project_id) == 2


async def test_batch_over_500_events_is_413(client: Any, account: Any, db: Any) -> None:
    events = [{"event": "page_view", "anonymousId": "v"} for _ in range(501)]
    response = await client.post(
        "/api/ingest/batch", json={"events": events}, headers={"X-API-Key": account.publishable_key}
    )
    assert response.status_code == 413
    assert await _event_count(db, account.project_id) == 0


async def test_batch_without_events_list_is_422(client: Any, account: Any) -> None:
    response = await client.post(
        "/api/ingest/batch", json={"event": "x"}, headers={"X-API-Key": account.publishable_key}
    )
    assert response.status_code == 422 and "body.events" in _locs(response)


async def test_malformed_json_is_400(client: Any, account: Any) -> None:
    response = await client.post(
        "/api/ingest/event",
        content=b'{"event": ',
        headers={"X-API-Key": account.publishable_key, "Content-Type": "application/json"},
    )
    assert response.status_code == 400


async def test_text_plain_bodies_are_accepted_for_send_beacon(client: Any, account: Any) -> None:
    response = await client.post(
        "/api/ingest/batch",
        content=json.dumps(
            {
                "apiKey": account.publishable_key,
                "events": [{"event": "page_view", "anonymousId": "b"}],
            }
        ),
        headers={"Content-Type": "text/plain;charset=UTF-8"},
    )
    assert response.status_code == 202 and response.json()["accepted"] == 1


@pytest.mark.parametrize("key", [None, "pk_unknown", "nonsense"])
async def test_missing_or_unknown_key_is_401(client: Any, key: str | None) -> None:
    headers = {"X-API-Key": key} if key else {}
    response = await client.post(
        "/api/ingest/event", json={"event": "page_view", "anonymousId": "a"}, headers=headers
    )
    assert response.status_code == 401


async def test_inactive_project_is_403(client: Any, account: Any, db: Any) -> None:
    from sqlalchemy import update

    from leadpulse.auth.security import key_cache
    from leadpulse.store.models import Project

    async with db.transaction() as session:
        await session.execute(
            update(Project).where(Project.id == account.project_id).values(active=False)
        )
    key_cache.clear()
    response = await client.post(
        "/api/ingest/event",
        json={"event": "page_view", "anonymousId": "a"},
        headers={"X-API-Key": account.publishable_key},
    )
    assert response.status_code == 403


async def test_clock_skew_is_corrected_with_sent_at(client: Any, account: Any, db: Any) -> None:
    client_clock = datetime(2020, 1, 1, 12, 0, tzinfo=UTC)  # a client 6 years behind
    body = {
        "event": "page_view",
        "anonymousId": "skew",
        "timestamp": (client_clock - timedelta(minutes=10)).isoformat(),
        "sentAt": client_clock.isoformat(),
    }
    before = datetime.now(UTC)
    response = await client.post(
        "/api/ingest/event", json=body, headers={"X-API-Key": account.publishable_key}
    )
    after = datetime.now(UTC)
    async with db.sessions() as session:
        event = await session.scalar(
            select(Event).where(Event.event_id == response.json()["eventId"])
        )
    assert event is not None
    assert before - timedelta(minutes=10) <= event.timestamp <= after - timedelta(minutes=10)


async def test_future_timestamps_are_clamped_to_receipt_time(
    client: Any, account: Any, db: Any
) -> None:
    future = datetime.now(UTC) + timedelta(hours=3)
    body = {"event": "page_view", "anonymousId": "f", "timestamp": future.isoformat()}
    response = await client.post(
        "/api/ingest/event", json=body, headers={"X-API-Key": account.publishable_key}
    )
    async with db.sessions() as session:
        event = await session.scalar(
            select(Event).where(Event.event_id == response.json()["eventId"])
        )
    assert event is not None and event.timestamp <= datetime.now(UTC)
    assert event.timestamp == event.received_at


async def test_events_endpoint_takes_a_lead_id_and_404s_for_another_projects_lead(
    client: Any, account: Any, signup: Any, db: Any
) -> None:
    other = await signup()
    async with db.transaction() as session:
        mine = Lead(project_id=account.project_id, anonymous_id="mine", traits={})
        theirs = Lead(project_id=other.project_id, anonymous_id="theirs", traits={})
        session.add_all([mine, theirs])
        await session.flush()
        mine_id, theirs_id = mine.id, theirs.id
    ok = await client.post(
        "/api/events", json={"eventType": "signup", "leadId": mine_id}, headers=account.headers
    )
    assert ok.status_code == 202 and ok.json()["leadId"] == mine_id
    foreign = await client.post(
        "/api/events", json={"eventType": "signup", "leadId": theirs_id}, headers=account.headers
    )
    assert foreign.status_code == 404
    both = await client.post(
        "/api/events",
        json={"eventType": "signup", "leadId": mine_id, "anonymousId": "x"},
        headers=account.headers,
    )
    assert both.status_code == 422
    batch = await client.post(
        "/api/events/batch",
        json={"events": [{"eventType": "signup", "leadId": theirs_id}]},
        headers=account.headers,
    )
    assert batch.json()["results"][0]["errors"][0]["loc"] == "events.0.leadId"
