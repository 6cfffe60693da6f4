"""The pooled outgoing client against a real HTTP server on 127.0.0.1: keep-alive
connections are reused, a checked name connects to its pinned address, and requests in
flight per receiver are bounded."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import anyio
import httpx
import pytest

from leadpulse.webhooks import ssrf, transport
from leadpulse.webhooks.policy import AttemptResult


@dataclass
class CountingServer:
    """Answers 200 to every request (after ``delay``); counts connections, the Host headers
    it saw and the most requests it had in flight at once."""

    delay: float = 0.0
    connections: int = 0
    hosts: list[str] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                lines = head.decode().split("\r\n")
                fields = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
                await reader.readexactly(int(fields.get("Content-Length", "0")))
                self.hosts.append(fields.get("Host", ""))
                self.in_flight += 1
                self.peak = max(self.peak, self.in_flight)
                await asyncio.sleep(self.delay)  # a slow receiver, not a wait for work
                self.in_flight -= 1
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def server() -> AsyncIterator[CountingServer]:
    counting = CountingServer()
    listener = await asyncio.start_server(counting.handle, "127.0.0.1", 0)
    counting.port = listener.sockets[0].getsockname()[1]
    async with listener:
        yield counting


async def post(
    client: httpx.AsyncClient,
    url: str,
    *,
    allow_private: bool = True,
    resolver: ssrf.Resolver = ssrf.resolve,
) -> AttemptResult:
    return await transport.send(
        client,
        method="POST",
        url=url,
        headers={},
        content=b"{}",
        allow_private=allow_private,
        resolver=resolver,
    )


async def test_attempts_to_one_receiver_reuse_a_keep_alive_connection(
    server: CountingServer,
) -> None:
    async with transport.new_client(5.0) as client:
        results = [await post(client, f"http://127.0.0.1:{server.port}/in") for _ in range(5)]

    assert all(r.ok for r in results)
    assert server.connections == 1


async def test_a_checked_name_connects_to_its_pinned_address(
    server: CountingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Treat loopback as public so the guard runs (and pins) against the local server; the
    # name does not resolve anywhere, so only the pin can reach it.
    monkeypatch.setattr(ssrf, "refusal", lambda ip: None)

    async def fake_dns(host: str, port: int) -> list[str]:
        assert host == "receiver.invalid"
        return ["127.0.0.1"]

    url = f"http://receiver.invalid:{server.port}/in"
    async with transport.new_client(5.0) as client:
        first = await post(client, url, allow_private=False, resolver=fake_dns)
        second = await post(client, url, allow_private=False, resolver=fake_dns)

    assert first.ok and second.ok
    assert server.hosts == [f"receiver.invalid:{server.port}"] * 2
    assert server.connections == 1


async def test_a_name_refused_on_a_later_attempt_is_not_sent(
    server: CountingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([["127.0.0.1"], ["10.0.0.9"]])  # DNS rebinds to a private address

    async def rebinding_dns(host: str, port: int) -> list[str]:
        return next(answers)

    monkeypatch.setattr(
        ssrf, "refusal", lambda ip: "private" if ip == ipaddress.ip_address("10.0.0.9") else None
    )
    url = f"http://receiver.invalid:{server.port}/in"
    async with transport.new_client(5.0) as client:
        first = await post(client, url, allow_private=False, resolver=rebinding_dns)
        second = await post(client, url, allow_private=False, resolver=rebinding_dns)

    assert first.ok
    assert not second.ok and second.error is not None and "refused" in second.error
    assert len(server.hosts) == 1


async def test_requests_in_flight_per_receiver_are_bounded(server: CountingServer) -> None:
    server.delay = 0.05
    async with transport.new_client(5.0, per_host=3) as client, anyio.create_task_group() as tg:
        for _ in range(12):
            tg.start_soon(post, client, f"http://127.0.0.1:{server.port}/in")

    assert len(server.hosts) == 12
    assert server.peak == 3
