"""Fixtures of the Segment API tests: an account, a worker, and a Segment-style sender."""

from __future__ import annotations

import gzip
import uuid
from typing import Any

import orjson
import pytest
from segment_support import basic

from leadpulse.worker.loop import Worker


@pytest.fixture
async def account(signup: Any) -> Any:
    return await signup()


@pytest.fixture
def worker(container: Any) -> Worker:
    """A worker on the test container; ``await worker.drain()`` scores everything due."""
    return Worker(container, worker_id=f"test-{uuid.uuid4().hex[:6]}")


@pytest.fixture
def segment(client: Any, account: Any) -> Any:
    """POST a Segment call (``/v1/<call>``) with the account's publishable key."""

    async def _post(
        call: str, body: Any, *, key: str | None = None, gzipped: bool = False, **headers: str
    ) -> Any:
        raw = orjson.dumps(body)
        sent = {"Content-Type": "application/json", **basic(key or account.publishable_key)}
        if gzipped:
            raw, sent["Content-Encoding"] = gzip.compress(raw), "gzip"
        sent.update(headers)
        return await client.post(f"/v1/{call}", content=raw, headers=sent)

    return _post
