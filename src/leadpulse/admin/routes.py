"""``/api/admin/failed-jobs``: dead-lettered lead jobs of the caller's project, and replay."""

from __future__ import annotations

from fastapi import APIRouter, Query

from leadpulse.admin import service
from leadpulse.admin.schemas import FailedJobRead
from leadpulse.api.deps import ContainerDep, Id, PageOffset, ServerDep
from leadpulse.api.schemas import Page
from leadpulse.queue import jobs
from leadpulse.store.types import utcnow

router = APIRouter(prefix="/api/admin", tags=["admin"])


@router.get("/failed-jobs", response_model=Page[FailedJobRead])
async def list_failed_jobs(
    caller: ServerDep,
    c: ContainerDep,
    limit: int = Query(50, ge=1, le=200),
    offset: PageOffset = 0,
    include_replayed: bool = Query(False, alias="includeReplayed"),
) -> Page[FailedJobRead]:
    """List dead-lettered jobs, newest first."""
    async with c.db.sessions() as session:
        rows, total = await service.list_failed_jobs(
            session,
            project_id=caller.project_id,
            include_replayed=include_replayed,
            limit=limit,
            offset=offset,
        )
    items = [FailedJobRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post("/failed-jobs/{failed_id}/replay", status_code=202, response_model=FailedJobRead)
async def replay_failed_job(failed_id: Id, caller: ServerDep, c: ContainerDep) -> FailedJobRead:
    """Send a dead-lettered lead back to the queue (once)."""
    async with c.db.transaction() as session:
        failed = await jobs.replay(
            session, failed_id=failed_id, project_id=caller.project_id, now=utcnow()
        )
        out = FailedJobRead.model_validate(failed)
    await c.waker.notify()
    return out
