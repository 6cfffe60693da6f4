"""``/api/leads``, ``/api/leaderboard`` and ``GET /api/events``: thin routes over the services.

A merged lead answers ``GET /api/leads/{id}`` "301-style": status 200 with ``mergedInto``
and a ``Location`` header naming the survivor. A real 3xx would be followed silently by
browsers and fetch(), hiding the merge from the dashboard.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from starlette.responses import StreamingResponse

from leadpulse.api.deps import ContainerDep, Id, PageOffset, ServerDep, id_query
from leadpulse.api.schemas import MAX_INT, Page, UtcDateTime
from leadpulse.leads import activity, export, gdpr, schemas, service
from leadpulse.store.types import utcnow

router = APIRouter(prefix="/api")
leads = APIRouter(prefix="/leads", tags=["leads"])
board = APIRouter(tags=["leads"])
feed = APIRouter(tags=["events"])

LimitQ = Annotated[int, Query(ge=1, le=schemas.MAX_PAGE)]
OffsetQ = PageOffset
StageQ = Annotated[schemas.StageName | None, Query()]
SearchQ = Annotated[
    str | None,
    Query(max_length=schemas.MAX_SEARCH, description="Substring of name/email/company/anonymousId"),
]
MinScoreQ = Annotated[int | None, Query(alias="minScore", ge=0, le=MAX_INT)]
SortQ = Annotated[schemas.LeadSort, Query()]


def _filters(stage: str | None, q: str | None, min_score: int | None) -> service.LeadFilters:
    return service.LeadFilters(stage=stage, q=(q or "").strip() or None, min_score=min_score)


@leads.get("", response_model=Page[schemas.LeadListItem])
async def list_leads(
    caller: ServerDep,
    c: ContainerDep,
    limit: LimitQ = schemas.DEFAULT_PAGE,
    offset: OffsetQ = 0,
    stage: StageQ = None,
    q: SearchQ = None,
    sort: SortQ = "-score",
    min_score: MinScoreQ = None,
) -> Page[schemas.LeadListItem]:
    """List the project's leads (merged leads excluded) with filters, search and sort."""
    async with c.db.sessions() as session:
        rows, total = await service.list_leads(
            session,
            project_id=caller.project_id,
            filters=_filters(stage, q, min_score),
            sort=sort,
            limit=limit,
            offset=offset,
        )
    now = utcnow()
    items = [service.to_item(lead, now=now) for lead in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@leads.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV, streamed"}},
)
async def export_leads(
    caller: ServerDep,
    c: ContainerDep,
    stage: StageQ = None,
    q: SearchQ = None,
    min_score: MinScoreQ = None,
) -> StreamingResponse:
    """Download the filtered leads as CSV (streamed; highest score first)."""
    return export.csv_response(
        c.db, project_id=caller.project_id, filters=_filters(stage, q, min_score)
    )


@leads.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.LeadRead)
async def create_lead(
    body: schemas.LeadCreate, caller: ServerDep, c: ContainerDep
) -> schemas.LeadRead:
    """Create a known lead; a later identify for the same email joins it."""
    async with c.db.transaction() as session:
        lead = await service.create_lead(session, project_id=caller.project_id, body=body)
    return service.to_read(lead, now=utcnow())


@leads.get("/{lead_id}", response_model=schemas.LeadRead)
async def get_lead(
    lead_id: Id, caller: ServerDep, c: ContainerDep, response: Response
) -> schemas.LeadRead:
    """Return a lead; a merged one answers with ``mergedInto`` and a ``Location`` header."""
    async with c.db.sessions() as session:
        lead = await service.get_lead(session, project_id=caller.project_id, lead_id=lead_id)
    if lead.merged_into_id is not None:
        response.headers["Location"] = f"/api/leads/{lead.merged_into_id}"
    return service.to_read(lead, now=utcnow())


@leads.patch("/{lead_id}", response_model=schemas.LeadRead)
async def update_lead(
    lead_id: Id, body: schemas.LeadUpdate, caller: ServerDep, c: ContainerDep
) -> schemas.LeadRead:
    """Change a lead's name, company or custom traits (the email is not patchable)."""
    async with c.db.transaction() as session:
        lead = await service.update_lead(
            session, project_id=caller.project_id, lead_id=lead_id, body=body
        )
    return service.to_read(lead, now=utcnow())


