"""Webhook delivery outcomes are counted as they are recorded: succeeded, failed, retried."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from outbox_support import Receiver, emit, insert_lead, scored, subscribe

from leadpulse import obs
from leadpulse.store.types import utcnow
from leadpulse.webhooks.hooks import drain


def outcomes() -> dict[str, float]:
    return {
        outcome: obs.WEBHOOK_DELIVERIES.labels(outcome)._value.get()
        for outcome in obs.WEBHOOK_OUTCOMES
    }


async def test_each_recorded_attempt_counts_once_by_its_outcome(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    await subscribe(client, account, receiver.url, ["lead.scored"])
    first = await insert_lead(container.db, account.project_id)
    second = await insert_lead(container.db, account.project_id)
    receiver.answer(500, 200, 404)  # first: retried then succeeded; second: failed at once
    before = outcomes()

    await emit(container, [scored(first)])
    await drain(container)
    await drain(container, now=utcnow() + timedelta(hours=1))
    await emit(container, [scored(second)])
    await drain(container)

    after = outcomes()
    assert {k: after[k] - before[k] for k in after} == {
        "succeeded": 1,
        "failed": 1,
        "retried": 1,
    }
