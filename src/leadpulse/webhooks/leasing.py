"""Claiming due outbox rows under a lease, and the polling loop that drives them.

Shared by webhook deliveries and automation executions, whose rows work alike:

- **due**: ``status = 'pending'`` and the due column (``next_attempt_at`` / ``run_at``)
  ``<= now`` and no live lease (``locked_until`` NULL or past);
- **claim**: one short transaction sets ``locked_until = now + lease`` and counts the attempt
  (``attempts + 1``) — on PostgreSQL the candidate rows are picked ``FOR UPDATE SKIP LOCKED``
  so concurrent workers take disjoint rows; SQLite serialises writers (``BEGIN IMMEDIATE``);
- **attempt**: outside any transaction;
- **record**: only while still holding the lease (``locked_until`` unchanged), so a worker
  whose lease expired and was re-claimed cannot overwrite the newer attempt;
- **crash**: an unrecorded attempt's lease expires and the row is attempted again (at least
  once delivery; receivers de-duplicate on the stable message id).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import anyio
import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from leadpulse.bootstrap import Container
from leadpulse.store.db import Database

log = structlog.get_logger("leadpulse.outbox")
Drain = Callable[[Container], Awaitable[int]]


async def claim_due(
    session: AsyncSession,
    model: Any,
    *,
    due_column: InstrumentedAttribute[datetime],
    now: datetime,
    lease_until: datetime,
    limit: int,
    skip_locked: bool,
) -> list[int]:
    """Lease up to ``limit`` due rows of ``model`` and return their ids, oldest first."""
    due = (
        select(model.id)
        .where(model.status == "pending", due_column <= now)
        .where(or_(model.locked_until.is_(None), model.locked_until <= now))
        .order_by(due_column, model.id)
        .limit(limit)
    )
    if skip_locked:
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
    db: Database, model: Any, *, row_id: int, lease_until: datetime, values: dict[str, Any]
) -> bool:
    """Update a row only if our lease still holds; tell whether it did."""
    async with db.transaction() as session:
        result = await session.execute(
            update(model)
            .where(model.id == row_id, model.locked_until == lease_until)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return bool(getattr(result, "rowcount", 0))


def wake(container: Container, name: str) -> None:
    """Wake the ``name`` loop of this process now (work was just enqueued)."""
    event = container.extras.get(f"{name}.wake")
    if isinstance(event, anyio.Event):
        event.set()


async def _idle(stop: anyio.Event, wake_event: anyio.Event, seconds: float) -> None:
    with anyio.move_on_after(seconds):
        async with anyio.create_task_group() as group:

            async def watch(event: anyio.Event) -> None:
                await event.wait()
                group.cancel_scope.cancel()

            group.start_soon(watch, stop)
            group.start_soon(watch, wake_event)


async def run_polling(container: Container, stop: anyio.Event, *, name: str, drain: Drain) -> None:
    """Drain due rows until ``stop`` is set; idle (woken early by ``wake``) when none are due."""
    poll = container.settings.worker_poll_seconds
    while not stop.is_set():
        wake_event = anyio.Event()
        container.extras[f"{name}.wake"] = wake_event  # set before draining: no lost wake-up
        try:
            done = await drain(container)
        except Exception:  # the loop must outlive a bad row or a database blip
            log.exception("outbox_loop_failed", loop=name)
            done = 0
        if done == 0:
            await _idle(stop, wake_event, poll)
