"""Write: apply the planner's decisions inside the scoring transaction.

For a batch of planned leads, in this order: delete the history rows each rewind replaces
(per rewound lead), set each lead's new state (the ORM flushes the lead rows together), insert
every lead's ``rule`` history rows in one statement (``leads.history``, ids returned in order),
and mark the consumed events processed in one statement. Deleting before inserting matters:
the new rows lie in the rewound span. Returns the ``LeadScored`` outcomes published after
commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.core.outcomes import LeadScored
from leadpulse.core.planner import LeadPlan, ScoredState
from leadpulse.leads import history
from leadpulse.leads import service as leads_service
from leadpulse.store.models import Event, Lead
from leadpulse.store.sql import table_of

EVENTS = table_of(Event)
Planned = tuple[Lead, LeadPlan]


def _set_state(lead: Lead, state: ScoredState) -> None:
    lead.score = lead.base_score = state.score
    lead.stage = state.stage
    lead.events_last_24h = state.events_last_24h
    lead.velocity_score = state.velocity_score
    lead.event_count = state.event_count
    lead.last_event_at = state.last_event_at
    lead.last_event_key = state.last_event_key
    lead.last_decay_on = state.last_decay_on
    lead.updated_at = state.updated_at


async def _mark_processed(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    if ids:
        await session.execute(
            update(EVENTS).where(EVENTS.c.id.in_(ids)).values(processed=True, processed_at=now)
        )


async def write_plans(
    session: AsyncSession, planned: Sequence[Planned], now: datetime
) -> list[LeadScored]:
    """Write the planned leads (see the module docstring); return their outcomes."""
    for lead, plan in planned:
        if plan.rewind is not None:
            await history.delete_replaced(session, lead_id=lead.id, rewind=plan.rewind)
        _set_state(lead, plan.state)
    await session.flush()
    rows = [
        history.rule_rows(
            project_id=lead.project_id, lead_id=lead.id, changes=plan.changes, now=now
        )
        for lead, plan in planned
    ]
    ids = await history.write(session, [row for lead_rows in rows for row in lead_rows])
    await _mark_processed(session, [i for _, plan in planned for i in plan.processed], now)
    outcomes: list[LeadScored] = []
    start = 0
    for (lead, plan), lead_rows in zip(planned, rows, strict=True):
        written = history.mutations(lead_rows, ids[start : start + len(lead_rows)])
        previous = (plan.previous.score, plan.previous.stage)
        outcomes.append(
            leads_service.scored_outcome(
                lead, previous=previous, event_types=plan.event_types, mutations=written, at=now
            )
        )
        start += len(lead_rows)
    return outcomes
