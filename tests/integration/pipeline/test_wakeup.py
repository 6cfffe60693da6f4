"""Wake-ups between ingest and workers: a hint that speeds things up, never required."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import anyio
import pytest
from sqlalchemy import select

from leadpulse.bootstrap import build_container
from leadpulse.ingest import service
from leadpulse.queue.wakeup import CHANNEL, LocalWaker
from leadpulse.store.models import Event, Lead
from leadpulse.store.types import utcnow
from leadpulse.worker.loop import Worker

BOUND = 10.0  # generous: a wake-up normally takes milliseconds


async def test_local_waker_wakes_a_waiting_task_and_times_out_without_notify() -> None:
    waker = LocalWaker()
    assert await waker.wait(0.05) is False
    waiting = asyncio.create_task(waker.wait(BOUND))
    await asyncio.sleep(0)  # let the task start waiting
    await waker.notify()
    assert await asyncio.wait_for(waiting, BOUND) is True
    await waker.notify()  # a notify with nobody waiting is kept for the next wait
    assert await waker.wait(BOUND) is True
    assert await waker.wait(0.05) is False


async def _subscribers(client: Any) -> int:
    counts = dict(await client.pubsub_numsub(CHANNEL))
    return int(counts.get(CHANNEL.encode(), counts.get(CHANNEL, 0)))


@pytest.mark.redis
async def test_redis_notify_in_one_container_wakes_a_waiter_in_another(
    settings: Any, redis_url: str
) -> None:
    settings.redis_url = redis_url
    publisher, listener = build_container(settings), build_container(settings)
    try:
        assert publisher.redis is not listener.redis
        waiting = asyncio.create_task(listener.waker.wait(BOUND))
        deadline = time.monotonic() + BOUND
        while await _subscribers(publisher.redis) < 1:  # subscribed before we publish
            assert time.monotonic() < deadline, "the listener never subscribed"
            await asyncio.sleep(0.01)
        await publisher.waker.notify()
        assert await asyncio.wait_for(waiting, BOUND) is True
    finally:
        await publisher.close()
        await listener.close()


class WatchedWaker(LocalWaker):
    """A LocalWaker that tells the test when a worker starts waiting on it."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = asyncio.Event()
        self.notified = 0

    async def notify(self) -> None:
        self.notified += 1
        await super().notify()

    async def wait(self, timeout: float) -> bool:
        self.waiting.set()
        return await super().wait(timeout)


async def test_lost_wakeup_only_delays_the_worker_polls(
    container: Any, signup: Any, db: Any, new_anon: Any
) -> None:
    container.settings.worker_poll_seconds = 0.2
    waker = container.waker = WatchedWaker()
    account = await signup()
    worker = Worker(container, worker_id="poller")
    stop = anyio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.wait_for(waker.waiting.wait(), BOUND)  # idle, asleep on the channel
        visitor = new_anon()
        incoming = service.Incoming(
            project_id=account.project_id,
            event_type="signup",
            event_id=f"lost-{visitor}",
            timestamp=utcnow(),
            received_at=utcnow(),
            anonymous_id=visitor,
        )
        async with db.transaction() as session:  # stored and enqueued, no wake-up sent
            await service.store(session, [incoming], now=utcnow())
        deadline = time.monotonic() + BOUND
        while not await _processed(db, incoming.event_id):
            assert time.monotonic() < deadline, "the worker never polled the queue"
            await asyncio.sleep(0.02)
    finally:
        stop.set()
        await asyncio.wait_for(task, BOUND)
    assert waker.notified == 0
    async with db.sessions() as session:
        lead = await session.scalar(select(Lead).where(Lead.anonymous_id == visitor))
    assert lead is not None and lead.score == 20


async def _processed(db: Any, event_id: str) -> bool:
    async with db.sessions() as session:
        done = await session.scalar(select(Event.processed).where(Event.event_id == event_id))
    return bool(done)
