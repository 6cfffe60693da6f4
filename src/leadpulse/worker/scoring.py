"""One scoring transaction over a batch of claimed leads.

For each lead: lock it, resolve identities carried by its new events (which may merge leads),
load its unprocessed events and fold them in ``(timestamp, eventId)`` order with the
project's rules. If a new event sorts before the lead's last scored event, the history from
that point is replaced: the rule rows of the affected events and any decay rows after that
point are deleted and the span is folded again from the sum of the remaining rows, so a
lead's history rows always add up to its score. A full rescore (rule change, merge) does
the same from the first event. Events are marked processed in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.core.outcomes import LeadMerged, LeadScored, ScoreMutation
from leadpulse.core.scoring import EventFact, ScoreChange, event_order_key, fold
from leadpulse.core.stages import stage_for
from leadpulse.core.velocity import velocity_score
from leadpulse.ingest.service import TRAITS_KEY
from leadpulse.queue import jobs
from leadpulse.queue.jobs import Claim
from leadpulse.store.models import Event, Lead, RescoreJob, ScoreHistory
from leadpulse.store.sql import insert, is_postgres, table_of
from leadpulse.worker.rulebook import RuleBook, RuleCache

EVENTS = table_of(Event)
HISTORY = table_of(ScoreHistory)
REWRITABLE = ("rule", "decay")


def event_key(timestamp: datetime, event_id: str) -> str:
    """Encode an event's sort position as text that orders like (timestamp, eventId)."""
    return f"{timestamp.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')}|{event_id}"


@dataclass(slots=True)
class BatchOutcome:
    """What a scoring transaction did, published after it commits."""

    scored: list[LeadScored] = field(default_factory=list)
    merged: list[LeadMerged] = field(default_factory=list)
    events: int = 0


@dataclass(slots=True)
class _Plan:
    lead: Lead
    facts: list[EventFact]
    start: int
    previous_score: int
    previous_stage: str
    new_event_types: frozenset[str]
    processed_ids: list[int]
    changes: list[ScoreChange] = field(default_factory=list)


async def _lock_leads(session: AsyncSession, lead_ids: Sequence[int]) -> list[Lead]:
    query = select(Lead).where(Lead.id.in_(sorted(lead_ids))).order_by(Lead.id)
    if is_postgres(session):
        query = query.with_for_update(key_share=True)  # NO KEY UPDATE: ingest's FK locks pass
    rows = await session.scalars(query.execution_options(populate_existing=True))
    return list(rows)


async def _unprocessed(session: AsyncSession, lead_ids: Sequence[int]) -> list[Any]:
    rows = await session.execute(
        select(
            EVENTS.c.id,
            EVENTS.c.lead_id,
            EVENTS.c.event_id,
            EVENTS.c.event_type,
            EVENTS.c.timestamp,
            EVENTS.c.email,
            EVENTS.c.properties,
        ).where(EVENTS.c.lead_id.in_(lead_ids), EVENTS.c.processed.is_(False))
    )
    return list(rows.all())


async def _resolve_identities(
    session: AsyncSession, leads: Sequence[Lead], events: Sequence[Any], out: BatchOutcome
) -> set[int]:
    """Apply identifies in event order; return survivors that need a full rescore."""
    from leadpulse.leads import identity

    project_of = {lead.id: lead.project_id for lead in leads}
    carriers = sorted((e for e in events if e.email), key=lambda e: (e.timestamp, e.event_id))
    rescore: set[int] = set()
    for event in carriers:
        traits = (event.properties or {}).get(TRAITS_KEY) or {}
        result = await identity.apply_identity(
            session,
            project_id=project_of[event.lead_id],
            lead_id=event.lead_id,
            email=event.email,
            traits=traits if isinstance(traits, dict) else {},
            at=event.timestamp,
        )
        out.merged.extend(result.merges)
        if result.needs_full_rescore:
            rescore.add(result.survivor_id)
    return rescore


async def _all_events(session: AsyncSession, lead_id: int, since: datetime | None) -> list[Any]:
    query = select(
        EVENTS.c.id,
        EVENTS.c.event_id,
        EVENTS.c.event_type,
        EVENTS.c.timestamp,
        EVENTS.c.processed,
    ).where(EVENTS.c.lead_id == lead_id)
    if since is not None:
        query = query.where(EVENTS.c.timestamp >= since)
    return list((await session.execute(query)).all())


