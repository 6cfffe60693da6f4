"""The outbox: every consequence of a lead change is a row written in the change's own
transaction, then expanded and attempted by background loops under a lease.

Two stages
----------
1. **Entries** (table ``outbox``, written only by ``queue.entries``). The transaction that
   changes a lead — the worker's scoring (and so a rescore), decay, an identity merge, a
   manual create or patch, a GDPR erasure — and the one that records a finished automation
   execution add one ``outbox`` row per outcome (``queue.entries.enqueue``: one multi-row
   INSERT per transaction). The change and its consequences commit together or not at
   all; a worker killed after the commit leaves the entries behind for the next one.
   ``core.consequences`` says what an entry holds (no personal data).
2. **Lanes** (``automation_executions``, ``webhook_deliveries``): the dispatcher
   (``worker.dispatch``) claims entries like any row below and expands a batch in one
   transaction that also deletes them (its "attempt" is that expansion: no network).
   Lane rows are the work attempted over the network, each by its feature
   (``Lane.attempt``). Batches hold ``LEADPULSE_OUTBOX_CLAIM_BATCH`` rows and a drain runs
   at most ``LEADPULSE_OUTBOX_CONCURRENCY`` attempts at once.

Semantics (entries and lane rows alike)
---------------------------------------
- **Idempotency key**: expanding an entry twice creates nothing twice — a delivery is unique
  on (subscription, entry, type), an execution on (automation, lead, UTC day of the change).
  A lane row keeps its identity across attempts (``webhook-id``, ``Idempotency-Key``), so a
  receiver drops the duplicates of at-least-once delivery.
- **Due**: ``status = 'pending'``, the due column (``available_at``, ``next_attempt_at``,
  ``run_at``) ``<= now`` and no live lease. Lane rows are due from their entry's write time.
- **Claim** (``claim_due``): one short transaction leases up to a batch of due rows
  (``locked_until = now + lease``) and counts the attempt (``attempts + 1``), oldest due
  first; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent workers take disjoint rows;
  SQLite serialises writers (``BEGIN IMMEDIATE``). The same statement's transaction first
  fails for good the rows whose last allowed attempt died with its worker (lease expired at
  the maximum), so a row that kills workers cannot come back for ever.
- **Attempt**: outside any transaction (no network call holds a lock), at most
  ``concurrency`` at once per drain. An attempt never raises: whatever an attempt throws
  counts as one failed, retryable attempt of that row only, so one tenant's poisoned row
  never cancels, delays or fails another row of the batch.
- **Record**: the batch's results in one transaction, each row only while our lease holds
  (``locked_until`` unchanged), so a worker whose lease expired cannot overwrite a newer
  attempt. ``Lane.on_recorded`` adds, in that transaction, the entries a result causes
  (``automation.executed``).
- **Retry policy and dead letters** (``outcome_values``): success → ``succeeded``; a
  retryable failure → due again after ``retry_delay`` (30 s, 2 min, 10 min, 1 h, 4 h, 12 h,
  then daily) until the lane's maximum of attempts; then, or on a permanent failure,
  ``failed`` for good. Failed rows stay in their table, listed by the executions and
  deliveries endpoints (entries: ``status = 'failed'`` with the error).
- **Lease expiry**: a killed worker's unrecorded attempt is claimed again once its lease
  has passed — delivery is at least once, under the same identity.
- **Drain** (``drain_lane``): claim batch after batch until none is due; a drain spans many
  transactions and owns them. Burst mode (``Worker.drain``) repeats every drain until none
  has work left, so tests need no sleeps.
- **Wake-ups** (``OutboxWakeups``): writers wake a loop of this process right after their
  commit; loops otherwise poll every ``worker_poll_seconds``. A lost wake-up only delays.
- **GDPR**: ``queue.entries.erase`` deletes an erased lead's entries in the erasure's
  transaction; lanes erase their own rows (``webhooks.service.erase``, ``leads.gdpr``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

import anyio
import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from leadpulse.store.db import Database
from leadpulse.store.sql import is_postgres
from leadpulse.store.types import utcnow

log = structlog.get_logger("leadpulse.outbox")
DISPATCH_LOOP = "outbox"  # the loop that expands entries (``worker.dispatch``)
CLAIM_BATCH = 100  # rows leased per claim
MAX_CONCURRENT_ATTEMPTS = 10  # attempts in flight per drain
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=4),
    timedelta(hours=12),
    timedelta(hours=24),
)
LOST_LAST_ATTEMPT = "the worker running the last allowed attempt stopped before recording it"


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """What one attempt did: the status code (None if no response) and any error."""

    status_code: int | None
    error: str | None = None
    retryable: bool = False

    @property
    def ok(self) -> bool:
        """Tell whether the attempt succeeded."""
        return self.error is None


def retry_delay(attempts: int) -> timedelta:
    """Return the wait after the ``attempts``-th failed attempt (1-based)."""
    index = min(max(attempts, 1), len(RETRY_SCHEDULE)) - 1
    return RETRY_SCHEDULE[index]


def outcome_values(
    result: AttemptResult,
    *,
    attempts: int,
    max_attempts: int,
    now: datetime,
    retry_column: str,
    done_column: str | None,
    stamp_failure: bool,
    response_column: str | None = "response_code",
) -> dict[str, Any]:
    """Return the column values recording one attempt of a row: ``succeeded`` (with
    ``done_column`` = now), due again at ``retry_column`` after ``retry_delay``, or ``failed``
    for good (``done_column`` stamped too when ``stamp_failure``). The lease is released."""
    values: dict[str, Any] = {"locked_until": None, "error": result.error}
    if response_column:
        values[response_column] = result.status_code
    done = {done_column: now} if done_column else {}
    if result.ok:
        return {**values, "status": "succeeded", **done}
    if result.retryable and attempts < max_attempts:
        return {**values, retry_column: now + retry_delay(attempts)}
    return {**values, "status": "failed", **(done if stamp_failure else {})}


async def claim_due(
    session: AsyncSession,
    model: Any,
    *,
    due_column: InstrumentedAttribute[datetime],
    now: datetime,
    lease_until: datetime,
    max_attempts: int,
    limit: int = CLAIM_BATCH,
) -> list[int]:
    """Lease up to ``limit`` due rows of ``model`` and return their ids, oldest first."""
    await session.execute(
        update(model)
        .where(model.status == "pending", model.attempts >= max_attempts)
        .where(model.locked_until <= now)
        .values(status="failed", locked_until=None, error=LOST_LAST_ATTEMPT)
        .execution_options(synchronize_session=False)
    )
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


class Claimed(Protocol):
    """A leased lane row as its lane loads it (with the lease it was claimed under)."""

    @property
    def id(self) -> int: ...

    @property
    def attempts(self) -> int: ...

    @property
    def lease_until(self) -> datetime: ...


C = TypeVar("C", bound=Claimed)
Recorded = list[tuple[C, AttemptResult, dict[str, Any]]]


class Outcome(Protocol):
    """A lane's ``outcome_values`` with its columns bound."""

    def __call__(
        self, result: AttemptResult, *, attempts: int, max_attempts: int, now: datetime
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Lane(Generic[C]):
    """One table of network work: how its rows are loaded, attempted and recorded."""

    name: str
    model: Any
    due_column: InstrumentedAttribute[datetime]
    values: Outcome
    max_attempts: int
    load: Callable[[AsyncSession, list[int], datetime], Awaitable[list[C]]]
    attempt: Callable[[C], Awaitable[AttemptResult]]
    on_recorded: Callable[[AsyncSession, Recorded[C]], Awaitable[None]] | None = None
    after_commit: Callable[[Recorded[C]], Awaitable[None]] | None = None
    batch: int = CLAIM_BATCH
    concurrency: int = MAX_CONCURRENT_ATTEMPTS
    lease: timedelta = field(default=timedelta(seconds=60))


async def _safe_attempt(lane: Lane[C], item: C) -> AttemptResult:
    try:
        return await lane.attempt(item)
    except Exception as exc:  # isolation: a bad row costs only its own attempt
        log.exception("outbox_attempt_raised", lane=lane.name, row_id=item.id)
        return AttemptResult(None, f"{type(exc).__name__}: {exc}"[:2000], retryable=True)


async def _attempt_all(lane: Lane[C], batch: Sequence[C]) -> list[AttemptResult]:
    limiter = anyio.CapacityLimiter(lane.concurrency)
    results = [AttemptResult(None, "not attempted", retryable=True)] * len(batch)

    async def one(index: int, item: C) -> None:
        async with limiter:
            results[index] = await _safe_attempt(lane, item)

    async with anyio.create_task_group() as group:
        for index, item in enumerate(batch):
            group.start_soon(one, index, item)
    return results


async def claim(session: AsyncSession, lane: Lane[C], *, now: datetime) -> list[C]:
    """Lease a batch of the lane's due rows and load what their attempts need."""
    lease_until = now + lane.lease
    ids = await claim_due(
        session,
        lane.model,
        due_column=lane.due_column,
        now=now,
        lease_until=lease_until,
        max_attempts=lane.max_attempts,
        limit=lane.batch,
    )
    return await lane.load(session, ids, lease_until) if ids else []


def _grouped(
    rows: Sequence[tuple[int, datetime, dict[str, Any]]],
) -> dict[tuple[datetime, tuple[tuple[str, Any], ...]], list[int]]:
    groups: dict[tuple[datetime, tuple[tuple[str, Any], ...]], list[int]] = {}
    for row_id, lease_until, values in rows:
        groups.setdefault((lease_until, tuple(sorted(values.items()))), []).append(row_id)
    return groups


async def record_many_under_lease(
    session: AsyncSession, model: Any, rows: Sequence[tuple[int, datetime, dict[str, Any]]]
) -> set[int]:
    """Record ``(row id, lease, values)`` results, each only while its lease holds: one
    UPDATE per distinct (lease, values) — a batch of successes is one statement. Return
    the ids updated."""
    stored: set[int] = set()
    for (lease_until, values), ids in _grouped(rows).items():
        result = await session.execute(
            update(model)
            .where(model.id.in_(ids), model.locked_until == lease_until)
            .values(**dict(values))
            .returning(model.id)
            .execution_options(synchronize_session=False)
        )
        stored.update(result.scalars().all())
    return stored


async def record(
    session: AsyncSession, lane: Lane[C], item: C, result: AttemptResult, *, now: datetime
) -> dict[str, Any] | None:
    """Store one attempt's result while the lease holds; return the values, or None if the
    lease was lost (another worker owns the row now)."""
    values = lane.values(result, attempts=item.attempts, max_attempts=lane.max_attempts, now=now)
    stored = await record_many_under_lease(
        session, lane.model, [(item.id, item.lease_until, values)]
    )
    return values if item.id in stored else None


async def _record_all(
    db: Database,
    lane: Lane[C],
    batch: Sequence[C],
    results: Sequence[AttemptResult],
    now: datetime,
) -> Recorded[C]:
    """Store the batch's results in one transaction (see "Record" above)."""
    planned = [
        (
            item,
            result,
            lane.values(result, attempts=item.attempts, max_attempts=lane.max_attempts, now=now),
        )
        for item, result in zip(batch, results, strict=True)
    ]
    async with db.transaction() as session:
        ids = await record_many_under_lease(
            session,
            lane.model,
            [(item.id, item.lease_until, values) for item, _, values in planned],
        )
        stored: Recorded[C] = [entry for entry in planned if entry[0].id in ids]
        if lane.on_recorded is not None and stored:
            await lane.on_recorded(session, stored)
    for item, result, values in planned:
        log.info(
            "outbox_attempt",
            lane=lane.name,
            row_id=item.id,
            attempt=item.attempts,
            status=values.get("status", "retry"),
            error=result.error,
            stored=item.id in ids,
        )
    return stored


async def drain_lane(db: Database, lane: Lane[C], *, now: datetime | None = None) -> int:
    """Claim, attempt and record due rows of a lane until none is due; return how many
    were attempted. ``now`` fixes the clock of claims and records (tests, a burst run "as
    of" a time); otherwise it is read for every batch, so a long drain never hands out stale
    leases."""
    done = 0
    while True:
        async with db.transaction() as session:
            batch = await claim(session, lane, now=now or utcnow())
        if not batch:
            return done
        results = await _attempt_all(lane, batch)
        stored = await _record_all(db, lane, batch, results, now or utcnow())
        if lane.after_commit is not None and stored:
            await lane.after_commit(stored)
        done += len(batch)


# --- wake-ups and polling ------------------------------------------------------------------


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
