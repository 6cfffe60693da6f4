"""One scoring transaction over a batch of claimed leads: load → plan (pure) → write.

The path of one event, from the route to its history row:

1. ``ingest.routes`` (``POST /api/ingest/event``) authenticates the key and hands the body to
   ``ingest.intake.Intake``, which validates it into an ``ingest.service.Incoming``.
2. ``ingest.committer.GroupCommitter`` gathers concurrent requests into one transaction and
   calls ``ingest.service.store``: upsert the leads, insert the events (``ON CONFLICT DO
   NOTHING`` on ``(project, eventId)``: a duplicate inserts nothing), and
   ``queue.jobs.enqueue`` a ``lead_jobs`` row per touched lead. Commit; the route answers
   202 and the wake-up channel nudges the workers.
3. ``worker.loop.Worker.step`` claims due jobs (``queue.jobs.claim``: a lease, SKIP LOCKED)
   and opens one transaction for the batch, which runs ``score_batch`` below:

   - load (``worker.load``): lock the leads (``FOR NO KEY UPDATE`` on PostgreSQL, in id
     order), move events that reached an already merged lead to its survivor, read the
     unprocessed events;
   - identities: events carrying an email, an external id (``userId``) or traits go through
     ``leads.identity`` in event-time order (its decisions are pure, in ``core.identity``);
     an alias event also merges the lead known by its previous id; a merge asks for a full
     rescore of the survivor;
   - plan (pure, ``core.planner``): ``rewind_for`` decides each lead's late-event cut; for a
     rewound lead, ``worker.load.span`` reads the history sum kept before the cut and the
     events from it; with the rules and thresholds (``rules.rulebook.RuleCache``) and the
     event counts, ``plan_lead`` folds the events and decides the new lead state;
   - write (``worker.write``): delete the history the rewinds replace, set the lead rows,
     insert the ``rule`` history rows (``leads.history``), mark the events processed;
   - ``queue.jobs.finish`` deletes the jobs (or re-queues dirty ones) and
     ``rules.service.record_rescore_progress`` advances rescore jobs;
   - consequences: one outbox entry per ``LeadMerged`` and ``LeadScored`` outcome, in one
     INSERT (``queue.entries.enqueue``) — automations and webhooks come from these.

4. Commit; ``Worker`` wakes the outbox dispatcher (``worker.dispatch``) and hands the
   outcomes to the post-commit hooks, which only push live updates.

Statements are per batch, not per lead, except where a lead needs its own: forwarding events
of a merged lead, an identify, and a rewind (kept sum, span, delete).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.core.consequences import entry_of
from leadpulse.core.outcomes import LeadMerged, LeadScored
from leadpulse.core.planner import Rewind, plan_lead, rewind_for
from leadpulse.core.scoring import EventFact
from leadpulse.core.segment import PREVIOUS_ID_KEY
from leadpulse.ingest.service import TRAITS_KEY
from leadpulse.leads import identity
from leadpulse.queue import entries, jobs
from leadpulse.queue.jobs import Claim
from leadpulse.rules import service as rules_service
from leadpulse.rules.rulebook import RuleCache
from leadpulse.store.models import Event, Lead
from leadpulse.store.sql import table_of
from leadpulse.store.types import utcnow
from leadpulse.worker import load, write

EVENTS = table_of(Event)


@dataclass(slots=True)
class BatchOutcome:
    """What a scoring transaction did (written to the outbox in it; live frames after it)."""

    scored: list[LeadScored] = field(default_factory=list)
    merged: list[LeadMerged] = field(default_factory=list)
    events: int = 0
    received: list[datetime] = field(default_factory=list)  # of the events loaded and scored


async def score_batch(
    session: AsyncSession, claims: Sequence[Claim], *, now: datetime, cache: RuleCache
) -> BatchOutcome:
    """Score the claimed leads inside the caller's transaction."""
    out = BatchOutcome()
    live, events = await _load(session, claims, now)
    out.received = [event.received_at for event in events]
    full = _full_rescores(claims) | await _resolve_identities(session, live, events, out)
    live = [lead for lead in live if lead.merged_into_id is None]  # an identify may merge
    await _enqueue_outside(session, full - {lead.id for lead in live}, now)
    planned = await _plan(session, live, load.facts_by_lead(events), full, now, cache)
    await _write(session, planned, out, now)
    await _finish(session, claims, out, now)
    return out


async def _load(
    session: AsyncSession, claims: Sequence[Claim], now: datetime
) -> tuple[list[Lead], list[Any]]:
    """Lock the claimed leads; return the live ones and their unprocessed events."""
    leads = await load.lock_leads(session, [c.lead_id for c in claims])
    await _forward_merged(session, [lead for lead in leads if lead.merged_into_id], now)
    live = [lead for lead in leads if lead.merged_into_id is None]
    return live, await load.unprocessed(session, [lead.id for lead in live])


