"""The Python client against a running ``leadpulse serve`` (through a flaky proxy when needed)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sdk_e2e_support import Account, ApiServer

from leadpulse.client import AsyncClient, Client

FAST = {"backoff_base": 0.05, "backoff_cap": 0.2}


class FlakyProxy:
    """A local HTTP proxy in front of the API.

    The first ``fail`` requests are answered 503 without reaching the API; the next ``lose``
    ones reach it but their answer is replaced by 503 (stored, yet the client must retry).
    """

    def __init__(self, upstream: str, *, fail: int = 0, lose: int = 0) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.fail, self.lose = fail, lose
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, body = proxy.handle(self.path, raw, self.headers.get("X-API-Key", ""))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.upstream = upstream
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, path: str, raw: bytes, key: str) -> tuple[int, bytes]:
        self.bodies.append(json.loads(raw))
        if self.fail > 0:
            self.fail -= 1
            return 503, b'{"status": 503}'
        response = httpx.post(
            self.upstream + path,
            content=raw,
            headers={"Content-Type": "application/json", "X-API-Key": key},
            timeout=30,
        )
        if self.lose > 0:
            self.lose -= 1
            return 503, b'{"status": 503}'
        return response.status_code, response.content

    def event_ids(self, request: int) -> list[str]:
        return [e["eventId"] for e in self.bodies[request]["events"]]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxies(api_server: ApiServer) -> Iterator[Any]:
    made: list[FlakyProxy] = []

    def make(**options: int) -> FlakyProxy:
        made.append(FlakyProxy(api_server.url, **options))
        return made[-1]

    yield make
    for proxy in made:
        proxy.close()


def stored(api: ApiServer, account: Account, anonymous_id: str) -> list[dict[str, Any]]:
    lead = api.lead_id(account.project_id, anonymous_id)
    return [e for e in api.events(account.project_id) if e["leadId"] == lead]


def test_the_client_batches_events(api_server: ApiServer, account: Account, proxies: Any) -> None:
    proxy = proxies()
    anonymous_id = f"py-{uuid.uuid4().hex}"
    with Client(account.publishable_key, proxy.url, flush_at=10, flush_interval=60) as client:
        ids = [client.track(anonymous_id, "page_view", {"i": i}) for i in range(25)]
        client.identify(anonymous_id, f"{anonymous_id}@example.com", {"plan": "pro"})
        client.flush()

    sizes = [len(body["events"]) for body in proxy.bodies]
    assert max(sizes) <= 10 and sum(sizes) == 26 and len(sizes) >= 3
    events = stored(api_server, account, anonymous_id)
    assert {e["eventId"] for e in events} >= set(ids)
    assert len(events) == 26
    assert client.stats.queued == 26


def test_a_503_is_retried_and_each_event_is_stored_once(
    api_server: ApiServer, account: Account, proxies: Any
) -> None:
    proxy = proxies(fail=2)
    anonymous_id = f"py-{uuid.uuid4().hex}"
    with Client(account.publishable_key, proxy.url, **FAST) as client:
        for i in range(5):
            client.track(anonymous_id, "download", {"i": i})
        client.flush()

    assert len(proxy.bodies) == 3
    assert proxy.event_ids(0) == proxy.event_ids(1) == proxy.event_ids(2)
    assert len(stored(api_server, account, anonymous_id)) == 5
    assert (client.stats.queued, client.stats.failed) == (5, 0)


def test_a_retry_after_a_lost_answer_creates_no_duplicates(
    api_server: ApiServer, account: Account, proxies: Any
) -> None:
    proxy = proxies(lose=1)  # the API stores the batch, the client only sees a 503
    anonymous_id = f"py-{uuid.uuid4().hex}"
    with Client(account.publishable_key, proxy.url, **FAST) as client:
        for i in range(4):
            client.track(anonymous_id, "signup", {"i": i})
        client.flush()

    assert len(proxy.bodies) == 2 and proxy.event_ids(0) == proxy.event_ids(1)
    assert len(stored(api_server, account, anonymous_id)) == 4
    assert (client.stats.duplicates, client.stats.queued) == (4, 0)


def test_queued_events_are_flushed_when_the_program_exits(
    api_server: ApiServer, account: Account, tmp_path: Path
) -> None:
    anonymous_id = f"py-{uuid.uuid4().hex}"
    script = tmp_path / "track_and_exit.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from leadpulse.client import Client

            client = Client({account.publishable_key!r}, {api_server.url!r}, flush_interval=600)
            for i in range(7):
                client.track({anonymous_id!r}, "page_view", {{"i": i}})
            # no flush(), no close(): the atexit hook must send them
            """
        )
    )

    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert len(stored(api_server, account, anonymous_id)) == 7


async def test_the_async_client_delivers_through_retries(
    api_server: ApiServer, account: Account, proxies: Any
) -> None:
    proxy = proxies(fail=1)
    anonymous_id = f"py-{uuid.uuid4().hex}"
    async with AsyncClient(account.publishable_key, proxy.url, **FAST) as client:
        await client.track(anonymous_id, "demo_request")
        await client.identify(anonymous_id, f"{anonymous_id}@example.com")

    assert len(proxy.bodies) == 2 and proxy.event_ids(0) == proxy.event_ids(1)
    events = stored(api_server, account, anonymous_id)
    assert sorted(e["event"] for e in events) == ["demo_request", "identify"]
