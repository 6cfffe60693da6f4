"""Scoring rules, stage thresholds and project-wide rescoring.

Every change bumps the project's rules version in the same transaction, which is how the
worker's cache notices it (see ``rules.rulebook``). A change applies to events scored
after it; ``start_rescore`` recomputes every lead of the project from its events.

Services take the caller's session and never commit: the route (or CLI command) owns the
transaction. ``rescore_jobs`` rows are written only here: created by ``start_rescore``,
advanced by the worker through ``record_rescore_progress`` in its scoring transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.errors import Conflict, NotFound
from leadpulse.queue import jobs
from leadpulse.rules import schemas
from leadpulse.rules.rulebook import bump_version, threshold_rows
from leadpulse.store.models import Lead, RescoreJob, ScoringRule, StageThreshold
from leadpulse.store.types import utcnow

T = TypeVar("T")


async def list_rules(session: AsyncSession, *, project_id: int) -> list[ScoringRule]:
    """List a project's rules by event type."""
    rows = await session.scalars(
        select(ScoringRule)
        .where(ScoringRule.project_id == project_id)
        .order_by(ScoringRule.event_type)
    )
    return list(rows)


async def _one(session: AsyncSession, query: Select[T], missing: str) -> T:
    """Return the row the query finds, or raise NotFound(missing)."""
    row = await session.scalar(query)
    if row is None:
        raise NotFound(missing)
    return row


async def get_rule(session: AsyncSession, *, project_id: int, rule_id: int) -> ScoringRule:
    """Load one rule of the project."""
    mine = (ScoringRule.id == rule_id, ScoringRule.project_id == project_id)
    return await _one(session, select(ScoringRule).where(*mine), f"Rule {rule_id} not found.")


async def _save(session: AsyncSession, project_id: int, event_type: str) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"A rule for event type {event_type!r} already exists.") from exc
    await bump_version(session, project_id=project_id)


async def create_rule(
    session: AsyncSession, *, project_id: int, data: schemas.RuleCreate
) -> ScoringRule:
    """Add a rule for an event type (one per type)."""
    rule = ScoringRule(
        project_id=project_id,
        event_type=data.event_type,
        name=data.name or data.event_type.replace("_", " ").capitalize(),
        description=data.description,
        points=data.points,
        active=data.active,
    )
    session.add(rule)
    await _save(session, project_id, data.event_type)
    return rule


async def update_rule(
    session: AsyncSession, *, project_id: int, rule_id: int, data: schemas.RuleUpdate
) -> ScoringRule:
    """Change a rule's fields."""
    rule = await get_rule(session, project_id=project_id, rule_id=rule_id)
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(rule, name, value)
    rule.updated_at = utcnow()
    await _save(session, project_id, rule.event_type)
    return rule


async def delete_rule(session: AsyncSession, *, project_id: int, rule_id: int) -> None:
    """Remove a rule; its event type scores 0 from now on."""
    rule = await get_rule(session, project_id=project_id, rule_id=rule_id)
    await session.delete(rule)
    await bump_version(session, project_id=project_id)


async def get_stages(session: AsyncSession, *, project_id: int) -> StageThreshold:
    """Return the project's stage thresholds."""
    row = (await threshold_rows(session, [project_id])).get(project_id)
    if row is None:
        raise NotFound("The project has no stage thresholds.")
    return row


async def put_stages(
    session: AsyncSession, *, project_id: int, data: schemas.Stages
) -> StageThreshold:
    """Replace the thresholds; stages of existing leads follow at their next scoring."""
    row = await session.get(StageThreshold, project_id)
    if row is None:
        row = StageThreshold(project_id=project_id)
        session.add(row)
    row.warm, row.hot, row.qualified = data.warm, data.hot, data.qualified
    row.version = (row.version or 0) + 1
    row.updated_at = utcnow()
    await session.flush()
    return row


async def start_rescore(session: AsyncSession, *, project_id: int) -> RescoreJob:
    """Queue a full rescore of every lead of the project; progress is in the returned job."""
    now = utcnow()
    job_id = uuid.uuid4().hex
    live = (Lead.project_id == project_id, Lead.merged_into_id.is_(None))
    total = int(await session.scalar(select(func.count()).where(*live)) or 0)
    job = RescoreJob(
        id=job_id,
        project_id=project_id,
        total=total,
        done=0,
        created_at=now,
        status="running" if total else "finished",
        finished_at=None if total else now,
    )
    session.add(job)
    await session.flush()
    await jobs.enqueue_project(session, project_id=project_id, rescore_job_id=job_id, now=now)
    return job


async def get_rescore(session: AsyncSession, *, project_id: int, job_id: str) -> RescoreJob:
    """Return a rescore job's progress."""
    mine = (RescoreJob.id == job_id, RescoreJob.project_id == project_id)
    return await _one(session, select(RescoreJob).where(*mine), f"Rescore job {job_id} not found.")


async def record_rescore_progress(
    session: AsyncSession, *, done: Mapping[str, int], now: datetime
) -> None:
    """Count leads rescored per rescore job; finish the jobs that are complete."""
    for job_id, leads in done.items():
        await session.execute(
            update(RescoreJob).where(RescoreJob.id == job_id).values(done=RescoreJob.done + leads)
        )
        await session.execute(
            update(RescoreJob)
            .where(RescoreJob.id == job_id, RescoreJob.done >= RescoreJob.total)
            .where(RescoreJob.status != "finished")
            .values(status="finished", finished_at=now)
        )
