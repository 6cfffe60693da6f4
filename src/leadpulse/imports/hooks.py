"""Plugging imports into the worker: a background loop runs queued import jobs (and resumes
those whose lease expired); ``leadpulse worker --burst`` drains them."""

from __future__ import annotations

from functools import partial

import anyio

from leadpulse.container import Container
from leadpulse.imports import runner
from leadpulse.queue.outbox import run_polling

LOOP = "imports"


async def imports_loop(container: Container, stop: anyio.Event) -> None:
    """Run import jobs until ``stop``; a job in progress is given back between batches."""
    await run_polling(
        container.outbox,
        stop,
        name=LOOP,
        drain=partial(runner.drain, container, should_stop=stop.is_set),
        poll_seconds=container.settings.worker_poll_seconds,
    )


async def drain(container: Container) -> int:
    """Run every import job due now to its end; return how many ran."""
    return await runner.drain(container)


def install(container: Container) -> None:
    """Register the imports loop and its burst-mode drain."""
    container.loops[LOOP] = imports_loop
    container.drains[LOOP] = drain
