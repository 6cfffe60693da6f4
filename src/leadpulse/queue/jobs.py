"""Lead jobs: the database is the queue.

Semantics
---------
- **Idempotency key**: events are unique on ``(project_id, event_id)``; re-sending an event
  inserts nothing and enqueues nothing new. A job carries no payload: it means "this lead has
  unprocessed events", and the worker loads them when it runs.
- **Lock key**: the lead. ``lead_jobs.lead_id`` is the primary key, so a lead has at most one
  job row, in status ``pending`` or ``running``. Enqueueing a lead whose job is running sets
  ``dirty``; when that run finishes the job goes back to ``pending`` instead of being deleted,
  so an event that arrived mid-run is never dropped. The scoring transaction also locks the
  lead rows (``SELECT … FOR NO KEY UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE``
  serialises all writers), so even two workers holding the same lead after a lease expiry
  cannot score an event twice: events are marked processed in the same transaction that
  writes history.
- **Enqueue** happens in the ingest transaction (no notification can be lost). The wake-up
  that follows the commit is only a hint; workers also poll.
- **Lease**: a claim sets ``status='running'`` and ``locked_until = now + lease``. A worker
  killed mid-run leaves its lease to expire; the next claim takes the job back and counts an
  attempt, so a lead that kills workers repeatedly still ends in the dead-letter table.
- **Retry policy**: a failed run sets ``run_at = now + min(cap, base·2^(attempts-1))`` with
  ±50 % jitter and returns the job to ``pending``.
- **Dead letters**: after ``job_max_attempts`` failures the job row is deleted and a
  ``failed_jobs`` row keeps the error and traceback; the lead's events stay unprocessed.
  Replay (API or ``leadpulse jobs replay``) re-enqueues the lead with a fresh attempt count.
- **Full rescore**: ``enqueue(..., full_rescore=True)`` and ``enqueue_project`` (every live
  lead of a project, one INSERT … SELECT, for a rule change's rescore job) set
  ``full_rescore`` and the ``rescore_job_id`` whose progress the run advances; on a running
  job they also set ``dirty``, so the rescore runs after the current run. ``finish`` clears
  the flag only when the row still carries the rescore job the run was claimed for.
- **Merged and erased leads**: a lead merged into another takes no more work of its own;
  ``discard`` drops its job (the survivor is rescored in full). ``erase`` deletes an erased
  lead's job and dead letters (GDPR). Nothing else writes ``lead_jobs`` or ``failed_jobs``.
"""

from __future__ import annotations

import random
import traceback as tb
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, func, literal, or_, select, true, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.errors import NotFound
from leadpulse.store.models import FailedJob, Lead, LeadJob
from leadpulse.store.sql import insert, is_postgres, table_of
from leadpulse.store.types import UTCDateTime

JOBS = table_of(LeadJob)


@dataclass(frozen=True, slots=True)
class Claim:
    """A job taken by a worker."""

    lead_id: int
    project_id: int
    attempts: int
    full_rescore: bool
    rescore_job_id: str | None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    base_seconds: float = 1.0
    cap_seconds: float = 300.0

    def delay(self, attempts: int) -> float:
        """Return the backoff before retry number ``attempts`` (≥ 1), with jitter."""
        raw = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        return float(raw * random.uniform(0.5, 1.5))


def _running_dirty() -> Any:
    """The ON CONFLICT expression: a running job becomes dirty, others keep their flag."""
    return case((JOBS.c.status == "running", True), else_=JOBS.c.dirty)


async def enqueue(
    session: AsyncSession,
    pairs: Iterable[tuple[int, int]],
    *,
    now: datetime,
    full_rescore: bool = False,
    rescore_job_id: str | None = None,
) -> None:
    """Mark leads ``(lead_id, project_id)`` as having work, in the caller's transaction."""
    rows = [
        {
            "lead_id": lead_id,
            "project_id": project_id,
            "status": "pending",
            "dirty": False,
            "full_rescore": full_rescore,
            "rescore_job_id": rescore_job_id,
            "attempts": 0,
            "run_at": now,
            "enqueued_at": now,
        }
        # sorted: concurrent upserts lock job rows in one order (no deadlocks on PostgreSQL)
        for lead_id, project_id in sorted(dict(pairs).items())
    ]
    if not rows:
        return
    stmt = insert(session, JOBS)
    changes: dict[str, object] = {"dirty": _running_dirty()}
    if full_rescore:
        changes["full_rescore"] = True
        changes["rescore_job_id"] = rescore_job_id
    await session.execute(
        stmt.on_conflict_do_update(index_elements=[JOBS.c.lead_id], set_=changes), rows
    )


async def enqueue_project(
    session: AsyncSession, *, project_id: int, rescore_job_id: str, now: datetime
) -> None:
    """Queue a full rescore of every live lead of a project under one rescore job."""
    stamp = literal(now, UTCDateTime())
    live = select(Lead.id, Lead.project_id, true(), literal(rescore_job_id), stamp, stamp).where(
        Lead.project_id == project_id, Lead.merged_into_id.is_(None)
    )
    stmt = insert(session, JOBS).from_select(
        ["lead_id", "project_id", "full_rescore", "rescore_job_id", "run_at", "enqueued_at"], live
    )
    changes = {"full_rescore": True, "rescore_job_id": rescore_job_id, "dirty": _running_dirty()}
    await session.execute(stmt.on_conflict_do_update(index_elements=[JOBS.c.lead_id], set_=changes))


async def discard(session: AsyncSession, lead_ids: Iterable[int]) -> None:
    """Drop the jobs of leads merged into another lead (they take no work of their own)."""
    ids = sorted(set(lead_ids))
    if ids:
        await session.execute(delete(JOBS).where(JOBS.c.lead_id.in_(ids)))


