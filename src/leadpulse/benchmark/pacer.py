"""A lean open-loop HTTP load generator for latency at a fixed offered rate.

wrk2 (constant throughput) is not packaged in Debian, and wrk's ``delay()`` makes each
connection closed-loop (a slow response delays the next request, hiding queueing: the
"coordinated omission" problem). This pacer schedules request ``i`` at ``t0 + i / rate``
whatever happened before, sends it on a free keep-alive connection, and measures latency
from the *scheduled* time, so time spent waiting for a connection counts. It speaks minimal
HTTP/1.1 over asyncio streams with prebuilt request bytes (≈30–60 µs of CPU per request), so
1,000 req/s costs it a few percent of one core.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(slots=True)
class PacedResult:
    """Latencies (seconds, from scheduled send) and status counts of one paced run."""

    rate: float
    duration: float
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    bad: int = 0
    errors: int = 0

    def percentile(self, p: float) -> float:
        """Return the p-th percentile latency in milliseconds (0 when nothing was measured)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index] * 1000

    @property
    def achieved(self) -> float:
        """Responses per second over the scheduled duration."""
        return (self.ok + self.bad) / self.duration if self.duration else 0.0


def build_request(host: str, port: int, path: str, key: str, body: bytes) -> bytes:
    """Return the bytes of one keep-alive JSON POST."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"X-API-Key: {key}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def _connection(
    host: str, port: int, queue: asyncio.Queue[tuple[float, bytes] | None], out: PacedResult
) -> None:
    loop = asyncio.get_running_loop()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while (item := await queue.get()) is not None:
            scheduled, request = item
            try:
                writer.write(request)
                status = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError):
                out.errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            out.latencies.append(loop.time() - scheduled)
            if status == 202:
                out.ok += 1
            else:
                out.bad += 1
    finally:
        writer.close()


async def paced(
    *,
    host: str,
    port: int,
    requests: Sequence[bytes],
    rate: float,
    connections: int = 64,
) -> PacedResult:
    """Send ``requests`` (prebuilt) open-loop at ``rate`` per second; return latencies."""
    loop = asyncio.get_running_loop()
    out = PacedResult(rate=rate, duration=len(requests) / rate)
    queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
    workers = [asyncio.create_task(_connection(host, port, queue, out)) for _ in range(connections)]
    start = loop.time() + 0.05
    for i, request in enumerate(requests):
        scheduled = start + i / rate
        wait = scheduled - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        queue.put_nowait((scheduled, request))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return out
