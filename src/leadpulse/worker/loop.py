"""The worker loop (``Worker``): claim → score → wake the dispatcher, with slots, heartbeats
and drain.

What one scoring transaction does is in ``worker.scoring`` (with the path of an event from
the ingest route to its history row); its consequences are outbox entries written in it.
Transactions: ``Worker`` is the entry point and owns them: one to claim a batch, one to
score it (``score_batch`` works in the session it is given), and on failure one per lead to
score it alone or record the failure. After the commit it wakes the outbox dispatcher and
hands the outcomes to the post-commit hooks (live updates only: those may be lost).

- ``Worker.drain()`` processes everything due and returns (``leadpulse worker --burst``,
  tests). It also waits out leases of jobs left running by a killed worker.
- ``Worker.run(stop)`` runs ``concurrency`` claim slots until ``stop`` is set, then lets
  in-flight batches finish (SIGTERM drains, it does not abandon work). Slots sleep on the
  wake-up channel with a polling fallback, so a lost wake-up only delays.
- On SQLite one slot is used whatever ``concurrency`` says: SQLite has a single writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import uuid
from datetime import datetime, timedelta

import anyio
import structlog
from sqlalchemy import delete

from leadpulse import obs
from leadpulse.container import Container, Loop
from leadpulse.queue import jobs
from leadpulse.queue.jobs import Claim, RetryPolicy
from leadpulse.rules.rulebook import RuleCache
from leadpulse.store.models import WorkerHeartbeat
from leadpulse.store.sql import insert, table_of
from leadpulse.store.types import utcnow
from leadpulse.worker import dispatch
from leadpulse.worker.scoring import BatchOutcome, score_batch

log = structlog.get_logger("leadpulse.worker")
HEARTBEATS = table_of(WorkerHeartbeat)
HEARTBEAT_SECONDS = 5.0
MAX_DRAIN_ROUNDS = 10


class Worker:
    """Claims lead jobs and scores them; see the module docstring."""

    def __init__(self, container: Container, *, worker_id: str | None = None) -> None:
        settings = container.settings
        self.container = container
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.batch = settings.worker_claim_batch
        self.lease = timedelta(seconds=settings.worker_lease_seconds)
        self.slots = 1 if container.db.dialect == "sqlite" else settings.worker_concurrency
        self.policy = RetryPolicy(
            max_attempts=settings.job_max_attempts,
            base_seconds=settings.job_backoff_base_seconds,
            cap_seconds=settings.job_backoff_cap_seconds,
        )
        self.cache = RuleCache()
        self.processed = 0
        self.last_claim_at: datetime | None = None
        self.started_at = utcnow()

    async def step(self, now: datetime | None = None) -> int:
        """Claim one batch and score it; return the number of leads claimed."""
        now = now or utcnow()
        async with self.container.db.transaction() as session:
            claims = await jobs.claim(
                session, worker_id=self.worker_id, limit=self.batch, now=now, lease=self.lease
            )
        if not claims:
            return 0
        self.last_claim_at = now
        try:
            outcome = await self._score(claims, now)
        except Exception as exc:
            log.warning("batch_failed_isolating", leads=len(claims), error=repr(exc))
            outcome = await self._score_one_by_one(claims, now)
        self.processed += len(outcome.scored)
        obs.observe_scored(outcome.received, leads=len(outcome.scored))
        if self.container.settings.test_crash_point == "after_scoring_commit":
            os.kill(os.getpid(), signal.SIGKILL)  # fault injection: die before any dispatch
        self.container.outbox.wake(dispatch.LOOP)
        self._publish(outcome)
        return len(claims)

    async def _score(self, claims: list[Claim], now: datetime) -> BatchOutcome:
        async with self.container.db.transaction() as session:
            return await score_batch(session, claims, now=now, cache=self.cache)

    async def _score_one_by_one(self, claims: list[Claim], now: datetime) -> BatchOutcome:
        total = BatchOutcome()
        for claim in claims:
            try:
                outcome = await self._score([claim], now)
            except Exception as exc:
                await self._record_failure(claim, exc)
                continue
            total.scored += outcome.scored
            total.merged += outcome.merged
            total.events += outcome.events
            total.received += outcome.received
        return total

    async def _record_failure(self, claim: Claim, exc: Exception) -> None:
        self.cache.clear()
        async with self.container.db.transaction() as session:
            dead = await jobs.fail(session, claim, exc, now=utcnow(), policy=self.policy)
        log.error(
            "job_dead_lettered" if dead else "job_failed_will_retry",
            lead_id=claim.lead_id,
            project_id=claim.project_id,
            attempt=claim.attempts + 1,
            error=repr(exc),
        )

    def _publish(self, outcome: BatchOutcome) -> None:
        c = self.container
        c.publish_later(c.after_merge, outcome.merged)
        c.publish_later(c.after_scoring, outcome.scored)

    async def drain(self, *, now: datetime | None = None, max_wait: float = 120.0) -> int:
        """Process every due job, waiting out expired-lease jobs, then run the background
        drains (outbox dispatch, automations, webhooks) until none has work; return leads
        processed."""
        total = await self._drain_jobs(now=now, max_wait=max_wait)
        await self.container.flush()  # live frames of what was scored
        for _ in range(MAX_DRAIN_ROUNDS):  # an execution's result is itself an outbox entry
            done = 0
            for name, drain in self.container.drains.items():
                items = await drain(self.container)
                log.info("background_drained", loop=name, items=items)
                done += items
            if not done:
                break
        await self.container.flush()
        return total

    async def _drain_jobs(self, *, now: datetime | None, max_wait: float) -> int:
        total = 0
        deadline = asyncio.get_running_loop().time() + max_wait
        while True:
            claimed = await self.step(now)
            total += claimed
            if claimed:
                continue
            wait = await self._lease_wait(now)
            if wait is None or asyncio.get_running_loop().time() + wait > deadline:
                return total
            await asyncio.sleep(wait)

    async def _lease_wait(self, now: datetime | None) -> float | None:
        async with self.container.db.sessions() as session:
            expiry = await jobs.next_lease_expiry(session)
        if expiry is None:
            return None
        return max(0.05, (expiry - (now or utcnow())).total_seconds() + 0.05)

    async def run(self, stop: anyio.Event) -> None:
        """Run the claim slots, heartbeats and background loops until ``stop`` is set."""
        log.info("worker_started", worker_id=self.worker_id, slots=self.slots)
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._heartbeat, stop)
            for name, loop in self.container.loops.items():
                tg.start_soon(self._guard, name, loop, stop)
            for _ in range(self.slots):
                tg.start_soon(self._slot, stop)
        await self._forget()
        log.info("worker_stopped", worker_id=self.worker_id, processed=self.processed)

    async def _slot(self, stop: anyio.Event) -> None:
        poll = self.container.settings.worker_poll_seconds
        while not stop.is_set():
            try:
                claimed = await self.step()
            except Exception as exc:  # database hiccup: back off, keep the slot alive
                log.error("worker_step_failed", error=repr(exc))
                claimed = 0
                await _sleep_or_stop(stop, poll)
            if not claimed:
                await self._idle(stop, poll)

    async def _idle(self, stop: anyio.Event, poll: float) -> None:
        with anyio.move_on_after(poll):
            async with anyio.create_task_group() as tg:

                async def woken() -> None:
                    await self.container.waker.wait(poll)
                    tg.cancel_scope.cancel()

                async def stopped() -> None:
                    await stop.wait()
                    tg.cancel_scope.cancel()

                tg.start_soon(woken)
                tg.start_soon(stopped)

    async def _guard(self, name: str, loop: Loop, stop: anyio.Event) -> None:
        while not stop.is_set():
            try:
                await loop(self.container, stop)
                return
            except Exception as exc:  # a feature loop must not take the worker down
                log.error("background_loop_failed", loop=name, error=repr(exc))
                await _sleep_or_stop(stop, 5.0)

    async def _heartbeat(self, stop: anyio.Event) -> None:
        while not stop.is_set():
            try:
                await self.beat()
            except Exception as exc:  # the next beat retries
                log.warning("heartbeat_failed", error=repr(exc))
            await _sleep_or_stop(stop, HEARTBEAT_SECONDS)

    async def beat(self) -> None:
        """Record this worker as alive (upsert of its heartbeat row)."""
        row = {
            "worker_id": self.worker_id,
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": self.started_at,
            "last_seen_at": utcnow(),
            "last_claim_at": self.last_claim_at,
            "processed": self.processed,
        }
        async with self.container.db.transaction() as session:
            stmt = insert(session, HEARTBEATS).values(row)
            await session.execute(
                stmt.on_conflict_do_update(
                    index_elements=[HEARTBEATS.c.worker_id],
                    set_={k: v for k, v in row.items() if k != "worker_id"},
                )
            )

    async def _forget(self) -> None:
        with contextlib.suppress(Exception):
            async with self.container.db.transaction() as session:
                await session.execute(
                    delete(HEARTBEATS).where(HEARTBEATS.c.worker_id == self.worker_id)
                )


async def _sleep_or_stop(stop: anyio.Event, seconds: float) -> None:
    with anyio.move_on_after(seconds):
        await stop.wait()
