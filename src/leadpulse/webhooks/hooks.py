"""Plugging webhooks into the pipeline: outcomes become delivery rows; a loop delivers them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from leadpulse.container import Container, outbox_loop
from leadpulse.core.outcomes import AutomationExecuted, LeadMerged, LeadScored
from leadpulse.webhooks import delivery, service
from leadpulse.webhooks.messages import (
    Message,
    automation_messages,
    merged_messages,
    scored_messages,
)

LOOP = delivery.LOOP


async def _enqueue(container: Container, messages: Iterable[Message]) -> None:
    async with container.db.transaction() as session:
        enqueued = await service.enqueue(session, messages=messages)
    if enqueued:
        container.outbox.wake(LOOP)


def install(container: Container) -> None:
    """Register the post-commit hooks and the delivery loop."""

    async def webhooks_after_scoring(items: Sequence[LeadScored]) -> None:
        await _enqueue(container, scored_messages(items))

    async def webhooks_after_merge(items: Sequence[LeadMerged]) -> None:
        await _enqueue(container, merged_messages(items))

    async def webhooks_after_automation(items: Sequence[AutomationExecuted]) -> None:
        await _enqueue(container, automation_messages(items))

    container.after_scoring.append(webhooks_after_scoring)
    container.after_merge.append(webhooks_after_merge)
    container.after_automation.append(webhooks_after_automation)
    container.loops[LOOP] = outbox_loop(LOOP, drain)
    container.drains[LOOP] = drain


async def drain(container: Container, *, now: datetime | None = None) -> int:
    """Attempt every delivery due now (or at ``now``) once and return how many (burst mode)."""
    return await delivery.drain(container, now=now)
