"""The Python client: send events to LeadPulse from a back end, batched in the background.

Usage::

    from leadpulse.client import Client

    client = Client("sk_...", host="https://leadpulse.example.com")
    client.track("user-42", "signup", {"plan": "pro"})
    client.identify("user-42", "ada@example.com", {"name": "Ada"})
    client.flush()  # optional: blocks until everything queued is sent
    # queued events are also flushed at interpreter exit; close() stops the client

With asyncio::

    from leadpulse.client import AsyncClient

    async with AsyncClient("sk_...", host="https://leadpulse.example.com") as client:
        await client.track("user-42", "demo_request")
    # leaving the block flushes and closes

Events are queued in memory (at most ``max_queue``, the oldest dropped beyond) and sent to
``/api/ingest/batch`` when ``flush_at`` are waiting or every ``flush_interval`` seconds.
Each event carries a client eventId, so retries (see :mod:`leadpulse.sdk.delivery`) never
count an event twice. ``client.stats`` tells what happened to them.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import threading
import time
from collections import deque
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, TypeVar

import httpx

from leadpulse import __version__
from leadpulse.sdk.delivery import (
    BATCH_PATH,
    MAX_BATCH_EVENTS,
    Delivery,
    Event,
    Plan,
    Policy,
    Stats,
    make_event,
)

__all__ = ["AsyncClient", "Client", "Stats"]
log = logging.getLogger("leadpulse.client")
DEFAULT_HOST = "http://localhost:4000"
TransportT = TypeVar("TransportT", httpx.BaseTransport, httpx.AsyncBaseTransport)


class _Base(Generic[TransportT]):
    """Settings, queue and event building shared by both clients."""

    def __init__(
        self,
        api_key: str,
        host: str = DEFAULT_HOST,
        *,
        flush_at: int = 100,
        flush_interval: float = 2.0,
        max_queue: int = 10_000,
        max_retries: int = 5,
        timeout: float = 10,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        transport: TransportT | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("api_key is required (pk_... or sk_...)")
        if not 1 <= flush_at <= MAX_BATCH_EVENTS:
            raise ValueError(f"flush_at must be between 1 and {MAX_BATCH_EVENTS}")
        if flush_interval <= 0 or max_queue < 1 or max_retries < 0:
            raise ValueError("flush_interval must be > 0, max_queue ≥ 1, max_retries ≥ 0")
        self.api_key = api_key
        self.host = host.rstrip("/")
        self.flush_at = flush_at
        self.flush_interval = flush_interval
        self.max_queue = max_queue
        self.policy = Policy(max_retries, backoff_base, backoff_cap)
        self.stats = Stats()
        self._queue: deque[Event] = deque()
        self._queue_lock = threading.Lock()
        self._closed = False
        self._start(timeout, transport)

    def _start(self, timeout: float, transport: TransportT | None) -> None:
        """Open the HTTP client and start delivering (each client its own way)."""
        raise NotImplementedError

    def _headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key, "User-Agent": f"leadpulse-python/{__version__}"}

    @staticmethod
    def _track_event(
        anonymous_id: str,
        event: str,
        properties: dict[str, Any] | None,
        timestamp: datetime | None,
        event_id: str | None,
    ) -> Event:
        return make_event(
            anonymous_id=anonymous_id,
            event=event,
            properties=properties,
            timestamp=timestamp,
            event_id=event_id,
        )

    @staticmethod
    def _identify_event(
        anonymous_id: str,
        email: str,
        traits: dict[str, Any] | None,
        timestamp: datetime | None,
        event_id: str | None,
    ) -> Event:
        return make_event(
            anonymous_id=anonymous_id,
            event="identify",
            email=email,
            traits=traits or {},
            timestamp=timestamp,
            event_id=event_id,
        )

    def _push(self, event: Event) -> bool:
        """Queue an event; return True when a full batch is waiting."""
        with self._queue_lock:
            if self._closed:
                raise RuntimeError("this LeadPulse client is closed")
            if len(self._queue) >= self.max_queue:
                self._queue.popleft()
                self.stats.dropped += 1
                log.warning("LeadPulse queue full (%d): dropped the oldest event", self.max_queue)
            self._queue.append(event)
            return len(self._queue) >= self.flush_at

    def _take(self) -> list[Event]:
        with self._queue_lock:
            count = min(self.flush_at, len(self._queue))
            return [self._queue.popleft() for _ in range(count)]

    @property
    def pending(self) -> int:
        """Return how many events wait to be sent."""
        return len(self._queue)


class Client(_Base[httpx.BaseTransport]):
    """Send events from a thread-based program; a daemon thread delivers them in batches."""

    def _start(self, timeout: float, transport: httpx.BaseTransport | None) -> None:
        self._http = httpx.Client(
            base_url=self.host, timeout=timeout, transport=transport, headers=self._headers()
        )
        self._send_lock = threading.Lock()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="leadpulse-client", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def track(
        self,
        anonymous_id: str,
        event: str,
        properties: dict[str, Any] | None = None,
        timestamp: datetime | None = None,
        event_id: str | None = None,
    ) -> str:
        """Queue an event for a visitor or user; return its eventId."""
        body = self._track_event(anonymous_id, event, properties, timestamp, event_id)
        if self._push(body):
            self._wake.set()
        return str(body["eventId"])

    def identify(
        self,
        anonymous_id: str,
        email: str,
        traits: dict[str, Any] | None = None,
        timestamp: datetime | None = None,
        event_id: str | None = None,
    ) -> str:
        """Attach an email and traits to the lead of ``anonymous_id``; return the eventId."""
        body = self._identify_event(anonymous_id, email, traits, timestamp, event_id)
        if self._push(body):
            self._wake.set()
        return str(body["eventId"])

    def flush(self) -> None:
        """Send everything queued now; return once it is delivered (or given up on)."""
        with self._send_lock:
            while batch := self._take():
                self._deliver(batch)

    def close(self) -> None:
        """Flush, stop the background thread and release the connection pool (idempotent)."""
        with self._queue_lock:
            if self._closed:
                return
            self._closed = True
        atexit.unregister(self.close)
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join()
        self.flush()
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(self.flush_interval)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # the thread must survive anything; the events are logged
                log.exception("LeadPulse delivery failed")

    def _deliver(self, events: list[Event]) -> None:
        work = [Delivery(events, self.policy, self.stats)]
        while work:
            delivery = work.pop()
            plan = self._attempt(delivery)
            while plan.wait is not None:
                time.sleep(plan.wait)
                plan = self._attempt(delivery)
            work.extend(Delivery(batch, self.policy, self.stats) for batch in plan.resend)

    def _attempt(self, delivery: Delivery) -> Plan:
        try:
            response = self._http.post(BATCH_PATH, json=delivery.body())
        except httpx.TransportError as exc:
            return delivery.outcome(exc)
        return delivery.outcome(response)


class AsyncClient(_Base[httpx.AsyncBaseTransport]):
    """The asyncio client: same API as :class:`Client`, as coroutines, with a delivery task.

    Use it as ``async with AsyncClient(...)`` or ``await client.close()`` before the event
    loop ends: no code can run a coroutine at interpreter exit.
    """

    def _start(self, timeout: float, transport: httpx.AsyncBaseTransport | None) -> None:
        self._http = httpx.AsyncClient(
            base_url=self.host, timeout=timeout, transport=transport, headers=self._headers()
        )
        self._send_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def track(
        self,
        anonymous_id: str,
        event: str,
        properties: dict[str, Any] | None = None,
        timestamp: datetime | None = None,
        event_id: str | None = None,
    ) -> str:
        """Queue an event for a visitor or user; return its eventId."""
        body = self._track_event(anonymous_id, event, properties, timestamp, event_id)
        self._enqueue(body)
        return str(body["eventId"])

    async def identify(
        self,
        anonymous_id: str,
        email: str,
        traits: dict[str, Any] | None = None,
        timestamp: datetime | None = None,
        event_id: str | None = None,
    ) -> str:
        """Attach an email and traits to the lead of ``anonymous_id``; return the eventId."""
        body = self._identify_event(anonymous_id, email, traits, timestamp, event_id)
        self._enqueue(body)
        return str(body["eventId"])

    async def flush(self) -> None:
        """Send everything queued now; return once it is delivered (or given up on)."""
        async with self._send_lock:
            while batch := self._take():
                await self._deliver(batch)

    async def close(self) -> None:
        """Flush, stop the delivery task and release the connection pool (idempotent)."""
        with self._queue_lock:
            if self._closed:
                return
            self._closed = True
        self._wake.set()
        if self._task is not None:
            await self._task
        await self.flush()
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def _enqueue(self, body: Event) -> None:
        full = self._push(body)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())
        if full:
            self._wake.set()

    async def _run(self) -> None:
        while not self._closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.flush_interval)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # the task must survive anything; the events are logged
                log.exception("LeadPulse delivery failed")

    async def _deliver(self, events: list[Event]) -> None:
        work = [Delivery(events, self.policy, self.stats)]
        while work:
            delivery = work.pop()
            plan = await self._attempt(delivery)
            while plan.wait is not None:
                await asyncio.sleep(plan.wait)
                plan = await self._attempt(delivery)
            work.extend(Delivery(batch, self.policy, self.stats) for batch in plan.resend)

    async def _attempt(self, delivery: Delivery) -> Plan:
        try:
            response = await self._http.post(BATCH_PATH, json=delivery.body())
        except httpx.TransportError as exc:
            return delivery.outcome(exc)
        return delivery.outcome(response)
