"""The front door every ingest route shares: one ``Intake`` per process, the project's
allowed origins and the rate limits.

Used by ``ingest.routes`` (LeadPulse's own formats) and ``segment.routes`` (the Segment
Tracking API), so both kinds of traffic meet the same origin rule and share the same
budgets and group committer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadpulse.auth.callers import Caller
from leadpulse.errors import Forbidden
from leadpulse.ingest.intake import Intake
from leadpulse.ingest.ratelimit import IngestRateLimiter

if TYPE_CHECKING:
    from leadpulse.container import Container


def intake_of(c: Container) -> Intake:
    """Return the process's Intake, creating it on first use."""
    if c.intake is None:
        c.intake = Intake(
            c.db,
            c.settings,
            waker=c.waker,
            publish=lambda ingested: c.publish_later(c.after_ingest, ingested),
        )
    return c.intake


async def admit(c: Container, caller: Caller, *, origin: str | None, client_ip: str) -> None:
    """Refuse an origin the project's keys are not allowed on, then count the request."""
    if caller.allowed_origins and origin and origin not in caller.allowed_origins:
        raise Forbidden(f"Origin {origin} is not allowed for this project's keys.")
    if c.rate_limiter is None:
        c.rate_limiter = IngestRateLimiter(c.settings, redis=c.redis)
    await c.rate_limiter.check(caller, client_ip)
