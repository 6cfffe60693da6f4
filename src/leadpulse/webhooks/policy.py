"""Which HTTP outcomes of webhook deliveries and HTTP automations are retried.

An attempt is retried on a network error or timeout, 408, 429 and any 5xx; any other
non-2xx answer (including 3xx: redirects are never followed) fails at once. The backoff
(30 s, 2 min, 10 min, 1 h, 4 h, 12 h, then daily) and the recording of an attempt on its
row belong to the outbox (``queue.outbox``), shared by every lane.
"""

from __future__ import annotations

from leadpulse.queue.outbox import RETRY_SCHEDULE, AttemptResult, retry_delay

__all__ = [
    "RETRYABLE_STATUSES",
    "RETRY_SCHEDULE",
    "AttemptResult",
    "is_retryable",
    "is_success",
    "retry_delay",
]
RETRYABLE_STATUSES = frozenset({408, 429})


def is_success(status_code: int) -> bool:
    """Tell whether an HTTP status means the receiver accepted the message."""
    return 200 <= status_code < 300


def is_retryable(status_code: int | None) -> bool:
    """Tell whether a failed attempt may be retried (None = network error or timeout)."""
    if status_code is None:
        return True
    return status_code in RETRYABLE_STATUSES or status_code >= 500
