"""Background decay: ``container.loops["decay"]`` runs the decay job hourly; each batch's
consequences are outbox entries, and its live updates go through the post-commit hooks.

The first run starts ``FIRST_RUN_DELAY`` seconds after the process starts, then every
``DECAY_INTERVAL``. On PostgreSQL a run happens only in the process that wins a session
advisory lock (``pg_try_advisory_lock``), so several workers never decay at once; the others
skip that round. Runs are idempotent per lead per day, so an extra run changes nothing.
"""

from __future__ import annotations

from datetime import datetime

import anyio
import structlog
from sqlalchemy import text

from leadpulse.container import Container
from leadpulse.core.outcomes import LeadScored
from leadpulse.leads.decay import DecayReport, Published, run_decay
from leadpulse.queue.outbox import DISPATCH_LOOP
from leadpulse.store.db import Database
from leadpulse.store.types import utcnow

DECAY_INTERVAL = 3600.0
FIRST_RUN_DELAY = 30.0
# Any fixed 64-bit key unique to this job among the application's advisory locks.
DECAY_LOCK_KEY = 0x4C50_4445_4341_5900
log = structlog.get_logger("leadpulse.decay")


async def decay_once(
    db: Database, *, now: datetime, published: Published | None = None
) -> DecayReport | None:
    """Run the decay job unless another process holds the decay lock (then return None)."""
    if not db.is_postgres:
        return await run_decay(db, now=now, published=published)
    async with db.engine.connect() as conn:
        got = await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": DECAY_LOCK_KEY})
        await conn.commit()  # the lock is session-level: no transaction stays open
        if not got:
            log.info("decay_skipped", reason="another process holds the decay lock")
            return None
        try:
            return await run_decay(db, now=now, published=published)
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": DECAY_LOCK_KEY})
            await conn.commit()


def published_by(container: Container) -> Published:
    """Return what a decay run does after each committed batch: wake the outbox dispatcher
    and push the live updates (post-commit hooks)."""

    async def published(items: list[LeadScored]) -> None:
        container.outbox.wake(DISPATCH_LOOP)
        await container.publish(container.after_scoring, items)

    return published


async def _stopped_within(stop: anyio.Event, seconds: float) -> bool:
    with anyio.move_on_after(seconds):
        await stop.wait()
    return stop.is_set()


async def run_periodically(
    container: Container,
    stop: anyio.Event,
    *,
    interval: float = DECAY_INTERVAL,
    first_delay: float = FIRST_RUN_DELAY,
) -> None:
    """Run decay after ``first_delay`` seconds, then every ``interval``, until stopped."""
    delay = first_delay
    while not await _stopped_within(stop, delay):
        try:
            await decay_once(container.db, now=utcnow(), published=published_by(container))
        except Exception:  # a failed round is retried at the next one
            log.exception("decay_failed")
        delay = interval


async def decay_loop(container: Container, stop: anyio.Event) -> None:
    """The ``decay`` background loop run by the worker and by ``leadpulse serve``."""
    await run_periodically(container, stop)


def install(container: Container) -> None:
    """Register the hourly decay loop."""
    container.loops["decay"] = decay_loop
