"""Retry policy shared by webhook deliveries and HTTP automations.

An attempt is retried on a network error or timeout, 408, 429 and any 5xx; any other
non-2xx answer (including 3xx: redirects are never followed) fails at once. Retries back off
30 s, 2 min, 10 min, 1 h, 4 h, 12 h, then once a day, until the configured maximum number of
attempts is spent. ``outcome_values`` turns one attempt's result into the columns that record
it on an outbox row (``queue.outbox``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=4),
    timedelta(hours=12),
    timedelta(hours=24),
)
RETRYABLE_STATUSES = frozenset({408, 429})


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """What one attempt did: the status code (None if no response) and any error."""

    status_code: int | None
    error: str | None = None
    retryable: bool = False

    @property
    def ok(self) -> bool:
        """Tell whether the receiver accepted the request."""
        return self.error is None


def is_success(status_code: int) -> bool:
    """Tell whether an HTTP status means the receiver accepted the message."""
    return 200 <= status_code < 300


def is_retryable(status_code: int | None) -> bool:
    """Tell whether a failed attempt may be retried (None = network error or timeout)."""
    if status_code is None:
        return True
    return status_code in RETRYABLE_STATUSES or status_code >= 500


def retry_delay(attempts: int) -> timedelta:
    """Return the wait after the ``attempts``-th failed attempt (1-based)."""
    index = min(max(attempts, 1), len(RETRY_SCHEDULE)) - 1
    return RETRY_SCHEDULE[index]


def outcome_values(
    result: AttemptResult,
    *,
    attempts: int,
    max_attempts: int,
    now: datetime,
    retry_column: str,
    done_column: str,
    stamp_failure: bool,
) -> dict[str, Any]:
    """Return the column values recording one attempt of an outbox row: ``succeeded`` (with
    ``done_column`` = now), due again at ``retry_column`` after ``retry_delay``, or ``failed``
    for good (``done_column`` stamped too when ``stamp_failure``). The lease is released."""
    values: dict[str, Any] = {
        "locked_until": None,
        "response_code": result.status_code,
        "error": result.error,
    }
    if result.ok:
        return {**values, "status": "succeeded", done_column: now}
    if result.retryable and attempts < max_attempts:
        return {**values, retry_column: now + retry_delay(attempts)}
    return {**values, "status": "failed", **({done_column: now} if stamp_failure else {})}
