"""Drive Debian's ``wrk`` (C, epoll, one thread) with ``bench/post.lua`` and read its report."""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from leadpulse.benchmark.stack import BENCH_DIR

SCRIPT = BENCH_DIR / "post.lua"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
PERCENTILE = re.compile(r"^\s*(50|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", re.M)


@dataclass(slots=True)
class WrkResult:
    """One wrk run: rate, latency percentiles (ms), outcome counts and wall time."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    ok: int
    bad: int
    elapsed_s: float
    errors: int
    first_request_at: float | None = None  # perf_counter of the first request (once mode)


def write_bodies(path: Path, bodies: list[bytes]) -> Path:
    """Write request bodies one per line (the format post.lua reads)."""
    path.write_bytes(b"\n".join(bodies) + b"\n")
    return path


def wrk_path() -> str:
    """Return the wrk binary, or raise with the install hint."""
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed: run bench/ensure-tools.sh (apt-get install wrk)")
    return found


def parse(output: str, elapsed: float) -> WrkResult:
    """Read wrk's --latency report and the script's LEADPULSE line."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    latency = {int(p): float(v) * UNITS[u] for p, v, u in PERCENTILE.findall(output)}
    counts = re.search(r"^LEADPULSE (\{.*\})$", output, re.M)
    outcome = orjson.loads(counts.group(1)) if counts else {"ok": 0, "bad": 0}
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return WrkResult(
        requests_per_s=float(rate.group(1)) if rate else 0.0,
        p50_ms=latency.get(50, 0.0),
        p99_ms=latency.get(99, 0.0),
        ok=int(outcome["ok"]),
        bad=int(outcome["bad"]),
        elapsed_s=elapsed,
        errors=errors,
    )


async def run_wrk(
    *,
    port: int,
    path: str,
    bodies: Path,
    key: str,
    connections: int,
    duration: float,
    once: bool = False,
) -> WrkResult:
    """Run wrk against ``path`` for ``duration`` seconds (or until every body is sent once)."""
    argv = [
        wrk_path(),
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "60s",
        "--latency",
        "-s",
        str(SCRIPT),
        f"http://127.0.0.1:{port}",
        "--",
        str(bodies),
        path,
        key,
        "once" if once else "loop",
    ]
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    text, first, last = await _read(proc)
    if proc.returncode not in (0, -signal.SIGINT):
        raise RuntimeError(f"wrk failed ({proc.returncode}): {text[-2000:]}")
    result = parse(text, (last or time.perf_counter()) - (first or started))
    if once and first is not None and last is not None:
        result.requests_per_s = (result.ok + result.bad) / result.elapsed_s
    result.first_request_at = first
    return result


async def _read(proc: asyncio.subprocess.Process) -> tuple[str, float | None, float | None]:
    """Collect wrk's output; on LEADPULSE_DONE (once mode) stop it with SIGINT."""
    assert proc.stdout is not None
    lines: list[str] = []
    first = last = None
    while line := (await proc.stdout.readline()).decode(errors="replace"):
        if line.startswith("LEADPULSE_START"):
            first = time.perf_counter()
        elif line.startswith("LEADPULSE_DONE"):
            last = time.perf_counter()
            proc.send_signal(signal.SIGINT)  # wrk prints its report and exits
        else:
            lines.append(line)
    await proc.wait()
    return "".join(lines), first, last
