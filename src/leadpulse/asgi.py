"""ASGI factory for multi-process ``leadpulse api --workers N`` (reads the environment)."""

from __future__ import annotations

from leadpulse.config import Settings
from leadpulse.obs import configure_logging_from
from leadpulse.processes import build_api


def app_from_env() -> object:
    """Build the API app from environment settings."""
    settings = Settings()
    configure_logging_from(settings)
    return build_api(settings, embedded_worker=False)