async def _rewind(session: AsyncSession, lead: Lead, cut: tuple[datetime, str] | None) -> int:
    """Delete history from ``cut`` on (all of it when None); return the score before it."""
    lead_rows = HISTORY.c.lead_id == lead.id
    if cut is None:
        await session.execute(delete(HISTORY).where(lead_rows, HISTORY.c.cause.in_(REWRITABLE)))
    else:
        stamp, event_id = cut
        from_cut = or_(
            HISTORY.c.event_timestamp > stamp,
            and_(HISTORY.c.event_timestamp == stamp, HISTORY.c.event_id >= event_id),
        )
        await session.execute(delete(HISTORY).where(lead_rows, HISTORY.c.cause == "rule", from_cut))
        await session.execute(
            delete(HISTORY).where(
                lead_rows, HISTORY.c.cause == "decay", HISTORY.c.event_timestamp >= stamp
            )
        )
    lead.last_decay_on = None
    total = await session.scalar(
        select(func.coalesce(func.sum(HISTORY.c.delta), 0)).where(lead_rows)
    )
    return int(total or 0)


def _facts(rows: Sequence[Any], cut: tuple[datetime, str] | None) -> list[EventFact]:
    facts = [EventFact(r.event_id, r.event_type, r.timestamp, r.id) for r in rows]
    if cut is not None:
        facts = [f for f in facts if event_order_key(f) >= cut]
    return facts


async def _plan_lead(
    session: AsyncSession, lead: Lead, new: Sequence[Any], full: bool
) -> _Plan | None:
    if not new and not full:
        return None
    new_facts = [EventFact(r.event_id, r.event_type, r.timestamp, r.id) for r in new]
    first_new = min((event_order_key(f) for f in new_facts), default=None)
    last_key = lead.last_event_key
    late = first_new is not None and last_key is not None and event_key(*first_new) < last_key
    base = _Plan(
        lead=lead,
        facts=new_facts,
        start=lead.score,
        previous_score=lead.score,
        previous_stage=lead.stage,
        new_event_types=frozenset(f.event_type for f in new_facts),
        processed_ids=[r.id for r in new],
    )
    if full or late:
        cut = None if full else first_new
        base.start = await _rewind(session, lead, cut)
        rows = await _all_events(session, lead.id, cut[0] if cut else None)
        base.facts = _facts(rows, cut)
        base.processed_ids = [r.id for r in rows if not r.processed]
    return base


def _history_rows(plan: _Plan, now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "project_id": plan.lead.project_id,
            "lead_id": plan.lead.id,
            "event_row_id": c.db_id,
            "event_id": c.event_id,
            "event_type": c.event_type,
            "event_timestamp": c.timestamp,
            "rule_id": c.rule_id,
            "cause": "rule",
            "points": c.points,
            "old_score": c.old_score,
            "new_score": c.new_score,
            "delta": c.delta,
            "created_at": now,
        }
        for c in plan.changes
    ]


async def _velocity(
    session: AsyncSession, lead_ids: Sequence[int], now: datetime
) -> dict[int, int]:
    rows = await session.execute(
        select(EVENTS.c.lead_id, func.count())
        .where(
            EVENTS.c.lead_id.in_(lead_ids),
            EVENTS.c.timestamp > now - timedelta(hours=24),
            EVENTS.c.timestamp <= now,
        )
        .group_by(EVENTS.c.lead_id)
    )
    return dict(rows.all())


async def _event_counts(session: AsyncSession, lead_ids: Sequence[int]) -> dict[int, int]:
    rows = await session.execute(
        select(EVENTS.c.lead_id, func.count())
        .where(EVENTS.c.lead_id.in_(lead_ids))
        .group_by(EVENTS.c.lead_id)
    )
    return dict(rows.all())


def _apply(plan: _Plan, book: RuleBook, velocity_24h: int, count: int, now: datetime) -> None:
    lead = plan.lead
    plan.changes = fold(plan.start, plan.facts, book.rules)
    score = plan.changes[-1].new_score if plan.changes else plan.start
    last = max(plan.facts, key=event_order_key, default=None)
    lead.score = lead.base_score = score
    lead.stage = stage_for(score, book.thresholds)
    lead.events_last_24h = velocity_24h
    lead.velocity_score = velocity_score(velocity_24h)
    lead.event_count = count
    if last is not None and (
        lead.last_event_key is None or event_key(*event_order_key(last)) >= lead.last_event_key
    ):
        lead.last_event_at = last.timestamp
        lead.last_event_key = event_key(*event_order_key(last))
    lead.updated_at = now


async def _write(session: AsyncSession, plans: Sequence[_Plan], now: datetime) -> list[list[int]]:
    rows = [row for plan in plans for row in _history_rows(plan, now)]
    ids: list[int] = []
    if rows:
        result = await session.execute(
            insert(session, HISTORY).returning(HISTORY.c.id, sort_by_parameter_order=True), rows
        )
        ids = [row_id for (row_id,) in result.all()]
    processed = [i for plan in plans for i in plan.processed_ids]
    if processed:
        await session.execute(
            update(EVENTS)
            .where(EVENTS.c.id.in_(processed))
            .values(processed=True, processed_at=now)
        )
    per_plan: list[list[int]] = []
    start = 0
    for plan in plans:
        per_plan.append(ids[start : start + len(plan.changes)])
        start += len(plan.changes)
    return per_plan


