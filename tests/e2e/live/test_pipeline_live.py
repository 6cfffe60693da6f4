"""HTTP ingest → worker → Socket.IO: a dashboard sees its leads scored live, nobody else's."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from live_support import WAIT_SECONDS, LiveClient, LiveServer

from leadpulse.store.types import utcnow
from leadpulse.worker.loop import Worker

JOURNEY = ("page_view", "signup", "demo_request")  # 5 + 20 + 50 = 75: hot
LEADPULSE = Path(sys.executable).with_name("leadpulse")


async def _ingest(live: LiveServer, key: str, visitor: str, kinds: tuple[str, ...]) -> None:
    start = utcnow() - timedelta(minutes=10)
    async with httpx.AsyncClient(base_url=live.url) as http:
        for minute, kind in enumerate(kinds):
            response = await http.post(
                "/api/ingest/event",
                headers={"X-API-Key": key},
                json={
                    "event": kind,
                    "anonymousId": visitor,
                    "eventId": f"{visitor}-{kind}",
                    "timestamp": (start + timedelta(minutes=minute)).isoformat(),
                },
            )
            assert response.status_code == 202, response.text


async def _expect_journey_scored(client: LiveClient) -> dict[str, Any]:
    frames = await client.take(4)
    assert [name for name, _ in frames] == ["scoreMutation"] * 3 + ["leadUpdated"]
    assert [data["newScore"] for _, data in frames[:3]] == [5, 25, 75]
    assert [data["eventType"] for _, data in frames[:3]] == list(JOURNEY)
    lead: dict[str, Any] = frames[3][1]
    assert (lead["currentScore"], lead["leadStage"], lead["previousScore"]) == (75, "hot", 0)
    return lead


async def _two_dashboards(live: LiveServer) -> tuple[LiveClient, str, LiveClient, str]:
    token_a, _, key_a = await live.register_with_key()
    token_b, _, key_b = await live.register_with_key()
    return await live.client(token_a), key_a, await live.client(token_b), key_b


async def test_embedded_worker_updates_only_the_projects_dashboard(
    container: Any, start_live: Any
) -> None:
    live = await start_live(container)
    client_a, key_a, client_b, key_b = await _two_dashboards(live)

    await _ingest(live, key_a, "visitor-a", JOURNEY)
    ingested = await client_a.take(3)
    await Worker(container).drain()

    assert [(name, data["eventType"]) for name, data in ingested] == [
        ("newEvent", kind) for kind in JOURNEY
    ]
    lead = await _expect_journey_scored(client_a)
    assert lead["id"] == ingested[0][1]["leadId"]
    await _ingest(live, key_b, "visitor-b", ("page_view",))  # B's sentinel, sent last
    name, data = await client_b.next()
    assert (name, data["eventId"]) == ("newEvent", "visitor-b-page_view")


async def _wait_for_subscriber(url: str, channel: str) -> None:
    client = aioredis.Redis.from_url(url)
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            while dict(await client.pubsub_numsub(channel)).get(channel.encode(), 0) < 1:
                await asyncio.sleep(0.02)
    finally:
        await client.aclose()


@pytest.mark.redis
async def test_worker_process_updates_dashboards_through_redis(
    container: Any, start_live: Any, redis_url: str, database_url: str, tmp_path: Path
) -> None:
    channel = f"lp-e2e-{uuid.uuid4().hex[:12]}"
    container.settings.redis_url = redis_url
    container.settings.live_channel = channel
    live = await start_live(container)
    client_a, key_a, client_b, key_b = await _two_dashboards(live)
    await _wait_for_subscriber(redis_url, channel)
    await _ingest(live, key_a, "visitor-a", JOURNEY)
    assert len(await client_a.take(3)) == 3

    worker = await asyncio.create_subprocess_exec(
        str(LEADPULSE),
        "worker",
        "--burst",
        env={
            **os.environ,
            "LEADPULSE_ENV": "test",
            "LEADPULSE_DATABASE_URL": database_url,
            "LEADPULSE_REDIS_URL": redis_url,
            "LEADPULSE_LIVE_CHANNEL": channel,
            "LEADPULSE_JWT_SECRET": container.settings.secret_key(),
            "LEADPULSE_DATA_DIR": str(tmp_path / "worker"),
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(worker.communicate(), 120)
    assert worker.returncode == 0, output.decode()

    await _expect_journey_scored(client_a)
    await _ingest(live, key_b, "visitor-b", ("page_view",))  # B's sentinel, sent last
    name, data = await client_b.next()
    assert (name, data["eventId"]) == ("newEvent", "visitor-b-page_view")
