"""Fixtures of the integration tests: real local servers (see ``foundation_support``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from foundation_support import CertServer, SmtpSink


@pytest.fixture
def cert_server() -> Iterator[CertServer]:
    """A running certificate server (empty until the test publishes certificates)."""
    with CertServer() as server:
        yield server


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A running SMTP server that keeps what it receives."""
    with SmtpSink() as sink:
        yield sink
