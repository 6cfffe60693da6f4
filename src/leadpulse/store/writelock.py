"""The in-process queue of SQLite write transactions.

SQLite has one writer. Its busy handler polls with sleeps that grow to 100 ms, so a writer
that loops (the embedded worker's scoring batches) keeps the lock from another connection
for seconds — ingest on ``leadpulse serve`` answered one request in two seconds while the
worker was busy. Write transactions of one process therefore queue here first, and SQLite's
lock is then free by the time a transaction begins.

Two classes take turns: when both wait, an *urgent* holder (ingest's group commit, which a
client is waiting on) hands over to the next *background* one (worker, outbox, heartbeats)
and back, so ingest waits for at most one background transaction, and neither starves.
Within a class the order is arrival order.

A turn is a priority hint, not a guarantee: a waiter gives up after ``patience`` seconds and
goes on to SQLite's own lock (``busy_timeout``), as it did before this queue existed. The
turn is taken when the block is entered, SQLite's lock only at the first statement, so a
holder that awaits another writer before its first statement (a test does this on purpose)
costs that writer a delay, never a deadlock.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class WriteTurns:
    """A lock that alternates between urgent and background holders when both wait."""

    def __init__(self, *, patience: float = 0.5) -> None:
        self.patience = patience
        self._held = False
        self._waiting: dict[bool, deque[asyncio.Future[None]]] = {True: deque(), False: deque()}

    @asynccontextmanager
    async def hold(self, *, urgent: bool) -> AsyncIterator[None]:
        """Wait for the turn; release it (to the other class first) on leaving."""
        mine = await self._acquire(urgent)
        try:
            yield
        finally:
            if mine:
                self._release(urgent)

    async def _acquire(self, urgent: bool) -> bool:
        """Wait for the turn; True once held, False when patience ran out (not held)."""
        if not self._held and not any(self._waiting.values()):
            self._held = True
            return True
        turn = asyncio.get_running_loop().create_future()
        self._waiting[urgent].append(turn)
        try:
            await asyncio.wait_for(turn, self.patience)
        except TimeoutError:
            return False  # wait_for cancelled the future: release() skips it
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._release(urgent)  # granted as we were cancelled: pass it on
            raise
        return True

    def _release(self, urgent: bool) -> None:
        for kind in (not urgent, urgent):
            queue = self._waiting[kind]
            while queue:
                turn = queue.popleft()
                if not turn.done():  # skip waiters that were cancelled
                    turn.set_result(None)  # handed over: the lock stays held
                    return
        self._held = False
