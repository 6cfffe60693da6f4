"""Helpers of the Segment API tests: ids, HTTP Basic, and reading what was stored."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from sqlalchemy import select

from leadpulse.store.models import Event, Lead


def basic(key: str) -> dict[str, str]:
    """HTTP Basic with the write key as user name and an empty password (as the libraries)."""
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def uid() -> str:
    return f"user-{uuid.uuid4().hex[:10]}"


def anon() -> str:
    return f"anon-{uuid.uuid4().hex[:10]}"


async def live_leads(db: Any, project_id: int) -> list[Lead]:
    """The project's leads that were not merged into another, by id."""
    async with db.sessions() as session:
        rows = await session.scalars(
            select(Lead)
            .where(Lead.project_id == project_id, Lead.merged_into_id.is_(None))
            .order_by(Lead.id)
        )
        return list(rows)


async def events_of(db: Any, project_id: int) -> list[Event]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(Event).where(Event.project_id == project_id).order_by(Event.id)
        )
        return list(rows)
