"""SQLite write transactions of one process take turns: ingest (urgent) and background
writers alternate when both wait, each class in arrival order, and a cancelled waiter
neither holds nor loses the lock."""

from __future__ import annotations

import asyncio

import pytest

from leadpulse.store.writelock import WriteTurns


async def _take(turns: WriteTurns, name: str, urgent: bool, log: list[str]) -> None:
    async with turns.hold(urgent=urgent):
        log.append(name)
        await asyncio.sleep(0)


async def test_urgent_and_background_holders_alternate_when_both_wait() -> None:
    turns, log = WriteTurns(), []
    async with turns.hold(urgent=False):  # a background transaction is running
        tasks = [
            asyncio.create_task(_take(turns, name, name.startswith("u"), log))
            for name in ("b1", "b2", "b3", "u1", "u2")
        ]
        await asyncio.sleep(0)  # all queued behind the holder
    await asyncio.gather(*tasks)
    assert log == ["u1", "b1", "u2", "b2", "b3"]


async def test_a_cancelled_waiter_does_not_keep_the_turn() -> None:
    turns, log = WriteTurns(), []
    async with turns.hold(urgent=True):
        waiter = asyncio.create_task(_take(turns, "cancelled", False, log))
        after = asyncio.create_task(_take(turns, "next", False, log))
        await asyncio.sleep(0)
        waiter.cancel()
        await asyncio.sleep(0)  # the cancellation reaches the waiter before the release
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await asyncio.wait_for(after, 1)
    assert log == ["next"]
    await asyncio.wait_for(_take(turns, "free", True, log), 1)  # released at the end


async def test_a_waiter_out_of_patience_goes_on_without_the_turn() -> None:
    turns, log = WriteTurns(patience=0.05), []
    async with turns.hold(urgent=False):  # the holder awaits the waiter: no deadlock
        await asyncio.wait_for(_take(turns, "impatient", True, log), 5)
    assert log == ["impatient"]
    await asyncio.wait_for(_take(turns, "free", True, log), 1)  # the holder released it
