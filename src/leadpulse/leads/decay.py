"""The decay job: apply ``core.decay`` to every idle lead, in short keyset batches.

For each project with decay enabled, the candidates are live leads whose last event is at
least ``grace_days + 1`` days before ``now`` and that were not decided today
(``last_decay_on``). They are walked in (last_event_at, id) order on
``ix_leads_project_last_event``, ``batch`` leads per transaction. Each decision sets the score
to ``round_half_up(base_score * (1 - rate) ** days)`` (one step, whatever was missed), the
stage from the project's thresholds, ``last_decay_on = today``, and writes a ``decay``
history row (``points`` 0, ``event_timestamp`` = the ``now`` it was computed for, ``detail``
``{days, rate, graceDays, baseScore, day}``). Running twice a day changes nothing.

A decayed lead is a score change like any other: in the batch's transaction each one also
gets a ``lead.changed`` outbox entry (``queue.entries``; the dispatcher turns it into
automation executions and ``lead.scored``/``lead.stage_changed`` deliveries), and after the
commit its ``LeadScored`` outcome (with the decay history row) goes to ``published`` — the
container's post-commit hooks, which push the live update.

Against the scoring worker: on PostgreSQL the batch is selected ``FOR UPDATE SKIP LOCKED``,
so a lead being scored right now is skipped and decayed on the next run; the worker then
reads the decayed score under its own row lock. On SQLite ``BEGIN IMMEDIATE`` serialises.

Transactions: ``run_decay`` is a runner spanning many transactions and owns them (one
read-only session for the candidates, one transaction per batch); ``decay_leads`` works in
the session it is given. Thresholds come from ``rules.rulebook``, history rows from
``leads.history``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.core.consequences import entry_of
from leadpulse.core.decay import DecayPolicy, plan_decay
from leadpulse.core.outcomes import LeadScored
from leadpulse.core.stages import StageThresholds, stage_for
from leadpulse.core.timeutil import DAY, require_aware, utc_date
from leadpulse.leads import history
from leadpulse.leads.service import scored_outcome
from leadpulse.queue import entries
from leadpulse.rules import rulebook
from leadpulse.store.db import Database
from leadpulse.store.models import Lead, Project
from leadpulse.store.sql import is_postgres
from leadpulse.store.types import utcnow

DEFAULT_BATCH = 500
Progress = Callable[[int, int], None]
Published = Callable[[list[LeadScored]], Awaitable[None]]
Position = tuple[datetime, int]
log = structlog.get_logger("leadpulse.decay")


@dataclass
class DecayReport:
    """What one run did: candidate leads found, leads scanned, scores changed."""

    projects: int = 0
    candidates: int = 0
    scanned: int = 0
    decayed: int = 0


@dataclass(frozen=True, slots=True)
class ProjectDecay:
    """A project's decay policy and the stage thresholds a decayed score is staged with."""

    project_id: int
    policy: DecayPolicy
    thresholds: StageThresholds


def _candidates(p: ProjectDecay, now: datetime) -> list[ColumnElement[bool]]:
    today = utc_date(now)
    return [
        Lead.project_id == p.project_id,
        Lead.merged_into_id.is_(None),
        Lead.last_event_at <= now - (p.policy.grace_days + 1) * DAY,
        or_(Lead.last_decay_on.is_(None), Lead.last_decay_on < today),
    ]


def _policy(project: Project) -> DecayPolicy | None:
    try:
        return DecayPolicy(grace_days=project.decay_grace_days, daily_rate=project.decay_daily_rate)
    except ValueError as exc:
        log.warning("decay_policy_invalid", project_id=project.id, error=str(exc))
        return None


async def decaying_projects(session: AsyncSession, project_id: int | None) -> list[ProjectDecay]:
    """Return the projects with decay enabled (one, or all) and a valid policy."""
    query = select(Project).where(Project.decay_enabled.is_(True)).order_by(Project.id)
    if project_id is not None:
        query = query.where(Project.id == project_id)
    projects = list(await session.scalars(query))
    stages = await rulebook.thresholds(session, [p.id for p in projects])
    return [
        ProjectDecay(project.id, policy, stages[project.id])
        for project in projects
        if (policy := _policy(project)) is not None
    ]


