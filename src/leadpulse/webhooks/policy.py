"""Retry policy shared by webhook deliveries and HTTP automations.

An attempt is retried on a network error or timeout, 408, 429 and any 5xx; any other
non-2xx answer (including 3xx: redirects are never followed) fails at once. Retries back off
30 s, 2 min, 10 min, 1 h, 4 h, 12 h, then once a day, until the configured maximum number of
attempts is spent.
"""

from __future__ import annotations

from datetime import timedelta

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
