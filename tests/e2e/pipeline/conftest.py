"""Fixtures of the process-level pipeline tests (helpers: ``pipeline_e2e_support``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pipeline_e2e_support import Child


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., Child]]:
    """Start ``leadpulse ARGS…`` children; every one is killed at teardown."""
    children: list[Child] = []

    def _spawn(args: list[str], env: dict[str, str]) -> Child:
        child = Child(args, env, tmp_path / "children")
        children.append(child)
        return child

    yield _spawn
    for child in children:
        child.kill()


@pytest.fixture
def ingest(client: Any) -> Callable[[str, list[dict[str, Any]]], Awaitable[None]]:
    """Send SDK events through the in-process API, 500 per batch; every one must queue."""

    async def _ingest(key: str, events: list[dict[str, Any]]) -> None:
        for start in range(0, len(events), 500):
            chunk = events[start : start + 500]
            response = await client.post(
                "/api/ingest/batch", json={"events": chunk}, headers={"X-API-Key": key}
            )
            assert response.status_code == 202, response.text
            assert response.json()["accepted"] == len(chunk), response.text

    return _ingest
