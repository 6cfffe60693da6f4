"""Helpers of the foundation tests: local servers (Google certificates, SMTP), an app
client for custom settings, and problem+json assertions.

Imported as ``foundation_support`` (a unique name: several ``conftest`` modules exist).
The servers are real, on 127.0.0.1: stdlib ``http.server`` in a thread and aiosmtpd's
threaded controller.
"""

from __future__ import annotations

import json
import socket
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx


def free_port() -> int:
    """Return a TCP port that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class CertServer:
    """Serve ``{kid: pem_cert}`` JSON like googleapis.com/oauth2/v1/certs, counting requests."""

    def __init__(self, max_age: int = 3600) -> None:
        self.certs: dict[str, str] = {}
        self.max_age = max_age
        self.requests = 0
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with outer._lock:
                    outer.requests += 1
                    body = json.dumps(outer.certs).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Cache-Control", f"public, max-age={outer.max_age}")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/oauth2/v1/certs"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> CertServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class SmtpSink:
    """Collect every message delivered to a real SMTP server on 127.0.0.1."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[Message] = []
        self.received = threading.Event()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.messages.append(message_from_bytes(envelope.content))
                sink.received.set()
                return "250 Message accepted for delivery"

        self.port = free_port()
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()


@asynccontextmanager
async def api_client(settings: Any, db: Any) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """Run an app for ``settings`` over the test database; yield (client, app)."""
    from leadpulse.api.app import create_app
    from leadpulse.bootstrap import build_container

    container = build_container(settings)
    await container.db.dispose()
    container.db = db
    app = create_app(container, auto_migrate=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, app


async def register(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    """Register a fresh account over the API and return the response body."""
    body = {
        "email": f"user-{uuid.uuid4().hex[:12]}@example.com",
        "password": "correct horse battery",
        "name": "Test User",
        **overrides,
    }
    response = await client.post("/api/auth/register", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def bearer(token: str) -> dict[str, str]:
    """Return an Authorization header for a token or key."""
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert a problem+json response with ``status``; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"]
    return body


def error_locs(body: dict[str, Any]) -> set[str]:
    """Return the field paths named by a validation problem."""
    return {e["loc"] for e in body.get("errors", [])}
