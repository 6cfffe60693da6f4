"""``/api/inbound-sources`` (CRUD and mapping preview, JWT or sk_) and the receiving
endpoint ``POST /api/inbound/{sourceId}`` (authenticated by the source's signature)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from leadpulse.api.deps import ContainerDep, PageLimit, PageOffset, ServerDep
from leadpulse.api.schemas import Page
from leadpulse.imports.runner import shared_intake
from leadpulse.inbound import receive, schemas, service
from leadpulse.store.types import utcnow

router = APIRouter(tags=["inbound"])
SOURCES = "/api/inbound-sources"


def _values(body: schemas.SourceCreate | schemas.SourceUpdate) -> dict[str, object]:
    values = body.model_dump(exclude_unset=True, exclude={"hmac", "mapping"})
    if body.mapping is not None:
        values["mapping"] = body.mapping.model_dump(by_alias=True, exclude_none=True)
    if body.hmac is not None:
        values["hmac"] = body.hmac.model_dump(by_alias=True, exclude_none=True)
    return values


@router.get(SOURCES, response_model=Page[schemas.SourceRead])
async def list_sources(
    caller: ServerDep, c: ContainerDep, limit: PageLimit = 50, offset: PageOffset = 0
) -> Page[schemas.SourceRead]:
    """List the project's inbound sources, newest first."""
    async with c.db.sessions() as session:
        rows, total = await service.list_sources(
            session, project_id=caller.project_id, limit=limit, offset=offset
        )
    items = [schemas.SourceRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(SOURCES, status_code=status.HTTP_201_CREATED, response_model=schemas.SourceCreated)
async def create_source(
    body: schemas.SourceCreate, caller: ServerDep, c: ContainerDep
) -> schemas.SourceCreated:
    """Create a source; the response shows its signing secret, once."""
    async with c.db.transaction() as session:
        row = await service.create_source(
            session, project_id=caller.project_id, values=_values(body)
        )
    return schemas.SourceCreated.model_validate(row)


@router.post(f"{SOURCES}/preview", response_model=schemas.PreviewResult)
async def preview_mapping(
    body: schemas.PreviewRequest, caller: ServerDep, c: ContainerDep
) -> schemas.PreviewResult:
    """Show the event a mapping makes of a sample payload (422 naming the paths if none)."""
    item, _ = receive.map_event(
        shared_intake(c),
        body.mapping,
        body.sample,
        project_id=caller.project_id,
        received_at=utcnow(),
        loc="sample",
    )
    event = {
        "eventType": item.event_type,
        "eventId": item.event_id,
        "timestamp": item.timestamp.isoformat(),
        "anonymousId": item.anonymous_id,
        "email": item.email,
        "properties": item.properties,
    }
    return schemas.PreviewResult(event=event)


@router.get(f"{SOURCES}/{{source_id}}", response_model=schemas.SourceRead)
async def get_source(source_id: int, caller: ServerDep, c: ContainerDep) -> schemas.SourceRead:
    """Read one source (without its secret)."""
    async with c.db.sessions() as session:
        row = await service.get_source(session, project_id=caller.project_id, source_id=source_id)
    return schemas.SourceRead.model_validate(row)


@router.patch(f"{SOURCES}/{{source_id}}", response_model=schemas.SourceRead)
async def update_source(
    source_id: int, body: schemas.SourceUpdate, caller: ServerDep, c: ContainerDep
) -> schemas.SourceRead:
    """Change a source's name, scheme, replay window, mapping or active flag."""
    async with c.db.transaction() as session:
        row = await service.update_source(
            session, project_id=caller.project_id, source_id=source_id, changes=_values(body)
        )
    return schemas.SourceRead.model_validate(row)


@router.delete(f"{SOURCES}/{{source_id}}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_source(source_id: int, caller: ServerDep, c: ContainerDep) -> Response:
    """Delete a source and the webhook ids it delivered."""
    async with c.db.transaction() as session:
        await service.delete_source(session, project_id=caller.project_id, source_id=source_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/api/inbound/{source_id}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=schemas.InboundResult,
)
async def receive_event(source_id: int, request: Request, c: ContainerDep) -> schemas.InboundResult:
    """Accept a signed event from another tool (401 unsigned, badly signed or replayed;
    422 naming the payload path; 413 too large)."""
    stored = await receive.receive(
        c, source_id=source_id, headers=dict(request.headers), body=await request.body()
    )
    assert stored.lead_id is not None
    return schemas.InboundResult(
        status="queued" if stored.status == "queued" else "duplicate",
        event_id=stored.event_id,
        lead_id=stored.lead_id,
    )