def _full_rescores(claims: Sequence[Claim]) -> set[int]:
    return {c.lead_id for c in claims if c.full_rescore}


async def _write(
    session: AsyncSession, planned: list[write.Planned], out: BatchOutcome, now: datetime
) -> None:
    """Write the plans and count the events they processed."""
    if planned:
        out.scored.extend(await write.write_plans(session, planned, now))
        out.events += sum(len(plan.processed) for _, plan in planned)


async def _finish(
    session: AsyncSession, claims: Sequence[Claim], out: BatchOutcome, now: datetime
) -> None:
    """Finish the jobs, advance rescore jobs, and queue the batch's consequences."""
    await jobs.finish(session, claims)
    rescored = Counter(c.rescore_job_id for c in claims if c.rescore_job_id)
    await rules_service.record_rescore_progress(session, done=rescored, now=now)
    consequences = [entry_of(m) for m in out.merged] + [entry_of(s) for s in out.scored]
    await entries.enqueue(session, consequences, now=utcnow())  # the batch's one INSERT


async def _plan(
    session: AsyncSession,
    live: Sequence[Lead],
    new: dict[int, list[EventFact]],
    full: set[int],
    now: datetime,
    cache: RuleCache,
) -> list[write.Planned]:
    """Load the planner's inputs for the leads with work and plan each of them."""
    work: list[tuple[Lead, Rewind | None]] = [
        (lead, rewind_for(lead.last_event_key, new.get(lead.id, []), full=lead.id in full))
        for lead in live
        if new.get(lead.id) or lead.id in full
    ]
    if not work:
        return []
    spans = {
        lead.id: await load.span(session, lead_id=lead.id, rewind=rewind)
        for lead, rewind in work
        if rewind is not None
    }
    books = await cache.books(session, {lead.project_id for lead, _ in work})
    counts = await load.activity(session, [lead.id for lead, _ in work], now)
    return [
        (
            lead,
            plan_lead(
                load.snapshot(lead),
                new.get(lead.id, []),
                span=spans.get(lead.id),
                activity=counts[lead.id],
                rules=books[lead.project_id].rules,
                thresholds=books[lead.project_id].thresholds,
                now=now,
            ),
        )
        for lead, _ in work
    ]


async def _resolve_identities(
    session: AsyncSession, leads: Sequence[Lead], events: Sequence[Any], out: BatchOutcome
) -> set[int]:
    """Apply identifies in event order; return survivors that need a full rescore."""
    project_of = {lead.id: lead.project_id for lead in leads}
    carriers = sorted(
        (e for e in events if e.email or e.user_id or _traits(e)),
        key=lambda e: (e.timestamp, e.event_id),
    )
    rescore: set[int] = set()
    for event in carriers:
        for result in await _identify(session, event, project_of[event.lead_id]):
            out.merged.extend(result.merges)
            if result.needs_full_rescore:
                rescore.add(result.survivor_id)
    return rescore


def _traits(event: Any) -> dict[str, Any]:
    traits = (event.properties or {}).get(TRAITS_KEY) or {}
    return traits if isinstance(traits, dict) else {}


async def _identify(
    session: AsyncSession, event: Any, project_id: int
) -> list[identity.IdentityResult]:
    """Apply one event's identities: external id, then e-mail, then an alias's previous id.

    Traits travel with the first identity applied; with neither identity they are applied
    to the lead alone. An external id in conflict with the lead's stops there: the event is
    another person's, so neither its e-mail nor its traits are applied."""
    ids = {"project_id": project_id, "lead_id": event.lead_id, "at": event.timestamp}
    traits = _traits(event)
    results: list[identity.IdentityResult] = []
    if event.user_id:
        result = await identity.apply_external_id(
            session, **ids, external_id=event.user_id, traits=traits
        )
        if result.conflict:
            return [result]
        results.append(result)
    if event.email:
        results.append(
            await identity.apply_identity(
                session, **ids, email=event.email, traits={} if results else traits
            )
        )
    previous = (event.properties or {}).get(PREVIOUS_ID_KEY)
    if event.event_type == "alias" and isinstance(previous, str) and previous:
        results.append(await identity.merge_previous(session, **ids, previous_id=previous))
    if not results:
        results.append(await identity.apply_profile(session, **ids, traits=traits))
    return results


async def _forward_merged(session: AsyncSession, merged: Sequence[Lead], now: datetime) -> None:
    """Move events that reached a merged lead (a race with the merge) to its survivor."""
    if not merged:
        return
    targets = await identity.resolve_aliases(
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
    """Queue a full rescore of survivors that are not in this batch."""
    if not lead_ids:
        return
    rows = await session.execute(select(Lead.id, Lead.project_id).where(Lead.id.in_(lead_ids)))
    await jobs.enqueue(session, list(rows.all()), now=now, full_rescore=True)
