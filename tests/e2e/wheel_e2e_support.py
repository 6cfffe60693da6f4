"""Helpers of tests/e2e/test_wheel.py: child processes of an installed ``leadpulse``.

Children run with a clean environment (no LEADPULSE_* or virtualenv variables from the
machine), log to a file, and every wait is a bounded poll, never a fixed sleep.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from leadpulse.store.db import Database

REPO = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get(
    "LEADPULSE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
DEADLINE_SECONDS = 180.0  # generous: process start-up is slow on a loaded machine


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (required under CI=true)", pytrace=False)
    pytest.skip(reason)


def find_uv() -> str:
    local = REPO / ".uv" / "bin" / "uv"
    found = str(local) if local.is_file() else shutil.which("uv")
    if found is None:
        pytest.fail("uv not found: run `make install-dev` (creates .uv/bin/uv)", pytrace=False)
    return found


def clean_env(**extra: str) -> dict[str, str]:
    """A child's environment: no LEADPULSE_* or virtualenv settings leaking in."""
    leaks = ("LEADPULSE_", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "UV_PYTHON", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if not k.startswith(leaks)}
    env.update({"NO_COLOR": "1", "TERM": "dumb", "PYTHONUNBUFFERED": "1"}, **extra)
    return env


def run(
    args: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion; fail with its output unless it succeeds."""
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env or clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Child:
    """A process of the installed ``leadpulse`` command, logging to a file."""

    def __init__(self, args: list[str | Path], *, cwd: Path, env: dict[str, str]) -> None:
        self.log = cwd / f"{Path(args[1]).name}-{uuid.uuid4().hex[:6]}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(a) for a in args], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_answering(self, url: str) -> httpx.Response:
        """Poll ``url`` (bounded) until the child answers; fail if it dies first."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"exited with {self.process.returncode}:\n{self.output[-4000:]}")
            try:
                return httpx.get(url, timeout=2)
            except httpx.TransportError:
                time.sleep(0.1)  # the child is still starting; bounded by the deadline
        pytest.fail(f"no answer from {url} within {DEADLINE_SECONDS}s:\n{self.output[-4000:]}")

    def stop(self) -> int:
        """SIGTERM, then wait (bounded); return the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


def sign_up_and_ingest(url: str) -> tuple[dict[str, str], int]:
    """Register, send one demo_request with the publishable key; return (auth, lead id)."""
    email = f"wheel-{uuid.uuid4().hex[:10]}@example.com"
    registered = httpx.post(
        f"{url}/api/auth/register",
        json={"email": email, "password": "correct horse battery", "name": "Wheel"},
        timeout=30,
    )
    assert registered.status_code == 201, registered.text
    auth = {"Authorization": f"Bearer {registered.json()['token']}"}
    project = httpx.get(f"{url}/api/auth/project", headers=auth, timeout=10)
    ingested = httpx.post(
        f"{url}/api/ingest/event",
        json={"event": "demo_request", "anonymousId": f"visitor-{uuid.uuid4().hex[:8]}"},
        headers={"X-API-Key": project.json()["publishableKey"]},
        timeout=10,
    )
    assert ingested.status_code == 202, ingested.text
    assert ingested.json()["status"] == "queued"
    return auth, ingested.json()["leadId"]


def wait_for_score(url: str, auth: dict[str, str], lead_id: int) -> dict[str, Any]:
    """Poll the lead (bounded) until the worker has scored it; return the lead."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        lead: dict[str, Any] = httpx.get(
            f"{url}/api/leads/{lead_id}", headers=auth, timeout=10
        ).json()
        if lead["currentScore"] > 0 or time.monotonic() > deadline:
            return lead
        time.sleep(0.1)  # the worker runs in another process; bounded by the deadline


async def admin_sql(statement: str) -> None:
    admin = Database(PG_URL, pool_size=1)
    try:
        async with admin.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql(statement)
    finally:
        await admin.dispose()
