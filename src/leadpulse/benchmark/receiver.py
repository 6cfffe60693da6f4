"""A fast webhook receiver for the dispatch phase: ``python -m leadpulse.benchmark.receiver
PORT`` listens on 127.0.0.1 and answers every POST ``200`` at once (HTTP/1.1 keep-alive).

``GET /stats`` returns ``{"count", "first", "last", "peak"}`` (requests received, monotonic
times of the first and last, the most connections open at once) and ``POST /reset`` zeroes
them. A raw asyncio protocol on uvloop: a few µs of CPU per request, so the receiver is
never what the phase measures.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


@dataclass
class Stats:
    count: int = 0
    first: float = 0.0
    last: float = 0.0
    open: int = 0
    peak: int = 0

    def reset(self) -> None:
        self.count, self.first, self.last, self.peak = 0, 0.0, 0.0, self.open

    def as_bytes(self) -> bytes:
        body = json.dumps(
            {"count": self.count, "first": self.first, "last": self.last, "peak": self.peak}
        ).encode()
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        return head + body


class Receiver(asyncio.Protocol):
    """One connection: parse requests (head + Content-Length body), answer each."""

    def __init__(self, stats: Stats) -> None:
        self.stats = stats
        self.buffer = b""
        self.transport: asyncio.WriteTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's TCPTransport
        self.stats.open += 1
        self.stats.peak = max(self.stats.peak, self.stats.open)

    def connection_lost(self, exc: Exception | None) -> None:
        self.stats.open -= 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = self.buffer[:end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self._answer(head.split(" ", 2)[:2])

    def _answer(self, line: list[str]) -> None:
        assert self.transport is not None
        if line == ["GET", "/stats"]:
            self.transport.write(self.stats.as_bytes())
            return
        if line == ["POST", "/reset"]:
            self.stats.reset()
        else:
            now = time.monotonic()
            self.stats.count += 1
            self.stats.first = self.stats.first or now
            self.stats.last = now
        self.transport.write(OK)


async def serve(port: int) -> None:
    """Serve on 127.0.0.1:``port`` until killed."""
    stats = Stats()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Receiver(stats), "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main() -> None:
    """Run the receiver (uvloop when installed)."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop ships with the server extra
        pass
    asyncio.run(serve(int(sys.argv[1])))


if __name__ == "__main__":
    main()
