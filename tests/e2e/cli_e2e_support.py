"""Helpers of the ``leadpulse`` command tests: run the real command, start a real server.

Everything runs as a subprocess of the installed ``leadpulse`` script, on 127.0.0.1 only,
in a throw-away directory (no stray ``.env``) with no ``LEADPULSE_*`` leaking in.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

LEADPULSE = str(Path(sys.executable).parent / "leadpulse")
START_TIMEOUT = 90.0
COMMAND_TIMEOUT = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: no LEADPULSE_* from the machine, plain output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADPULSE_")}
    env.update({"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}, **extra)
    return env


def leadpulse(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``leadpulse ARGS`` to completion and return what it printed."""
    return subprocess.run(
        [LEADPULSE, *args],
        cwd=cwd,
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


class Served:
    """A running ``leadpulse serve``: its base URL, data dir and log file."""

    def __init__(self, url: str, port: int, data_dir: Path, log: Path) -> None:
        self.url = url
        self.port = port
        self.data_dir = data_dir
        self.log = log

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _wait_until_answering(process: subprocess.Popen[bytes], served: Served) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"leadpulse serve exited early:\n{served.log_tail()}", pytrace=False)
        try:
            httpx.get(f"{served.url}/api/health", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)  # polling a starting process, bounded by the deadline
    pytest.fail(f"leadpulse serve did not answer in {START_TIMEOUT}s:\n{served.log_tail()}")


@contextmanager
def serving(root: Path, **env: str) -> Iterator[Served]:
    """Start ``leadpulse serve`` (embedded, SQLite) on a free port under ``root``; stop it."""
    port, data_dir, log = free_port(), root / "data", root / "serve.log"
    served = Served(f"http://127.0.0.1:{port}", port, data_dir, log)
    environment = child_env(**{"LEADPULSE_ENV": "test", "LEADPULSE_LOG_JSON": "false", **env})
    with log.open("wb") as out:
        process = subprocess.Popen(
            [LEADPULSE, "serve", "--port", str(port), "--data-dir", str(data_dir)],
            cwd=root,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_answering(process, served)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
