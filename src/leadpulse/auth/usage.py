"""When each API key was last used, recorded cheaply (``api_keys.last_used_at``).

Ingest authenticates every request, so writing a row per request would double its writes.
Instead ``auth.callers.caller_from_key`` notes a use in memory (``key_usage.note``), at most
one mark per key per ``interval`` (a minute) in each process. After the HTTP response has
been sent, ``api.middleware.RequestContextMiddleware`` takes the pending marks and hands them
to the container's background publisher, which writes them with ``record_key_use`` in one
UPDATE of its own transaction: off the request path, and flushed when the container closes.

The date is therefore precise to about a minute, and a key used only in the last minute
before a process stops may keep an older date: good enough to tell a live key from a dead one.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, update

from leadpulse.store.db import Database
from leadpulse.store.models import ApiKey
from leadpulse.store.types import utcnow

INTERVAL_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class KeyUsed:
    """One API key seen at ``at`` (UTC)."""

    key_id: int
    at: datetime


class KeyUsage:
    """Pending last-used marks of API keys, at most one per key per ``interval``.

    Marks wait per database engine (the key's row id means something in that database only;
    a process may serve several, as the tests do), and the interval is kept per key digest,
    which is unique everywhere.
    """

    def __init__(self, interval: float = INTERVAL_SECONDS, size: int = 10_000) -> None:
        self.interval = interval
        self.size = size
        self._marked: dict[str, float] = {}
        self._pending: weakref.WeakKeyDictionary[object, dict[int, KeyUsed]] = (
            weakref.WeakKeyDictionary()
        )

    def note(self, engine: object, digest: str, key_id: int, *, clock: float | None = None) -> None:
        """Note a use of a key; only the first in each interval becomes a pending mark."""
        now = time.monotonic() if clock is None else clock
        last = self._marked.get(digest)
        if engine is None or (last is not None and now - last < self.interval):
            return
        if len(self._marked) >= self.size:
            self._marked.clear()
        self._marked[digest] = now
        marks = self._pending.setdefault(engine, {})
        marks[key_id] = KeyUsed(key_id=key_id, at=utcnow())

    @property
    def pending(self) -> bool:
        """Tell whether marks wait to be written (cheap: checked after every request)."""
        return bool(self._pending)

    def take(self, engine: object) -> list[KeyUsed]:
        """Return the marks pending for one engine and forget them."""
        marks = self._pending.pop(engine, None)
        return list(marks.values()) if marks else []


key_usage = KeyUsage()


async def record_key_use(db: Database, marks: Sequence[KeyUsed]) -> None:
    """Write last-used dates in one transaction (a background step: it owns it).

    A date only moves forward: a late mark never overwrites a newer one.
    """
    if not marks:
        return
    at = max(mark.at for mark in marks)
    async with db.transaction() as session:
        await session.execute(
            update(ApiKey)
            .where(ApiKey.id.in_([mark.key_id for mark in marks]))
            .where(or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < at))
            .values(last_used_at=at)
        )
