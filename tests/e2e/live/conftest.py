"""Fixtures for live end-to-end tests; the server and client helpers are shared with
``tests/integration/live/live_support.py`` (put on the import path here)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "integration" / "live"))

from live_support import LiveServer, start_server


@pytest.fixture
async def start_live() -> AsyncIterator[Callable[[Any], Awaitable[LiveServer]]]:
    """Start the real API with every feature installed; stopped at teardown."""
    running: list[LiveServer] = []

    async def _start(container: Any) -> LiveServer:
        live = await start_server(container, only_live=False)
        running.append(live)
        return live

    yield _start
    for live in running:
        await live.stop()
