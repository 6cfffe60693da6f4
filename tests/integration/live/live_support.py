"""Helpers for live-update tests: a real API on uvicorn and a thin Socket.IO test client.

``LiveClient`` wraps python-socketio's own ``socketio.AsyncClient`` (aiohttp is a dev
dependency): it connects over the ``websocket`` transport with ``auth={"token": ...}``,
never reconnects, and a catch-all ``*`` handler queues every received event in arrival
order; ``wait_disconnected`` waits (bounded) for the server to drop the socket. A refused
connection (the server's CONNECT_ERROR) is raised as ``Refused`` carrying the server's
payload.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import socketio
import uvicorn

from leadpulse.api.app import asgi_app
from leadpulse.live import hooks as live_hooks

WAIT_SECONDS = 10.0
PASSWORD = "correct horse battery"


class Refused(Exception):
    """The server answered the Socket.IO connect with CONNECT_ERROR."""

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        self.data = data


class LiveClient:
    """One Socket.IO client on the default namespace; received events queue up in order."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url
        self.inbox: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._refusal: list[Any] = []
        self.disconnected = asyncio.Event()
        self._sio = sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        sio.on("connect_error", self._refused)
        sio.on("disconnect", self._dropped)
        sio.on("*", self._received)

    def _refused(self, data: Any = None) -> None:
        self._refusal.append(data)

    def _dropped(self, *_: Any) -> None:
        self.disconnected.set()

    def _received(self, event: str, data: Any = None, *_: Any) -> None:
        self.inbox.put_nowait((event, data))

    @property
    def connected(self) -> bool:
        """Whether the socket is open."""
        return bool(self._sio.connected)

    async def wait_disconnected(self) -> None:
        """Return once the socket was closed, waiting a bounded time."""
        await asyncio.wait_for(self.disconnected.wait(), WAIT_SECONDS)

    async def connect(self, token: str | None, headers: dict[str, str] | None = None) -> None:
        """Open the socket and authenticate; raise Refused if the server says no."""
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                await self._sio.connect(
                    self.url,
                    auth=None if token is None else {"token": token},
                    headers=headers or {},
                    transports=["websocket"],
                    wait_timeout=WAIT_SECONDS,
                )
        except socketio.exceptions.ConnectionError as exc:
            await self.close()
            if self._sio.failed_namespaces and self._refusal:
                raise Refused(self._refusal[-1]) from exc
            raise
        except BaseException:
            await self.close()
            raise

    async def next(self) -> tuple[str, Any]:
        """Return the next received event as (name, data), waiting a bounded time."""
        return await asyncio.wait_for(self.inbox.get(), WAIT_SECONDS)

    async def take(self, count: int) -> list[tuple[str, Any]]:
        """Return the next ``count`` events."""
        return [await self.next() for _ in range(count)]

    async def close(self) -> None:
        """Disconnect; also releases the HTTP session of a refused or failed connection."""
        await self._sio.disconnect()


@dataclass
class LiveServer:
    """A running API (Socket.IO in front of FastAPI) on a free local port."""

    url: str
    container: Any
    server: uvicorn.Server
    task: asyncio.Task[None]
    sock: socket.socket
    clients: list[LiveClient] = field(default_factory=list)
    emails: dict[str, str] = field(default_factory=dict)  # first token -> e-mail

    async def register(self) -> tuple[str, int]:
        """Sign up a fresh user over HTTP; return (token, project id)."""
        token, project_id, _ = await self.register_with_key()
        return token, project_id

    async def register_with_key(self) -> tuple[str, int, str]:
        """Sign up a fresh user over HTTP; return (token, project id, publishable key)."""
        body = {
            "email": f"live-{uuid.uuid4().hex[:12]}@example.com",
            "password": PASSWORD,
            "name": "Live Tester",
        }
        async with httpx.AsyncClient(base_url=self.url) as http:
            response = await http.post("/api/auth/register", json=body)
            assert response.status_code == 201, response.text
            data = response.json()
            project = await http.get(
                "/api/auth/project", headers={"Authorization": f"Bearer {data['token']}"}
            )
        self.emails[data["token"]] = body["email"]
        return data["token"], data["project"]["id"], project.json()["publishableKey"]

    async def sign_in_again(self, token: str) -> str:
        """Sign in as the user registered with ``token``; return the new token."""
        body = {"email": self.emails[token], "password": PASSWORD}
        async with httpx.AsyncClient(base_url=self.url) as http:
            response = await http.post("/api/auth/login", json=body)
        assert response.status_code == 200, response.text
        fresh: str = response.json()["token"]
        return fresh

    async def client(self, token: str | None, headers: dict[str, str] | None = None) -> LiveClient:
        """Return a connected (authenticated) client."""
        client = LiveClient(self.url)
        self.clients.append(client)
        await client.connect(token, headers)
        return client

    async def stop(self) -> None:
        """Close the clients, then the server (its lifespan closes the container)."""
        for client in self.clients:
            await client.close()
        self.server.should_exit = True
        await asyncio.wait_for(self.task, WAIT_SECONDS)
        self.sock.close()


def isolate_live_hooks(container: Any) -> None:
    """Keep only the live-update hooks, so other features do not react to fake outcomes."""
    for hooks in (
        container.after_ingest,
        container.after_scoring,
        container.after_merge,
        container.after_automation,
    ):
        hooks.clear()
    live_hooks.install(container)


async def _wait_started(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    async with asyncio.timeout(WAIT_SECONDS):
        while not server.started:
            if task.done():
                task.result()  # surface the startup error
            await asyncio.sleep(0.01)


async def start_server(container: Any, *, only_live: bool = True) -> LiveServer:
    """Serve ``asgi_app(container)`` with uvicorn on a free 127.0.0.1 port."""
    if only_live:
        isolate_live_hooks(container)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = asgi_app(container, auto_migrate=False)
    # Proxy headers are believed as in production: only from LEADPULSE_TRUSTED_PROXIES.
    trusted = container.settings.forwarded_allow_ips
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="on",
        ws="websockets-sansio",
        proxy_headers=trusted is not None,
        forwarded_allow_ips=trusted,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    await _wait_started(server, task)
    return LiveServer(f"http://127.0.0.1:{port}", container, server, task, sock)
