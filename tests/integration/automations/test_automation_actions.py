"""Automation actions really happen: an HTTP request to a local receiver, a Slack message,
an e-mail through a real SMTP server (aiosmtpd), a log line; retried, recorded, published."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from outbox_support import Receiver, emit, insert_lead, scored, verify_owner
from standardwebhooks import Webhook

from leadpulse.automations.hooks import drain
from leadpulse.core.outcomes import AutomationExecuted
from leadpulse.store.types import utcnow
from leadpulse.webhooks import hooks as webhook_hooks


async def automation(client: Any, account: Any, action: str, config: dict[str, Any]) -> int:
    body = {"name": "Hot lead alert", "whenStage": "hot", "action": action, "config": config}
    response = await client.post("/api/automations", json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    automation_id: int = response.json()["id"]
    return automation_id


async def executions(client: Any, account: Any, **query: Any) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/automations/executions", params=query, headers=account.headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def fire_for_new_lead(container: Any, account: Any, **lead: Any) -> Any:
    row = await insert_lead(container.db, account.project_id, **lead)
    await emit(container, [scored(row)])
    return row


async def test_webhook_action_sends_the_firing_as_json(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    config = {"url": receiver.url, "method": "PUT", "headers": {"X-Token": "secret-1"}}
    automation_id = await automation(client, account, "webhook", config)
    lead = await fire_for_new_lead(container, account, name="Ada")

    assert await drain(container) == 1

    [request] = receiver.requests
    assert request.method == "PUT" and request.headers["x-token"] == "secret-1"
    body = json.loads(request.body)
    assert body["lead"]["id"] == lead.id and body["lead"]["name"] == "Ada"
    assert body["automation"] == {"id": automation_id, "name": "Hot lead alert"}
    assert body["stage"] == "hot" and body["score"] == 75 and body["velocityScore"] == 3
    [execution] = await executions(client, account)
    assert execution["status"] == "succeeded" and execution["attempts"] == 1
    assert execution["responseCode"] == 200 and execution["error"] is None
    assert execution["leadId"] == lead.id and execution["automationId"] == automation_id
    assert execution["createdAt"] and execution["finishedAt"]


async def test_slack_action_posts_a_readable_message(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    await automation(client, account, "slack", {"webhookUrl": receiver.url})
    await fire_for_new_lead(container, account, name="Ada Lovelace", email="ada@example.com")

    await drain(container)

    [request] = receiver.requests
    assert json.loads(request.body) == {
        "text": "*Hot lead alert*: Ada Lovelace <ada@example.com> is *hot* "
        "(score 75, velocity 3/10)"
    }


async def test_email_action_is_sent_through_smtp(
    client: Any, signup: Any, container: Any, smtp_sink: Any
) -> None:
    container.settings.smtp_host = "127.0.0.1"
    container.settings.smtp_port = smtp_sink.port
    account = await signup()
    await verify_owner(container.db, account)  # a verified account may mail anyone
    config = {
        "recipients": ["sales@example.com", "boss@example.com"],
        "subject": "{automation}: {name} is {stage} ({score})",
    }
    await automation(client, account, "email", config)
    smtp_sink.messages.clear()  # sign-up may have sent a verification mail
    await fire_for_new_lead(container, account, name="Ada\r\nBcc: evil@example.com")

    await drain(container)

    [message] = smtp_sink.messages
    assert message["Subject"] == "Hot lead alert: Ada Bcc: evil@example.com is hot (75)"
    assert message["To"] == "sales@example.com, boss@example.com"
    assert message["Bcc"] is None
    assert "Score: 75" in message.get_payload()
    [execution] = await executions(client, account)
    assert execution["status"] == "succeeded"


async def test_email_without_an_smtp_server_fails_with_a_clear_error(
    client: Any, signup: Any, container: Any
) -> None:
    container.settings.smtp_host = None
    account = await signup()
    await automation(client, account, "email", {"recipients": [account.email]})
    await fire_for_new_lead(container, account)

    await drain(container)

    [execution] = await executions(client, account, status="failed")
    assert execution["attempts"] == 1 and "LEADPULSE_SMTP_HOST" in execution["error"]


async def test_log_action_succeeds_without_any_request(
    client: Any, signup: Any, container: Any
) -> None:
    account = await signup()
    await automation(client, account, "log", {"level": "warning"})
    await fire_for_new_lead(container, account)

    await drain(container)

    [execution] = await executions(client, account)
    assert execution["status"] == "succeeded" and execution["responseCode"] is None


async def test_a_failing_action_is_retried_with_backoff_until_it_succeeds(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    await automation(client, account, "webhook", {"url": receiver.url})
    await fire_for_new_lead(container, account)
    receiver.answer(503, 429)
    now = utcnow()

    first = await drain(container, now=now)
    [waiting] = await executions(client, account)
    too_early = await drain(container, now=now + timedelta(seconds=10))
    second = await drain(container, now=now + timedelta(minutes=1))
    third = await drain(container, now=now + timedelta(hours=1))

    assert (first, too_early, second, third) == (1, 0, 1, 1)
    assert waiting["status"] == "pending" and waiting["responseCode"] == 503
    [execution] = await executions(client, account)
    assert execution["status"] == "succeeded" and execution["attempts"] == 3
    assert len(receiver.requests) == 3
    keys = {r.headers["idempotency-key"] for r in receiver.requests}
    assert keys == {f"lp_exec_{execution['id']}"}


async def test_a_client_error_fails_at_once_and_retries_stop_at_the_maximum(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    container.settings.automation_max_attempts = 2
    account = await signup()
    await automation(client, account, "webhook", {"url": receiver.url})
    other = await signup()
    await automation(client, other, "webhook", {"url": receiver.url + "?other"})
    receiver.answer(404)
    await fire_for_new_lead(container, account)
    await drain(container)
    receiver.default = 500
    await fire_for_new_lead(container, other)

    await drain(container)
    await drain(container, now=utcnow() + timedelta(hours=1))

    [gone] = await executions(client, account)
    [flaky] = await executions(client, other)
    assert gone["status"] == "failed" and gone["attempts"] == 1 and gone["responseCode"] == 404
    assert flaky["status"] == "failed" and flaky["attempts"] == 2
    assert flaky["error"].startswith("HTTP 500")


async def test_finished_executions_are_published_and_reach_webhook_subscribers(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    published: list[AutomationExecuted] = []

    async def capture(items: Any) -> None:
        published.extend(items)

    container.after_automation.append(capture)
    account = await signup()
    automation_id = await automation(client, account, "log", {})
    hook = await client.post(
        "/api/webhooks",
        json={"url": receiver.url, "events": ["automation.executed"]},
        headers=account.headers,
    )
    lead = await fire_for_new_lead(container, account)

    await drain(container)
    await webhook_hooks.drain(container)

    [outcome] = published
    assert (outcome.automation_id, outcome.lead_id, outcome.status) == (
        automation_id,
        lead.id,
        "succeeded",
    )
    [request] = receiver.requests
    body = Webhook(hook.json()["secret"]).verify(request.body, request.headers)
    assert body["type"] == "automation.executed"
    assert body["data"]["executionId"] == outcome.execution_id


async def test_executions_list_filters_by_automation_and_status(
    client: Any, signup: Any, container: Any
) -> None:
    account = await signup()
    logged = await automation(client, account, "log", {})
    mailed = await automation(client, account, "email", {"recipients": [account.email]})
    container.settings.smtp_host = None
    await fire_for_new_lead(container, account)
    await drain(container)

    by_automation = await executions(client, account, automationId=logged)
    failed = await executions(client, account, status="failed")
    page = await client.get("/api/automations/executions?limit=1&offset=1", headers=account.headers)

    assert [e["automationId"] for e in by_automation] == [logged]
    assert [e["automationId"] for e in failed] == [mailed]
    assert page.json()["total"] == 2 and len(page.json()["items"]) == 1


async def test_delivery_time_refusal_fails_the_execution_without_a_connection(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    await automation(client, account, "webhook", {"url": receiver.url})
    await fire_for_new_lead(container, account)
    container.settings.webhooks_allow_private = False

    await drain(container)

    assert receiver.requests == []
    [execution] = await executions(client, account)
    assert execution["status"] == "failed" and "loopback" in execution["error"]


async def test_background_loop_runs_fired_automations_when_woken(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    import anyio

    container.settings.worker_poll_seconds = 60.0  # only the wake-up can run it in time
    account = await signup()
    await automation(client, account, "webhook", {"url": receiver.url})
    stop = anyio.Event()

    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(container.loops["outbox"], container, stop)  # expands entries
            group.start_soon(container.loops["automations"], container, stop)
            await anyio.wait_all_tasks_blocked()
            await fire_for_new_lead(container, account)
            await receiver.arrived.wait()
            stop.set()

    assert len(receiver.requests) == 1


async def test_email_to_others_is_refused_at_send_once_the_account_is_no_longer_verified(
    client: Any, signup: Any, container: Any, smtp_sink: Any
) -> None:
    from sqlalchemy import update

    from leadpulse.store.models import User

    container.settings.smtp_host = "127.0.0.1"
    container.settings.smtp_port = smtp_sink.port
    account = await signup()
    await verify_owner(container.db, account)
    await automation(client, account, "email", {"recipients": ["stranger@elsewhere.example"]})
    async with container.db.transaction() as session:  # e.g. the owner changed address
        await session.execute(
            update(User).where(User.id == account.user_id).values(email_verified=False)
        )
    smtp_sink.messages.clear()
    await fire_for_new_lead(container, account)

    await drain(container)

    assert smtp_sink.messages == []
    [execution] = await executions(client, account, status="failed")
    assert execution["attempts"] == 1 and "stranger@elsewhere.example" in execution["error"]