async def erase(session: AsyncSession, *, project_id: int, lead_ids: Sequence[int]) -> None:
    """Delete the jobs and dead letters of erased leads of a project (GDPR)."""
    for table in (FailedJob, LeadJob):
        await session.execute(
            delete(table)
            .where(table.lead_id.in_(lead_ids), table.project_id == project_id)
            .execution_options(synchronize_session=False)
        )


async def claim(
    session: AsyncSession, *, worker_id: str, limit: int, now: datetime, lease: timedelta
) -> list[Claim]:
    """Take up to ``limit`` due jobs (pending, or running with an expired lease)."""
    due = or_(
        and_(JOBS.c.status == "pending", JOBS.c.run_at <= now),
        and_(JOBS.c.status == "running", JOBS.c.locked_until < now),
    )
    pick = select(JOBS.c.lead_id).where(due).order_by(JOBS.c.run_at).limit(limit)
    if is_postgres(session):
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        update(JOBS)
        .where(JOBS.c.lead_id.in_(pick.scalar_subquery()))
        .values(
            status="running",
            dirty=False,
            locked_until=now + lease,
            locked_by=worker_id,
            attempts=JOBS.c.attempts + case((JOBS.c.status == "running", 1), else_=0),
        )
        .returning(
            JOBS.c.lead_id,
            JOBS.c.project_id,
            JOBS.c.attempts,
            JOBS.c.full_rescore,
            JOBS.c.rescore_job_id,
        )
    )
    result = await session.execute(stmt)
    return [Claim(*row) for row in result.all()]


async def finish(session: AsyncSession, claims: Sequence[Claim]) -> None:
    """Complete runs: delete clean jobs, send dirty ones back to pending.

    A rescore requested while the run was going keeps its ``full_rescore`` flag: the flag
    is cleared only when the row still carries the rescore job the run was claimed for.
    """
    if not claims:
        return
    mine = JOBS.c.lead_id.in_([c.lead_id for c in claims])
    if is_postgres(session):  # lock in lead id order, as enqueue does: no deadlock
        await session.execute(
            select(JOBS.c.lead_id).where(mine).order_by(JOBS.c.lead_id).with_for_update()
        )
    await session.execute(delete(JOBS).where(mine, JOBS.c.dirty.is_(False)))
    done = {
        "status": "pending",
        "dirty": False,
        "attempts": 0,
        "locked_until": None,
        "locked_by": None,
    }
    await session.execute(update(JOBS).where(mine, JOBS.c.dirty.is_(True)).values(**done))
    by_job: dict[str | None, list[int]] = {}
    for c in claims:
        if c.full_rescore:
            by_job.setdefault(c.rescore_job_id, []).append(c.lead_id)
    for job_id, lead_ids in by_job.items():
        await session.execute(
            update(JOBS)
            .where(JOBS.c.lead_id.in_(lead_ids), JOBS.c.rescore_job_id.is_not_distinct_from(job_id))
            .values(full_rescore=False, rescore_job_id=None)
        )


async def fail(
    session: AsyncSession,
    claim_: Claim,
    error: BaseException,
    *,
    now: datetime,
    policy: RetryPolicy,
) -> bool:
    """Record a failed run: schedule a retry, or dead-letter it. Return True if dead."""
    attempts = claim_.attempts + 1
    message = f"{type(error).__name__}: {error}"[:2000]
    if attempts < policy.max_attempts:
        await session.execute(
            update(JOBS)
            .where(JOBS.c.lead_id == claim_.lead_id)
            .values(
                status="pending",
                attempts=attempts,
                run_at=now + timedelta(seconds=policy.delay(attempts)),
                locked_until=None,
                locked_by=None,
                last_error=message,
            )
        )
        return False
    trace = "".join(tb.format_exception(type(error), error, error.__traceback__))[-20000:]
    session.add(
        FailedJob(
            project_id=claim_.project_id,
            lead_id=claim_.lead_id,
            attempts=attempts,
            error=message,
            traceback=trace,
            failed_at=now,
        )
    )
    await session.execute(delete(JOBS).where(JOBS.c.lead_id == claim_.lead_id))
    return True


async def replay(
    session: AsyncSession, *, failed_id: int, project_id: int | None, now: datetime
) -> FailedJob:
    """Re-enqueue a dead-lettered lead (once); ``project_id`` None means any project."""
    query = select(FailedJob).where(FailedJob.id == failed_id)
    if project_id is not None:
        query = query.where(FailedJob.project_id == project_id)
    failed = await session.scalar(query)
    if failed is None:
        raise NotFound(f"Failed job {failed_id} not found.")
    if failed.replayed_at is None:
        failed.replayed_at = now
        await enqueue(session, [(failed.lead_id, failed.project_id)], now=now)
    return failed


async def next_lease_expiry(session: AsyncSession) -> datetime | None:
    """Return the earliest lease end among running jobs (for burst mode)."""
    result: datetime | None = await session.scalar(
        select(func.min(JOBS.c.locked_until)).where(JOBS.c.status == "running")
    )
    return result


async def backlog(session: AsyncSession, *, now: datetime) -> tuple[int, int, int, datetime | None]:
    """Return (pending, due now, running, oldest pending enqueue time), in one query."""
    pending = JOBS.c.status == "pending"
    row = (
        await session.execute(
            select(
                func.sum(case((pending, 1), else_=0)),
                func.sum(case((and_(pending, JOBS.c.run_at <= now), 1), else_=0)),
                func.sum(case((JOBS.c.status == "running", 1), else_=0)),
                # typed: SQLite's min() over a CASE would come back as text
                type_coerce(func.min(case((pending, JOBS.c.enqueued_at))), UTCDateTime),
            )
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0), row[3]
