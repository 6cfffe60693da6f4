"""GDPR: export everything stored about a lead, and erase it.

A lead's footprint is the lead row, its aliases (leads merged into it), and every row whose
``lead_id`` is one of them: events, score history, lead jobs, failed jobs, automation
executions, and the rows that copied the lead's data on its way out — webhook deliveries
(their payloads carry the e-mail and name; deleted, so they can be neither read nor
redelivered) and outbox entries. Erasing deletes all of it in the caller's transaction,
children first (history references events, events reference leads), then writes a
``lead.deleted`` outbox entry (ids only) for subscribers. Score-history rows of OTHER leads
that pointed at an erased event keep their numbers (``event_row_id`` is set to NULL by the
foreign key). Rows are deleted through their owners: ``leads.history``, ``queue.jobs``,
``queue.entries``, ``webhooks.service``. The outbox dispatcher reads a lead under a key-share
lock while it copies its data, so an erasure waits for it and then deletes the copies; an
entry dispatched later finds no lead and copies nothing. Nothing is kept in memory for
replay (the live updates keep no buffer).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from leadpulse.core.consequences import entry_of
from leadpulse.core.outcomes import LeadDeleted
from leadpulse.leads import history
from leadpulse.leads.service import get_lead
from leadpulse.queue import entries, jobs
from leadpulse.store.models import (
    AutomationExecution,
    Event,
    FailedJob,
    Lead,
    LeadJob,
    ScoreHistory,
)
from leadpulse.store.types import utcnow
from leadpulse.webhooks import service as webhooks_service


async def footprint_ids(
    session: AsyncSession, *, project_id: int, lead_id: int, for_update: bool = False
) -> list[int]:
    """Return the lead's id and the ids of the leads merged into it (ascending)."""
    # Locking the lead first makes a concurrent ingest for it wait (its FK check takes a
    # KEY SHARE lock) instead of slipping an event in between the deletes.
    await get_lead(session, project_id=project_id, lead_id=lead_id, for_update=for_update)
    aliases = await session.scalars(
        select(Lead.id).where(Lead.project_id == project_id, Lead.merged_into_id == lead_id)
    )
    return sorted({lead_id, *aliases})


async def _delete_rows(
    session: AsyncSession,
    table: type[AutomationExecution | Event],
    *,
    project_id: int,
    ids: list[int],
) -> None:
    await session.execute(
        delete(table)
        .where(table.lead_id.in_(ids), table.project_id == project_id)
        .execution_options(synchronize_session=False)
    )


async def erase_lead(session: AsyncSession, *, project_id: int, lead_id: int) -> list[int]:
    """Delete a lead, its aliases and every row that belongs to them or copied their data,
    and tell subscribers (``lead.deleted``, ids only); return the lead ids."""
    ids = await footprint_ids(session, project_id=project_id, lead_id=lead_id, for_update=True)
    await history.erase(session, project_id=project_id, lead_ids=ids)
    await _delete_rows(session, AutomationExecution, project_id=project_id, ids=ids)
    await webhooks_service.erase(session, project_id=project_id, lead_ids=ids)
    await entries.erase(session, project_id=project_id, lead_ids=ids)
    await jobs.erase(session, project_id=project_id, lead_ids=ids)
    await _delete_rows(session, Event, project_id=project_id, ids=ids)
    # Aliases first (they point at the lead), then the lead itself.
    await session.execute(
        delete(Lead)
        .where(Lead.id.in_(ids), Lead.id != lead_id)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(Lead).where(Lead.id == lead_id).execution_options(synchronize_session=False)
    )
    now = utcnow()
    gone = LeadDeleted(project_id, lead_id, tuple(i for i in ids if i != lead_id), now)
    await entries.enqueue(session, [entry_of(gone)], now=now)
    return ids


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_dict(row: DeclarativeBase) -> dict[str, Any]:
    """Return every column of a row as JSON-ready ``{column: value}``."""
    return {col.key: _jsonable(getattr(row, col.key)) for col in row.__table__.columns}


async def _rows(
    session: AsyncSession, table: type[Any], *, project_id: int, ids: list[int]
) -> list[dict[str, Any]]:
    result = await session.scalars(
        select(table)
        .where(table.lead_id.in_(ids), table.project_id == project_id)
        .order_by(*table.__table__.primary_key.columns)
    )
    return [row_dict(r) for r in result]


async def export_lead(session: AsyncSession, *, project_id: int, lead_id: int) -> dict[str, Any]:
    """Collect everything stored about a lead (and its aliases) as one JSON document."""
    ids = await footprint_ids(session, project_id=project_id, lead_id=lead_id)
    leads = {
        lead.id: row_dict(lead)
        for lead in await session.scalars(select(Lead).where(Lead.id.in_(ids)).order_by(Lead.id))
    }
    return {
        "exportedAt": utcnow().isoformat(),
        "lead": leads.pop(lead_id),
        "aliases": list(leads.values()),
        "events": await _rows(session, Event, project_id=project_id, ids=ids),
        "scoreHistory": await _rows(session, ScoreHistory, project_id=project_id, ids=ids),
        "automationExecutions": await _rows(
            session, AutomationExecution, project_id=project_id, ids=ids
        ),
        "failedJobs": await _rows(session, FailedJob, project_id=project_id, ids=ids),
        "leadJobs": await _rows(session, LeadJob, project_id=project_id, ids=ids),
    }
