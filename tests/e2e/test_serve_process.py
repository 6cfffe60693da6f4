"""The real ``leadpulse`` command: serve over real HTTP, stop on SIGTERM, and its --help."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

LEADPULSE = str(Path(sys.executable).parent / "leadpulse")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _env(**extra: str) -> dict[str, str]:
    """The environment of a child process: no LEADPULSE_* leaking in from the machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADPULSE_")}
    env.update({"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}, **extra)
    return env


class Server:
    def __init__(self, process: subprocess.Popen[str], url: str, data_dir: Path) -> None:
        self.process = process
        self.url = url
        self.data_dir = data_dir


def _wait_until_answering(process: subprocess.Popen[str], url: str) -> httpx.Response:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"leadpulse serve exited with {process.returncode}:\n{out}\n{err}")
        try:
            return httpx.get(f"{url}/api/health", timeout=2)
        except httpx.TransportError:
            time.sleep(0.1)  # polling a starting process, bounded by the deadline
    pytest.fail(f"leadpulse serve did not answer within {START_TIMEOUT}s")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A ``leadpulse serve`` subprocess in embedded mode on a free port."""
    port, data_dir = _free_port(), tmp_path / "data"
    process = subprocess.Popen(
        [LEADPULSE, "serve", "--port", str(port), "--data-dir", str(data_dir)],
        cwd=tmp_path,  # no stray .env
        env=_env(LEADPULSE_LOG_JSON="true"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(process, url)
        yield Server(process, url, data_dir)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_serve_answers_health_registers_over_http_and_stops_on_sigterm(server: Server) -> None:
    health = httpx.get(f"{server.url}/api/health", timeout=5)
    # Until the in-process worker lands, the worker component says "none" and the overall
    # status is 503 "degraded"; the database must already be fine.
    assert health.status_code in (200, 503)
    body = health.json()
    assert body["database"] == {"status": "ok", "backend": "sqlite"}
    assert body["mode"] == "embedded"
    assert body["redis"]["status"] == "disabled"

    email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    registered = httpx.post(
        f"{server.url}/api/auth/register",
        json={"email": email, "password": "correct horse battery", "name": "E2E"},
        headers={"X-Request-ID": "e2e-register-1"},
        timeout=10,
    )
    assert registered.status_code == 201, registered.text
    assert registered.headers["x-request-id"] == "e2e-register-1"
    token = registered.json()["token"]
    me = httpx.get(
        f"{server.url}/api/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert me.json()["email"] == email

    secret = server.data_dir / "jwt-secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert (server.data_dir / "leadpulse.db").is_file()

    server.process.send_signal(signal.SIGTERM)
    out, err = server.process.communicate(timeout=STOP_TIMEOUT)
    # uvicorn shuts down gracefully, then re-raises the signal it caught: dying "by SIGTERM"
    # after a complete shutdown is the clean exit service managers expect.
    assert server.process.returncode in (0, -signal.SIGTERM), err
    assert "Application shutdown complete" in err
    assert "Traceback" not in err
    assert "http://localhost:" in out + err  # the banner tells where it listens

    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    requests = [e for e in lines if e.get("event") == "request"]
    assert any(
        e["request_id"] == "e2e-register-1" and e["path"] == "/api/auth/register" for e in requests
    )


def test_a_streamed_oversized_body_gets_a_413_over_real_http(server: Server) -> None:
    chunk = b"x" * 65536

    def body() -> Iterator[bytes]:
        yield b'{"email": "a@example.com", "password": "long enough", "name": "'
        for _ in range(20):  # 1.3 MB > the default 1 MB limit
            yield chunk
        yield b'"}'

    response = httpx.post(
        f"{server.url}/api/auth/register",
        content=body(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


def _run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LEADPULSE, *args],
        cwd=cwd,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ((), ("serve", "api", "worker", "db")),
        (("serve",), ("--host", "--port", "--data-dir")),
        (("api",), ("--host", "--port", "--data-dir", "--workers")),
        (("worker",), ("--data-dir", "--concurrency", "--burst")),
        (("db", "upgrade"), ("--data-dir", "REVISION")),
    ],
)
def test_help_reads_well(
    tmp_path: Path, command: tuple[str, ...], options: tuple[str, ...]
) -> None:
    result = _run(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for option in options:
        assert option in result.stdout, option


def test_db_upgrade_creates_the_embedded_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = _run("db", "upgrade", "--data-dir", str(data), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (data / "leadpulse.db").is_file()
    current = _run("db", "current", "--data-dir", str(data), cwd=tmp_path)
    assert current.returncode == 0
    assert current.stdout.strip() not in ("", "unmigrated")


def test_production_mode_refuses_to_start_insecurely(tmp_path: Path) -> None:
    result = _run("serve", "--port", str(_free_port()), cwd=tmp_path, LEADPULSE_ENV="production")
    assert result.returncode == 2
    assert "JWT_SECRET" in result.stderr
