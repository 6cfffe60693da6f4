"""ASGI factory for multi-process ``leadpulse api --workers N`` (reads the environment)."""

from __future__ import annotations

from leadpulse.config import Settings
from leadpulse.obs import configure_logging
from leadpulse.processes import build_api


def app_from_env() -> object:
    """Build the API app from environment settings."""
    settings = Settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return build_api(settings, embedded_worker=False)
