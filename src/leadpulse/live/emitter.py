"""The live-update port: ``Emitter.emit(frame, project_id)`` to one project's room.

Adapters, chosen per process by :func:`emitter_for`:

- ``ServerEmitter`` — this process runs the Socket.IO server (the API, or ``serve`` with its
  embedded worker): emit through it. With Redis configured the server's own manager also
  publishes to the other API processes.
- ``RedisEmitter`` — no server here (a ``leadpulse worker`` process) but Redis is configured:
  publish through a write-only ``AsyncRedisManager``; every API process relays to its clients.
- ``NullEmitter`` — neither: nobody could be listening, so nothing is sent.

The choice is made at the first emit, not at install time, because the server is attached to
the container (by ``live.server.wrap``) after the features are installed.
"""

from __future__ import annotations

from typing import Protocol

import socketio

from leadpulse.container import Container
from leadpulse.live.frames import LiveFrame
from leadpulse.live.presence import Presence, presence_for


def room(project_id: int) -> str:
    """Return the Socket.IO room of one project."""
    return f"project:{project_id}"


class Emitter(Protocol):
    """Send one frame (as its event) to the clients of one project.

    Adapters serialise the frame only when someone listens: most projects have no dashboard
    open most of the time.
    """

    async def emit(self, frame: LiveFrame, project_id: int) -> None: ...

    async def close(self) -> None: ...


class ServerEmitter:
    """Emit through the Socket.IO server running in this process."""

    def __init__(self, server: socketio.AsyncServer, presence: Presence) -> None:
        self.server = server
        self.presence = presence

    async def emit(self, frame: LiveFrame, project_id: int) -> None:
        """Send the frame to the project's room, if anyone listens."""
        if await self.presence.listening(project_id):
            await self.server.emit(frame.EVENT, frame.payload(), room=room(project_id))

    async def close(self) -> None:
        """Nothing to release: the server is closed with the API."""


class RedisEmitter:
    """Publish through Redis for the API processes to relay (no server in this process)."""

    def __init__(self, url: str, *, channel: str, presence: Presence) -> None:
        self.manager = socketio.AsyncRedisManager(url, channel=channel, write_only=True)
        self.presence = presence

    async def emit(self, frame: LiveFrame, project_id: int) -> None:
        """Publish the frame for the project's room, if anyone listens."""
        if await self.presence.listening(project_id):
            await self.manager.emit(
                frame.EVENT, frame.payload(), room=room(project_id), namespace="/"
            )

    async def close(self) -> None:
        """Close the Redis connection, if one was opened."""
        manager = self.manager
        opened = (manager.pubsub, manager.redis)
        manager.pubsub = manager.redis = None
        manager.connected = False
        for conn in opened:
            if conn is not None:
                await conn.aclose()


class NullEmitter:
    """Drop events: no server in this process and no Redis to reach one."""

    async def emit(self, frame: LiveFrame, project_id: int) -> None:
        """Do nothing."""

    async def close(self) -> None:
        """Do nothing."""


def select_emitter(container: Container) -> Emitter:
    """Build the adapter this process needs (server here, else Redis, else nothing)."""
    server = container.live_server
    if server is not None:
        return ServerEmitter(server, presence_for(container))
    settings = container.settings
    if settings.redis_url:
        return RedisEmitter(
            settings.redis_url, channel=settings.live_channel, presence=presence_for(container)
        )
    return NullEmitter()


def emitter_for(container: Container) -> Emitter:
    """Return the process's emitter, creating it (and registering its closer) on first use."""
    emitter = container.live_emitter
    if emitter is None:
        emitter = container.live_emitter = select_emitter(container)
        container.closers.append(emitter.close)
    return emitter
