"""Two workers on one PostgreSQL database never hold the same lead at the same time."""

from __future__ import annotations

import asyncio
import re
import signal
from collections.abc import Sequence
from typing import Any

import pytest
from pipeline_e2e_support import (
    assert_exactly_once,
    random_events,
    wait_for,
    worker_env,
)
from sqlalchemy import func, select

from leadpulse.bootstrap import build_container
from leadpulse.queue import jobs
from leadpulse.store.models import Event, LeadJob, WorkerHeartbeat
from leadpulse.worker.loop import Worker

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def database_url(pg_database_url: str) -> str:
    """PostgreSQL only: SQLite has a single writer, there is nothing to race."""
    return pg_database_url


async def _count(db: Any, query: Any) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(query) or 0)


async def _all_scored(db: Any, project_id: int, total: int) -> bool:
    processed = await _count(
        db,
        select(func.count())
        .select_from(Event)
        .where(Event.project_id == project_id, Event.processed.is_(True)),
    )
    jobs_left = await _count(db, select(func.count()).select_from(LeadJob))
    return processed == total and jobs_left == 0


def _processed_at_stop(output: str) -> int:
    found = re.findall(r"worker_stopped\b.*?processed=(\d+)", ANSI.sub("", output))
    assert found, f"no worker_stopped line in:\n{output[-3000:]}"
    return int(found[-1])


async def test_two_worker_processes_score_every_event_exactly_once(
    signup: Any, ingest: Any, spawn: Any, db: Any, database_url: str
) -> None:
    account = await signup()
    env = worker_env(
        database_url, LEADPULSE_WORKER_POLL_SECONDS="0.2", LEADPULSE_WORKER_CONCURRENCY="2"
    )
    workers = [spawn(["worker"], env), spawn(["worker"], env)]
    await wait_for(
        lambda: _beating(db, 2), what="both workers to send their first heartbeat", interval=0.1
    )
    first = random_events(400, 6, seed=7)
    late = random_events(400, 2, seed=8)  # the same visitors: late and newer events
    await ingest(account.publishable_key, first)
    await ingest(account.publishable_key, late)
    total = len(first) + len(late)

    async def all_scored() -> bool:
        for child in workers:
            assert child.process.poll() is None, f"a worker died:\n{child.output[-3000:]}"
        return await _all_scored(db, account.project_id, total)

    await wait_for(all_scored, what="every event scored")
    for child in workers:
        child.signal(signal.SIGTERM)
    for child in workers:
        assert await child.wait() == 0, child.output[-3000:]
    shares = [_processed_at_stop(child.output) for child in workers]
    assert all(share > 0 for share in shares), f"one worker did no work: {shares}"
    await assert_exactly_once(db, account.project_id, expected_events=total)


async def _beating(db: Any, count: int) -> bool:
    return await _count(db, select(func.count()).select_from(WorkerHeartbeat)) >= count


class HoldLedger:
    """Who holds which lead, from claim to finish; records any overlap."""

    def __init__(self) -> None:
        self.holder: dict[int, str] = {}
        self.overlaps: list[tuple[int, str, str]] = []
        self.claims: dict[str, int] = {}

    def take(self, worker_id: str, claims: Sequence[jobs.Claim]) -> None:
        for claim in claims:
            other = self.holder.get(claim.lead_id)
            if other is not None:
                self.overlaps.append((claim.lead_id, other, worker_id))
            self.holder[claim.lead_id] = worker_id
            self.claims[worker_id] = self.claims.get(worker_id, 0) + 1

    def release(self, lead_ids: Sequence[int]) -> None:
        for lead_id in lead_ids:
            self.holder.pop(lead_id, None)


@pytest.fixture
def ledger(monkeypatch: pytest.MonkeyPatch) -> HoldLedger:
    """Record every claim and release the workers make (the queue functions, wrapped)."""
    book = HoldLedger()
    real_claim, real_finish, real_fail = jobs.claim, jobs.finish, jobs.fail

    async def claim(session: Any, *, worker_id: str, **kwargs: Any) -> list[jobs.Claim]:
        taken = await real_claim(session, worker_id=worker_id, **kwargs)
        book.take(worker_id, taken)  # the claim statement returned: the lead is held
        return taken

    async def finish(session: Any, claims: Sequence[jobs.Claim]) -> None:
        book.release([c.lead_id for c in claims])  # before the commit that frees it
        await real_finish(session, claims)

    async def fail(session: Any, claim_: jobs.Claim, *args: Any, **kwargs: Any) -> bool:
        book.release([claim_.lead_id])
        return await real_fail(session, claim_, *args, **kwargs)

    monkeypatch.setattr(jobs, "claim", claim)
    monkeypatch.setattr(jobs, "finish", finish)
    monkeypatch.setattr(jobs, "fail", fail)
    return book


async def test_two_in_process_workers_never_hold_one_lead_at_once(
    signup: Any, ingest: Any, db: Any, settings: Any, ledger: HoldLedger
) -> None:
    settings.worker_claim_batch = 3
    account = await signup()
    containers = [build_container(settings), build_container(settings)]
    pair = [Worker(c, worker_id=f"w{n}") for n, c in enumerate(containers)]
    stop = asyncio.Event()

    async def keep_stepping(worker: Worker) -> None:
        while not stop.is_set():
            if not await worker.step():
                await asyncio.sleep(0.01)  # idle slot: yield to the other worker and ingest

    async def feed() -> None:
        for wave in range(6):
            await ingest(account.publishable_key, random_events(60, 3, seed=wave))
        total = 6 * 60 * 3
        await wait_for(lambda: _all_scored(db, account.project_id, total), what="all scored")
        stop.set()

    try:
        await asyncio.gather(feed(), *(keep_stepping(w) for w in pair))
    finally:
        stop.set()
        for c in containers:
            await c.close()
    assert ledger.overlaps == [], f"leads held by two workers at once: {ledger.overlaps[:5]}"
    assert min(ledger.claims.get(w.worker_id, 0) for w in pair) > 0, ledger.claims
    await assert_exactly_once(db, account.project_id, expected_events=6 * 60 * 3)