def _outcome(plan: _Plan, history_ids: Sequence[int], now: datetime) -> LeadScored:
    lead = plan.lead
    mutations = tuple(
        ScoreMutation(
            history_id=hid,
            project_id=lead.project_id,
            lead_id=lead.id,
            cause="rule",
            event_id=c.event_id,
            event_type=c.event_type,
            rule_id=c.rule_id,
            old_score=c.old_score,
            new_score=c.new_score,
            delta=c.delta,
            created_at=now,
        )
        for hid, c in zip(history_ids, plan.changes, strict=True)
    )
    return LeadScored(
        project_id=lead.project_id,
        lead_id=lead.id,
        anonymous_id=lead.anonymous_id,
        email=lead.email,
        name=lead.name,
        score=lead.score,
        previous_score=plan.previous_score,
        stage=lead.stage,
        previous_stage=plan.previous_stage,
        velocity_score=lead.velocity_score,
        events_last_24h=lead.events_last_24h,
        last_event_at=lead.last_event_at,
        event_types=plan.new_event_types,
        mutations=mutations,
        scored_at=now,
    )


async def _progress_rescores(session: AsyncSession, claims: Sequence[Claim], now: datetime) -> None:
    counts: dict[str, int] = {}
    for claim in claims:
        if claim.rescore_job_id:
            counts[claim.rescore_job_id] = counts.get(claim.rescore_job_id, 0) + 1
    for job_id, done in counts.items():
        await session.execute(
            update(RescoreJob).where(RescoreJob.id == job_id).values(done=RescoreJob.done + done)
        )
        await session.execute(
            update(RescoreJob)
            .where(RescoreJob.id == job_id, RescoreJob.done >= RescoreJob.total)
            .where(RescoreJob.status != "finished")
            .values(status="finished", finished_at=now)
        )


async def score_batch(
    session: AsyncSession, claims: Sequence[Claim], *, now: datetime, cache: RuleCache
) -> BatchOutcome:
    """Score the claimed leads inside the caller's transaction."""
    out = BatchOutcome()
    leads = await _lock_leads(session, [c.lead_id for c in claims])
    await _forward_merged(session, [lead for lead in leads if lead.merged_into_id], now)
    live = [lead for lead in leads if lead.merged_into_id is None]
    events = await _unprocessed(session, [lead.id for lead in live])
    full = {c.lead_id for c in claims if c.full_rescore}
    full |= await _resolve_identities(session, live, events, out)
    live = [lead for lead in live if lead.merged_into_id is None]
    await _enqueue_outside(session, full - {lead.id for lead in live}, now)
    by_lead: dict[int, list[Any]] = {}
    for event in events:
        by_lead.setdefault(event.lead_id, []).append(event)
    plans = [
        p
        for lead in live
        if (p := await _plan_lead(session, lead, by_lead.get(lead.id, []), lead.id in full))
    ]
    if plans:
        await _finish_plans(session, plans, now, cache, out)
    await jobs.finish(session, claims)
    await _progress_rescores(session, claims, now)
    return out


async def _finish_plans(
    session: AsyncSession,
    plans: Sequence[_Plan],
    now: datetime,
    cache: RuleCache,
    out: BatchOutcome,
) -> None:
    ids = [p.lead.id for p in plans]
    books = await cache.books(session, {p.lead.project_id for p in plans})
    velocity = await _velocity(session, ids, now)
    counts = await _event_counts(session, ids)
    for plan in plans:
        _apply(
            plan,
            books[plan.lead.project_id],
            velocity.get(plan.lead.id, 0),
            counts.get(plan.lead.id, 0),
            now,
        )
    await session.flush()
    history = await _write(session, plans, now)
    out.scored.extend(_outcome(p, h, now) for p, h in zip(plans, history, strict=True))
    out.events += sum(len(p.processed_ids) for p in plans)


async def _forward_merged(session: AsyncSession, merged: Sequence[Lead], now: datetime) -> None:
    """Move events that reached a merged lead (a race with the merge) to its survivor."""
    from leadpulse.leads.identity import resolve_aliases

    if not merged:
        return
    targets = await resolve_aliases(
        session, {m.id: m.merged_into_id for m in merged if m.merged_into_id}
    )
    for lead in merged:
        survivor = targets[lead.id]
        moved = await session.execute(
            update(EVENTS)
            .where(EVENTS.c.lead_id == lead.id, EVENTS.c.processed.is_(False))
            .values(lead_id=survivor)
        )
        if moved.rowcount:  # type: ignore[attr-defined]
            await jobs.enqueue(session, [(survivor, lead.project_id)], now=now, full_rescore=True)


async def _enqueue_outside(session: AsyncSession, lead_ids: set[int], now: datetime) -> None:
    if not lead_ids:
        return
    rows = await session.execute(select(Lead.id, Lead.project_id).where(Lead.id.in_(lead_ids)))
    await jobs.enqueue(session, list(rows.all()), now=now, full_rescore=True)
