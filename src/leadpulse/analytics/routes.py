"""``/api/analytics``: dashboard figures, hourly throughput, queue health and feeds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from leadpulse.analytics import schemas, service
from leadpulse.api.deps import ContainerDep, ServerDep
from leadpulse.store.types import utcnow

router = APIRouter(prefix="/api/analytics", tags=["analytics"])

MAX_HOURS = 168
MAX_FEED = 200
Hours = Annotated[int, Query(ge=1, le=MAX_HOURS, description="Hours back, current hour included")]
Limit = Annotated[int, Query(ge=1, le=MAX_FEED, description="Rows to return, newest first")]


@router.get("/dashboard", response_model=schemas.DashboardOut)
async def dashboard(caller: ServerDep, c: ContainerDep) -> schemas.DashboardOut:
    """Return the project's headline figures."""
    async with c.db.sessions() as session:
        return await service.dashboard(session, project_id=caller.project_id, now=utcnow())


@router.get("/throughput", response_model=schemas.ThroughputOut)
async def throughput(
    caller: ServerDep, c: ContainerDep, hours: Hours = 24
) -> schemas.ThroughputOut:
    """Return events and score mutations per UTC hour, zero-filled, oldest first."""
    async with c.db.sessions() as session:
        return await service.throughput(
            session, project_id=caller.project_id, hours=hours, now=utcnow()
        )


@router.get("/queue-health", response_model=schemas.QueueHealthOut)
async def queue_health(caller: ServerDep, c: ContainerDep) -> schemas.QueueHealthOut:
    """Return the project's scoring-queue figures and the number of live workers."""
    async with c.db.sessions() as session:
        return await service.queue_health(session, project_id=caller.project_id, now=utcnow())


@router.get("/score-mutations", response_model=schemas.Feed[schemas.ScoreMutationOut])
async def score_mutations(
    caller: ServerDep, c: ContainerDep, limit: Limit = 50
) -> schemas.Feed[schemas.ScoreMutationOut]:
    """Return the latest score mutations of the project."""
    async with c.db.sessions() as session:
        items = await service.score_mutations(session, project_id=caller.project_id, limit=limit)
    return schemas.Feed[schemas.ScoreMutationOut](items=items, limit=limit)


@router.get("/automation-logs", response_model=schemas.Feed[schemas.AutomationLogOut])
async def automation_logs(
    caller: ServerDep, c: ContainerDep, limit: Limit = 50
) -> schemas.Feed[schemas.AutomationLogOut]:
    """Return the latest automation executions of the project."""
    async with c.db.sessions() as session:
        items = await service.automation_logs(session, project_id=caller.project_id, limit=limit)
    return schemas.Feed[schemas.AutomationLogOut](items=items, limit=limit)
