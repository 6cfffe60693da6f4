"""What manual edits and GDPR erasures send to subscribers, and what an erasure leaves
behind (nothing personal); saving a target whose host does not resolve yet."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from foundation_support import assert_problem, error_locs
from outbox_support import Receiver, emit, insert_lead, scored, subscribe
from sqlalchemy import select
from standardwebhooks import Webhook

from leadpulse.store.models import AutomationExecution, OutboxEntry, WebhookDelivery
from leadpulse.webhooks import ssrf
from leadpulse.webhooks.hooks import drain

EVERY_TYPE = ["lead.scored", "lead.created", "lead.updated", "lead.deleted", "automation.executed"]


def bodies(receiver: Receiver, secret: str) -> list[dict[str, Any]]:
    return [Webhook(secret).verify(r.body, r.headers) for r in receiver.requests]


async def test_manual_create_and_patch_reach_subscribers(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    hook = await subscribe(client, account, receiver.url, ["lead.created", "lead.updated"])

    created = await client.post(
        "/api/leads", json={"email": "ada@example.com", "name": "Ada"}, headers=account.headers
    )
    lead_id = created.json()["id"]
    patched = await client.patch(
        f"/api/leads/{lead_id}", json={"name": "Ada Lovelace"}, headers=account.headers
    )
    sent = await drain(container)

    assert (created.status_code, patched.status_code, sent) == (201, 200, 2)
    received = sorted(bodies(receiver, hook["secret"]), key=lambda b: b["type"])
    assert [b["type"] for b in received] == ["lead.created", "lead.updated"]
    assert received[0]["data"]["leadId"] == received[1]["data"]["leadId"] == lead_id
    assert received[0]["data"]["email"] == "ada@example.com"
    assert received[1]["data"]["name"] == "Ada Lovelace"


async def _erasable_lead(client: Any, account: Any, container: Any, receiver: Receiver) -> Any:
    """A lead whose data was delivered, failed, queued for retry and still in the outbox."""
    rule = {"name": "Hot", "whenStage": "hot", "action": "log", "config": {}}
    assert (await client.post("/api/automations", json=rule, headers=account.headers)).is_success
    lead = await insert_lead(container.db, account.project_id, name="Erase Me")
    receiver.default = 400  # every delivery fails for good (and could be redelivered)
    await emit(container, [scored(lead)])
    await container.drains["automations"](container)
    await drain(container)
    receiver.default = 200
    await emit(container, [scored(lead, score=90)])  # a change not dispatched yet
    return lead


async def test_gdpr_erase_leaves_no_personal_data_in_deliveries_and_tells_subscribers(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    hook = await subscribe(client, account, receiver.url, EVERY_TYPE)
    lead = await _erasable_lead(client, account, container, receiver)
    before = await client.get(f"/api/webhooks/{hook['id']}/deliveries", headers=account.headers)
    assert lead.email in before.text and "Erase Me" in before.text
    kinds = {(d["eventType"], d["status"]) for d in before.json()["items"]}
    assert kinds == {("lead.scored", "failed"), ("automation.executed", "failed")}
    failed = next(d for d in before.json()["items"] if d["eventType"] == "lead.scored")
    receiver.requests.clear()

    erased = await client.delete(f"/api/leads/{lead.id}", headers=account.headers)
    redelivered = await client.post(
        f"/api/webhooks/{hook['id']}/deliveries/{failed['id']}/redeliver", headers=account.headers
    )
    sent = await drain(container)

    assert erased.status_code == 204
    assert_problem(redelivered, 404)
    assert sent == 1
    [gone] = bodies(receiver, hook["secret"])
    assert gone["type"] == "lead.deleted"
    assert set(gone["data"]) == {"leadId", "mergedIds", "deletedAt"}
    assert gone["data"]["leadId"] == lead.id
    after = await client.get(f"/api/webhooks/{hook['id']}/deliveries", headers=account.headers)
    assert [d["eventType"] for d in after.json()["items"]] == ["lead.deleted"]
    async with container.db.sessions() as session:
        stored = [
            json.dumps(row)
            for row in (await session.scalars(select(WebhookDelivery.payload))).all()
        ]
        executions = (await session.scalars(select(AutomationExecution))).all()
        entries = (await session.scalars(select(OutboxEntry))).all()
    assert executions == [] and entries == []
    assert not any(lead.email in text or "Erase Me" in text for text in stored)


@pytest.fixture
def unresolvable(monkeypatch: pytest.MonkeyPatch, container: Any) -> None:
    """DNS answers "no such host" for every name (no lookup leaves the machine)."""

    async def no_such_host(*_: Any, **__: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(ssrf.anyio, "getaddrinfo", no_such_host)
    container.settings.webhooks_allow_private = False  # so the host is looked up at all


async def test_a_target_that_does_not_resolve_yet_is_saved_with_a_clear_warning(
    client: Any, signup: Any, unresolvable: None
) -> None:
    account = await signup()
    url = "https://hooks.not-live-yet.example/in"

    created = await client.post(
        "/api/webhooks", json={"url": url, "events": ["lead.scored"]}, headers=account.headers
    )
    patched = await client.patch(
        f"/api/webhooks/{created.json()['id']}", json={"url": url}, headers=account.headers
    )
    automation = await client.post(
        "/api/automations",
        json={"name": "A", "action": "webhook", "config": {"url": url}},
        headers=account.headers,
    )

    assert created.status_code == 201, created.text
    [warning] = created.json()["warnings"]
    assert "hooks.not-live-yet.example does not resolve" in warning and "Errno" not in warning
    assert created.json()["secret"].startswith("whsec_")
    assert patched.status_code == 200 and patched.json()["warnings"] == [warning]
    problem = assert_problem(automation, 422)
    assert error_locs(problem) == {"body.config.url"}
    assert "does not resolve" in problem["detail"] and "Errno" not in problem["detail"]


async def test_a_resolving_target_is_saved_without_warnings(client: Any, signup: Any) -> None:
    account = await signup()

    created = await subscribe(client, account, "http://127.0.0.1:9/in", ["lead.scored"])

    assert created["warnings"] == []
