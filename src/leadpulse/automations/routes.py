"""``/api/automations``: automation CRUD and the execution log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from leadpulse.api.deps import ContainerDep, Id, PageLimit, PageOffset, ServerDep, id_query
from leadpulse.api.schemas import Page
from leadpulse.automations import schemas, service

router = APIRouter(prefix="/api/automations", tags=["automations"])


@router.get("", response_model=Page[schemas.AutomationRead])
async def list_automations(
    caller: ServerDep, c: ContainerDep, limit: PageLimit = 50, offset: PageOffset = 0
) -> Page[schemas.AutomationRead]:
    """List the project's automations, newest first."""
    async with c.db.sessions() as session:
        rows, total = await service.list_automations(
            session, project_id=caller.project_id, limit=limit, offset=offset
        )
    items = [schemas.AutomationRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.AutomationRead)
async def create_automation(
    body: schemas.AutomationCreate, caller: ServerDep, c: ContainerDep
) -> schemas.AutomationRead:
    """Create an automation; its config is validated for its action."""
    fields = body.model_dump()
    fields["config"] = await service.checked_config(  # before the transaction: resolves DNS
        c.settings, action=body.action, raw=body.config
    )
    async with c.db.transaction() as session:
        row = await service.create_automation(session, project_id=caller.project_id, fields=fields)
    return schemas.AutomationRead.model_validate(row)


@router.get("/executions", response_model=Page[schemas.ExecutionRead])
async def list_executions(
    caller: ServerDep,
    c: ContainerDep,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
    automation_id: Annotated[int | None, id_query("automationId")] = None,
    status_: Annotated[schemas.ExecutionStatus | None, Query(alias="status")] = None,
) -> Page[schemas.ExecutionRead]:
    """List executions, newest first, optionally of one automation or one status."""
    async with c.db.sessions() as session:
        rows, total = await service.list_executions(
            session,
            project_id=caller.project_id,
            limit=limit,
            offset=offset,
            automation_id=automation_id,
            status=status_,
        )
    items = [schemas.ExecutionRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{automation_id}", response_model=schemas.AutomationRead)
async def get_automation(
    automation_id: Id, caller: ServerDep, c: ContainerDep
) -> schemas.AutomationRead:
    """Read one automation."""
    async with c.db.sessions() as session:
        row = await service.get_automation(
            session, project_id=caller.project_id, automation_id=automation_id
        )
    return schemas.AutomationRead.model_validate(row)


@router.patch("/{automation_id}", response_model=schemas.AutomationRead)
async def update_automation(
    automation_id: Id, body: schemas.AutomationUpdate, caller: ServerDep, c: ContainerDep
) -> schemas.AutomationRead:
    """Change an automation (set a condition to null to clear it)."""
    project_id = caller.project_id
    async with c.db.sessions() as session:
        current = await service.get_automation(
            session, project_id=project_id, automation_id=automation_id
        )
    # Outside any transaction: checking a target URL resolves its host name.
    changes = await service.checked_changes(
        c.settings, current, body.model_dump(exclude_unset=True)
    )
    async with c.db.transaction() as session:
        row = await service.update_automation(
            session, project_id=project_id, automation_id=automation_id, changes=changes
        )
    return schemas.AutomationRead.model_validate(row)


@router.delete("/{automation_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_automation(automation_id: Id, caller: ServerDep, c: ContainerDep) -> Response:
    """Delete an automation and its execution log."""
    async with c.db.transaction() as session:
        await service.delete_automation(
            session, project_id=caller.project_id, automation_id=automation_id
        )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
