"""Operator views of one project: its dead-lettered lead jobs (replay is ``queue.jobs``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.store.models import FailedJob


async def list_failed_jobs(
    session: AsyncSession, *, project_id: int, include_replayed: bool, limit: int, offset: int
) -> tuple[list[FailedJob], int]:
    """List a project's dead-lettered jobs, newest first, with the total count."""
    where = [FailedJob.project_id == project_id]
    if not include_replayed:
        where.append(FailedJob.replayed_at.is_(None))
    total = await session.scalar(select(func.count()).select_from(FailedJob).where(*where))
    rows = await session.scalars(
        select(FailedJob).where(*where).order_by(FailedJob.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)
