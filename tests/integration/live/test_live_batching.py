"""Live frames are batched per window (``live.batching``): a burst for one lead is one frame."""

from __future__ import annotations

from typing import Any

from outcome_factories import ingested, scored


async def test_a_burst_of_500_updates_for_one_lead_reaches_the_client_as_one_frame(
    container: Any, start_live: Any
) -> None:
    live = await start_live(container)
    token, project_id = await live.register()
    client = await live.client(token)
    burst = [
        scored(project_id, lead_id=7, score=n + 1, previous_score=n, stage="warm")
        for n in range(500)
    ]

    await container.publish(container.after_scoring, burst)
    await container.publish(container.after_scoring, [scored(project_id, lead_id=99)])

    received = []
    while not received or received[-1][1]["id"] != 99:  # the sentinel comes last
        received.append(await client.next())
    updates = [frame for name, frame in received if name == "leadUpdated" and frame["id"] == 7]
    assert len(updates) == 1
    assert updates[0]["currentScore"] == 500
    assert updates[0]["previousScore"] == 0
    assert updates[0]["previousStage"] == "cold"


async def test_a_burst_of_events_sends_the_latest_ones_up_to_the_cap(
    container: Any, start_live: Any
) -> None:
    cap = container.settings.live_batch_cap
    live = await start_live(container)
    token, project_id = await live.register()
    client = await live.client(token)
    burst = [ingested(project_id, event_id=f"evt-{n}") for n in range(cap + 30)]

    await container.publish(container.after_ingest, burst)

    received = await client.take(cap)
    assert [frame["eventId"] for _, frame in received] == [f"evt-{n}" for n in range(30, cap + 30)]
    assert client.inbox.empty()
