"""Build the long-lived objects of a process from Settings, choosing adapters by URL.

``Container`` is what the API and the worker share: the database, the queue wake-up
channel, the live-update emitter, the rate limiter. ``LEADPULSE_REDIS_URL`` unset means the
in-process adapters (embedded mode).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from leadpulse.auth.google import GoogleVerifier
from leadpulse.config import Settings
from leadpulse.store.db import Database


@dataclass
class Container:
    """Process-wide dependencies; created once, closed on shutdown."""

    settings: Settings
    db: Database
    google: GoogleVerifier | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    async def close(self) -> None:
        """Release pools and connections."""
        await self.db.dispose()


def build_container(settings: Settings) -> Container:
    """Create the container for ``settings`` (no I/O until first use)."""
    db = Database(settings.resolved_database_url)
    google = (
        GoogleVerifier(client_id=settings.google_client_id, certs_url=settings.google_certs_url)
        if settings.google_client_id
        else None
    )
    return Container(settings=settings, db=db, google=google)
