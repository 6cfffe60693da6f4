"""Helpers for live-update tests: a real API on uvicorn and a minimal Socket.IO client.

The client speaks Engine.IO 4 / Socket.IO 5 over a plain WebSocket (``websockets``, already
a dependency of uvicorn[standard]); python-socketio's own AsyncClient would need aiohttp,
which LeadPulse does not depend on. Frames: ``0{open}``, ``40{auth}`` connect,
``40{sid}`` accepted / ``44{message}`` refused, ``42[event, data]``, ping ``2`` → pong ``3``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from leadpulse.api.app import asgi_app
from leadpulse.live import hooks as live_hooks

WAIT_SECONDS = 10.0


class Refused(Exception):
    """The server answered the Socket.IO connect with CONNECT_ERROR."""

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        self.data = data


class LiveClient:
    """One Socket.IO client on the default namespace; received events queue up in order."""

    def __init__(self, base_url: str) -> None:
        self.url = "ws" + base_url.removeprefix("http") + "/socket.io/?EIO=4&transport=websocket"
        self.inbox: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None

    async def connect(self, token: str | None) -> None:
        """Open the socket and authenticate; raise Refused if the server says no."""
        self._ws = ws = await connect(self.url)
        opening = await asyncio.wait_for(ws.recv(), WAIT_SECONDS)
        assert isinstance(opening, str) and opening.startswith("0"), opening
        await ws.send("40" if token is None else "40" + json.dumps({"token": token}))
        reply = await asyncio.wait_for(ws.recv(), WAIT_SECONDS)
        assert isinstance(reply, str)
        if reply.startswith("44"):
            await self.close()
            raise Refused(json.loads(reply[2:]))
        assert reply.startswith("40"), reply
        self._reader = asyncio.create_task(self._read(ws))

    async def _read(self, ws: ClientConnection) -> None:
        with contextlib.suppress(Exception):
            async for frame in ws:
                if frame == "2":
                    await ws.send("3")
                elif isinstance(frame, str) and frame.startswith("42"):
                    name, *args = json.loads(frame[2:])
                    self.inbox.put_nowait((name, args[0] if args else None))

    async def next(self) -> tuple[str, Any]:
        """Return the next received event as (name, data), waiting a bounded time."""
        return await asyncio.wait_for(self.inbox.get(), WAIT_SECONDS)

    async def take(self, count: int) -> list[tuple[str, Any]]:
        """Return the next ``count`` events."""
        return [await self.next() for _ in range(count)]

    async def close(self) -> None:
        """Close the socket."""
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        if self._ws is not None:
            await self._ws.close()
            self._ws = None


@dataclass
class LiveServer:
    """A running API (Socket.IO in front of FastAPI) on a free local port."""

    url: str
    container: Any
    server: uvicorn.Server
    task: asyncio.Task[None]
    sock: socket.socket
    clients: list[LiveClient] = field(default_factory=list)

    async def register(self) -> tuple[str, int]:
        """Sign up a fresh user over HTTP; return (token, project id)."""
        token, project_id, _ = await self.register_with_key()
        return token, project_id

    async def register_with_key(self) -> tuple[str, int, str]:
        """Sign up a fresh user over HTTP; return (token, project id, publishable key)."""
        body = {
            "email": f"live-{uuid.uuid4().hex[:12]}@example.com",
            "password": "correct horse battery",
            "name": "Live Tester",
        }
        async with httpx.AsyncClient(base_url=self.url) as http:
            response = await http.post("/api/auth/register", json=body)
            assert response.status_code == 201, response.text
            data = response.json()
            project = await http.get(
                "/api/auth/project", headers={"Authorization": f"Bearer {data['token']}"}
            )
        return data["token"], data["project"]["id"], project.json()["publishableKey"]

    async def client(self, token: str | None) -> LiveClient:
        """Return a connected (authenticated) client."""
        client = LiveClient(self.url)
        self.clients.append(client)
        await client.connect(token)
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
    config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="websockets-sansio")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    await _wait_started(server, task)
    return LiveServer(f"http://127.0.0.1:{port}", container, server, task, sock)
