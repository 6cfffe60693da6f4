"""Helpers of the automation and webhook tests: a real HTTP receiver on 127.0.0.1, leads
inserted through the database, ``LeadScored`` outcomes as the worker would report them, and
``emit`` writing outcomes to the outbox as the worker's scoring transaction does.

Imported as ``outbox_support`` (a unique name: several ``conftest`` modules exist).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from factories import make_lead

from leadpulse.core.consequences import Outcome, entry_of
from leadpulse.core.outcomes import LeadScored
from leadpulse.queue import entries
from leadpulse.store.models import Lead
from leadpulse.store.types import utcnow


@dataclass
class Received:
    """One HTTP request as the receiver saw it (header names lower-cased)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A minimal HTTP/1.1 server answering scripted statuses (then ``default``)."""

    statuses: deque[int] = field(default_factory=deque)
    default: int = 200
    requests: list[Received] = field(default_factory=list)
    port: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def answer(self, *statuses: int) -> None:
        """Answer the next requests with these statuses, in order."""
        self.statuses.extend(statuses)

    async def _read(self, reader: asyncio.StreamReader) -> Received:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        request_line, *lines = head.split("\r\n")
        method, path, _ = request_line.split(" ", 2)
        headers = {}
        for line in lines:
            if line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        body = await reader.readexactly(length) if length else b""
        return Received(method, path, headers, body)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await self._read(reader)
            self.requests.append(request)
            status = self.statuses.popleft() if self.statuses else self.default
            writer.write(
                f"HTTP/1.1 {status} Scripted\r\nContent-Type: text/plain\r\n"
                "Content-Length: 2\r\nConnection: close\r\n\r\nok".encode()
            )
            await writer.drain()
            self.arrived.set()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


@asynccontextmanager
async def running_receiver() -> AsyncIterator[Receiver]:
    """Run a receiver on a free loopback port for the duration of the block."""
    receiver = Receiver()
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    receiver.port = server.sockets[0].getsockname()[1]
    try:
        yield receiver
    finally:
        server.close()
        await server.wait_closed()


async def insert_lead(db: Any, project_id: int, **overrides: Any) -> Lead:
    """Insert a known, hot lead directly (as scoring would leave it) and return it."""
    values: dict[str, Any] = {
        "email": f"lead-{uuid.uuid4().hex[:8]}@example.com",
        "name": "Grace Hopper",
        "score": 75,
        "stage": "hot",
        **overrides,
    }
    return await make_lead(db, project_id, **values)


def scored(lead: Lead, **overrides: Any) -> LeadScored:
    """Build the ``LeadScored`` the worker would publish for ``lead``."""
    values: dict[str, Any] = {
        "project_id": lead.project_id,
        "lead_id": lead.id,
        "anonymous_id": lead.anonymous_id,
        "email": lead.email,
        "name": lead.name,
        "score": 75,
        "previous_score": 25,
        "stage": "hot",
        "previous_stage": "cold",
        "velocity_score": 3,
        "events_last_24h": 3,
        "last_event_at": utcnow(),
        "event_types": frozenset({"page_view", "signup", "demo_request"}),
        "scored_at": utcnow(),
        **overrides,
    }
    return LeadScored(**values)


async def emit(container: Any, outcomes: list[Outcome]) -> None:
    """Write outcomes as outbox entries in a transaction of their own, as a change does."""
    async with container.db.transaction() as session:
        await entries.enqueue(session, [entry_of(o) for o in outcomes], now=utcnow())
    container.outbox.wake("outbox")


async def verify_owner(db: Any, account: Any) -> None:
    """Mark the account's e-mail address verified (as the verification link does)."""
    from sqlalchemy import update

    from leadpulse.store.models import User

    async with db.transaction() as session:
        await session.execute(
            update(User).where(User.id == account.user_id).values(email_verified=True)
        )


async def subscribe(client: Any, account: Any, url: str, events: list[str]) -> dict[str, Any]:
    """Subscribe ``url`` to ``events`` over the API; return the creation response."""
    response = await client.post(
        "/api/webhooks", json={"url": url, "events": events}, headers=account.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
