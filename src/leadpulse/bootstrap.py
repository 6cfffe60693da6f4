"""Build the container of a process from Settings, choosing adapters by URL, and plug the
features in.

``LEADPULSE_REDIS_URL`` unset means the in-process adapters (embedded mode). Each feature
that reacts to the pipeline has a ``hooks`` module whose ``install(container)`` adds its
outbox expander, post-commit hooks and background loops; they are imported and called here,
by name, so a renamed or broken feature fails at start instead of silently switching off.
The outbox dispatcher (``worker.dispatch``) is installed first.
"""

from __future__ import annotations

from leadpulse.auth.google import GoogleVerifier
from leadpulse.automations import hooks as automations_hooks
from leadpulse.config import Settings
from leadpulse.container import Container, outbox_loop
from leadpulse.imports import hooks as imports_hooks
from leadpulse.leads import hooks as leads_hooks
from leadpulse.live import hooks as live_hooks
from leadpulse.queue.wakeup import RedisWaker
from leadpulse.store.db import Database
from leadpulse.webhooks import hooks as webhooks_hooks
from leadpulse.worker import dispatch


def install_outbox(container: Container) -> None:
    """Register the outbox dispatcher's loop; its drain runs first in burst mode."""
    container.loops[dispatch.LOOP] = outbox_loop(dispatch.LOOP, dispatch.dispatch)
    container.drains[dispatch.LOOP] = dispatch.dispatch


def install_features(container: Container) -> None:
    """Register every feature's expanders, hooks and loops (the dispatcher first)."""
    install_outbox(container)
    live_hooks.install(container)
    automations_hooks.install(container)
    webhooks_hooks.install(container)
    leads_hooks.install(container)
    imports_hooks.install(container)


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
    install_features(container)
    return container
