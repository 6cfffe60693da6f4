"""Plugging webhooks into the pipeline: outbox entries become delivery rows (in the
dispatcher's transaction); a loop delivers them."""

from __future__ import annotations

from datetime import datetime

from leadpulse.container import Container, outbox_loop
from leadpulse.webhooks import delivery, service, transport
from leadpulse.worker import dispatch

LOOP = delivery.LOOP


def install(container: Container) -> None:
    """Register the deliveries expander and the delivery loop."""
    container.expanders[LOOP] = service.expand
    container.loops[LOOP] = outbox_loop(LOOP, drain)
    container.drains[LOOP] = drain


async def drain(container: Container, *, now: datetime | None = None) -> int:
    """Expand pending outbox entries, then attempt every delivery due now (or at ``now``)
    once; return how many deliveries were attempted (burst mode)."""
    await dispatch.dispatch(container)
    client = transport.shared_client(container)
    return await delivery.drain(container.db, container.settings, now=now, client=client)
