"""Webhook deliveries against a real receiver on 127.0.0.1: signed (Standard Webhooks),
retried with backoff under one webhook-id, recorded, redeliverable, SSRF-guarded."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import anyio
import pytest
from outbox_support import Receiver, emit, insert_lead, scored, subscribe
from sqlalchemy import func, select
from standardwebhooks import Webhook

from leadpulse.core.outcomes import AutomationExecuted, LeadMerged
from leadpulse.queue import outbox
from leadpulse.store.models import WebhookDelivery
from leadpulse.store.types import utcnow
from leadpulse.webhooks import delivery, transport
from leadpulse.webhooks.hooks import drain
from leadpulse.webhooks.policy import AttemptResult
from leadpulse.worker.dispatch import dispatch


async def deliveries(client: Any, account: Any, hook_id: int) -> list[dict[str, Any]]:
    response = await client.get(f"/api/webhooks/{hook_id}/deliveries", headers=account.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_failed_delivery_is_retried_under_one_webhook_id_until_it_succeeds(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    hook = await subscribe(client, account, receiver.url, ["lead.scored"])
    lead = await insert_lead(container.db, account.project_id)
    receiver.answer(500, 500, 200)
    await emit(container, [scored(lead)])

    now = utcnow()
    attempts = [await drain(container, now=now + timedelta(days=day)) for day in range(4)]

    assert attempts == [1, 1, 1, 0]
    assert len(receiver.requests) == 3
    verifier = Webhook(hook["secret"])
    for request in receiver.requests:
        verified = verifier.verify(request.body, request.headers)
        assert verified["type"] == "lead.scored"
        assert verified["data"]["leadId"] == lead.id
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    [row] = await deliveries(client, account, hook["id"])
    assert row["status"] == "succeeded" and row["attempts"] == 3
    assert row["responseCode"] == 200 and row["error"] is None
    assert row["messageId"] == receiver.requests[0].headers["webhook-id"]


async def test_payload_carries_type_timestamp_and_lead_data(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    await subscribe(client, account, receiver.url, ["lead.scored"])
    lead = await insert_lead(container.db, account.project_id, name="Ada")
    await emit(container, [scored(lead, score=80)])

    await drain(container)

    [request] = receiver.requests
    body = json.loads(request.body)
    assert set(body) == {"type", "timestamp", "data"}
    assert body["data"]["name"] == "Ada" and body["data"]["score"] == 80
    assert body["data"]["stage"] == "hot" and body["data"]["previousStage"] == "cold"
    assert request.headers["content-type"] == "application/json"
    assert request.method == "POST"


async def test_a_client_error_fails_at_once(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    hook = await subscribe(client, account, receiver.url, ["lead.scored"])
    lead = await insert_lead(container.db, account.project_id)
    receiver.answer(410)
    await emit(container, [scored(lead)])

    await drain(container)
    later = await drain(container, now=utcnow() + timedelta(days=2))

    [row] = await deliveries(client, account, hook["id"])
    assert later == 0
    assert row["status"] == "failed" and row["attempts"] == 1
    assert row["responseCode"] == 410 and row["error"].startswith("HTTP 410")


@pytest.mark.parametrize("status", [408, 429, 503])
async def test_retryable_statuses_are_retried_then_give_up_after_the_last_attempt(
    client: Any, signup: Any, container: Any, receiver: Receiver, status: int
) -> None:
    container.settings.webhook_max_attempts = 2
    account = await signup()
    hook = await subscribe(client, account, receiver.url, ["lead.scored"])
    lead = await insert_lead(container.db, account.project_id)
    receiver.default = status
    await emit(container, [scored(lead)])

    await drain(container)
    [waiting] = await deliveries(client, account, hook["id"])
    await drain(container, now=utcnow() + timedelta(hours=1))

    assert waiting["status"] == "pending" and waiting["attempts"] == 1
    [row] = await deliveries(client, account, hook["id"])
    assert row["status"] == "failed" and row["attempts"] == 2
    assert row["responseCode"] == status


async def test_network_error_is_retried_with_backoff(
    client: Any, signup: Any, container: Any
) -> None:
    async with await anyio.create_tcp_listener(local_host="127.0.0.1") as listener:
        port = listener.extra(anyio.abc.SocketAttribute.local_port)
    account = await signup()  # the port above is closed now: connections are refused
    hook = await subscribe(client, account, f"http://127.0.0.1:{port}/x", ["lead.scored"])
    lead = await insert_lead(container.db, account.project_id)
    await emit(container, [scored(lead)])
    before = utcnow()

    await drain(container, now=before)

    [row] = await deliveries(client, account, hook["id"])
    assert row["status"] == "pending" and row["attempts"] == 1
    assert row["responseCode"] is None and row["error"].startswith("network error")
    assert abs((_parse(row["nextAttemptAt"]) - before) - timedelta(seconds=30)) < timedelta(
        seconds=1
    )


def _parse(value: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def test_stage_changed_goes_only_to_subscribers_of_that_type(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    await subscribe(client, account, receiver.url, ["lead.stage_changed"])
    lead = await insert_lead(container.db, account.project_id)
    moved = scored(lead, stage="hot", previous_stage="warm")
    same = scored(lead, stage="hot", previous_stage="hot")

    await emit(container, [moved, same])
    await drain(container)

    [request] = receiver.requests
    assert json.loads(request.body)["type"] == "lead.stage_changed"


async def test_merges_and_automation_executions_are_delivered(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    await subscribe(client, account, receiver.url, ["lead.merged", "automation.executed"])
    survivor = await insert_lead(container.db, account.project_id, email="a@example.com")
    now = utcnow()
    merged = LeadMerged(account.project_id, survivor.id, 2, "a@example.com", now)
    executed = AutomationExecuted(account.project_id, 7, 8, 1, "log", "succeeded", None, now)

    await emit(container, [merged, executed])
    await drain(container)

    bodies = sorted((json.loads(r.body) for r in receiver.requests), key=lambda b: b["type"])
    assert [b["type"] for b in bodies] == ["automation.executed", "lead.merged"]
    assert bodies[0]["data"]["automationId"] == 7 and bodies[0]["data"]["status"] == "succeeded"
    assert bodies[1]["data"] == {
        "survivorId": survivor.id,
        "mergedId": 2,
        "email": "a@example.com",
        "mergedAt": now.isoformat().replace("+00:00", "Z"),
    }


async def test_inactive_and_other_project_subscriptions_get_nothing(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    other = await signup()
    paused = await subscribe(client, account, receiver.url, ["lead.scored"])
    await client.patch(
        f"/api/webhooks/{paused['id']}", json={"active": False}, headers=account.headers
    )
    await subscribe(client, other, receiver.url, ["lead.scored"])
    lead = await insert_lead(container.db, account.project_id)

    await emit(container, [scored(lead)])

    assert await drain(container) == 0
    assert receiver.requests == []


async def test_delivery_time_refusal_is_recorded_before_any_connection(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    hook = await subscribe(client, account, receiver.url, ["lead.scored"])
    named = await subscribe(
        client, account, f"http://localhost:{receiver.port}/hook", ["lead.scored"]
    )
    lead = await insert_lead(container.db, account.project_id)
    await emit(container, [scored(lead)])
    container.settings.webhooks_allow_private = False  # e.g. DNS now points inside

    await drain(container)

    assert receiver.requests == []
    for sub in (hook, named):
        [row] = await deliveries(client, account, sub["id"])
        assert row["status"] == "failed" and row["attempts"] == 1
        assert row["error"].startswith("refused:") and "loopback" in row["error"]


async def test_redelivery_sends_the_same_webhook_id_again(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    hook = await subscribe(client, account, receiver.url, ["lead.scored"])
    lead = await insert_lead(container.db, account.project_id)
    receiver.answer(400)
    await emit(container, [scored(lead)])
    await drain(container)
    [failed] = await deliveries(client, account, hook["id"])

    response = await client.post(
        f"/api/webhooks/{hook['id']}/deliveries/{failed['id']}/redeliver", headers=account.headers
    )
    await drain(container)

    assert response.status_code == 202
    assert response.json()["status"] == "pending" and response.json()["attempts"] == 0
    [row] = await deliveries(client, account, hook["id"])
    assert row["status"] == "succeeded" and row["attempts"] == 1
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == failed["messageId"]


async def test_redelivering_an_unknown_delivery_answers_404(client: Any, signup: Any) -> None:
    account = await signup()
    hook = await subscribe(client, account, "http://127.0.0.1:9/x", ["lead.scored"])

    response = await client.post(
        f"/api/webhooks/{hook['id']}/deliveries/999/redeliver", headers=account.headers
    )

    assert response.status_code == 404


async def test_test_endpoint_delivers_a_signed_ping(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    hook = await subscribe(client, account, receiver.url, ["lead.merged"])

    queued = await client.post(f"/api/webhooks/{hook['id']}/test", headers=account.headers)
    await drain(container)

    assert queued.status_code == 202 and queued.json()["eventType"] == "ping"
    [request] = receiver.requests
    body = Webhook(hook["secret"]).verify(request.body, request.headers)
    assert body["type"] == "ping" and body["data"] == {"subscriptionId": hook["id"]}


async def test_concurrent_drains_deliver_each_message_once(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    await subscribe(client, account, receiver.url, ["lead.scored"])
    leads = [await insert_lead(container.db, account.project_id) for _ in range(30)]
    await emit(container, [scored(lead) for lead in leads])

    counts: list[int] = []
    async with anyio.create_task_group() as group:
        for _ in range(3):

            async def one() -> None:
                counts.append(await drain(container))

            group.start_soon(one)

    assert sum(counts) == 30
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert len(ids) == len(set(ids)) == 30


async def test_background_loop_delivers_when_woken_and_stops_when_asked(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    container.settings.worker_poll_seconds = 60.0  # only the wake-up can deliver in time
    account = await signup()
    await subscribe(client, account, receiver.url, ["lead.scored"])
    lead = await insert_lead(container.db, account.project_id)
    stop = anyio.Event()

    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(container.loops["outbox"], container, stop)  # expands entries
            group.start_soon(container.loops["webhooks"], container, stop)
            await anyio.wait_all_tasks_blocked()
            await emit(container, [scored(lead)])
            await receiver.arrived.wait()
            stop.set()

    assert len(receiver.requests) == 1


async def test_deliveries_are_rows_that_survive_a_restart(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    await subscribe(client, account, receiver.url, ["lead.scored"])
    lead = await insert_lead(container.db, account.project_id)
    await emit(container, [scored(lead)])
    # A worker claimed the row and died mid-attempt: its lease simply runs out.
    claimed = await _claim(container, now=utcnow())

    before_expiry = await drain(container)
    after_expiry = await drain(container, now=utcnow() + timedelta(minutes=2))

    assert len(claimed) == 1 and before_expiry == 0 and after_expiry == 1
    async with container.db.sessions() as session:
        row = await session.scalar(select(WebhookDelivery))
        count = await session.scalar(select(func.count()).select_from(WebhookDelivery))
    assert count == 1 and row is not None
    assert row.status == "succeeded" and row.attempts == 2


async def test_a_worker_whose_lease_expired_cannot_overwrite_the_newer_attempt(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    await subscribe(client, account, receiver.url, ["lead.scored"])
    lead = await insert_lead(container.db, account.project_id)
    await emit(container, [scored(lead)])
    now = utcnow()
    [stale] = await _claim(container, now=now)
    [fresh] = await _claim(container, now=now + timedelta(minutes=5))

    fresh_stored = await _record(container, fresh, AttemptResult(200))
    stale_stored = await _record(container, stale, AttemptResult(500, "HTTP 500", retryable=True))

    assert (stale.id, stale.attempts, fresh.attempts) == (fresh.id, 1, 2)
    assert fresh_stored and not stale_stored
    async with container.db.sessions() as session:
        row = await session.scalar(select(WebhookDelivery))
    assert row is not None and row.status == "succeeded" and row.response_code == 200


async def _claim(container: Any, *, now: Any) -> list[delivery.ClaimedDelivery]:
    """Expand the outbox, then claim due deliveries in a transaction of their own, as a
    worker does."""
    await dispatch(container)
    async with container.db.transaction() as session:
        return await outbox.claim(session, _lane(container), now=now)


def _lane(container: Any) -> outbox.Lane[delivery.ClaimedDelivery]:
    return delivery.lane(container.settings, transport.new_client(1.0))


async def _record(container: Any, item: delivery.ClaimedDelivery, result: AttemptResult) -> bool:
    """Record an attempt in a transaction of its own, as a worker does."""
    async with container.db.transaction() as session:
        values = await outbox.record(session, _lane(container), item, result, now=utcnow())
        return values is not None
