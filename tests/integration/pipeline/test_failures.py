"""Failures: retries with backoff, dead letters, replay, and leads that keep flowing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from leadpulse.core import planner
from leadpulse.queue.jobs import RetryPolicy
from leadpulse.store.models import FailedJob, Lead, LeadJob, ScoreHistory
from leadpulse.store.types import utcnow
from leadpulse.worker import scoring


@pytest.fixture
def poison(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Make rule evaluation raise for events of type ``poison`` until cured."""
    real = planner.fold
    state = {"sick": True}

    def fold(start: int, events: Any, rules: Any) -> Any:
        if state["sick"] and any(e.event_type == "poison" for e in events):
            raise RuntimeError("rule evaluation exploded")
        return real(start, events, rules)

    monkeypatch.setattr(planner, "fold", fold)
    return state


async def test_poison_event_retries_then_dead_letters_and_replay_scores_it_once(
    client: Any, account: Any, send: Any, worker: Any, db: Any, poison: Any, new_anon: Any
) -> None:
    worker.policy = RetryPolicy(max_attempts=3, base_seconds=1, cap_seconds=1)
    sick, healthy = new_anon(), new_anon()
    bad = await send(account.publishable_key, "poison", sick)
    await send(account.publishable_key, "signup", sick)
    good = await send(account.publishable_key, "signup", healthy)

    before = utcnow()
    await worker.drain()  # first attempt fails; the healthy lead is scored anyway
    async with db.sessions() as session:
        job = await session.get(LeadJob, bad["leadId"])
        healthy_lead = await session.get(Lead, good["leadId"])
    # backoff: at least base × 0.5 (jitter) after the failure, which came after `before`
    assert job is not None and job.attempts == 1
    assert job.run_at >= before + timedelta(seconds=0.5)
    assert "exploded" in (job.last_error or "")
    assert healthy_lead is not None and healthy_lead.score == 20

    later = utcnow()
    for _ in range(3):
        later += timedelta(minutes=10)
        await worker.drain(now=later)
    failed = await client.get("/api/admin/failed-jobs", headers=account.headers)
    assert failed.status_code == 200
    [entry] = failed.json()["items"]
    assert entry["leadId"] == bad["leadId"] and entry["attempts"] == 3
    assert "RuntimeError" in entry["error"] and "Traceback" in entry["traceback"]
    async with db.sessions() as session:
        assert await session.get(LeadJob, bad["leadId"]) is None

    poison["sick"] = False
    replay = await client.post(
        f"/api/admin/failed-jobs/{entry['id']}/replay", headers=account.headers
    )
    assert replay.status_code == 202
    again = await client.post(
        f"/api/admin/failed-jobs/{entry['id']}/replay", headers=account.headers
    )
    assert again.status_code == 202
    await worker.drain()
    async with db.sessions() as session:
        lead = await session.get(Lead, bad["leadId"])
        rows = await session.scalar(
            select(func.count()).where(ScoreHistory.lead_id == bad["leadId"])
        )
    assert lead is not None and lead.score == 20 and rows == 2


async def test_another_project_cannot_see_or_replay_failed_jobs(
    client: Any, account: Any, signup: Any, db: Any
) -> None:
    other = await signup()
    async with db.transaction() as session:
        lead = Lead(project_id=account.project_id, anonymous_id="x", traits={})
        session.add(lead)
        await session.flush()
        failed = FailedJob(
            project_id=account.project_id, lead_id=lead.id, attempts=5, error="e", traceback="t"
        )
        session.add(failed)
        await session.flush()
        failed_id = failed.id
    listing = await client.get("/api/admin/failed-jobs", headers=other.headers)
    assert listing.json()["total"] == 0
    replay = await client.post(f"/api/admin/failed-jobs/{failed_id}/replay", headers=other.headers)
    assert replay.status_code == 404


async def test_event_arriving_while_its_lead_runs_is_scored_by_a_second_run(
    account: Any, send: Any, worker: Any, db: Any, new_anon: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    visitor = new_anon()
    first = await send(account.publishable_key, "page_view", visitor)
    real = scoring.score_batch
    arrived: list[dict[str, Any]] = []

    async def score_batch(session: Any, claims: Any, **kwargs: Any) -> Any:
        if not arrived:  # an event lands while this lead's job is running
            arrived.append(await send(account.publishable_key, "signup", visitor))
        return await real(session, claims, **kwargs)

    monkeypatch.setattr("leadpulse.worker.loop.score_batch", score_batch)
    claimed = await worker.step()
    assert claimed == 1
    async with db.sessions() as session:
        job = await session.get(LeadJob, first["leadId"])
    assert job is not None and job.status == "pending"  # dirty → runs again
    await worker.drain()
    async with db.sessions() as session:
        lead = await session.get(Lead, first["leadId"])
        assert await session.get(LeadJob, first["leadId"]) is None
    assert lead is not None and lead.score == 25
