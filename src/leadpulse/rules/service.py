"""Scoring rules, stage thresholds and project-wide rescoring.

Every change bumps the project's rules version in the same transaction, which is how the
worker's cache notices it (see ``worker.rulebook``). A change applies to events scored
after it; ``start_rescore`` recomputes every lead of the project from its events.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, literal, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.errors import Conflict, NotFound
from leadpulse.queue import jobs
from leadpulse.rules import schemas
from leadpulse.store.db import Database
from leadpulse.store.models import Lead, LeadJob, RescoreJob, ScoringRule, StageThreshold
from leadpulse.store.sql import insert, table_of
from leadpulse.store.types import UTCDateTime, utcnow
from leadpulse.worker.rulebook import bump_version

JOBS = table_of(LeadJob)


async def list_rules(db: Database, *, project_id: int) -> list[ScoringRule]:
    """List a project's rules by event type."""
    async with db.sessions() as session:
        rows = await session.scalars(
            select(ScoringRule)
            .where(ScoringRule.project_id == project_id)
            .order_by(ScoringRule.event_type)
        )
        return list(rows)


async def _get(session: AsyncSession, project_id: int, rule_id: int) -> ScoringRule:
    rule = await session.scalar(
        select(ScoringRule).where(ScoringRule.id == rule_id, ScoringRule.project_id == project_id)
    )
    if rule is None:
        raise NotFound(f"Rule {rule_id} not found.")
    return rule


async def get_rule(db: Database, *, project_id: int, rule_id: int) -> ScoringRule:
    """Load one rule of the project."""
    async with db.sessions() as session:
        return await _get(session, project_id, rule_id)


async def _save(session: AsyncSession, project_id: int, event_type: str) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"A rule for event type {event_type!r} already exists.") from exc
    await bump_version(session, project_id=project_id)


async def create_rule(db: Database, *, project_id: int, data: schemas.RuleCreate) -> ScoringRule:
    """Add a rule for an event type (one per type)."""
    async with db.transaction() as session:
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
    db: Database, *, project_id: int, rule_id: int, data: schemas.RuleUpdate
) -> ScoringRule:
    """Change a rule's fields."""
    async with db.transaction() as session:
        rule = await _get(session, project_id, rule_id)
        for name, value in data.model_dump(exclude_unset=True).items():
            if value is not None:
                setattr(rule, name, value)
        rule.updated_at = utcnow()
        await _save(session, project_id, rule.event_type)
        return rule


async def delete_rule(db: Database, *, project_id: int, rule_id: int) -> None:
    """Remove a rule; its event type scores 0 from now on."""
    async with db.transaction() as session:
        rule = await _get(session, project_id, rule_id)
        await session.delete(rule)
        await bump_version(session, project_id=project_id)


async def get_stages(db: Database, *, project_id: int) -> StageThreshold:
    """Return the project's stage thresholds."""
    async with db.sessions() as session:
        row = await session.get(StageThreshold, project_id)
    if row is None:
        raise NotFound("The project has no stage thresholds.")
    return row


async def put_stages(db: Database, *, project_id: int, data: schemas.Stages) -> StageThreshold:
    """Replace the thresholds; stages of existing leads follow at their next scoring."""
    async with db.transaction() as session:
        row = await session.get(StageThreshold, project_id)
        if row is None:
            row = StageThreshold(project_id=project_id)
            session.add(row)
        row.warm, row.hot, row.qualified = data.warm, data.hot, data.qualified
        row.version = (row.version or 0) + 1
        row.updated_at = utcnow()
        return row


async def start_rescore(db: Database, *, project_id: int) -> RescoreJob:
    """Queue a full rescore of every lead of the project; progress is in the returned job."""
    now = utcnow()
    job_id = uuid.uuid4().hex
    async with db.transaction() as session:
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
        await _enqueue_all(session, project_id, job_id, now)
    return job


async def _enqueue_all(session: AsyncSession, project_id: int, job_id: str, now: Any) -> None:
    stamp = literal(now, UTCDateTime())
    source = select(Lead.id, Lead.project_id, true(), literal(job_id), stamp, stamp).where(
        Lead.project_id == project_id, Lead.merged_into_id.is_(None)
    )
    stmt = insert(session, JOBS).from_select(
        ["lead_id", "project_id", "full_rescore", "rescore_job_id", "run_at", "enqueued_at"],
        source,
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[JOBS.c.lead_id],
            set_={
                "full_rescore": True,
                "rescore_job_id": job_id,
                "dirty": jobs.case_running_dirty(),
            },
        )
    )


async def get_rescore(db: Database, *, project_id: int, job_id: str) -> RescoreJob:
    """Return a rescore job's progress."""
    async with db.sessions() as session:
        job = await session.scalar(
            select(RescoreJob).where(RescoreJob.id == job_id, RescoreJob.project_id == project_id)
        )
    if job is None:
        raise NotFound(f"Rescore job {job_id} not found.")
    return job
