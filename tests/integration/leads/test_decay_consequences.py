"""Decay acts like any other score change: a lead that decays from hot to warm gets a decay
history row, fires automations and webhooks through the outbox, and updates the dashboard
live (a real Socket.IO client on a real API)."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

sys.path.insert(0, str(Path(__file__).parents[1] / "live"))
sys.path.insert(0, str(Path(__file__).parents[1] / "webhooks"))

from live_support import LiveServer, start_server
from outbox_support import Receiver, running_receiver

from leadpulse.leads.hooks import decay_once, published_by
from leadpulse.store.models import (
    AutomationExecution,
    Lead,
    OutboxEntry,
    Project,
    ScoreHistory,
    WebhookDelivery,
)
from leadpulse.worker.loop import Worker

NOW = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)  # the clock the decay run is given


@pytest.fixture
async def live(container: Any) -> AsyncIterator[LiveServer]:
    """The real API with every feature installed, on a free local port."""
    server = await start_server(container, only_live=False)
    yield server
    await server.stop()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with running_receiver() as r:
        yield r


async def _configure(live: LiveServer, receiver: Receiver) -> tuple[str, int, str]:
    """A project with a slow decay, an automation for warm leads and a stage-change hook."""
    token, project_id = await live.register()
    headers = {"Authorization": f"Bearer {token}"}
    rule = {"name": "Cooling down", "whenStage": "warm", "action": "log", "config": {}}
    hook = {"url": receiver.url, "events": ["lead.stage_changed", "lead.scored"]}
    async with httpx.AsyncClient(base_url=live.url, headers=headers) as http:
        assert (await http.post("/api/automations", json=rule)).status_code == 201
        created = await http.post("/api/webhooks", json=hook)
        assert created.status_code == 201, created.text
    async with live.container.db.transaction() as session:
        await session.execute(
            update(Project).where(Project.id == project_id).values(decay_daily_rate=0.02)
        )
    return token, project_id, created.json()["secret"]


async def _hot_lead(db: Any, project_id: int) -> Lead:
    lead = Lead(
        project_id=project_id,
        anonymous_id=f"idle-{uuid.uuid4().hex[:8]}",
        email="idle@example.com",
        name="Idle Lead",
        traits={},
        score=80,
        base_score=80,
        stage="hot",
        last_event_at=NOW - timedelta(days=30),
    )
    async with db.transaction() as session:
        session.add(lead)
    return lead


async def test_thirty_idle_days_move_a_hot_lead_to_warm_with_every_consequence(
    live: LiveServer, receiver: Receiver
) -> None:
    container = live.container
    token, project_id, _ = await _configure(live, receiver)
    lead = await _hot_lead(container.db, project_id)
    dashboard = await live.client(token)

    report = await decay_once(container.db, now=NOW, published=published_by(container))

    assert report is not None and report.decayed == 1
    # 30 idle days, 7 of grace: 80 × 0.98^23 = 50.2 → 50, below hot (60): warm.
    frames = await dashboard.take(2)
    assert [name for name, _ in frames] == ["scoreMutation", "leadUpdated"]
    assert frames[0][1]["cause"] == "decay" and frames[0][1]["leadId"] == lead.id
    updated = frames[1][1]
    assert (updated["id"], updated["currentScore"], updated["leadStage"]) == (lead.id, 50, "warm")
    assert (updated["previousScore"], updated["previousStage"]) == (80, "hot")
    async with container.db.sessions() as session:
        history = (
            await session.scalars(select(ScoreHistory).where(ScoreHistory.lead_id == lead.id))
        ).all()
        pending = (await session.scalars(select(OutboxEntry))).all()
    assert [(h.cause, h.old_score, h.new_score) for h in history] == [("decay", 80, 50)]
    assert [(e.kind, e.lead_id) for e in pending] == [("lead.changed", lead.id)]

    await Worker(container, worker_id="test-decay").drain()  # burst: dispatch and deliver

    async with container.db.sessions() as session:
        executions = (await session.scalars(select(AutomationExecution))).all()
        deliveries = (await session.scalars(select(WebhookDelivery))).all()
    assert [(e.lead_id, e.day, e.status) for e in executions] == [
        (lead.id, NOW.date(), "succeeded")
    ]
    assert sorted((d.event_type, d.status) for d in deliveries) == [
        ("lead.scored", "succeeded"),
        ("lead.stage_changed", "succeeded"),
    ]
    sent = {json.loads(r.body)["type"]: json.loads(r.body)["data"] for r in receiver.requests}
    assert sent["lead.stage_changed"]["stage"] == "warm"
    assert sent["lead.stage_changed"]["previousStage"] == "hot"
    assert sent["lead.scored"]["score"] == 50
