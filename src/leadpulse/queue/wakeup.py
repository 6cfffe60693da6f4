"""Wake-up channel between ingest and workers: a hint, never the source of truth.

Two adapters behind one small port. In-process (embedded mode) uses an ``asyncio.Event``;
Redis (production) publishes on a channel every worker subscribes to. A lost wake-up only
delays work until the worker's next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Protocol

import structlog

log = structlog.get_logger("leadpulse.queue")
CHANNEL = "leadpulse:wake"


class Waker(Protocol):
    """Notify workers that jobs are pending; let a worker wait for that."""

    async def notify(self) -> None: ...

    async def wait(self, timeout: float) -> bool: ...

    async def close(self) -> None: ...


class LocalWaker:
    """In-process wake-ups (embedded mode)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    async def notify(self) -> None:
        """Wake every waiting worker task."""
        self._event.set()

    async def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds; True when woken."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            return False
        self._event.clear()
        return True

    async def close(self) -> None:
        """Nothing to release."""


class RedisWaker:
    """Wake-ups through Redis pub/sub (production, several processes)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._pubsub: Any = None
        self._local = LocalWaker()
        self._reader: asyncio.Task[None] | None = None

    async def notify(self) -> None:
        """Publish a wake-up; failures are logged (workers poll anyway)."""
        try:
            await self._client.publish(CHANNEL, b"1")
        except Exception as exc:  # Redis down: polling covers it
            log.warning("wakeup_publish_failed", error=str(exc))

    async def _read(self) -> None:
        while True:
            try:
                if self._pubsub is None:
                    self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
                    await self._pubsub.subscribe(CHANNEL)
                message = await self._pubsub.get_message(timeout=1.0)
                if message is not None:
                    await self._local.notify()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # reconnect after a pause; polling covers the gap
                log.warning("wakeup_subscribe_failed", error=str(exc))
                self._pubsub = None
                await asyncio.sleep(1.0)

    async def wait(self, timeout: float) -> bool:
        """Wait for a published wake-up, up to ``timeout`` seconds."""
        if self._reader is None:
            self._reader = asyncio.create_task(self._read(), name="redis-wakeup")
        return await self._local.wait(timeout)

    async def close(self) -> None:
        """Stop listening."""
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
