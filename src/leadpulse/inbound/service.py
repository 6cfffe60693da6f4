"""Inbound sources and the webhook ids they delivered (this module owns ``inbound_sources``
and ``inbound_receipts``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.errors import InvalidInput, NotFound
from leadpulse.store.models import InboundReceipt, InboundSource
from leadpulse.store.sql import insert, table_of
from leadpulse.webhooks import signing

RECEIPTS = table_of(InboundReceipt)


async def create_source(
    session: AsyncSession, *, project_id: int, values: dict[str, Any]
) -> InboundSource:
    """Create a source with a fresh ``whsec_`` secret."""
    source = InboundSource(project_id=project_id, secret=signing.new_secret(), **values)
    session.add(source)
    await session.flush()
    return source


async def list_sources(
    session: AsyncSession, *, project_id: int, limit: int, offset: int
) -> tuple[list[InboundSource], int]:
    """Return a page of the project's sources, newest first, and their total."""
    where = InboundSource.project_id == project_id
    total = await session.scalar(select(func.count()).select_from(InboundSource).where(where))
    rows = await session.scalars(
        select(InboundSource)
        .where(where)
        .order_by(InboundSource.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


async def get_source(session: AsyncSession, *, project_id: int, source_id: int) -> InboundSource:
    """Return one source of the project, or raise NotFound."""
    source = await session.get(InboundSource, source_id)
    if source is None or source.project_id != project_id:
        raise NotFound(f"Inbound source {source_id} not found.")
    return source


async def update_source(
    session: AsyncSession, *, project_id: int, source_id: int, changes: dict[str, Any]
) -> InboundSource:
    """Apply changes to a source."""
    source = await get_source(session, project_id=project_id, source_id=source_id)
    for name, value in changes.items():
        setattr(source, name, value)
    if source.scheme == "hmac" and not source.hmac.get("header"):
        raise InvalidInput.field("body.hmac", "scheme hmac needs the hmac settings", "missing")
    await session.flush()
    return source


async def delete_source(session: AsyncSession, *, project_id: int, source_id: int) -> None:
    """Delete a source and its receipts."""
    source = await get_source(session, project_id=project_id, source_id=source_id)
    await session.delete(source)


async def active_source(session: AsyncSession, *, source_id: int) -> InboundSource:
    """Return an active source by id (the receiving endpoint has no caller), or NotFound."""
    source = await session.get(InboundSource, source_id)
    if source is None or not source.active:
        raise NotFound(f"Inbound source {source_id} not found.")
    return source


async def seen(session: AsyncSession, *, source_id: int, message_id: str) -> bool:
    """Tell whether the source already delivered ``message_id`` (unique source, id)."""
    found = await session.scalar(
        select(RECEIPTS.c.id).where(
            RECEIPTS.c.source_id == source_id, RECEIPTS.c.message_id == message_id
        )
    )
    return found is not None


async def remember(
    session: AsyncSession, *, source_id: int, message_id: str, now: datetime
) -> None:
    """Record that the source delivered ``message_id``."""
    stmt = insert(session, RECEIPTS).on_conflict_do_nothing(
        index_elements=[RECEIPTS.c.source_id, RECEIPTS.c.message_id]
    )
    await session.execute(
        stmt, [{"source_id": source_id, "message_id": message_id, "received_at": now}]
    )
