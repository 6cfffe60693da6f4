"""Analytics of one project, computed by indexed SQL aggregates (never row by row in Python).

Index use: leads by ``ix_leads_project_stage_score`` / ``ix_leads_project_score``; events by
``ix_events_project_received`` / ``ix_events_project_type``; score history by
``ix_score_history_project_created``; executions by
``ix_automation_executions_project_created``. Hour buckets and time differences are the only
dialect-specific expressions (SQLite ``strftime``/``julianday``, PostgreSQL
``date_trunc``/``extract(epoch …)``). Functions read through the caller's session.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, extract, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.analytics import schemas
from leadpulse.core.stages import STAGES
from leadpulse.store.models import (
    Automation,
    AutomationExecution,
    Event,
    FailedJob,
    Lead,
    LeadJob,
    ScoreHistory,
    WorkerHeartbeat,
)

TOP_EVENT_TYPES = 20
TOP_LEADS = 5
LATENCY_WINDOW = timedelta(hours=24)
WORKER_ALIVE = timedelta(seconds=30)
HOUR = timedelta(hours=1)


def _hour_bucket(column: Any, *, postgres: bool) -> ColumnElement[Any]:
    if postgres:
        utc = func.timezone(literal_column("'UTC'"), column)
        return func.date_trunc(literal_column("'hour'"), utc)
    return func.strftime(literal_column("'%Y-%m-%d %H:00:00'"), column)


def _millis_between(start: Any, end: Any, *, postgres: bool) -> ColumnElement[Any]:
    if postgres:
        return extract("epoch", end - start) * 1000
    return (func.julianday(end) - func.julianday(start)) * 86_400_000.0


def _as_hour(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC)


def floor_hour(moment: datetime) -> datetime:
    """Return the start of the UTC hour containing ``moment``."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


async def _lead_figures(session: AsyncSession, project_id: int) -> dict[str, Any]:
    live = Lead.merged_into_id.is_(None)
    # Identified: we know who the person is, by e-mail or by the sender's own user id.
    identified = live & (Lead.email.is_not(None) | Lead.external_id.is_not(None))
    rows = await session.execute(
        select(
            Lead.stage,
            func.sum(case((live, 1), else_=0)),
            func.sum(case((live, Lead.score), else_=0)),
            func.sum(case((live, 0), else_=1)),
            func.sum(case((identified, 1), else_=0)),
        )
        .where(Lead.project_id == project_id)
        .group_by(Lead.stage)
    )
    by_stage = {stage: 0 for stage in STAGES}
    total = score_sum = merged = known = 0
    for stage, count, scores, merged_here, identified_here in rows:
        by_stage[stage] = by_stage.get(stage, 0) + int(count or 0)
        total += int(count or 0)
        score_sum += int(scores or 0)
        merged += int(merged_here or 0)
        known += int(identified_here or 0)
    return {
        "total_leads": total,
        "identified_leads": known,
        "qualified_leads": by_stage["qualified"],
        "average_score": round(score_sum / total, 1) if total else 0.0,
        "identity_resolutions": merged,
        "score_distribution": schemas.StageCounts(**{s: by_stage[s] for s in STAGES}),
    }


async def _event_figures(session: AsyncSession, project_id: int, now: datetime) -> dict[str, Any]:
    day_start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    mine = Event.project_id == project_id
    total = await session.scalar(select(func.count()).select_from(Event).where(mine))
    today = await session.scalar(
        select(func.count())
        .select_from(Event)
        .where(mine, Event.received_at >= day_start, Event.received_at < day_start + 24 * HOUR)
    )
    latency = _millis_between(Event.received_at, Event.processed_at, postgres=_pg(session))
    average = await session.scalar(
        select(func.avg(latency)).where(
            mine, Event.received_at >= now - LATENCY_WINDOW, Event.processed_at.is_not(None)
        )
    )
    count = func.count().label("n")
    types = await session.execute(
        select(Event.event_type, count)
        .where(mine)
        .group_by(Event.event_type)
        .order_by(count.desc(), Event.event_type)
        .limit(TOP_EVENT_TYPES)
    )
    return {
        "total_events": int(total or 0),
        "events_today": int(today or 0),
        "avg_processing_latency_ms": None if average is None else round(float(average), 1),
        "events_by_type": [schemas.TypeCount(event_type=t, count=n) for t, n in types],
    }


