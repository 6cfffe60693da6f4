"""The Socket.IO server, mounted in front of the API at ``/socket.io``.

A client connects with its JWT in the handshake (``auth: {token}``) and is put in its
project's room only; a missing or invalid token is refused, and a socket whose token later
expires or is revoked is disconnected (``live.guard``). Browsers may connect from the
server's own origin or from ``LEADPULSE_CORS_ORIGINS`` (``live.origins``). Nothing a client
sends is handled: the socket is a one-way feed. With ``LEADPULSE_REDIS_URL`` set the server uses a
Redis client manager, so events emitted by any process (API or worker) reach every client.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import socketio
import structlog

from leadpulse.auth.callers import caller_from_jwt
from leadpulse.container import Container
from leadpulse.errors import LeadPulseError
from leadpulse.live.emitter import room
from leadpulse.live.guard import TokenGuard
from leadpulse.live.origins import same_origin_or
from leadpulse.live.presence import presence_for

log = structlog.get_logger("leadpulse.live")


def _manager(container: Container) -> socketio.AsyncManager:
    settings = container.settings
    if settings.redis_url:
        return socketio.AsyncRedisManager(settings.redis_url, channel=settings.live_channel)
    return socketio.AsyncManager()


def _token(auth: Any) -> str | None:
    token = auth.get("token") if isinstance(auth, dict) else None
    return token if isinstance(token, str) and token else None


def create_server(container: Container) -> socketio.AsyncServer:
    """Create the Socket.IO server whose connect handler checks the JWT."""
    sio = socketio.AsyncServer(
        async_mode="asgi",
        cors_allowed_origins=same_origin_or(container.settings.cors_origins),
        client_manager=_manager(container),
    )

    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = _token(auth)
        if token is None:
            raise socketio.exceptions.ConnectionRefusedError("Send auth: {token: <JWT>}.")
        try:
            async with container.db.sessions() as session:
                secret = container.settings.secret_key()
                caller = await caller_from_jwt(session, token, secret=secret)
        except LeadPulseError as exc:
            raise socketio.exceptions.ConnectionRefusedError(exc.detail) from exc
        await sio.enter_room(sid, room(caller.project_id))
        projects[sid] = caller.project_id
        guard.watch(sid, token)
        await presence.joined(caller.project_id)
        log.debug("live_connected", sid=sid, project_id=caller.project_id)

    async def disconnect(sid: str, *_: Any) -> None:
        guard.forget(sid)
        project_id = projects.pop(sid, None)
        if project_id is not None:
            await presence.left(project_id)

    presence = presence_for(container)
    projects: dict[str, int] = {}
    guard = TokenGuard(container, sio)
    container.closers.append(guard.close)
    sio.on("connect", connect)
    sio.on("disconnect", disconnect)
    return sio


async def _stop_manager(manager: Any) -> None:
    if not isinstance(manager, socketio.AsyncRedisManager):
        return
    listener = getattr(manager, "thread", None)
    if listener is not None:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
    for conn in (manager.pubsub, manager.redis):
        if conn is not None:
            await conn.aclose()
    manager.pubsub = manager.redis = None
    manager.connected = False


def wrap(app: Any, container: Container) -> Any:
    """Return ``app`` behind Socket.IO at ``/socket.io``; the server goes on the container."""
    sio = create_server(container)
    container.live_server = sio
    container.live_emitter = None  # re-select: this process now has a server

    async def close() -> None:
        if container.live_server is None:
            return  # already closed
        container.live_server = None
        await sio.shutdown()
        await _stop_manager(sio.manager)

    container.closers.append(close)
    return socketio.ASGIApp(sio, other_asgi_app=app, socketio_path="socket.io")
