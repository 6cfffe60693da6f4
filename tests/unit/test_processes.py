"""How ``serve`` and ``api`` (one process or N) configure uvicorn's proxy headers (§4.7)."""

from __future__ import annotations

from typing import Any

import pytest

from leadpulse import processes
from leadpulse.config import Settings


def make(**values: Any) -> Settings:
    return Settings(_env_file=None, jwt_secret="s" * 48, **values)  # type: ignore[call-arg]


def test_by_default_uvicorn_believes_no_forwarded_header() -> None:
    options = processes.uvicorn_options(make())
    assert options["proxy_headers"] is False
    assert options["forwarded_allow_ips"] is None


def test_trusted_proxies_become_uvicorns_forwarded_allow_ips() -> None:
    options = processes.uvicorn_options(make(trusted_proxies=["10.0.0.0/8", "127.0.0.1"]))
    assert options["proxy_headers"] is True
    assert options["forwarded_allow_ips"] == "10.0.0.0/8,127.0.0.1"


@pytest.mark.parametrize("workers", [1, 3])
def test_api_processes_get_the_same_proxy_options(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(processes.uvicorn, "run", lambda app, **kw: calls.append(kw))
    monkeypatch.setattr(processes, "build_api", lambda settings, embedded_worker: object())
    processes.run_api(make(trusted_proxies=["192.0.2.1"], port=4321), processes=workers)
    [options] = calls
    assert options["proxy_headers"] is True
    assert options["forwarded_allow_ips"] == "192.0.2.1"
    assert options["port"] == 4321
    assert options.get("workers", 1) == workers


def test_serve_gets_the_same_proxy_options(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(processes.uvicorn, "run", lambda app, **kw: calls.append(kw))
    monkeypatch.setattr(processes, "build_api", lambda settings, embedded_worker: object())
    processes.run_serve(make())
    assert calls[0]["proxy_headers"] is False
