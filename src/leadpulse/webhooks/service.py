"""Webhook subscriptions (per project) and their delivery rows (a lane of the outbox).

Functions take the caller's session; the entry point opens and commits the transaction.
``check_target`` resolves a URL's host name, so entry points call it before opening theirs.
Deliveries are written here only: ``expand`` (the outbox dispatcher, one row per message per
subscription, unique on (subscription, outbox entry, type)), ``send_test``, ``redeliver``
and ``erase`` (GDPR).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.config import Settings
from leadpulse.core.consequences import Consequence
from leadpulse.errors import Conflict, InvalidInput, NotFound
from leadpulse.store.models import WebhookDelivery, WebhookSubscription
from leadpulse.store.sql import insert, table_of
from leadpulse.store.types import utcnow
from leadpulse.webhooks import signing, ssrf
from leadpulse.webhooks.messages import Message, messages_for, ping_message

DELIVERIES = table_of(WebhookDelivery)
INSERT_CHUNK = 500
Row = dict[str, Any]


def new_message_id() -> str:
    """Mint a ``webhook-id``: ``msg_`` + 32 hex characters."""
    return f"msg_{uuid.uuid4().hex}"


async def check_target(
    settings: Settings, *, url: str, loc: str, allow_unresolved: bool = True
) -> str | None:
    """Refuse a URL the SSRF guard would refuse, as a 422 naming ``loc``.

    A host that does not resolve (yet) is accepted with a warning, returned, unless
    ``allow_unresolved`` is False: every delivery checks the address again, and DNS for a
    new endpoint often lags behind its set-up.
    """
    try:
        await ssrf.check_url(url, allow_private=settings.webhooks_allow_private)
    except ssrf.TargetRefused as exc:
        if not exc.retryable:
            raise InvalidInput.field(loc, str(exc)) from exc
        unresolved = f"the host {ssrf.parse_url(url).host} does not resolve to an address"
        if not allow_unresolved:
            raise InvalidInput.field(loc, f"{unresolved} (DNS lookup failed)") from exc
        return (
            f"{unresolved.capitalize()} yet (DNS lookup failed). The webhook was saved; each "
            "delivery looks the host up again and is retried until it resolves."
        )
    return None


async def get_subscription(
    session: AsyncSession, *, project_id: int, subscription_id: int
) -> WebhookSubscription:
    """Load a subscription of the project, or raise NotFound."""
    row = await session.get(WebhookSubscription, subscription_id)
    if row is None or row.project_id != project_id:
        raise NotFound(f"No webhook subscription {subscription_id} in this project.")
    return row


async def check_changes(settings: Settings, changes: dict[str, Any]) -> str | None:
    """Refuse a changed URL the SSRF guard would refuse; return its warning, if any
    (see ``check_target``)."""
    if "url" in changes:
        return await check_target(settings, url=changes["url"], loc="body.url")
    return None


async def create_subscription(
    session: AsyncSession, *, project_id: int, url: str, events: list[str], active: bool
) -> WebhookSubscription:
    """Subscribe a URL (checked with ``check_target``) to event types with a fresh secret."""
    row = WebhookSubscription(
        project_id=project_id, url=url, events=events, secret=signing.new_secret(), active=active
    )
    session.add(row)
    await session.flush()
    return row


async def list_subscriptions(
    session: AsyncSession, *, project_id: int, limit: int, offset: int
) -> tuple[list[WebhookSubscription], int]:
    """List a project's subscriptions, newest first, with the total count."""
    where = WebhookSubscription.project_id == project_id
    total = await session.scalar(select(func.count()).where(where))
    rows = await session.scalars(
        select(WebhookSubscription)
        .where(where)
        .order_by(WebhookSubscription.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total or 0


async def update_subscription(
    session: AsyncSession, *, project_id: int, subscription_id: int, changes: dict[str, Any]
) -> WebhookSubscription:
    """Change a subscription's URL (checked with ``check_changes``), events or active flag."""
    row = await get_subscription(session, project_id=project_id, subscription_id=subscription_id)
    for name, value in changes.items():
        setattr(row, name, value)
    await session.flush()
    return row


async def delete_subscription(
    session: AsyncSession, *, project_id: int, subscription_id: int
) -> None:
    """Delete a subscription and its delivery log."""
    row = await get_subscription(session, project_id=project_id, subscription_id=subscription_id)
    await session.delete(row)


async def list_deliveries(
    session: AsyncSession,
    *,
    project_id: int,
    subscription_id: int,
    limit: int,
    offset: int,
    status: str | None = None,
) -> tuple[list[WebhookDelivery], int]:
    """List a subscription's deliveries, newest first, with the total count."""
    await get_subscription(session, project_id=project_id, subscription_id=subscription_id)
    conditions = [
        WebhookDelivery.subscription_id == subscription_id,
        WebhookDelivery.project_id == project_id,
    ]
    if status is not None:
        conditions.append(WebhookDelivery.status == status)
    total = await session.scalar(select(func.count()).where(*conditions))
    rows = await session.scalars(
        select(WebhookDelivery)
        .where(*conditions)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total or 0


async def redeliver(
    session: AsyncSession, *, project_id: int, subscription_id: int, delivery_id: int
) -> WebhookDelivery:
    """Queue a delivery again now, with a fresh attempt budget and the same webhook-id."""
    now = utcnow()
    await get_subscription(session, project_id=project_id, subscription_id=subscription_id)
    row = await session.get(WebhookDelivery, delivery_id)
    if row is None or row.subscription_id != subscription_id:
        raise NotFound(f"No delivery {delivery_id} for webhook {subscription_id}.")
    if row.status == "pending" and row.locked_until is not None and row.locked_until > now:
        raise Conflict("This delivery is being attempted right now; try again shortly.")
    row.status = "pending"
    row.attempts = 0
    row.next_attempt_at = now
    row.locked_until = None
    row.delivered_at = None
    return row


async def send_test(
    session: AsyncSession, *, project_id: int, subscription_id: int
) -> WebhookDelivery:
    """Queue a ``ping`` message to one subscription (active or not)."""
    await get_subscription(session, project_id=project_id, subscription_id=subscription_id)
    row = _delivery(ping_message(project_id, subscription_id), subscription_id)
    session.add(row)
    await session.flush()
    return row


def _delivery(message: Message, subscription_id: int) -> WebhookDelivery:
    return WebhookDelivery(
        project_id=message.project_id,
        subscription_id=subscription_id,
        message_id=new_message_id(),
        event_type=message.type,
        payload=message.payload(),
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
    )


async def _subscriptions(session: AsyncSession, projects: set[int]) -> list[Any]:
    rows = await session.execute(
        select(
            WebhookSubscription.id, WebhookSubscription.project_id, WebhookSubscription.events
        ).where(WebhookSubscription.project_id.in_(projects), WebhookSubscription.active.is_(True))
    )
    return list(rows.all())


def _delivery_rows(consequences: Sequence[Consequence], subscriptions: Sequence[Any]) -> list[Row]:
    now = utcnow()
    return [
        {
            "project_id": message.project_id,
            "subscription_id": sub.id,
            "outbox_id": c.outbox_id,
            "lead_id": message.lead_id,
            "message_id": new_message_id(),
            "event_type": message.type,
            "payload": message.payload(),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": c.due_at,
            "created_at": now,
        }
        for c in consequences
        for message in messages_for(c.outcome, c.due_at)
        for sub in subscriptions
        if sub.project_id == message.project_id and message.type in (sub.events or ())
    ]


async def expand(session: AsyncSession, consequences: Sequence[Consequence]) -> int:
    """Add one delivery per message per active subscription listing its type, due from the
    entry's write time; an entry expanded before adds nothing. Return how many were added."""
    projects = {c.outcome.project_id for c in consequences}
    if not projects:
        return 0
    rows = _delivery_rows(consequences, await _subscriptions(session, projects))
    added = 0
    for start in range(0, len(rows), INSERT_CHUNK):  # SQLite binds at most 32 766 values
        stmt = (
            insert(session, DELIVERIES)
            .values(rows[start : start + INSERT_CHUNK])
            .on_conflict_do_nothing(index_elements=["subscription_id", "outbox_id", "event_type"])
            .returning(DELIVERIES.c.id)
        )
        added += len((await session.execute(stmt)).scalars().all())
    return added


async def erase(session: AsyncSession, *, project_id: int, lead_ids: Sequence[int]) -> None:
    """Delete the deliveries that copied data of erased leads of a project (GDPR): they can
    no longer be read or redelivered."""
    await session.execute(
        delete(DELIVERIES).where(
            DELIVERIES.c.lead_id.in_(lead_ids), DELIVERIES.c.project_id == project_id
        )
    )
