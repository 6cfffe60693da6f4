"""Live updates: Socket.IO clients of a running API see their project's outcomes, only those."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
import redis.asyncio as aioredis
from live_support import WAIT_SECONDS, Refused
from outcome_factories import T0, ingested, mutation, scored

from leadpulse.core.outcomes import (
    AutomationExecuted,
    LeadMerged,
)

WORKER_SCRIPT = Path(__file__).with_name("emit_like_worker.py")


async def test_client_receives_its_projects_events_in_order(
    container: Any, start_live: Any
) -> None:
    live = await start_live(container)
    token, project_id = await live.register()
    client = await live.client(token)
    lead = scored(
        project_id, mutations=(mutation(project_id, 11, 5, 25), mutation(project_id, 12, 25, 45))
    )

    await container.publish(container.after_ingest, [ingested(project_id)])
    await container.publish(container.after_scoring, [lead])

    received = await client.take(4)
    assert [name for name, _ in received] == [
        "newEvent",
        "scoreMutation",
        "scoreMutation",
        "leadUpdated",
    ]
    assert received[0][1] == {
        "eventId": "evt-1",
        "leadId": 7,
        "eventType": "page_view",
        "anonymousId": "anon-1",
        "timestamp": "2026-11-28T09:30:00+00:00",
        "receivedAt": "2026-11-28T09:30:00+00:00",
    }
    assert received[1][1] == {
        "id": 11,
        "leadId": 7,
        "cause": "rule",
        "eventId": "evt-11",
        "eventType": "signup",
        "ruleId": 3,
        "oldScore": 5,
        "newScore": 25,
        "delta": 20,
        "createdAt": "2026-11-28T09:30:00+00:00",
    }
    assert received[3][1] == {
        "id": 7,
        "anonymousId": "anon-1",
        "email": None,
        "name": None,
        "currentScore": 45,
        "leadStage": "warm",
        "velocityScore": 3,
        "eventsLast24h": 3,
        "lastEventAt": "2026-11-28T09:30:00+00:00",
        "previousScore": 5,
        "previousStage": "cold",
    }


async def test_another_projects_client_receives_nothing(container: Any, start_live: Any) -> None:
    live = await start_live(container)
    token_a, project_a = await live.register()
    token_b, project_b = await live.register()
    client_a = await live.client(token_a)
    client_b = await live.client(token_b)

    await container.publish(container.after_ingest, [ingested(project_a)])
    await container.publish(
        container.after_scoring, [scored(project_a, mutations=(mutation(project_a, 11, 5, 45),))]
    )
    merged = LeadMerged(project_a, survivor_id=7, merged_id=8, email="a@example.com", merged_at=T0)
    await container.publish(container.after_merge, [merged])
    assert len(await client_a.take(4)) == 4
    # A sentinel sent to B's own project afterwards: if anything of A's had leaked to B,
    # it would arrive before the sentinel.
    await container.publish(container.after_scoring, [scored(project_b, lead_id=99)])

    assert await client_b.next() == ("leadUpdated", scored_payload(lead_id=99))
    assert client_b.inbox.empty()


def scored_payload(lead_id: int) -> dict[str, Any]:
    return {
        "id": lead_id,
        "anonymousId": "anon-1",
        "email": None,
        "name": None,
        "currentScore": 45,
        "leadStage": "warm",
        "velocityScore": 3,
        "eventsLast24h": 3,
        "lastEventAt": "2026-11-28T09:30:00+00:00",
        "previousScore": 5,
        "previousStage": "cold",
    }


async def test_merges_and_automation_executions_are_emitted(
    container: Any, start_live: Any
) -> None:
    live = await start_live(container)
    token, project_id = await live.register()
    client = await live.client(token)
    merged = LeadMerged(project_id, survivor_id=7, merged_id=8, email="a@example.com", merged_at=T0)
    executed = AutomationExecuted(
        project_id=project_id,
        automation_id=4,
        execution_id=40,
        lead_id=7,
        action="webhook",
        status="succeeded",
        response_code=204,
        executed_at=T0,
    )

    await container.publish(container.after_merge, [merged])
    await container.publish(container.after_automation, [executed])

    assert await client.take(2) == [
        (
            "leadMerged",
            {
                "survivorId": 7,
                "mergedId": 8,
                "email": "a@example.com",
                "mergedAt": "2026-11-28T09:30:00+00:00",
            },
        ),
        (
            "automationExecuted",
            {
                "id": 40,
                "automationId": 4,
                "leadId": 7,
                "action": "webhook",
                "status": "succeeded",
                "responseCode": 204,
                "finishedAt": "2026-11-28T09:30:00+00:00",
            },
        ),
    ]


async def test_connection_without_token_is_refused(container: Any, start_live: Any) -> None:
    live = await start_live(container)

    with pytest.raises(Refused) as refused:
        await live.client(None)

    assert "token" in refused.value.data["message"]


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        jwt.encode({"sub": "1", "project_id": 1, "exp": 4102444800}, "another-secret-" + "y" * 40),
    ],
    ids=["garbage", "foreign-signature"],
)
async def test_connection_with_invalid_token_is_refused(
    container: Any, start_live: Any, token: str
) -> None:
    live = await start_live(container)

    with pytest.raises(Refused) as refused:
        await live.client(token)

    assert refused.value.data == {"message": "The token is invalid."}


async def test_token_of_a_deleted_user_is_refused(container: Any, start_live: Any) -> None:
    from sqlalchemy import delete

    from leadpulse.store.models import User

    live = await start_live(container)
    token, _ = await live.register()
    async with container.db.transaction() as session:
        await session.execute(delete(User))

    with pytest.raises(Refused):
        await live.client(token)


async def _wait_for_subscriber(url: str, channel: str) -> None:
    """Wait until the API's Redis manager listens (it subscribes on its first connection)."""
    client = aioredis.Redis.from_url(url)
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            while dict(await client.pubsub_numsub(channel)).get(channel.encode(), 0) < 1:
                await asyncio.sleep(0.02)
    finally:
        await client.aclose()


@pytest.mark.redis
async def test_worker_process_reaches_clients_through_redis(
    container: Any, start_live: Any, redis_url: str, tmp_path: Path
) -> None:
    channel = f"lp-test-{uuid.uuid4().hex[:12]}"
    container.settings.redis_url = redis_url
    container.settings.live_channel = channel
    live = await start_live(container)
    token_a, project_a = await live.register()
    token_b, project_b = await live.register()
    client_a = await live.client(token_a)
    client_b = await live.client(token_b)
    await _wait_for_subscriber(redis_url, channel)

    env = {
        **os.environ,
        "LEADPULSE_REDIS_URL": redis_url,
        "LEADPULSE_LIVE_CHANNEL": channel,
        "LEADPULSE_DATA_DIR": str(tmp_path / "worker"),
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(WORKER_SCRIPT), str(project_a), str(project_b)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "RedisEmitter"

    assert await client_a.take(2) == [
        ("scoreMutation", worker_mutation()),
        ("leadUpdated", {**scored_payload(lead_id=41), "currentScore": 50}),
    ]
    # The worker sent B's sentinel last: B gets it and nothing of A's before it.
    assert await client_b.next() == ("leadUpdated", scored_payload(lead_id=42))


def worker_mutation() -> dict[str, Any]:
    return {
        "id": 501,
        "leadId": 41,
        "cause": "rule",
        "eventId": "evt-demo",
        "eventType": "demo_request",
        "ruleId": None,
        "oldScore": 0,
        "newScore": 50,
        "delta": 50,
        "createdAt": "2026-11-28T09:30:00+00:00",
    }
