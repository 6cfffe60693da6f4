"""Delivering webhook rows, a lane of the outbox: POST each message signed, record the outcome.

Each row is one message to one subscription, retried under the same ``webhook-id`` with a
fresh ``webhook-timestamp`` and signature per attempt. Outcome rules (see ``policy``): 2xx
→ ``succeeded``; network error, timeout, 408, 429, 5xx → retried with backoff until
``settings.webhook_max_attempts``; other statuses, an SSRF refusal, or an inactive
subscription → ``failed`` at once. ``queue.outbox`` states how rows are claimed, attempted
and recorded under a lease, and how ``drain`` owns its transactions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from leadpulse import obs
from leadpulse.config import Settings
from leadpulse.queue import outbox
from leadpulse.store.db import Database
from leadpulse.store.models import WebhookDelivery, WebhookSubscription
from leadpulse.store.types import utcnow
from leadpulse.webhooks import signing, transport
from leadpulse.webhooks.policy import AttemptResult

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


async def load(
    session: AsyncSession, ids: list[int], lease_until: datetime
) -> list[ClaimedDelivery]:
    """Read leased deliveries with their subscription's URL, secret and state."""
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
    outbox.outcome_values,
    retry_column="next_attempt_at",
    done_column="delivered_at",
    stamp_failure=False,
)


async def _count_outcomes(recorded: outbox.Recorded[ClaimedDelivery]) -> None:
    for _, _, values in recorded:
        obs.count_webhook_outcome(values.get("status"))


def lane(settings: Settings, client: httpx.AsyncClient) -> outbox.Lane[ClaimedDelivery]:
    """The deliveries lane, attempting with ``client``."""
    return outbox.Lane(
        name=LOOP,
        model=WebhookDelivery,
        due_column=WebhookDelivery.next_attempt_at,
        values=outcome_values,
        max_attempts=settings.webhook_max_attempts,
        load=load,
        attempt=partial(attempt, client, settings=settings),
        after_commit=_count_outcomes,
        batch=settings.outbox_claim_batch,
        concurrency=settings.outbox_concurrency,
        lease=timedelta(seconds=settings.worker_lease_seconds),
    )


async def drain(db: Database, settings: Settings, *, now: datetime | None = None) -> int:
    """Attempt every delivery due at ``now`` (default: the clock) once; return how many."""
    async with transport.new_client(settings.webhook_timeout_seconds) as client:
        return await outbox.drain_lane(db, lane(settings, client), now=now)
