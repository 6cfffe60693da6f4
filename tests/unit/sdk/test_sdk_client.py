"""The Python client on a fake transport: batching, retries, flush, queue bound."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from leadpulse.client import AsyncClient, Client

KEY = "pk_test_key"
FAST = {"backoff_base": 0.001, "backoff_cap": 0.002}


class Ingest:
    """A fake ingest endpoint: records every batch and answers from a script of statuses."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.requests: list[dict[str, Any]] = []
        self.headers: list[httpx.Headers] = []
        self.received = threading.Event()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        self.headers.append(request.headers)
        self.received.set()
        status = self.statuses.pop(0) if self.statuses else 202
        if status != 202:
            return httpx.Response(status, json={"status": status}, headers={"Retry-After": "0"})
        results = [
            {"index": i, "status": "queued", "eventId": e["eventId"], "leadId": 1}
            for i, e in enumerate(body["events"])
        ]
        return httpx.Response(202, json={"accepted": len(results), "results": results})

    @property
    def batches(self) -> list[list[dict[str, Any]]]:
        return [r["events"] for r in self.requests]

    def event_ids(self, batch: int) -> list[str]:
        return [e["eventId"] for e in self.batches[batch]]


@pytest.fixture
def make_client() -> Iterator[Callable[..., tuple[Client, Ingest]]]:
    made: list[Client] = []

    def make(statuses: list[int] | None = None, **options: Any) -> tuple[Client, Ingest]:
        ingest = Ingest(statuses)
        options = {"flush_interval": 60.0, **FAST, **options}
        client = Client(KEY, "http://lp.test", transport=httpx.MockTransport(ingest), **options)
        made.append(client)
        return client, ingest

    yield make
    for client in made:
        client.close()


def test_events_are_sent_in_one_batch_with_the_key_and_sent_at(make_client: Any) -> None:
    client, ingest = make_client()
    first = client.track("anon-1", "page_view", {"path": "/pricing"})
    second = client.identify("anon-1", "ada@example.com", {"name": "Ada"})
    client.flush()

    assert len(ingest.requests) == 1
    assert ingest.headers[0]["x-api-key"] == KEY
    assert ingest.requests[0]["sentAt"].endswith("Z")
    view, ident = ingest.batches[0]
    assert view["event"] == "page_view" and view["eventId"] == first
    assert view["properties"] == {"path": "/pricing"} and view["anonymousId"] == "anon-1"
    assert ident == {
        "event": "identify",
        "anonymousId": "anon-1",
        "eventId": second,
        "timestamp": ident["timestamp"],
        "email": "ada@example.com",
        "traits": {"name": "Ada"},
    }
    assert client.stats.queued == 2


def test_a_full_batch_is_sent_without_waiting_for_the_interval(make_client: Any) -> None:
    client, ingest = make_client(flush_at=3)
    for i in range(3):
        client.track("anon-1", "page_view", {"i": i})

    assert ingest.received.wait(timeout=10), "the background thread sent nothing"
    assert [len(b) for b in ingest.batches] == [3]


def test_queued_events_are_sent_when_the_interval_elapses(make_client: Any) -> None:
    client, ingest = make_client(flush_at=100, flush_interval=0.05)
    client.track("anon-1", "signup")

    assert ingest.received.wait(timeout=10), "the interval flush never happened"
    assert ingest.batches[0][0]["event"] == "signup"


def test_batches_never_exceed_flush_at(make_client: Any) -> None:
    client, ingest = make_client(flush_at=4)
    for i in range(10):
        client.track("anon-1", "page_view", {"i": i})
    client.flush()

    assert all(len(b) <= 4 for b in ingest.batches)
    assert sum(len(b) for b in ingest.batches) == 10


def test_a_503_is_retried_with_the_same_event_ids(make_client: Any) -> None:
    client, ingest = make_client(statuses=[503, 503])
    client.track("anon-1", "signup")
    client.track("anon-1", "demo_request")
    client.flush()

    assert len(ingest.requests) == 3
    assert ingest.event_ids(0) == ingest.event_ids(1) == ingest.event_ids(2)
    assert client.stats.queued == 2 and client.stats.failed == 0


def test_network_errors_and_429_are_retried(make_client: Any) -> None:
    calls: list[int] = []
    ingest = Ingest()

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        if len(calls) == 2:
            return httpx.Response(429, headers={"Retry-After": "0"})
        return ingest(request)

    client = Client(KEY, "http://lp.test", transport=httpx.MockTransport(flaky), **FAST)
    try:
        client.track("anon-1", "signup")
        client.flush()
    finally:
        client.close()
    assert len(calls) == 3 and client.stats.queued == 1


def test_the_client_gives_up_after_max_retries(make_client: Any) -> None:
    client, ingest = make_client(statuses=[500] * 10, max_retries=2)
    client.track("anon-1", "signup")
    client.flush()

    assert len(ingest.requests) == 3  # the first attempt and two retries
    assert client.stats.failed == 1 and client.pending == 0


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(make_client: Any, status: int) -> None:
    client, ingest = make_client(statuses=[status])
    client.track("anon-1", "signup")
    client.flush()

    assert len(ingest.requests) == 1
    assert client.stats.failed == 1


