"""The outbox: rows of outgoing work (webhook deliveries, automation executions) attempted
by background loops, each under a lease.

Semantics
---------
An outbox table has ``status``, ``attempts``, ``locked_until`` and a due column
(``webhook_deliveries.next_attempt_at``, ``automation_executions.run_at``); the feature that
owns the table writes its rows and decides what an attempt is.

- **Idempotency key**: the row. Writers create one row per piece of work (a delivery per
  message per subscription; an execution per automation, lead and UTC day, unique in the
  database), and the row keeps its identity (``webhook-id``, ``Idempotency-Key``) across
  attempts, so receivers can drop duplicates.
- **Due**: ``status = 'pending'``, the due column ``<= now`` and no live lease
  (``locked_until`` NULL or past).
- **Claim** (``claim_due``): one short transaction sets ``locked_until = now + lease`` and
  counts the attempt (``attempts + 1``). On PostgreSQL the candidates are picked ``FOR UPDATE
  SKIP LOCKED``, so concurrent workers take disjoint rows; SQLite serialises writers
  (``BEGIN IMMEDIATE``). Oldest due first.
- **Attempt**: outside any transaction (network calls never hold a lock).
- **Record** (``record_under_lease``): only while the lease still holds (``locked_until``
  unchanged), so a worker whose lease expired and was re-claimed cannot overwrite the newer
  attempt's result.
- **Lease expiry**: a crashed or killed worker's unrecorded attempt is claimed again once its
  lease has passed — delivery is at least once.
- **Retry policy and dead letters**: ``webhooks.policy.outcome_values`` records an attempt:
  ``succeeded``, due again after the backoff of ``webhooks.policy``, or ``failed`` once the
  owner's maximum of attempts is spent; failed rows stay in the table as the log.
- **Drain** (``drain_due``): claim batch after batch, each in its own short transaction, and
  attempt a batch's rows concurrently; a drain spans many transactions and owns them.
- **Wake-ups** (``OutboxWakeups``): writers wake their loop in this process right after
  enqueuing; a loop otherwise polls every ``worker_poll_seconds``. A lost wake-up only delays.

Rows are written after the pipeline's commit today (post-commit hooks); a row written in the
same transaction as its cause is the next step, and this module's claim/record stay as they are.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime
from typing import Any, TypeVar

import anyio
import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from leadpulse.store.db import Database
from leadpulse.store.sql import is_postgres
from leadpulse.store.types import utcnow

log = structlog.get_logger("leadpulse.outbox")
T = TypeVar("T")
CLAIM_BATCH = 20  # rows leased per claim
MAX_CONCURRENT_ATTEMPTS = 10  # rows of one batch attempted at once


async def claim_due(
    session: AsyncSession,
    model: Any,
    *,
    due_column: InstrumentedAttribute[datetime],
    now: datetime,
    lease_until: datetime,
    limit: int = CLAIM_BATCH,
) -> list[int]:
    """Lease up to ``limit`` due rows of ``model`` and return their ids, oldest first."""
    due = (
        select(model.id)
        .where(model.status == "pending", due_column <= now)
        .where(or_(model.locked_until.is_(None), model.locked_until <= now))
        .order_by(due_column, model.id)
        .limit(limit)
    )
    if is_postgres(session):
        due = due.with_for_update(skip_locked=True)
    result = await session.execute(
        update(model)
        .where(model.id.in_(due.scalar_subquery()))
        .values(locked_until=lease_until, attempts=model.attempts + 1)
        .returning(model.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(result.scalars().all())


async def record_under_lease(
    session: AsyncSession,
    model: Any,
    *,
    row_id: int,
    lease_until: datetime,
    values: dict[str, Any],
) -> bool:
    """Update a row only if our lease still holds; tell whether it did."""
    result = await session.execute(
        update(model)
        .where(model.id == row_id, model.locked_until == lease_until)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def drain_due(
    db: Database,
    claim: Callable[[AsyncSession, datetime], Awaitable[Sequence[T]]],
    attempt: Callable[[T], Coroutine[Any, Any, None]],
    *,
    now: datetime | None = None,
) -> int:
    """Claim due rows batch after batch, each claim in a transaction of its own, and attempt
    each batch's rows (``MAX_CONCURRENT_ATTEMPTS`` at once) until none is due; return how
    many were attempted.

    ``now`` fixes the clock (tests, burst runs at a given time); otherwise it is read again
    for every batch, so a long drain never hands out already-stale leases.
    """
    limiter = anyio.CapacityLimiter(MAX_CONCURRENT_ATTEMPTS)

    async def limited(item: T) -> None:
        async with limiter:
            await attempt(item)

    done = 0
    while True:
        async with db.transaction() as session:
            batch = await claim(session, now or utcnow())
        if not batch:
            return done
        async with anyio.create_task_group() as group:
            for item in batch:
                group.start_soon(limited, item)
        done += len(batch)


class OutboxWakeups:
    """The wake-up event of each outbox loop running in this process, by loop name."""

    def __init__(self) -> None:
        self._events: dict[str, anyio.Event] = {}

    def wake(self, name: str) -> None:
        """Wake the ``name`` loop now (work was just enqueued); no-op if it is not running."""
        event = self._events.get(name)
        if event is not None:
            event.set()

    def arm(self, name: str) -> anyio.Event:
        """Return a fresh event for the ``name`` loop to idle on."""
        event = self._events[name] = anyio.Event()
        return event


async def _idle(stop: anyio.Event, wake_event: anyio.Event, seconds: float) -> None:
    with anyio.move_on_after(seconds):
        async with anyio.create_task_group() as group:

            async def watch(event: anyio.Event) -> None:
                await event.wait()
                group.cancel_scope.cancel()

            group.start_soon(watch, stop)
            group.start_soon(watch, wake_event)


async def run_polling(
    wakeups: OutboxWakeups,
    stop: anyio.Event,
    *,
    name: str,
    drain: Callable[[], Awaitable[int]],
    poll_seconds: float,
) -> None:
    """Drain due rows until ``stop`` is set; idle (woken early by ``wake``) when none are due."""
    while not stop.is_set():
        wake_event = wakeups.arm(name)  # armed before draining: no lost wake-up
        try:
            done = await drain()
        except Exception:  # the loop must outlive a bad row or a database blip
            log.exception("outbox_loop_failed", loop=name)
            done = 0
        if done == 0:
            await _idle(stop, wake_event, poll_seconds)
