"""The process container: the long-lived objects an API or worker process shares.

``bootstrap.build_container`` creates it from Settings (adapters chosen by URL) and plugs the
features in; the API, the worker and each feature's ``routes``/``hooks`` modules read it.
Every field is typed: the infrastructure (database, wake-up channel, Redis), the outbox
expanders (``worker.dispatch`` runs them inside its transaction: automations and webhooks
turn outbox entries into their rows), the post-commit hooks (best-effort live updates only:
every consequence that must not be lost is an outbox entry written with its change), the
background loops, and the per-process objects features create on first use (the ingest
front, the rate limiter, the live-update server).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import anyio
import structlog

from leadpulse.auth.google import GoogleVerifier
from leadpulse.auth.throttle import AuthThrottle
from leadpulse.config import Settings
from leadpulse.core.consequences import Consequence
from leadpulse.core.outcomes import AutomationExecuted, EventIngested, LeadMerged, LeadScored
from leadpulse.ingest.intake import Intake
from leadpulse.ingest.ratelimit import IngestRateLimiter
from leadpulse.queue.outbox import OutboxWakeups, run_polling
from leadpulse.queue.wakeup import LocalWaker, Waker
from leadpulse.store.db import Database

if TYPE_CHECKING:
    import httpx

    # The live adapters take the container themselves (``live.emitter``, ``live.presence``,
    # ``live.server``), so naming their types at run time would be a circular import.
    import socketio
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import AsyncSession

    from leadpulse.live.emitter import Emitter
    from leadpulse.live.presence import Presence

IngestHook = Callable[[Sequence[EventIngested]], Awaitable[None]]
ScoringHook = Callable[[Sequence[LeadScored]], Awaitable[None]]
MergeHook = Callable[[Sequence[LeadMerged]], Awaitable[None]]
AutomationHook = Callable[[Sequence[AutomationExecuted]], Awaitable[None]]
# Adds a feature's rows for decoded outbox entries in the dispatcher's transaction (idempotent);
# returns how many rows it added.
Expander = Callable[["AsyncSession", Sequence[Consequence]], Awaitable[int]]
# A background loop runs in the worker (and in `serve`) until the event is set.
Loop = Callable[["Container", anyio.Event], Awaitable[None]]
# A drain does every piece of due background work once and returns how many (burst mode).
Drain = Callable[["Container"], Awaitable[int]]
Closer = Callable[[], Awaitable[None]]

log = structlog.get_logger("leadpulse.container")


@dataclass
class Container:
    """Process-wide dependencies; created once, closed on shutdown."""

    settings: Settings
    db: Database
    waker: Waker = field(default_factory=LocalWaker)
    redis: Redis | None = None
    google: GoogleVerifier | None = None
    # Outbox expanders by the loop they feed, post-commit hooks (live updates) and background
    # work, filled by each feature's ``hooks.install``.
    expanders: dict[str, Expander] = field(default_factory=dict)
    after_ingest: list[IngestHook] = field(default_factory=list)
    after_scoring: list[ScoringHook] = field(default_factory=list)
    after_merge: list[MergeHook] = field(default_factory=list)
    after_automation: list[AutomationHook] = field(default_factory=list)
    loops: dict[str, Loop] = field(default_factory=dict)
    drains: dict[str, Drain] = field(default_factory=dict)
    outbox: OutboxWakeups = field(default_factory=OutboxWakeups)
    closers: list[Closer] = field(default_factory=list)
    # Created on first use by the module named, so a process builds only what it serves.
    intake: Intake | None = None  # ingest.routes
    rate_limiter: IngestRateLimiter | None = None  # ingest.routes
    auth_throttle: AuthThrottle | None = None  # auth.routes
    live_server: socketio.AsyncServer | None = None  # live.server.wrap (API processes)
    live_emitter: Emitter | None = None  # live.emitter.emitter_for
    live_presence: Presence | None = None  # live.presence.presence_for
    http_client: httpx.AsyncClient | None = None  # webhooks.transport.shared_client
    _published: deque[tuple[Sequence[Any], Sequence[Any]]] = field(default_factory=deque)
    _publisher: asyncio.Task[None] | None = None

    def publish_later(
        self, hooks: Sequence[Callable[[Any], Awaitable[None]]], items: Sequence[Any]
    ) -> None:
        """Hand outcomes to the background publisher (hot paths: ingest commits, scoring).

        One task calls the hooks in submission order, so the committer and the worker never
        wait for a Socket.IO emit or a delivery row. ``flush()`` waits until it is idle.
        """
        if not items or not hooks:
            return
        self._published.append((hooks, items))
        if self._publisher is None or self._publisher.done():
            self._publisher = asyncio.get_running_loop().create_task(
                self._publish_pending(), name="post-commit-publisher"
            )

    async def _publish_pending(self) -> None:
        while self._published:
            hooks, items = self._published.popleft()
            await self.publish(hooks, items)

    async def flush(self) -> None:
        """Wait until every outcome handed to ``publish_later`` has been published."""
        while self._publisher is not None and not self._publisher.done():
            await asyncio.shield(self._publisher)

    async def publish(
        self, hooks: Sequence[Callable[[Any], Awaitable[None]]], items: Sequence[Any]
    ) -> None:
        """Call each hook with ``items``; a failing hook is logged, never raised."""
        if not items:
            return
        for hook in hooks:
            try:
                await hook(items)
            except Exception:  # a consumer must not break the pipeline that fed it
                log.exception("hook_failed", hook=getattr(hook, "__qualname__", repr(hook)))

    async def close(self) -> None:
        """Publish what is pending, then release pools and connections."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.flush(), 10)
        for closer in reversed(self.closers):
            await closer()
        await self.db.dispose()


def outbox_loop(name: str, drain: Drain) -> Loop:
    """Return the background loop that runs ``drain`` until stopped, polling every
    ``worker_poll_seconds`` and woken early by ``container.outbox.wake(name)``."""

    async def loop(container: Container, stop: anyio.Event) -> None:
        await run_polling(
            container.outbox,
            stop,
            name=name,
            drain=partial(drain, container),
            poll_seconds=container.settings.worker_poll_seconds,
        )

    return loop