@pytest.mark.parametrize("loc", ["events.1.properties", ["body", "events", 1, "properties"]])
def test_a_422_naming_items_resends_the_others(loc: Any) -> None:
    bodies: list[dict[str, Any]] = []

    def strict(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        if len(bodies) == 1:
            errors = [{"loc": loc, "msg": "too deep"}]
            return httpx.Response(422, json={"status": 422, "errors": errors})
        return httpx.Response(202, json={"results": []})

    client = Client(KEY, "http://lp.test", transport=httpx.MockTransport(strict), **FAST)
    try:
        ids = [client.track("anon-1", "page_view", {"i": i}) for i in range(3)]
        client.flush()
    finally:
        client.close()
    assert [e["eventId"] for e in bodies[1]["events"]] == [ids[0], ids[2]]
    assert client.stats.rejected == 1 and client.stats.queued == 2


def test_a_413_splits_the_batch() -> None:
    sizes: list[int] = []

    def small(request: httpx.Request) -> httpx.Response:
        events = json.loads(request.content)["events"]
        sizes.append(len(events))
        return httpx.Response(413 if len(events) > 2 else 202, json={"results": []})

    client = Client(KEY, "http://lp.test", transport=httpx.MockTransport(small), **FAST)
    try:
        for i in range(5):
            client.track("anon-1", "page_view", {"i": i})
        client.flush()
    finally:
        client.close()
    assert sorted(sizes) == [1, 2, 2, 3, 5]
    assert client.stats.queued == 5 and client.stats.failed == 0


def test_flush_drains_the_queue(make_client: Any) -> None:
    client, ingest = make_client(flush_at=7)
    for i in range(20):
        client.track("anon-1", "page_view", {"i": i})
    client.flush()

    assert client.pending == 0
    assert sum(len(b) for b in ingest.batches) == 20


def test_a_full_queue_drops_the_oldest_events(make_client: Any) -> None:
    client, ingest = make_client(max_queue=3, flush_at=100)
    ids = [client.track("anon-1", "page_view", {"i": i}) for i in range(5)]
    client.flush()

    assert ingest.event_ids(0) == ids[2:]
    assert client.stats.dropped == 2


def test_close_flushes_and_refuses_new_events(make_client: Any) -> None:
    client, ingest = make_client()
    client.track("anon-1", "signup")
    client.close()

    assert len(ingest.batches) == 1
    with pytest.raises(RuntimeError):
        client.track("anon-1", "signup")


def test_a_given_timestamp_and_event_id_are_kept(make_client: Any) -> None:
    client, ingest = make_client()
    when = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    client.track("anon-1", "signup", timestamp=when, event_id="evt-1")
    client.flush()

    assert ingest.batches[0][0]["timestamp"] == "2026-01-02T03:04:05.678Z"
    assert ingest.batches[0][0]["eventId"] == "evt-1"


@pytest.mark.parametrize(
    ("anonymous_id", "event", "timestamp"),
    [
        ("", "signup", None),
        ("x" * 129, "signup", None),
        ("anon", "bad event", None),
        ("anon", "e" * 65, None),
        ("anon", "signup", datetime(2026, 1, 1)),  # naive
    ],
)
def test_invalid_events_are_refused_at_once(
    make_client: Any, anonymous_id: str, event: str, timestamp: datetime | None
) -> None:
    client, _ = make_client()
    with pytest.raises(ValueError):
        client.track(anonymous_id, event, timestamp=timestamp)
    assert client.pending == 0


async def test_the_async_client_batches_retries_and_flushes() -> None:
    ingest = Ingest([503])

    async def handler(request: httpx.Request) -> httpx.Response:
        return ingest(request)

    transport = httpx.MockTransport(handler)
    async with AsyncClient(KEY, "http://lp.test", transport=transport, **FAST) as client:
        first = await client.track("anon-1", "signup", {"plan": "pro"})
        await client.identify("anon-1", "ada@example.com")
        await client.flush()
        assert client.pending == 0

    assert len(ingest.requests) == 2
    assert ingest.event_ids(0) == ingest.event_ids(1)
    assert ingest.event_ids(1)[0] == first
    assert client.stats.queued == 2


async def test_the_async_client_sends_a_full_batch_in_the_background() -> None:
    ingest = Ingest()
    received = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        received.set()
        return ingest(request)

    transport = httpx.MockTransport(handler)
    client = AsyncClient(KEY, "http://lp.test", transport=transport, flush_at=2, **FAST)
    try:
        await client.track("anon-1", "page_view")
        await client.track("anon-1", "page_view")
        await asyncio.wait_for(received.wait(), timeout=10)
        assert [len(b) for b in ingest.batches] == [2]
    finally:
        await client.close()
