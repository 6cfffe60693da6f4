"""Fixtures of the Segment client tests: one ``leadpulse serve`` (SQLite, worker in-process)
per module and a fresh project per test (the SDK tests' harness, ``sdk_e2e_support``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "sdk"))

from sdk_e2e_support import Account, ApiServer


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    server = ApiServer(tmp_path_factory.mktemp("segment-serve"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def account(api_server: ApiServer) -> Account:
    return Account(api_server)
