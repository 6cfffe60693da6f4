"""Row factories shared by the integration tests: rows inserted directly (no API, no pipeline).

Each factory writes in a transaction of its own and takes overrides for any column.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from leadpulse.store.db import Database
from leadpulse.store.models import Event, Lead, Project, ScoreHistory, StageThreshold, User
from leadpulse.store.types import utcnow

_seq = itertools.count(1)


async def make_project(db: Database, **overrides: Any) -> int:
    """Insert a user and a project (default thresholds); return the project id."""
    async with db.transaction() as session:
        user = User(email=f"owner-{uuid.uuid4().hex[:10]}@example.com", name="Owner")
        session.add(user)
        await session.flush()
        project = Project(owner_id=user.id, name="Project", **overrides)
        session.add(project)
        await session.flush()
        session.add(StageThreshold(project_id=project.id))
        return project.id


async def make_lead(db: Database, project_id: int, **overrides: Any) -> Lead:
    """Insert a lead with overridable defaults (unique anonymousId)."""
    values: dict[str, Any] = {
        "anonymous_id": f"anon-{uuid.uuid4().hex[:12]}",
        "traits": {},
    }
    values.update(overrides)
    async with db.transaction() as session:
        lead = Lead(project_id=project_id, **values)
        session.add(lead)
    return lead


async def make_event(db: Database, project_id: int, lead_id: int, **overrides: Any) -> Event:
    """Insert an event of a lead (unique eventId, page_view now, unprocessed)."""
    values: dict[str, Any] = {
        "event_id": f"ev-{next(_seq):06d}-{uuid.uuid4().hex[:6]}",
        "event_type": "page_view",
        "timestamp": utcnow(),
        "properties": {},
    }
    values.update(overrides)
    async with db.transaction() as session:
        event = Event(project_id=project_id, lead_id=lead_id, **values)
        session.add(event)
    return event


async def make_history(
    db: Database, project_id: int, lead_id: int, **overrides: Any
) -> ScoreHistory:
    """Insert a score-history row (a rule row of +5 from 0 unless overridden)."""
    values: dict[str, Any] = {
        "cause": "rule",
        "points": 5,
        "old_score": 0,
        "new_score": 5,
        "delta": 5,
    }
    values.update(overrides)
    async with db.transaction() as session:
        row = ScoreHistory(project_id=project_id, lead_id=lead_id, **values)
        session.add(row)
    return row
