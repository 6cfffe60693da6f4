"""End to end through the real pipeline: ingest → worker → automation and webhooks."""

from __future__ import annotations

import json
import uuid
from typing import Any

from outbox_support import Receiver
from standardwebhooks import Webhook

from leadpulse.automations import hooks as automation_hooks
from leadpulse.webhooks import hooks as webhook_hooks
from leadpulse.worker.loop import Worker


async def test_a_lead_turning_hot_fires_its_automation_and_notifies_subscribers(
    client: Any, signup: Any, container: Any, receiver: Receiver
) -> None:
    account = await signup()
    rule = {
        "name": "Hot lead",
        "whenStage": "hot",
        "action": "webhook",
        "config": {"url": receiver.url + "?automation"},
    }
    created = await client.post("/api/automations", json=rule, headers=account.headers)
    hook = await client.post(
        "/api/webhooks",
        json={"url": receiver.url + "?subscriber", "events": ["lead.stage_changed"]},
        headers=account.headers,
    )
    anonymous_id = f"anon-{uuid.uuid4().hex[:8]}"
    for event in ("page_view", "signup", "demo_request"):  # 5 + 20 + 50 = 75 → hot
        response = await client.post(
            "/api/ingest/event",
            json={"event": event, "anonymousId": anonymous_id},
            headers={"X-API-Key": account.publishable_key},
        )
        assert response.status_code == 202, response.text

    await Worker(container, worker_id="test-e2e").drain()  # burst: scores, then deliveries
    ran = await automation_hooks.drain(container)
    sent = await webhook_hooks.drain(container)

    assert created.status_code == 201 and hook.status_code == 201
    assert (ran, sent) == (0, 0)  # nothing left: the worker's drain already delivered
    assert len(receiver.requests) == 2
    by_path = {r.path.split("?", 1)[1]: r for r in receiver.requests}
    fired = json.loads(by_path["automation"].body)
    assert fired["stage"] == "hot" and fired["score"] == 75
    assert fired["lead"]["anonymousId"] == anonymous_id
    changed = Webhook(hook.json()["secret"]).verify(
        by_path["subscriber"].body, by_path["subscriber"].headers
    )
    assert changed["type"] == "lead.stage_changed"
    assert changed["data"]["stage"] == "hot" and changed["data"]["previousStage"] == "cold"
