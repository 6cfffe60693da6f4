"""Automation configs (templates, headers, recipients) and actions on fakes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from leadpulse.automations import actions, configs
from leadpulse.automations.service import firing_rows
from leadpulse.config import Settings
from leadpulse.core.outcomes import LeadScored
from leadpulse.errors import InvalidInput
from leadpulse.store.models import Automation

NOW = datetime(2026, 3, 1, 23, 59, tzinfo=UTC)
PAYLOAD: dict[str, Any] = {
    "lead": {"id": 7, "email": "ada@example.com", "name": None, "anonymousId": "a-1"},
    "stage": "qualified",
    "score": 120,
    "velocityScore": 4,
    "automation": {"id": 3, "name": "Call now"},
    "firedAt": "2026-03-01T23:59:00Z",
}


def settings(**overrides: Any) -> Settings:
    return Settings(_env_file=None, webhooks_allow_private=True, **overrides)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "template", ["{name} is {stage}", "Score {score} for {email} via {automation}", "{{literal}}"]
)
def test_templates_with_known_placeholders_are_accepted(template: str) -> None:
    assert configs.check_template(template) == template


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("Hi {company}", "unknown placeholder {company}"),
        ("{}", "unknown placeholder {}"),
        ("{name.__class__}", "unknown placeholder"),
        ("{score:>10}", "format spec"),
        ("{name!r}", "conversion"),
        ("{name", "invalid template"),
    ],
)
def test_templates_with_other_fields_are_refused(template: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("{", r"\{").replace("}", r"\}")):
        configs.check_template(template)


def test_config_errors_name_the_config_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        configs.parse_config("email", {"recipients": ["a@example.com"], "subject": "{x}"})

    assert [e.loc for e in caught.value.errors] == ["body.config.subject"]


def test_render_fills_every_placeholder() -> None:
    values = actions.template_values(PAYLOAD)

    text = configs.render("{automation}: {name} <{email}> {stage} {score}", values)

    assert text == "Call now: ada@example.com <ada@example.com> qualified 120"


def test_a_nameless_lead_falls_back_to_email_then_anonymous_id() -> None:
    anonymous = {**PAYLOAD, "lead": {"id": 7, "email": None, "name": None, "anonymousId": "a-1"}}

    assert actions.template_values(PAYLOAD)["name"] == "ada@example.com"
    assert actions.template_values(anonymous)["name"] == "a-1"


def test_slack_message_is_readable() -> None:
    assert actions.slack_text(PAYLOAD) == (
        "*Call now*: ada@example.com is *qualified* (score 120, velocity 4/10)"
    )


@pytest.mark.parametrize("name", ["Host", "content-length", "Transfer-Encoding", "bad name"])
def test_webhook_headers_the_client_owns_or_malformed_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        configs.parse_config("webhook", {"url": "https://x.example/", "headers": {name: "v"}})

    assert [e.loc for e in caught.value.errors] == ["body.config.headers"]


async def test_webhook_action_sends_method_headers_and_json_payload() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201)

    config = {"url": "https://crm.example/in", "method": "PATCH", "headers": {"X-Key": "k"}}
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        ctx = actions.ActionContext(settings(), client)
        result = await actions.perform(ctx, action="webhook", config=config, payload=PAYLOAD)

    assert result.ok and result.status_code == 201
    [request] = seen
    assert request.method == "PATCH" and request.headers["X-Key"] == "k"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == PAYLOAD


async def test_email_action_without_smtp_fails_permanently() -> None:
    async with httpx.AsyncClient() as client:
        ctx = actions.ActionContext(settings(smtp_host=None), client)
        result = await actions.perform(
            ctx, action="email", config={"recipients": ["a@example.com"]}, payload=PAYLOAD
        )

    assert not result.ok and not result.retryable


async def test_a_stored_config_that_no_longer_parses_fails_permanently() -> None:
    async with httpx.AsyncClient() as client:
        ctx = actions.ActionContext(settings(), client)
        result = await actions.perform(ctx, action="webhook", config={}, payload=PAYLOAD)

    assert not result.ok and not result.retryable and "invalid webhook config" in str(result.error)


def lead_scored(**overrides: Any) -> LeadScored:
    values: dict[str, Any] = {
        "project_id": 1,
        "lead_id": 7,
        "anonymous_id": "a-1",
        "email": "ada@example.com",
        "name": "Ada",
        "score": 120,
        "previous_score": 90,
        "stage": "qualified",
        "previous_stage": "hot",
        "velocity_score": 4,
        "events_last_24h": 4,
        "last_event_at": NOW,
        "event_types": frozenset({"demo_request"}),
        "scored_at": NOW,
        **overrides,
    }
    return LeadScored(**values)


def test_firing_rows_are_keyed_by_utc_day_and_deduplicated() -> None:
    rule = Automation(
        id=3, project_id=1, name="Call now", when_stage="qualified", action="log", active=True
    )
    other_project = Automation(id=4, project_id=2, name="Other", action="log", active=True)
    items = [lead_scored(), lead_scored(score=130), lead_scored(lead_id=8)]

    rows = firing_rows([rule, other_project], items, NOW)

    assert [(r["automation_id"], r["lead_id"], r["day"].isoformat()) for r in rows] == [
        (3, 7, "2026-03-01"),
        (3, 8, "2026-03-01"),
    ]
    assert rows[0]["payload"]["score"] == 120  # the first scoring of the batch wins
    assert rows[0]["payload"]["firedAt"] == "2026-03-01T23:59:00Z"
