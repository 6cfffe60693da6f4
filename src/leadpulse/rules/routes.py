"""``/api/rules`` (alias ``/api/scoring-rules``), ``/api/stages`` and rescoring."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from leadpulse.api.deps import ContainerDep, Id, ServerDep
from leadpulse.api.schemas import Page
from leadpulse.rules import schemas, service
from leadpulse.store.models import RescoreJob, StageThreshold

router = APIRouter(tags=["rules"])


def _rescore_out(job: RescoreJob) -> schemas.RescoreRead:
    return schemas.RescoreRead(
        job_id=job.id,
        status=job.status,
        total=job.total,
        done=min(job.done, job.total),
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


def _stages_out(row: StageThreshold) -> schemas.StagesRead:
    return schemas.StagesRead(
        warm=row.warm,
        hot=row.hot,
        qualified=row.qualified,
        ranges={
            "cold": [0, row.warm - 1],
            "warm": [row.warm, row.hot - 1],
            "hot": [row.hot, row.qualified - 1],
            "qualified": [row.qualified, None],
        },
    )


async def _update(
    c: ContainerDep, caller: ServerDep, rule_id: int, body: schemas.RuleUpdate
) -> schemas.RuleRead:
    async with c.db.transaction() as session:
        rule = await service.update_rule(
            session, project_id=caller.project_id, rule_id=rule_id, data=body
        )
    return schemas.RuleRead.model_validate(rule)


for prefix in ("/api/rules", "/api/scoring-rules"):
    include = prefix == "/api/rules"  # the alias works but is not documented twice

    @router.get(prefix, response_model=Page[schemas.RuleRead], include_in_schema=include)
    async def list_rules(caller: ServerDep, c: ContainerDep) -> Page[schemas.RuleRead]:
        """List the project's scoring rules."""
        async with c.db.sessions() as session:
            rules = await service.list_rules(session, project_id=caller.project_id)
        items = [schemas.RuleRead.model_validate(r) for r in rules]
        return Page(items=items, total=len(items), limit=len(items), offset=0)

    @router.post(
        prefix, status_code=201, response_model=schemas.RuleRead, include_in_schema=include
    )
    async def create_rule(
        body: schemas.RuleCreate, caller: ServerDep, c: ContainerDep
    ) -> schemas.RuleRead:
        """Add a rule (one per event type); applies to events scored from now on."""
        async with c.db.transaction() as session:
            rule = await service.create_rule(session, project_id=caller.project_id, data=body)
        return schemas.RuleRead.model_validate(rule)

    @router.get(
        prefix + "/{rule_id:int}", response_model=schemas.RuleRead, include_in_schema=include
    )
    async def get_rule(rule_id: Id, caller: ServerDep, c: ContainerDep) -> schemas.RuleRead:
        """Return one rule."""
        async with c.db.sessions() as session:
            rule = await service.get_rule(session, project_id=caller.project_id, rule_id=rule_id)
        return schemas.RuleRead.model_validate(rule)

    @router.patch(
        prefix + "/{rule_id:int}", response_model=schemas.RuleRead, include_in_schema=include
    )
    async def update_rule(
        rule_id: Id, body: schemas.RuleUpdate, caller: ServerDep, c: ContainerDep
    ) -> schemas.RuleRead:
        """Change a rule's points, name, type or active flag."""
        return await _update(c, caller, rule_id, body)

    @router.put(prefix + "/{rule_id:int}", response_model=schemas.RuleRead, include_in_schema=False)
    async def replace_rule(
        rule_id: Id, body: schemas.RuleUpdate, caller: ServerDep, c: ContainerDep
    ) -> schemas.RuleRead:
        """Same as PATCH (the original guide used PUT)."""
        return await _update(c, caller, rule_id, body)

    @router.delete(prefix + "/{rule_id:int}", status_code=204, include_in_schema=include)
    async def delete_rule(rule_id: Id, caller: ServerDep, c: ContainerDep) -> Response:
        """Delete a rule; its event type scores 0 from now on."""
        async with c.db.transaction() as session:
            await service.delete_rule(session, project_id=caller.project_id, rule_id=rule_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/api/rules/rescore", status_code=202, response_model=schemas.RescoreRead)
async def start_rescore(caller: ServerDep, c: ContainerDep) -> schemas.RescoreRead:
    """Recompute every lead of the project from its events, in the background."""
    async with c.db.transaction() as session:
        job = await service.start_rescore(session, project_id=caller.project_id)
    await c.waker.notify()
    return _rescore_out(job)


@router.get("/api/rules/rescore/{job_id}", response_model=schemas.RescoreRead)
async def get_rescore(
    job_id: Annotated[str, Path(max_length=40)], caller: ServerDep, c: ContainerDep
) -> schemas.RescoreRead:
    """Return the progress of a rescore job."""
    async with c.db.sessions() as session:
        job = await service.get_rescore(session, project_id=caller.project_id, job_id=job_id)
    return _rescore_out(job)


@router.get("/api/stages", response_model=schemas.StagesRead)
async def get_stages(caller: ServerDep, c: ContainerDep) -> schemas.StagesRead:
    """Return the stage thresholds and the score range of each stage."""
    async with c.db.sessions() as session:
        row = await service.get_stages(session, project_id=caller.project_id)
    return _stages_out(row)


@router.put("/api/stages", response_model=schemas.StagesRead)
async def put_stages(
    body: schemas.Stages, caller: ServerDep, c: ContainerDep
) -> schemas.StagesRead:
    """Replace the thresholds (strictly increasing)."""
    async with c.db.transaction() as session:
        row = await service.put_stages(session, project_id=caller.project_id, data=body)
    return _stages_out(row)
