"""The decay job: apply ``core.decay`` to every idle lead, in short keyset batches.

For each project with decay enabled, the candidates are live leads whose last event is at
least ``grace_days + 1`` days before ``now`` and that were not decided today
(``last_decay_on``). They are walked in (last_event_at, id) order on
``ix_leads_project_last_event``, ``batch`` leads per transaction. Each decision sets the score
to ``round_half_up(base_score * (1 - rate) ** days)`` (one step, whatever was missed), the
stage from the project's thresholds, ``last_decay_on = today``, and writes a ``decay``
history row (``points`` 0, ``event_timestamp`` = the ``now`` it was computed for, ``detail``
``{days, rate, graceDays, baseScore, day}``). Running twice a day changes nothing.

Against the scoring worker: on PostgreSQL the batch is selected ``FOR UPDATE SKIP LOCKED``,
so a lead being scored right now is skipped and decayed on the next run; the worker then
reads the decayed score under its own row lock. On SQLite ``BEGIN IMMEDIATE`` serialises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import structlog
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.core.decay import DecayPolicy, plan_decay
from leadpulse.core.stages import StageThresholds, stage_for
from leadpulse.core.timeutil import DAY, require_aware, utc_date
from leadpulse.leads.service import project_thresholds
from leadpulse.store.db import Database
from leadpulse.store.models import Lead, Project, ScoreHistory
from leadpulse.store.types import utcnow

DEFAULT_BATCH = 500
Progress = Callable[[int, int], None]
log = structlog.get_logger("leadpulse.decay")


@dataclass
class DecayReport:
    """What one run did: candidate leads found, leads scanned, scores changed."""

    projects: int = 0
    candidates: int = 0
    scanned: int = 0
    decayed: int = 0


@dataclass(frozen=True, slots=True)
class _ProjectDecay:
    project_id: int
    policy: DecayPolicy
    thresholds: StageThresholds


def _candidates(p: _ProjectDecay, now: datetime) -> list[ColumnElement[bool]]:
    today = utc_date(now)
    return [
        Lead.project_id == p.project_id,
        Lead.merged_into_id.is_(None),
        Lead.last_event_at <= now - (p.policy.grace_days + 1) * DAY,
        or_(Lead.last_decay_on.is_(None), Lead.last_decay_on < today),
    ]


async def _projects(db: Database, project_id: int | None) -> list[_ProjectDecay]:
    query = select(Project).where(Project.decay_enabled.is_(True)).order_by(Project.id)
    if project_id is not None:
        query = query.where(Project.id == project_id)
    found: list[_ProjectDecay] = []
    async with db.sessions() as session:
        for project in list(await session.scalars(query)):
            try:
                policy = DecayPolicy(
                    grace_days=project.decay_grace_days, daily_rate=project.decay_daily_rate
                )
            except ValueError as exc:
                log.warning("decay_policy_invalid", project_id=project.id, error=str(exc))
                continue
            thresholds = await project_thresholds(session, project_id=project.id)
            found.append(_ProjectDecay(project.id, policy, thresholds))
    return found


async def _count(db: Database, projects: list[_ProjectDecay], now: datetime) -> int:
    total = 0
    async with db.sessions() as session:
        for p in projects:
            query = select(func.count()).select_from(Lead).where(*_candidates(p, now))
            total += int(await session.scalar(query) or 0)
    return total


def decay_lead(session: AsyncSession, *, lead: Lead, p: _ProjectDecay, now: datetime) -> bool:
    """Apply today's decay to one locked lead; say whether its score changed."""
    today: date = utc_date(now)
    decision = plan_decay(
        base_score=lead.base_score,
        current_score=lead.score,
        last_event_at=lead.last_event_at,
        last_decay_day=lead.last_decay_on,
        now=now,
        policy=p.policy,
    )
    lead.last_decay_on = today
    if decision is None:
        return False
    lead.score = decision.new_score
    lead.stage = stage_for(decision.new_score, p.thresholds)
    lead.updated_at = utcnow()
    session.add(
        ScoreHistory(
            project_id=lead.project_id,
            lead_id=lead.id,
            cause="decay",
            points=0,
            old_score=decision.old_score,
            new_score=decision.new_score,
            delta=decision.delta,
            event_timestamp=now,
            detail={
                "days": decision.days,
                "rate": p.policy.daily_rate,
                "graceDays": p.policy.grace_days,
                "baseScore": lead.base_score,
                "day": today.isoformat(),
            },
        )
    )
    return True


async def _batch(
    db: Database,
    p: _ProjectDecay,
    *,
    now: datetime,
    after: tuple[datetime, int] | None,
    size: int,
) -> tuple[int, int, tuple[datetime, int] | None]:
    query = select(Lead).where(*_candidates(p, now))
    if after is not None:
        at, lead_id = after
        query = query.where(
            or_(Lead.last_event_at > at, and_(Lead.last_event_at == at, Lead.id > lead_id))
        )
    query = query.order_by(Lead.last_event_at, Lead.id).limit(size)
    if db.is_postgres:
        query = query.with_for_update(skip_locked=True)
    async with db.transaction() as session:
        leads = list(await session.scalars(query))
        changed = sum(decay_lead(session, lead=lead, p=p, now=now) for lead in leads)
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
) -> DecayReport:
    """Decay every idle lead (of one project, or all) as of ``now``."""
    require_aware(now, "now")
    projects = await _projects(db, project_id)
    report = DecayReport(projects=len(projects), candidates=await _count(db, projects, now))
    if progress is not None:
        progress(0, report.candidates)
    for p in projects:
        after: tuple[datetime, int] | None = None
        while True:
            scanned, changed, after = await _batch(db, p, now=now, after=after, size=batch)
            report.scanned += scanned
            report.decayed += changed
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
