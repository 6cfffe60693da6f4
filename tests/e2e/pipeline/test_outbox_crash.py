"""The outbox survives a crash: a worker SIGKILLed right after a scoring commit — before any
automation or webhook of that run was dispatched — loses none of them, and a restarted
worker delivers each exactly once (a real subprocess, a real receiver on 127.0.0.1)."""

from __future__ import annotations

import signal
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pipeline_e2e_support import worker_env
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parents[2] / "integration"))
sys.path.insert(0, str(Path(__file__).parents[2] / "integration" / "webhooks"))

from outbox_support import Receiver, running_receiver

from leadpulse.store.models import AutomationExecution, Lead, OutboxEntry, WebhookDelivery
from leadpulse.store.types import utcnow

pytestmark = pytest.mark.slow
LEADS = 40
JOURNEY = ("page_view", "signup", "demo_request")  # 5 + 20 + 50 = 75: hot


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with running_receiver() as r:
        yield r


async def _configure(client: Any, account: Any, receiver: Receiver) -> None:
    """An automation calling the receiver for hot leads; a stage-change subscription."""
    rule = {
        "name": "Hot lead",
        "whenStage": "hot",
        "action": "webhook",
        "config": {"url": receiver.url + "?automation"},
    }
    hook = {"url": receiver.url + "?subscriber", "events": ["lead.stage_changed"]}
    for path, body in (("/api/automations", rule), ("/api/webhooks", hook)):
        response = await client.post(path, json=body, headers=account.headers)
        assert response.status_code == 201, response.text


def _journeys(run: str) -> list[dict[str, Any]]:
    start = utcnow() - timedelta(minutes=30)
    return [
        {
            "event": kind,
            "anonymousId": f"{run}-{lead}",
            "eventId": f"{run}-{lead}-{kind}",
            "timestamp": (start + timedelta(minutes=step)).isoformat(),
        }
        for lead in range(LEADS)
        for step, kind in enumerate(JOURNEY)
    ]


async def _count(db: Any, model: Any) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_worker_killed_between_scoring_commit_and_dispatch_loses_no_consequence(
    client: Any, signup: Any, ingest: Any, spawn: Any, db: Any, database_url: str, receiver: Any
) -> None:
    account = await signup()
    await _configure(client, account, receiver)
    await ingest(account.publishable_key, _journeys(uuid.uuid4().hex[:6]))
    env = worker_env(database_url, LEADPULSE_WEBHOOKS_ALLOW_PRIVATE="true")

    # One claim slot: the first scoring commit is followed by the kill, with no await between
    # them, so no dispatch can have run (the dispatcher shares the event loop).
    crash = {
        "LEADPULSE_TEST_CRASH_POINT": "after_scoring_commit",
        "LEADPULSE_WORKER_CONCURRENCY": "1",
    }
    doomed = spawn(["worker"], {**env, **crash})
    code = await doomed.wait()

    assert code == -signal.SIGKILL, doomed.output[-3000:]
    scored_before_crash = await _count(db, OutboxEntry)
    assert 0 < scored_before_crash < LEADS  # one batch committed, then the worker died
    assert await _count(db, AutomationExecution) == await _count(db, WebhookDelivery) == 0
    assert receiver.requests == []

    restarted = spawn(["worker", "--burst"], env)
    assert await restarted.wait(timeout=120) == 0, restarted.output[-3000:]

    async with db.sessions() as session:
        hot = (await session.scalars(select(Lead.id).where(Lead.stage == "hot"))).all()
        executions = (await session.scalars(select(AutomationExecution))).all()
        deliveries = (await session.scalars(select(WebhookDelivery))).all()
    assert len(hot) == LEADS
    assert await _count(db, OutboxEntry) == 0
    assert sorted(e.lead_id for e in executions) == sorted(hot)
    assert sorted(d.lead_id for d in deliveries) == sorted(hot)
    assert {e.status for e in executions} == {d.status for d in deliveries} == {"succeeded"}
    by_path: dict[str, list[Any]] = {"automation": [], "subscriber": []}
    for request in receiver.requests:
        by_path[request.path.split("?", 1)[1]].append(request)
    keys = [r.headers["idempotency-key"] for r in by_path["automation"]]
    assert sorted(keys) == sorted(f"lp_exec_{e.id}" for e in executions)  # once each
    ids = [r.headers["webhook-id"] for r in by_path["subscriber"]]
    assert sorted(ids) == sorted(d.message_id for d in deliveries)  # once each
