"""Import jobs: the ``import_jobs`` and ``import_rejections`` tables (this module owns them).

Queue semantics of an import job:

- **Claim**: a job is claimable when ``queued``, or ``running`` with an expired lease (its
  worker died). Claiming sets ``running``, ``locked_by`` and ``locked_until = now + lease``
  and counts an attempt; a conditional UPDATE makes two claimers of one job impossible.
- **Progress**: each committed batch moves ``offset``/``line`` and the counters, writes its
  rejections and renews the lease, in one transaction, and only while the claimer still
  holds the lease (else it stops: someone else resumed the job).
- **Resume**: a resumed job starts reading at ``offset``, so rows are read and counted once.
  Events are stored by the ingest group committer in their own transaction just before; a
  crash between the two re-reads that batch, whose events then come back as duplicates of
  themselves (eventIds make it safe: nothing is stored twice).
- **Failure**: an unreadable file (gone, or refused by ``formats.check_file``) fails the
  job with its reason; bad rows never do, they are rejections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.errors import NotFound
from leadpulse.store.models import ImportJob, ImportRejection
from leadpulse.store.sql import table_of

JOBS = table_of(ImportJob)
REJECTIONS = table_of(ImportRejection)


@dataclass(slots=True)
class Batch:
    """What one batch of rows did, to be recorded with the offset it reached."""

    offset: int
    line: int
    read: int = 0
    stored: int = 0
    duplicate: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)


async def create_job(
    session: AsyncSession,
    *,
    project_id: int,
    fmt: str,
    mapping: dict[str, Any],
    filename: str,
    path: str,
    size: int,
    now: datetime,
    claimed_by: str | None = None,
    lease: timedelta | None = None,
) -> ImportJob:
    """Queue an import of the file at ``path`` (or start it at once as ``claimed_by``)."""
    job = ImportJob(
        project_id=project_id,
        format=fmt,
        mapping=mapping,
        filename=filename[:255],
        path=path,
        size_bytes=size,
        status="running" if claimed_by else "queued",
        locked_by=claimed_by,
        locked_until=now + lease if claimed_by and lease else None,
        attempts=1 if claimed_by else 0,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    await session.flush()
    return job


async def get_job(session: AsyncSession, *, project_id: int, job_id: int) -> ImportJob:
    """Return one import job of the project, or raise NotFound."""
    job = await session.get(ImportJob, job_id, populate_existing=True)
    if job is None or job.project_id != project_id:
        raise NotFound(f"Import {job_id} not found.")
    return job


async def list_jobs(
    session: AsyncSession, *, project_id: int, limit: int, offset: int
) -> tuple[list[ImportJob], int]:
    """Return a page of the project's imports, newest first, and their total."""
    where = ImportJob.project_id == project_id
    total = await session.scalar(select(func.count()).select_from(ImportJob).where(where))
    rows = await session.scalars(
        select(ImportJob).where(where).order_by(ImportJob.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


async def list_rejections(
    session: AsyncSession, *, job_id: int, limit: int, offset: int
) -> list[ImportRejection]:
    """Return a page of a job's rejected rows in line order (index job_id, line)."""
    rows = await session.scalars(
        select(ImportRejection)
        .where(ImportRejection.job_id == job_id)
        .order_by(ImportRejection.line, ImportRejection.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows)


def _claimable(now: datetime) -> Any:
    return or_(
        JOBS.c.status == "queued",
        (JOBS.c.status == "running") & (JOBS.c.locked_until < now),
    )


async def claim_next(
    session: AsyncSession, *, worker_id: str, now: datetime, lease: timedelta
) -> ImportJob | None:
    """Claim the oldest claimable job (queued, or running under an expired lease)."""
    candidate = await session.scalar(
        select(JOBS.c.id).where(_claimable(now)).order_by(JOBS.c.id).limit(1)
    )
    if candidate is None:
        return None
    claimed = await session.execute(
        update(JOBS)
        .where(JOBS.c.id == candidate, _claimable(now))
        .values(
            status="running",
            locked_by=worker_id,
            locked_until=now + lease,
            attempts=JOBS.c.attempts + 1,
            updated_at=now,
        )
    )
    if not getattr(claimed, "rowcount", 0):
        return None  # another worker got there first
    return await session.get(ImportJob, candidate, populate_existing=True)


async def record_batch(
    session: AsyncSession,
    *,
    job_id: int,
    worker_id: str,
    batch: Batch,
    now: datetime,
    lease: timedelta,
    finished: bool = False,
) -> bool:
    """Record one committed batch and renew the lease; False if the lease was lost."""
    values: dict[str, Any] = {
        "offset": batch.offset,
        "line": batch.line,
        "rows_read": JOBS.c.rows_read + batch.read,
        "rows_stored": JOBS.c.rows_stored + batch.stored,
        "rows_duplicate": JOBS.c.rows_duplicate + batch.duplicate,
        "rows_rejected": JOBS.c.rows_rejected + len(batch.rejections),
        "locked_until": None if finished else now + lease,
        "updated_at": now,
    }
    if finished:
        values.update(status="finished", finished_at=now, locked_by=None)
    held = await session.execute(
        update(JOBS)
        .where(JOBS.c.id == job_id, JOBS.c.locked_by == worker_id, JOBS.c.status == "running")
        .values(**values)
    )
    if not getattr(held, "rowcount", 0):
        return False
    if batch.rejections:
        rows = [{"job_id": job_id, **rejection} for rejection in batch.rejections]
        await session.execute(REJECTIONS.insert(), rows)
    return True


async def fail_job(session: AsyncSession, *, job_id: int, error: str, now: datetime) -> None:
    """Mark a job failed for good with the reason."""
    await session.execute(
        update(JOBS)
        .where(JOBS.c.id == job_id)
        .values(status="failed", error=error[:2000], locked_until=None, updated_at=now)
    )


async def release(session: AsyncSession, *, job_id: int, worker_id: str, now: datetime) -> None:
    """Give a running job back (its claimer is stopping): the next claimer resumes it."""
    await session.execute(
        update(JOBS)
        .where(JOBS.c.id == job_id, JOBS.c.locked_by == worker_id)
        .values(status="queued", locked_by=None, locked_until=None, updated_at=now)
    )