def _pg(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def _top_leads(session: AsyncSession, project_id: int) -> list[schemas.TopLead]:
    rows = await session.scalars(
        select(Lead)
        .where(Lead.project_id == project_id, Lead.merged_into_id.is_(None))
        .order_by(Lead.score.desc(), Lead.id.desc())
        .limit(TOP_LEADS)
    )
    return [schemas.TopLead.model_validate(lead) for lead in rows]


async def dashboard(
    session: AsyncSession, *, project_id: int, now: datetime
) -> schemas.DashboardOut:
    """Compute the project's headline figures as of ``now``."""
    leads = await _lead_figures(session, project_id)
    events = await _event_figures(session, project_id, now)
    top = await _top_leads(session, project_id)
    return schemas.DashboardOut(**leads, **events, top_leads=top)


async def _per_hour(
    session: AsyncSession, column: Any, project_column: Any, project_id: int, start: datetime
) -> dict[datetime, int]:
    bucket = _hour_bucket(column, postgres=_pg(session)).label("bucket")
    rows = await session.execute(
        select(bucket, func.count())
        .where(project_column == project_id, column >= start)
        .group_by(bucket)
    )
    return {_as_hour(hour): int(n) for hour, n in rows}


async def throughput(
    session: AsyncSession, *, project_id: int, hours: int, now: datetime
) -> schemas.ThroughputOut:
    """Count events and score mutations per UTC hour over the last ``hours`` hours."""
    start = floor_hour(now) - (hours - 1) * HOUR
    events = await _per_hour(session, Event.received_at, Event.project_id, project_id, start)
    mutations = await _per_hour(
        session, ScoreHistory.created_at, ScoreHistory.project_id, project_id, start
    )
    slots = [start + i * HOUR for i in range(hours)]
    buckets = [
        schemas.ThroughputBucket(
            hour=hour, events=events.get(hour, 0), score_mutations=mutations.get(hour, 0)
        )
        for hour in slots
    ]
    return schemas.ThroughputOut(hours=hours, buckets=buckets)


async def queue_health(
    session: AsyncSession, *, project_id: int, now: datetime
) -> schemas.QueueHealthOut:
    """Report the project's pending, running, retrying and dead-lettered jobs, and live workers."""
    pending = LeadJob.status == "pending"
    active = (LeadJob.status == "running") & (LeadJob.locked_until > now)
    retrying = pending & (LeadJob.attempts > 0)
    jobs = (
        await session.execute(
            select(
                func.sum(case((pending, 1), else_=0)),
                func.sum(case((active, 1), else_=0)),
                func.sum(case((retrying, 1), else_=0)),
                func.min(case((pending, LeadJob.enqueued_at))),
            ).where(LeadJob.project_id == project_id)
        )
    ).one()
    dead = await session.scalar(
        select(func.count())
        .select_from(FailedJob)
        .where(FailedJob.project_id == project_id, FailedJob.replayed_at.is_(None))
    )
    workers = await session.scalar(
        select(func.count())
        .select_from(WorkerHeartbeat)
        .where(WorkerHeartbeat.last_seen_at >= now - WORKER_ALIVE)
    )
    oldest = _as_aware(jobs[3])
    return schemas.QueueHealthOut(
        pending=int(jobs[0] or 0),
        active=int(jobs[1] or 0),
        failed=int(jobs[2] or 0),
        dead_letters=int(dead or 0),
        workers=int(workers or 0),
        oldest_pending_age_seconds=(
            None if oldest is None else round((now - oldest).total_seconds(), 1)
        ),
    )


def _as_aware(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def score_mutations(
    session: AsyncSession, *, project_id: int, limit: int
) -> list[schemas.ScoreMutationOut]:
    """Return the project's latest score-history rows with their lead's identity."""
    query = (
        select(ScoreHistory, Lead.name, Lead.email, Lead.anonymous_id)
        .join(Lead, Lead.id == ScoreHistory.lead_id)
        .where(ScoreHistory.project_id == project_id)
        .order_by(ScoreHistory.created_at.desc(), ScoreHistory.id.desc())
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    return [
        schemas.ScoreMutationOut.model_validate(row).model_copy(
            update={"lead_name": name, "lead_email": email, "anonymous_id": anonymous_id}
        )
        for row, name, email, anonymous_id in rows
    ]


async def automation_logs(
    session: AsyncSession, *, project_id: int, limit: int
) -> list[schemas.AutomationLogOut]:
    """Return the project's latest automation executions with the automation's name."""
    query = (
        select(AutomationExecution, Automation.name, Automation.action, Lead.name, Lead.email)
        .join(Automation, Automation.id == AutomationExecution.automation_id)
        .join(Lead, Lead.id == AutomationExecution.lead_id)
        .where(AutomationExecution.project_id == project_id)
        .order_by(AutomationExecution.created_at.desc(), AutomationExecution.id.desc())
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    return [
        schemas.AutomationLogOut(
            id=run.id,
            automation_id=run.automation_id,
            automation_name=name,
            action=action,
            lead_id=run.lead_id,
            lead_name=lead_name,
            lead_email=lead_email,
            status=run.status,
            attempts=run.attempts,
            response_code=run.response_code,
            error=run.error,
            created_at=run.created_at,
            finished_at=run.finished_at,
        )
        for run, name, action, lead_name, lead_email in rows
    ]
