"""Build the long-lived objects of a process from Settings, choosing adapters by URL.

``Container`` is what the API and the worker share: the database, the queue wake-up
channel, the live-update emitter, the rate limiter, and the post-commit hooks through which
features (automations, webhooks, live updates) learn what the pipeline did.
``LEADPULSE_REDIS_URL`` unset means the in-process adapters (embedded mode).

Features plug in through ``FEATURES``: each listed module may define
``install(container)``, called once when the container is built, which appends hooks and
background loops. Nothing runs inside the pipeline's transactions.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
import structlog

from leadpulse.auth.google import GoogleVerifier
from leadpulse.config import Settings
from leadpulse.core.outcomes import AutomationExecuted, EventIngested, LeadMerged, LeadScored
from leadpulse.queue.wakeup import LocalWaker, RedisWaker, Waker
from leadpulse.store.db import Database

IngestHook = Callable[[Sequence[EventIngested]], Awaitable[None]]
ScoringHook = Callable[[Sequence[LeadScored]], Awaitable[None]]
MergeHook = Callable[[Sequence[LeadMerged]], Awaitable[None]]
AutomationHook = Callable[[Sequence[AutomationExecuted]], Awaitable[None]]
# A background loop runs in the worker (and in `serve`) until the event is set.
Loop = Callable[["Container", anyio.Event], Awaitable[None]]
# A drain does every piece of due background work once and returns how many (burst mode).
Drain = Callable[["Container"], Awaitable[int]]

log = structlog.get_logger("leadpulse.bootstrap")

FEATURES = (
    "leadpulse.live.hooks",
    "leadpulse.automations.hooks",
    "leadpulse.webhooks.hooks",
    "leadpulse.leads.hooks",
)


@dataclass
class Container:
    """Process-wide dependencies; created once, closed on shutdown."""

    settings: Settings
    db: Database
    waker: Waker = field(default_factory=LocalWaker)
    redis: Any | None = None
    google: GoogleVerifier | None = None
    after_ingest: list[IngestHook] = field(default_factory=list)
    after_scoring: list[ScoringHook] = field(default_factory=list)
    after_merge: list[MergeHook] = field(default_factory=list)
    after_automation: list[AutomationHook] = field(default_factory=list)
    loops: dict[str, Loop] = field(default_factory=dict)
    drains: dict[str, Drain] = field(default_factory=dict)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
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


def _install_features(container: Container) -> None:
    for name in FEATURES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        install = getattr(module, "install", None)
        if install is not None:
            install(container)


def build_container(settings: Settings) -> Container:
    """Create the container for ``settings`` (no I/O until first use)."""
    db = Database(settings.resolved_database_url)
    google = (
        GoogleVerifier(client_id=settings.google_client_id, certs_url=settings.google_certs_url)
        if settings.google_client_id
        else None
    )
    container = Container(settings=settings, db=db, google=google)
    if settings.redis_url:
        import redis.asyncio as aioredis

        client = aioredis.from_url(settings.redis_url)
        container.redis = client
        container.waker = RedisWaker(client)
        container.closers.append(client.aclose)
    container.closers.append(container.waker.close)
    _install_features(container)
    return container
