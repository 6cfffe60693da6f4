"""Plugging automations into the pipeline: outbox entries fire automations (in the
dispatcher's transaction); a loop runs the actions."""

from __future__ import annotations

from datetime import datetime

from leadpulse.automations import executor, service
from leadpulse.container import Container, outbox_loop
from leadpulse.worker import dispatch


def install(container: Container) -> None:
    """Register the firings expander and the automations loop."""
    container.expanders[executor.LOOP] = service.expand
    container.loops[executor.LOOP] = outbox_loop(executor.LOOP, drain)
    container.drains[executor.LOOP] = drain


async def drain(container: Container, *, now: datetime | None = None) -> int:
    """Expand pending outbox entries, then run every execution due now (or at ``now``) once;
    return how many executions were attempted (burst mode)."""
    await dispatch.dispatch(container)
    return await executor.drain(container, now=now)
