"""What the sync and asyncio Python clients share: events, batch bodies and the retry policy.

Delivery is written without I/O: a :class:`Delivery` is told the result of each attempt (a
response or a network error) and answers with a :class:`Plan` — wait and resend the same
batch, send other batches instead (split or cleaned), or stop. The clients only do the I/O.

Retry policy: network errors, 429 and 5xx are retried up to ``max_retries`` times with
exponential backoff and full jitter (``Retry-After`` wins when the server sends one). Every
retry resends the same eventIds, so a batch the server did store before failing is reported
as duplicates rather than stored twice. 413 splits the batch in halves; 422 naming items
(``events.3.event``) drops those items and resends the rest; other 4xx drop the batch.
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import uuid_utils

log = logging.getLogger("leadpulse.client")

BATCH_PATH = "/api/ingest/batch"
EVENT_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_ID_LENGTH = 128  # server limit for anonymousId and eventId
MAX_BATCH_EVENTS = 500  # server limit per batch request

Event = dict[str, Any]


def iso(moment: datetime) -> str:
    """Format an aware datetime as ISO-8601 UTC with milliseconds."""
    if moment.tzinfo is None:
        raise ValueError("timestamp must be timezone-aware (e.g. datetime.now(UTC))")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _check_id(name: str, value: str) -> None:
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_ID_LENGTH:
        raise ValueError(f"{name} must be a string of 1-{MAX_ID_LENGTH} characters")


def make_event(
    *,
    anonymous_id: str,
    event: str,
    properties: dict[str, Any] | None = None,
    timestamp: datetime | None = None,
    event_id: str | None = None,
    email: str | None = None,
    traits: dict[str, Any] | None = None,
) -> Event:
    """Build one ingest event, validating what the server would reject anyway."""
    _check_id("anonymous_id", anonymous_id)
    if not isinstance(event, str) or not EVENT_NAME.match(event):
        raise ValueError("event must be 1-64 characters of A-Z a-z 0-9 _ . : -")
    body: Event = {
        "event": event,
        "anonymousId": anonymous_id,
        "eventId": event_id if event_id is not None else str(uuid_utils.uuid7()),
        "timestamp": iso(timestamp if timestamp is not None else datetime.now(UTC)),
    }
    _check_id("event_id", body["eventId"])
    if properties:
        body["properties"] = properties
    if email is not None:
        body["email"] = email
    if traits is not None:
        body["traits"] = traits
    return body


def batch_body(events: list[Event]) -> Event:
    """Return the request body of one batch, stamped with ``sentAt`` now."""
    return {"sentAt": iso(datetime.now(UTC)), "events": events}


@dataclass(slots=True)
class Stats:
    """What a client has done so far (counts of events)."""

    queued: int = 0  # accepted by the server as new
    duplicates: int = 0  # accepted, already known (e.g. after a retry)
    rejected: int = 0  # refused by validation
    failed: int = 0  # given up on after retries or dropped on a 4xx
    dropped: int = 0  # pushed out of a full local queue


@dataclass(frozen=True, slots=True)
class Policy:
    """Retry settings of a client."""

    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30.0

    def delay(self, retry: int, retry_after: float | None) -> float:
        """Return the wait before retry number ``retry`` (0-based): full jitter, capped."""
        if retry_after is not None:
            return min(retry_after, self.backoff_cap * 10)
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2**retry))


@dataclass(frozen=True, slots=True)
class Plan:
    """What to do after an attempt: wait then resend (``wait``), or send ``resend`` batches."""

    wait: float | None = None
    resend: list[list[Event]] = field(default_factory=list)


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def _event_index(error: object) -> int | None:
    """The batch index an error's ``loc`` (``events.3.x`` or ``["events", 3, "x"]``) names."""
    loc = error.get("loc", "") if isinstance(error, dict) else ""
    parts = [str(p) for p in loc] if isinstance(loc, list) else str(loc).split(".")
    if "events" not in parts[:-1]:
        return None
    index = parts[parts.index("events") + 1]
    return int(index) if index.isdigit() else None


def _rejected_indexes(response: httpx.Response, size: int) -> set[int]:
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return set()
    found = {_event_index(error) for error in errors}
    return {i for i in found if i is not None and i < size}


class Delivery:
    """The delivery of one batch, attempt after attempt."""

    def __init__(self, events: list[Event], policy: Policy, stats: Stats) -> None:
        self.events = events
        self.policy = policy
        self.stats = stats
        self.retries = 0

    def body(self) -> Event:
        """Return the body of the next attempt (same events, fresh ``sentAt``)."""
        return batch_body(self.events)

    def outcome(self, result: httpx.Response | Exception) -> Plan:
        """Decide what follows an attempt that answered ``result``."""
        if isinstance(result, Exception):
            return self._retry(repr(result), None)
        status = result.status_code
        if status < 300:
            self._record(result)
            return Plan()
        if status == 429 or status >= 500:
            return self._retry(f"HTTP {status}", _retry_after(result))
        if status == 413 and len(self.events) > 1:
            half = len(self.events) // 2
            return Plan(resend=[self.events[:half], self.events[half:]])
        return self._refused(result)

    def _refused(self, result: httpx.Response) -> Plan:
        status = result.status_code
        bad = _rejected_indexes(result, len(self.events)) if status == 422 else set()
        rest = [e for i, e in enumerate(self.events) if i not in bad]
        if bad:
            self.stats.rejected += len(bad)
            log.warning("ingest rejected %d event(s): %s", len(bad), result.text[:500])
            return Plan(resend=[rest] if rest else [])
        self.stats.failed += len(self.events)
        log.error("ingest refused %d event(s) (HTTP %d): %s", len(self.events), status, result.text)
        return Plan()

    def _retry(self, reason: str, retry_after: float | None) -> Plan:
        if self.retries >= self.policy.max_retries:
            self.stats.failed += len(self.events)
            log.error(
                "gave up on %d event(s) after %d retries: %s",
                len(self.events),
                self.retries,
                reason,
            )
            return Plan()
        wait = self.policy.delay(self.retries, retry_after)
        self.retries += 1
        log.info("ingest failed (%s); retry %d in %.2fs", reason, self.retries, wait)
        return Plan(wait=wait)

    def _record(self, response: httpx.Response) -> None:
        try:
            results = response.json().get("results") or []
        except ValueError:
            results = []
        if not results:  # nothing to read: count the batch as accepted
            self.stats.queued += len(self.events)
            return
        for item in results:
            status = item.get("status")
            if status == "duplicate":
                self.stats.duplicates += 1
            elif status == "rejected":
                self.stats.rejected += 1
                log.warning("ingest rejected event %s: %s", item.get("eventId"), item.get("errors"))
            else:
                self.stats.queued += 1
