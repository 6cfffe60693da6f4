"""Plugging automations into the pipeline: fire after scoring; a loop runs the actions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from leadpulse.automations import executor, service
from leadpulse.container import Container, outbox_loop
from leadpulse.core.outcomes import LeadScored


async def on_scored(container: Container, items: Sequence[LeadScored]) -> int:
    """Record the automations that fire for scored leads and wake the executor; count them."""
    fired = await service.fire(container.db, items=items)
    if fired:
        container.outbox.wake(executor.LOOP)
    return fired


def install(container: Container) -> None:
    """Register the after-scoring hook and the automations loop."""

    async def automations_after_scoring(items: Sequence[LeadScored]) -> None:
        await on_scored(container, items)

    container.after_scoring.append(automations_after_scoring)
    container.loops[executor.LOOP] = outbox_loop(executor.LOOP, drain)
    container.drains[executor.LOOP] = drain


async def drain(container: Container, *, now: datetime | None = None) -> int:
    """Run every execution due now (or at ``now``) once and return how many (burst mode)."""
    return await executor.drain(container, now=now)
