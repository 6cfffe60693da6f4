"""Who is listening: per-project counts of connected dashboards.

Emitting costs CPU and, with Redis, a round trip per event; most of the time nobody watches
a given project. Connections are counted per project — in this process when embedded, in a
Redis hash shared by every process otherwise — and emitters skip projects with no listener.
Readers cache a project's answer for ``TTL`` seconds (a connection in this process refreshes
it at once), so a dashboard that connects to another API process starts receiving events
within a second. A process that dies without its disconnects leaves counts too high, which
only costs emits, never loses them.
"""

from __future__ import annotations

import time
from typing import Any

from leadpulse.container import Container

TTL = 1.0


class Presence:
    """Count live connections per project; answer "is anyone listening?" cheaply."""

    def __init__(self, redis: Any | None, channel: str) -> None:
        self.redis = redis
        self.key = f"leadpulse:live:presence:{channel}"
        self.local: dict[int, int] = {}
        self._cache: dict[int, tuple[float, bool]] = {}

    async def joined(self, project_id: int) -> None:
        """Record a connection to the project's room."""
        self.local[project_id] = self.local.get(project_id, 0) + 1
        self._cache.pop(project_id, None)
        if self.redis is not None:
            await self.redis.hincrby(self.key, str(project_id), 1)

    async def left(self, project_id: int) -> None:
        """Record a disconnection."""
        self.local[project_id] = max(0, self.local.get(project_id, 0) - 1)
        self._cache.pop(project_id, None)
        if self.redis is not None:
            await self.redis.hincrby(self.key, str(project_id), -1)

    async def listening(self, project_id: int) -> bool:
        """Tell whether any dashboard of the project is connected (cached briefly)."""
        if self.local.get(project_id):
            return True
        if self.redis is None:
            return False
        cached = self._cache.get(project_id)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            count = await self.redis.hget(self.key, str(project_id))
        except Exception:  # Redis trouble: emit rather than silently drop
            return True
        answer = int(count or 0) > 0
        self._cache[project_id] = (now + TTL, answer)
        return answer


def presence_for(container: Container) -> Presence:
    """Return the process's Presence, creating it on first use."""
    presence = container.live_presence
    if presence is None:
        url = container.settings.redis_url
        redis = container.redis if url else None
        if url and redis is None:  # a container built by hand: open (and later close) our own
            import redis.asyncio as aioredis

            redis = aioredis.from_url(url)
            container.closers.append(redis.aclose)
        presence = container.live_presence = Presence(redis, container.settings.live_channel)
    return presence
