"""Delivering webhook rows: claim due rows, POST them signed, record the outcome.

Each row is one message to one subscription, retried under the same ``webhook-id`` with a
fresh ``webhook-timestamp`` and signature per attempt. Outcome rules (see ``policy``): 2xx
→ ``succeeded``; network error, timeout, 408, 429, 5xx → retried with backoff until
``settings.webhook_max_attempts``; other statuses, an SSRF refusal, or an inactive
subscription → ``failed`` at once. Rows survive restarts; ``queue.outbox`` states how they
are claimed and recorded under a lease, and how ``drain`` owns its transactions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse.config import Settings
from leadpulse.container import Container
from leadpulse.queue import outbox
from leadpulse.store.models import WebhookDelivery, WebhookSubscription
from leadpulse.store.types import utcnow
from leadpulse.webhooks import policy, signing, transport
from leadpulse.webhooks.policy import AttemptResult

log = structlog.get_logger("leadpulse.webhooks")
LOOP = "webhooks"


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """A leased delivery with what its attempt needs."""

    id: int
    message_id: str
    payload: dict[str, Any]
    attempts: int
    url: str
    secret: str
    subscription_active: bool
    lease_until: datetime


def encode(payload: dict[str, Any]) -> bytes:
    """Serialise a payload exactly as it is signed and sent."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


async def claim(session: AsyncSession, now: datetime, *, lease: timedelta) -> list[ClaimedDelivery]:
    """Lease a batch of due deliveries."""
    lease_until = now + lease
    ids = await outbox.claim_due(
        session,
        WebhookDelivery,
        due_column=WebhookDelivery.next_attempt_at,
        now=now,
        lease_until=lease_until,
    )
    if not ids:
        return []
    rows = await session.execute(
        select(WebhookDelivery, WebhookSubscription)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(WebhookDelivery.id.in_(ids))
        .order_by(WebhookDelivery.id)
    )
    return [
        ClaimedDelivery(
            id=d.id,
            message_id=d.message_id,
            payload=d.payload,
            attempts=d.attempts,
            url=s.url,
            secret=s.secret,
            subscription_active=s.active,
            lease_until=lease_until,
        )
        for d, s in rows.all()
    ]


async def attempt(
    client: httpx.AsyncClient, item: ClaimedDelivery, *, settings: Settings
) -> AttemptResult:
    """Send one signed attempt of a delivery; never raise."""
    if not item.subscription_active:
        return AttemptResult(None, "the subscription is inactive")
    body = encode(item.payload)
    headers = {
        "Content-Type": "application/json",
        **signing.signed_headers(
            item.secret, message_id=item.message_id, sent_at=utcnow(), body=body
        ),
    }
    return await transport.send(
        client,
        method="POST",
        url=item.url,
        headers=headers,
        content=body,
        allow_private=settings.webhooks_allow_private,
    )


# A delivery is stamped ``delivered_at`` when it succeeds; a failed one keeps no end time.
outcome_values = partial(
    policy.outcome_values,
    retry_column="next_attempt_at",
    done_column="delivered_at",
    stamp_failure=False,
)


async def record(
    session: AsyncSession,
    item: ClaimedDelivery,
    result: AttemptResult,
    *,
    now: datetime,
    max_attempts: int,
) -> bool:
    """Store an attempt's result if the lease is still ours; tell whether it was stored."""
    values = outcome_values(result, attempts=item.attempts, max_attempts=max_attempts, now=now)
    stored = await outbox.record_under_lease(
        session, WebhookDelivery, row_id=item.id, lease_until=item.lease_until, values=values
    )
    log.info(
        "webhook_attempt",
        delivery_id=item.id,
        message_id=item.message_id,
        attempt=item.attempts,
        status=values.get("status", "retry"),
        response_code=result.status_code,
        error=result.error,
        stored=stored,
    )
    return stored


async def _attempt_and_record(
    container: Container,
    client: httpx.AsyncClient,
    now: datetime | None,
    item: ClaimedDelivery,
) -> None:
    settings = container.settings
    result = await attempt(client, item, settings=settings)
    async with container.db.transaction() as session:
        await record(
            session, item, result, now=now or utcnow(), max_attempts=settings.webhook_max_attempts
        )


async def drain(container: Container, *, now: datetime | None = None) -> int:
    """Attempt every delivery due at ``now`` (default: the clock) once; return how many."""
    lease = timedelta(seconds=container.settings.worker_lease_seconds)
    async with transport.new_client(container.settings.webhook_timeout_seconds) as client:
        send = partial(_attempt_and_record, container, client, now)
        return await outbox.drain_due(container.db, partial(claim, lease=lease), send, now=now)
