"""Fixtures of the automation tests: the HTTP receiver shared with the webhook tests."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

# The receiver and lead helpers live beside the webhook tests (one copy for both).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "webhooks"))

from outbox_support import Receiver, running_receiver


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A running HTTP receiver answering 200 unless told otherwise."""
    async with running_receiver() as r:
        yield r
