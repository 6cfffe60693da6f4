"""Fixtures of the webhook tests: a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from outbox_support import Receiver, running_receiver


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A running HTTP receiver answering 200 unless told otherwise."""
    async with running_receiver() as r:
        yield r
