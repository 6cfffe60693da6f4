"""Fixtures for live-update tests: start the real API (helpers in ``live_support``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from live_support import LiveServer, start_server


@pytest.fixture
async def start_live() -> AsyncIterator[Callable[[Any], Awaitable[LiveServer]]]:
    """Start the real API for a container; servers and clients are stopped at teardown."""
    running: list[LiveServer] = []

    async def _start(container: Any) -> LiveServer:
        live = await start_server(container)
        running.append(live)
        return live

    yield _start
    for live in running:
        await live.stop()
