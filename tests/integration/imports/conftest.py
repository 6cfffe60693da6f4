"""Import fixtures: a worker on the test container and an upload helper."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from leadpulse.imports import hooks
from leadpulse.worker.loop import Worker


@pytest.fixture
def worker(container: Any) -> Worker:
    """A worker on the test container; ``await worker.drain()`` scores everything due."""
    return Worker(container, worker_id=f"test-{uuid.uuid4().hex[:6]}")


@pytest.fixture
def run_imports(container: Any) -> Any:
    """Run every queued import job in this process (what the worker's imports loop does)."""

    async def _run() -> int:
        return await hooks.drain(container)

    return _run


@pytest.fixture
def upload(client: Any) -> Any:
    """POST a file to /api/imports; return the response."""

    async def _upload(account: Any, content: bytes, name: str = "events.csv", **form: str) -> Any:
        files = {"file": (name, content, "application/octet-stream")}
        return await client.post("/api/imports", files=files, data=form, headers=account.headers)

    return _upload
