"""What a lead did: timeline by session, score history, intelligence, the project event feed.

Timeline deltas come from ``score_history`` joined on ``event_row_id``; when an event was
rescored (a recompute), its newest row counts. The event feed pages with an opaque cursor
encoding ``(received_at, id)`` of the last item, newest first, on
``ix_events_project_received``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.api.schemas import MAX_BIGINT
from leadpulse.core.intelligence import Intelligence, assess
from leadpulse.core.stages import Stage
from leadpulse.errors import InvalidInput
from leadpulse.leads import schemas
from leadpulse.leads.service import get_lead
from leadpulse.store.models import Event, Lead, ScoreHistory

INTELLIGENCE_WINDOW = timedelta(days=7)
SCORED_CAUSES = ("rule", "recompute")
# Event columns a timeline shows as they are stored.
TIMELINE_COLUMNS = ("id", "event_id", "event_type", "timestamp", "received_at", "processed")


async def _latest_rows(
    session: AsyncSession, *, lead_id: int, event_row_ids: Sequence[int]
) -> dict[int, ScoreHistory]:
    if not event_row_ids:
        return {}
    rows = await session.scalars(
        select(ScoreHistory)
        .where(
            ScoreHistory.lead_id == lead_id,
            ScoreHistory.event_row_id.in_(event_row_ids),
            ScoreHistory.cause.in_(SCORED_CAUSES),
        )
        .order_by(ScoreHistory.id)
    )
    latest: dict[int, ScoreHistory] = {}
    for row in rows:
        assert row.event_row_id is not None
        latest[row.event_row_id] = row  # ascending ids: the newest row wins
    return latest


def _timeline_event(event: Event, row: ScoreHistory | None) -> schemas.TimelineEvent:
    return schemas.TimelineEvent(
        **{name: getattr(event, name) for name in TIMELINE_COLUMNS},
        properties=event.properties or {},
        delta=row.delta if row is not None else 0,
        score=row.new_score if row is not None else None,
    )


def group_by_session(
    events: Sequence[schemas.TimelineEvent], sessions_of: Sequence[str | None]
) -> list[schemas.TimelineSession]:
    """Group newest-first events by session; sessions ordered by their newest event."""
    groups: dict[str | None, list[schemas.TimelineEvent]] = {}
    for event, session_id in zip(events, sessions_of, strict=True):
        groups.setdefault(session_id, []).append(event)  # dicts keep first-seen order
    return [
        schemas.TimelineSession(
            session_id=session_id,
            started_at=min(e.timestamp for e in items),
            ended_at=max(e.timestamp for e in items),
            events=items,
        )
        for session_id, items in groups.items()
    ]


async def timeline(
    session: AsyncSession, *, project_id: int, lead_id: int, limit: int
) -> schemas.Timeline:
    """Return a lead's newest events grouped by session, each with its score delta."""
    await get_lead(session, project_id=project_id, lead_id=lead_id)
    events = list(
        await session.scalars(
            select(Event)
            .where(Event.lead_id == lead_id, Event.project_id == project_id)
            .order_by(Event.timestamp.desc(), Event.event_id.desc())
            .limit(limit)
        )
    )
    latest = await _latest_rows(session, lead_id=lead_id, event_row_ids=[e.id for e in events])
    rendered = [_timeline_event(e, latest.get(e.id)) for e in events]
    return schemas.Timeline(
        lead_id=lead_id, sessions=group_by_session(rendered, [e.session_id for e in events])
    )


async def history(
    session: AsyncSession, *, project_id: int, lead_id: int, limit: int, offset: int
) -> tuple[list[ScoreHistory], int]:
    """Return one page of a lead's score history, newest first, and the row count."""
    await get_lead(session, project_id=project_id, lead_id=lead_id)
    where = (ScoreHistory.lead_id == lead_id, ScoreHistory.project_id == project_id)
    total = await session.scalar(select(func.count()).select_from(ScoreHistory).where(*where))
    rows = await session.scalars(
        select(ScoreHistory)
        .where(*where)
        .order_by(ScoreHistory.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


async def intelligence(
    session: AsyncSession, *, project_id: int, lead_id: int, now: datetime
) -> Intelligence:
    """Assess a lead at ``now`` from its score, stage and last 7 days of event times."""
    lead = await get_lead(session, project_id=project_id, lead_id=lead_id)
    times = await session.scalars(
        select(Event.timestamp).where(
            Event.lead_id == lead_id,
            Event.timestamp > now - INTELLIGENCE_WINDOW,
            Event.timestamp <= now,
        )
    )
    return assess(
        score=lead.score,
        stage=cast(Stage, lead.stage),
        event_times=list(times),
        last_event_at=lead.last_event_at,
        now=now,
    )


def encode_cursor(received_at: datetime, row_id: int) -> str:
    """Encode the position after an event as an opaque cursor."""
    raw = json.dumps([received_at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Decode a cursor from ``encode_cursor``; 422 naming ``query.cursor`` if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, row_id = json.loads(raw)
        at = datetime.fromisoformat(stamp)
        if at.tzinfo is None or not isinstance(row_id, int) or not 0 <= row_id <= MAX_BIGINT:
            raise ValueError("bad cursor")
        at = at.astimezone(UTC)  # a tampered offset can carry it out of range
    except (ValueError, TypeError, OverflowError, RecursionError, binascii.Error) as exc:
        raise InvalidInput.field("query.cursor", "not a cursor from this endpoint") from exc
    return at, row_id


def _after(cursor: str) -> ColumnElement[bool]:
    at, row_id = decode_cursor(cursor)
    return or_(Event.received_at < at, and_(Event.received_at == at, Event.id < row_id))


async def list_events(
    session: AsyncSession,
    *,
    project_id: int,
    event_type: str | None = None,
    lead_id: int | None = None,
    since: datetime | None = None,
    limit: int = schemas.DEFAULT_PAGE,
    cursor: str | None = None,
) -> tuple[list[schemas.EventRead], str | None]:
    """Return a page of the project's events, newest received first, and the next cursor."""
    where: list[ColumnElement[bool]] = [Event.project_id == project_id]
    if lead_id is not None:
        await get_lead(session, project_id=project_id, lead_id=lead_id)
        where.append(Event.lead_id == lead_id)
    if event_type is not None:
        where.append(Event.event_type == event_type)
    if since is not None:
        where.append(Event.received_at >= since)
    if cursor is not None:
        where.append(_after(cursor))
    # One join for the whole page: each row names its lead as the lead is now (an event sent
    # before the visitor identified still shows who they turned out to be).
    query = (
        select(Event, Lead.email, Lead.name, Lead.anonymous_id)
        .join(Lead, Lead.id == Event.lead_id)
        .where(*where)
        .order_by(Event.received_at.desc(), Event.id.desc())
        .limit(limit + 1)
    )
    rows = (await session.execute(query)).all()
    page = [
        schemas.EventRead.model_validate(event).model_copy(
            update={"lead_email": email, "lead_name": name, "anonymous_id": anonymous_id}
        )
        for event, email, name, anonymous_id in rows[:limit]
    ]
    more = len(rows) > limit
    next_cursor = encode_cursor(page[-1].received_at, page[-1].id) if more else None
    return page, next_cursor
