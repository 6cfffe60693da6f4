"""Helpers of the SDK end-to-end tests: the API process, a site on another origin, polls.

Everything here is real: the API process (SQLite in a temp data dir, worker in-process),
plain HTTP servers on 127.0.0.1 and headless Chromium driven by playwright. Waiting is done
by bounded polls on observable state (the health endpoint, the database, the lead).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
STARTUP_TIMEOUT = 120.0
WAIT_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(
    check: Callable[[], Any],
    *,
    timeout: float = WAIT_TIMEOUT,
    what: str = "",
    page: Any = None,
) -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds.

    With a playwright ``page``, the pause between polls runs the page's event loop, so its
    route handlers and request listeners keep working while we wait.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what or check}")
        if page is not None:
            page.wait_for_timeout(100)
        else:
            time.sleep(0.1)


def _leadpulse_command() -> list[str]:
    script = Path(sys.executable).with_name("leadpulse")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from leadpulse.cli import main; main()"]


class ApiServer:
    """``leadpulse serve`` on a fixed port and data dir; can be stopped and started again."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data_dir = root / "data"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = root / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEADPULSE_")}
        env.update(
            LEADPULSE_RATE_LIMIT_ENABLED="false",
            LEADPULSE_JWT_SECRET="e2e-sdk-secret-" + "x" * 40,
            LEADPULSE_LOG_JSON="false",
            LEADPULSE_LOG_LEVEL="WARNING",
            LEADPULSE_WORKER_HEALTH_PORT="0",
            LEADPULSE_PUBLIC_URL=self.url,
        )
        return env

    def start(self) -> None:
        command = [*_leadpulse_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--data-dir", str(self.data_dir)],
                cwd=self.root,  # no stray .env from the repository
                env=self._env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for(self._healthy, timeout=STARTUP_TIMEOUT, what=f"{self.url}/api/health")

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"leadpulse serve exited ({self.process.returncode}):\n{self.log_tail()}")
        try:
            response = httpx.get(f"{self.url}/api/health", timeout=2)
        except httpx.TransportError:
            return False
        return bool(response.json().get("database", {}).get("status") == "ok")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    # --- reading what arrived ------------------------------------------------------------

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run a read-only query on the server's SQLite file."""
        path = self.data_dir / "leadpulse.db"
        if not path.exists():
            return []
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def events(self, project_id: int, event_type: str | None = None) -> list[dict[str, Any]]:
        """Return the stored events of a project (optionally of one type), oldest first."""
        sql = (
            "SELECT event_id, event_type, session_id, email, properties, lead_id"
            " FROM events WHERE project_id = ?"
        )
        params: list[Any] = [project_id]
        if event_type is not None:
            sql += " AND event_type = ?"
            params.append(event_type)
        rows = self.query(sql + " ORDER BY id", *params)
        keys = ("eventId", "event", "sessionId", "email", "properties", "leadId")
        found = [dict(zip(keys, row, strict=True)) for row in rows]
        for item in found:
            item["properties"] = json.loads(item["properties"] or "{}")
        return found

    def lead_id(self, project_id: int, anonymous_id: str) -> int | None:
        rows = self.query(
            "SELECT id FROM leads WHERE project_id = ? AND anonymous_id = ?",
            project_id,
            anonymous_id,
        )
        return int(rows[0][0]) if rows else None


class Account:
    """A registered user: JWT, project id and publishable key."""

    def __init__(self, server: ApiServer) -> None:
        email = f"sdk-{uuid.uuid4().hex[:12]}@example.com"
        body = {"email": email, "password": "correct horse battery", "name": "SDK Test"}
        response = httpx.post(f"{server.url}/api/auth/register", json=body, timeout=30)
        assert response.status_code == 201, response.text
        data = response.json()
        self.token: str = data["token"]
        self.project_id: int = data["project"]["id"]
        project = httpx.get(f"{server.url}/api/auth/project", headers=self.headers, timeout=10)
        assert project.status_code == 200, project.text
        self.publishable_key: str = project.json()["publishableKey"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


# --- the customer's website: another origin --------------------------------------------


class Site:
    """A static website on ``http://localhost:<port>`` (another origin than the API)."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                html = pages.get(path)
                if html is None and path.startswith("/app/"):
                    html = pages.get("/app/")  # an SPA answers every route with its shell
                body = (html or "not found").encode()
                self.send_response(200 if html is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # a form posted to the site: answer its page
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.do_GET()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://localhost:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
