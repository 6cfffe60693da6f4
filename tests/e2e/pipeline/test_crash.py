"""Crash safety: a worker SIGKILLed mid-run loses nothing and scores nothing twice."""

from __future__ import annotations

import signal
from typing import Any

import pytest
from pipeline_e2e_support import assert_exactly_once, random_events, wait_for, worker_env
from sqlalchemy import func, select

from leadpulse.store.models import Event, LeadJob

pytestmark = pytest.mark.slow
LEADS = 300
PER_LEAD = 10


async def _processed(db: Any, project_id: int) -> int:
    async with db.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.project_id == project_id, Event.processed.is_(True))
        )
    return int(count or 0)


async def test_worker_killed_mid_run_then_restarted_scores_every_event_exactly_once(
    signup: Any, ingest: Any, spawn: Any, db: Any, database_url: str
) -> None:
    account = await signup()
    total = LEADS * PER_LEAD
    await ingest(account.publishable_key, random_events(LEADS, PER_LEAD, seed=1))
    env = worker_env(database_url)
    worker = spawn(["worker"], env)
    seen: list[int] = []

    async def partly_scored() -> bool:
        assert worker.process.poll() is None, worker.output[-3000:]
        seen.append(await _processed(db, account.project_id))
        return 0 < seen[-1] < total

    await wait_for(partly_scored, what="the worker to have scored part of the run", interval=0.005)
    worker.signal(signal.SIGKILL)
    await worker.wait()
    at_kill = await _processed(db, account.project_id)
    assert at_kill < total, "the worker finished before it could be killed mid-run"
    async with db.sessions() as session:
        left = await session.scalar(select(func.count()).select_from(LeadJob))
    assert left, "the killed worker left no jobs behind"

    # Late events (older than what was scored) arrive while no worker runs.
    late = random_events(LEADS, 1, seed=2)
    await ingest(account.publishable_key, late)

    burst = spawn(["worker", "--burst"], env)
    assert await burst.wait(timeout=120) == 0, burst.output[-3000:]
    await assert_exactly_once(db, account.project_id, expected_events=total + LEADS)
