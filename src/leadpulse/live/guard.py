"""Connected sockets keep a valid token, or are disconnected.

The handshake checks the JWT once (``auth.callers.caller_from_jwt``, uncached); a feed then
stays open for hours. ``TokenGuard`` remembers each socket's token and re-checks every
distinct token every ``LEADPULSE_LIVE_AUTH_CHECK_SECONDS`` (default 5) with that same
function, so a socket is disconnected within one interval once its token

- expires (the JWT's ``exp`` has passed),
- is revoked — "sign out everywhere", a password change or a Google takeover bumped the
  user's ``token_version``, or
- lost its user or project (deleted, or no longer the user's).

The check reads the database, the one truth every API process shares, so a revocation made
through one process disconnects the sockets held by every other within the interval — no
signal to publish, none to lose. The sweep costs one query per distinct token per interval
and runs only while this process holds sockets; a database error skips a sweep rather than
dropping feeds.
"""

from __future__ import annotations

import asyncio
import contextlib

import socketio
import structlog

from leadpulse.auth.callers import caller_from_jwt
from leadpulse.container import Container
from leadpulse.errors import LeadPulseError

log = structlog.get_logger("leadpulse.live")


class TokenGuard:
    """Each connected socket's token; ``sweep`` disconnects the sockets whose token fails."""

    def __init__(self, container: Container, server: socketio.AsyncServer) -> None:
        self.container = container
        self.server = server
        self.interval = container.settings.live_auth_check_seconds
        self.tokens: dict[str, str] = {}  # sid -> JWT
        self._task: asyncio.Task[None] | None = None

    def watch(self, sid: str, token: str) -> None:
        """Check this socket's token from now on (the sweep starts with the first socket)."""
        self.tokens[sid] = token
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    def forget(self, sid: str) -> None:
        """Stop checking a disconnected socket."""
        self.tokens.pop(sid, None)

    async def invalid(self) -> dict[str, str]:
        """Return the sockets whose token no longer authenticates, with the reason."""
        by_token: dict[str, list[str]] = {}
        for sid, token in self.tokens.items():
            by_token.setdefault(token, []).append(sid)
        failed: dict[str, str] = {}
        secret = self.container.settings.secret_key()
        async with self.container.db.sessions() as session:
            for token, sids in by_token.items():
                try:
                    await caller_from_jwt(session, token, secret=secret)
                except LeadPulseError as exc:
                    failed.update(dict.fromkeys(sids, exc.detail))
        return failed

    async def sweep(self) -> int:
        """Disconnect the sockets whose token fails; return how many were disconnected."""
        if not self.tokens:
            return 0
        failed = await self.invalid()
        for sid, reason in failed.items():
            log.info("live_token_invalid", sid=sid, reason=reason)
            self.forget(sid)
            await self.server.disconnect(sid)
        return len(failed)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.sweep()
            except Exception:  # the database is away: keep the feeds, try again next time
                log.warning("live_token_sweep_failed", exc_info=True)

    async def close(self) -> None:
        """Stop sweeping."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