@leads.delete("/{lead_id}", status_code=status.HTTP_204_NO_CONTENT)
async def erase_lead(lead_id: Id, caller: ServerDep, c: ContainerDep) -> Response:
    """Erase a lead (GDPR): the lead, its aliases, events, history, jobs and executions."""
    async with c.db.transaction() as session:
        await gdpr.erase_lead(session, project_id=caller.project_id, lead_id=lead_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@leads.get("/{lead_id}/export")
async def export_lead(lead_id: Id, caller: ServerDep, c: ContainerDep) -> dict[str, Any]:
    """Return everything stored about a lead and its aliases (GDPR access request)."""
    async with c.db.sessions() as session:
        return await gdpr.export_lead(session, project_id=caller.project_id, lead_id=lead_id)


@leads.get("/{lead_id}/timeline", response_model=schemas.Timeline)
async def lead_timeline(
    lead_id: Id,
    caller: ServerDep,
    c: ContainerDep,
    limit: Annotated[
        int, Query(ge=1, le=schemas.MAX_TIMELINE_EVENTS)
    ] = schemas.DEFAULT_TIMELINE_EVENTS,
) -> schemas.Timeline:
    """Return the lead's newest events grouped by session, with score deltas."""
    async with c.db.sessions() as session:
        return await activity.timeline(
            session, project_id=caller.project_id, lead_id=lead_id, limit=limit
        )


@leads.get("/{lead_id}/history", response_model=Page[schemas.HistoryRow])
async def lead_history(
    lead_id: Id,
    caller: ServerDep,
    c: ContainerDep,
    limit: LimitQ = schemas.DEFAULT_PAGE,
    offset: OffsetQ = 0,
) -> Page[schemas.HistoryRow]:
    """Return the lead's score history, newest first, each row with its cause."""
    async with c.db.sessions() as session:
        rows, total = await activity.history(
            session, project_id=caller.project_id, lead_id=lead_id, limit=limit, offset=offset
        )
        items = [schemas.HistoryRow.model_validate(row) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@leads.get("/{lead_id}/intelligence", response_model=schemas.IntelligenceRead)
async def lead_intelligence(
    lead_id: Id, caller: ServerDep, c: ContainerDep
) -> schemas.IntelligenceRead:
    """Return the lead's velocity, trend, risk, next action, engagement and churn."""
    async with c.db.sessions() as session:
        result = await activity.intelligence(
            session, project_id=caller.project_id, lead_id=lead_id, now=utcnow()
        )
    return schemas.IntelligenceRead.model_validate(result)


@board.get("/leaderboard", response_model=Page[schemas.LeaderboardItem])
async def leaderboard(
    caller: ServerDep, c: ContainerDep, limit: LimitQ = 10, offset: OffsetQ = 0
) -> Page[schemas.LeaderboardItem]:
    """Return the project's top leads by score (merged leads excluded)."""
    async with c.db.sessions() as session:
        rows, total = await service.list_leads(
            session,
            project_id=caller.project_id,
            filters=service.LeadFilters(),
            limit=limit,
            offset=offset,
        )
    now = utcnow()
    items = [
        schemas.LeaderboardItem(**service.to_item(lead, now=now).model_dump(), rank=offset + i)
        for i, lead in enumerate(rows, start=1)
    ]
    return Page(items=items, total=total, limit=limit, offset=offset)


@board.get("/leaderboard/by-stage", response_model=schemas.StageCounts)
async def leaderboard_by_stage(caller: ServerDep, c: ContainerDep) -> schemas.StageCounts:
    """Count the project's leads per stage."""
    async with c.db.sessions() as session:
        counts = await service.stage_counts(session, project_id=caller.project_id)
    return schemas.StageCounts(**counts)


@feed.get("/events", response_model=schemas.EventFeed)
async def list_events(
    caller: ServerDep,
    c: ContainerDep,
    event_type: Annotated[str | None, Query(alias="eventType", max_length=64)] = None,
    lead_id: Annotated[int | None, id_query("leadId")] = None,
    since: Annotated[UtcDateTime | None, Query(description="Received at or after")] = None,
    limit: LimitQ = schemas.DEFAULT_PAGE,
    cursor: Annotated[str | None, Query(max_length=schemas.MAX_CURSOR)] = None,
) -> schemas.EventFeed:
    """List the project's events, newest first, with cursor pagination."""
    async with c.db.sessions() as session:
        items, next_cursor = await activity.list_events(
            session,
            project_id=caller.project_id,
            event_type=event_type,
            lead_id=lead_id,
            since=since,
            limit=limit,
            cursor=cursor,
        )
    return schemas.EventFeed(items=items, next_cursor=next_cursor)


router.include_router(leads)
router.include_router(board)
router.include_router(feed)