async def count_candidates(
    session: AsyncSession, projects: Sequence[ProjectDecay], now: datetime
) -> int:
    """Count the leads a run at ``now`` will look at."""
    total = 0
    for p in projects:
        query = select(func.count()).select_from(Lead).where(*_candidates(p, now))
        total += int(await session.scalar(query) or 0)
    return total


def _decay(lead: Lead, p: ProjectDecay, now: datetime) -> history.Row | None:
    """Apply today's decay to one locked lead; return its history row if the score moved."""
    decision = plan_decay(
        base_score=lead.base_score,
        current_score=lead.score,
        last_event_at=lead.last_event_at,
        last_decay_day=lead.last_decay_on,
        now=now,
        policy=p.policy,
    )
    lead.last_decay_on = utc_date(now)
    if decision is None:
        return None
    lead.score = decision.new_score
    lead.stage = stage_for(decision.new_score, p.thresholds)
    lead.updated_at = utcnow()
    return history.decay_row(
        project_id=lead.project_id,
        lead_id=lead.id,
        decision=decision,
        policy=p.policy,
        base_score=lead.base_score,
        now=now,
        created_at=lead.updated_at,
    )


async def decay_leads(
    session: AsyncSession, leads: Sequence[Lead], p: ProjectDecay, *, now: datetime
) -> list[LeadScored]:
    """Apply today's decay to locked leads of one project, with their history rows and
    outbox entries; return the outcomes of the leads whose score changed."""
    decided = []
    for lead in leads:
        before = (lead.score, lead.stage)
        row = _decay(lead, p, now)
        if row is not None:
            decided.append((lead, before, row))
    ids = await history.write(session, [row for _, _, row in decided])
    outcomes = [
        scored_outcome(
            lead,
            previous=before,
            event_types=frozenset(),
            mutations=history.mutations([row], [row_id]),
            at=now,
        )
        for (lead, before, row), row_id in zip(decided, ids, strict=True)
    ]
    await entries.enqueue(session, [entry_of(o) for o in outcomes], now=utcnow())
    return outcomes


async def _lock_batch(
    session: AsyncSession, p: ProjectDecay, *, now: datetime, after: Position | None, size: int
) -> list[Lead]:
    query = select(Lead).where(*_candidates(p, now))
    if after is not None:
        at, lead_id = after
        query = query.where(
            or_(Lead.last_event_at > at, and_(Lead.last_event_at == at, Lead.id > lead_id))
        )
    query = query.order_by(Lead.last_event_at, Lead.id).limit(size)
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return list(await session.scalars(query))


async def _batch(
    db: Database, p: ProjectDecay, *, now: datetime, after: Position | None, size: int
) -> tuple[int, list[LeadScored], Position | None]:
    async with db.transaction() as session:
        leads = await _lock_batch(session, p, now=now, after=after, size=size)
        changed = await decay_leads(session, leads, p, now=now)
    if len(leads) < size:
        return len(leads), changed, None
    last = leads[-1]
    assert last.last_event_at is not None
    return len(leads), changed, (last.last_event_at, last.id)


async def run_decay(
    db: Database,
    *,
    now: datetime,
    project_id: int | None = None,
    batch: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    published: Published | None = None,
) -> DecayReport:
    """Decay every idle lead (of one project, or all) as of ``now``; hand each committed
    batch's outcomes to ``published`` (live updates)."""
    require_aware(now, "now")
    async with db.sessions() as session:
        projects = await decaying_projects(session, project_id)
        candidates = await count_candidates(session, projects, now)
    report = DecayReport(projects=len(projects), candidates=candidates)
    if progress is not None:
        progress(0, report.candidates)
    for p in projects:
        after: Position | None = None
        while True:
            scanned, changed, after = await _batch(db, p, now=now, after=after, size=batch)
            report.scanned += scanned
            report.decayed += len(changed)
            if published is not None and changed:
                await published(changed)
            if progress is not None:
                progress(report.scanned, report.candidates)
            if after is None:
                break
    log.info("decay_run", now=now.isoformat(), **vars(report))
    return report


def parse_now(raw: str) -> datetime:
    """Parse ``2026-12-31`` (midnight UTC) or an ISO datetime (naive is read as UTC)."""
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        value = value.replace(tzinfo=utcnow().tzinfo)
    return value
