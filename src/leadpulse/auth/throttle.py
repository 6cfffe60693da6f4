"""The sign-in and sign-up throttle, on the rate-limit machinery of ingest (``limits``).

Counters (fixed windows of ``login_window_minutes``, opened by their first attempt):

- per account, ``login_max_attempts`` sign-in attempts (the password change's check of the
  current password counts too); a successful sign-in resets it;
- per client IP, ``login_ip_max_attempts`` sign-in attempts, whatever the account;
- per client IP, ``register_ip_max_attempts`` sign-ups.

Attempts are counted *before* the password is checked: counting failures afterwards would
let a burst of concurrent guesses all be checked before the first failure is recorded. The
attempt that spends a budget starts a lockout of ``login_lockout_minutes`` for that account
or IP: every attempt is then answered 429 with ``Retry-After`` until it ends, the right
password too. An unknown e-mail is counted exactly like a known one, so neither the answers
nor the lockout reveal whether an account exists; accounts are keyed by the SHA-256 of the
normalised e-mail, so no address is written to Redis.

Storage is in memory when embedded and Redis when ``LEADPULSE_REDIS_URL`` is set, so the
budgets hold across API processes. ``LEADPULSE_RATE_LIMIT_ENABLED=false`` turns it off with
the ingest limits (tests and benchmarks).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter

from leadpulse.config import Settings
from leadpulse.errors import LeadPulseError, RateLimited


def limits_storage(settings: Settings, redis: Any | None = None) -> Storage:
    """Return the counters' storage: Redis when configured (sharing ``redis``'s connection
    pool, closed with the container), else this process's memory."""
    if not settings.redis_url:
        return MemoryStorage()
    pool: dict[str, Any] = {"connection_pool": redis.connection_pool} if redis else {}
    return RedisStorage(f"async+{settings.redis_url}", implementation="redispy", **pool)


@dataclass
class TooManyAttempts(RateLimited):
    """A sign-in or sign-up budget is spent: locked out for ``retry_after`` seconds."""

    action: str = "sign-in"

    def __post_init__(self) -> None:
        LeadPulseError.__init__(
            self, f"Too many {self.action} attempts; try again in {self.retry_after} s."
        )


def account_key(email: str) -> str:
    """Return the counter identity of an account: the SHA-256 of its normalised e-mail."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class AuthThrottle:
    """Count sign-in and sign-up attempts; raise TooManyAttempts while locked out."""

    def __init__(self, settings: Settings, *, redis: Any | None = None) -> None:
        self.settings = settings
        self._limiter = FixedWindowRateLimiter(limits_storage(settings, redis))
        self._lock = RateLimitItemPerMinute(1, settings.login_lockout_minutes)

    def _budget(self, amount: int) -> RateLimitItemPerMinute:
        return RateLimitItemPerMinute(amount, self.settings.login_window_minutes)

    async def sign_in(self, email: str, client_ip: str) -> None:
        """Count a sign-in attempt for the account and the IP (before checking anything)."""
        if not self.settings.rate_limit_enabled:
            return
        counters = (
            ("login-ip", client_ip, self.settings.login_ip_max_attempts),
            ("login-account", account_key(email), self.settings.login_max_attempts),
        )
        for scope, ident, amount in counters:  # a locked side must not spend the other
            await self._refuse_if_locked(scope, ident, amount, "sign-in")
        for scope, ident, amount in counters:
            await self._count(scope, ident, amount, "sign-in")

    async def signed_in(self, email: str) -> None:
        """Reset the account's budget after a successful sign-in."""
        if self.settings.rate_limit_enabled:
            amount = self.settings.login_max_attempts
            await self._limiter.clear(self._budget(amount), "login-account", account_key(email))

    async def sign_up(self, client_ip: str) -> None:
        """Count a sign-up attempt for the IP, whether or not it will succeed."""
        if not self.settings.rate_limit_enabled:
            return
        amount = self.settings.register_ip_max_attempts
        await self._refuse_if_locked("register-ip", client_ip, amount, "sign-up")
        await self._count("register-ip", client_ip, amount, "sign-up")

    async def _refuse_if_locked(self, scope: str, ident: str, amount: int, action: str) -> None:
        if await self._limiter.test(self._lock, scope, ident):
            return
        stats = await self._limiter.get_window_stats(self._lock, scope, ident)
        raise self._locked(stats.reset_time, amount, action)

    async def _count(self, scope: str, ident: str, amount: int, action: str) -> None:
        if await self._limiter.hit(self._budget(amount), scope, ident):
            return
        await self._limiter.hit(self._lock, scope, ident)
        raise self._locked(time.time() + self._lock.get_expiry(), amount, action)

    @staticmethod
    def _locked(reset_time: float, amount: int, action: str) -> TooManyAttempts:
        wait = max(1, math.ceil(reset_time - time.time()))
        return TooManyAttempts(
            retry_after=wait, limit=amount, remaining=0, reset=wait, action=action
        )
