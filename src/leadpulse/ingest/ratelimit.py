"""Ingest rate limits (SPEC §5), with the ``limits`` library.

Two budgets per minute, sliding-window counters: per client IP for publishable-key
(browser) traffic — stops one visitor from flooding or inflating scores — and per API key
(or per project for JWT callers). Server traffic with a secret key is not limited per IP.
A batch counts as one request. Projects may override both numbers. Storage is in memory
when embedded and Redis when ``LEADPULSE_REDIS_URL`` is set, so limits hold across API
processes (``auth.throttle.limits_storage`` builds it, for the sign-in throttle too).

The client IP is the peer address of the connection, or what a trusted proxy put in
``X-Forwarded-For``: uvicorn rewrites it only for peers listed in
``LEADPULSE_TRUSTED_PROXIES`` (``processes.uvicorn_options``), so a client cannot pick its
own IP and get a fresh budget per request.
"""

from __future__ import annotations

import math
import time
from typing import Any

from limits import RateLimitItemPerMinute
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from leadpulse.auth.callers import Caller
from leadpulse.auth.throttle import limits_storage
from leadpulse.config import Settings
from leadpulse.errors import RateLimited


class IngestRateLimiter:
    """Check and count ingest requests against the IP and key budgets."""

    def __init__(self, settings: Settings, *, redis: Any | None = None) -> None:
        self.settings = settings
        self._limiter = SlidingWindowCounterRateLimiter(limits_storage(settings, redis))

    async def check(self, caller: Caller, client_ip: str) -> None:
        """Count one request; raise RateLimited when a budget is spent."""
        if not self.settings.rate_limit_enabled:
            return
        if caller.via == "publishable":
            per_ip = caller.rate_ip or self.settings.rate_limit_ip_per_minute
            await self._hit(RateLimitItemPerMinute(per_ip), "ip", str(caller.project_id), client_ip)
        per_key = caller.rate_key or self.settings.rate_limit_key_per_minute
        key = f"key:{caller.key_id}" if caller.key_id else f"project:{caller.project_id}"
        await self._hit(RateLimitItemPerMinute(per_key), "key", key)

    async def _hit(self, item: RateLimitItemPerMinute, *identifiers: str) -> None:
        if await self._limiter.hit(item, *identifiers):
            return
        stats = await self._limiter.get_window_stats(item, *identifiers)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        raise RateLimited(retry_after=wait, limit=item.amount, remaining=0, reset=wait)
