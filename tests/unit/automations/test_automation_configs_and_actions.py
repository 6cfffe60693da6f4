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
from leadpulse.core.consequences import Consequence
from leadpulse.core.mailing import MailPolicy
from leadpulse.core.outcomes import LeadScored
from leadpulse.errors import InvalidInput
from leadpulse.store.models import Automation

NOW = datetime(2026, 3, 1, 23, 59, tzinfo=UTC)
VERIFIED = MailPolicy(members=("owner@example.com",), verified=True)
UNVERIFIED = MailPolicy(members=("Owner@Example.com",), verified=False)
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
        result = await actions.perform(
            ctx, action="webhook", config=config, payload=PAYLOAD, mail=VERIFIED
        )

    assert result.ok and result.status_code == 201
    [request] = seen
    assert request.method == "PATCH" and request.headers["X-Key"] == "k"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == PAYLOAD


async def test_email_action_without_smtp_fails_permanently() -> None:
    async with httpx.AsyncClient() as client:
        ctx = actions.ActionContext(settings(smtp_host=None), client)
        result = await actions.perform(
            ctx,
            action="email",
            config={"recipients": ["a@example.com"]},
            payload=PAYLOAD,
            mail=VERIFIED,
        )

    assert not result.ok and not result.retryable


async def test_a_stored_config_that_no_longer_parses_fails_permanently() -> None:
    async with httpx.AsyncClient() as client:
        ctx = actions.ActionContext(settings(), client)
        result = await actions.perform(
            ctx, action="webhook", config={}, payload=PAYLOAD, mail=VERIFIED
        )

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
    scored = [(Consequence(i, NOW, item), item) for i, item in enumerate(items)]

    rows = firing_rows([rule, other_project], scored)

    assert [(r["automation_id"], r["lead_id"], r["day"].isoformat()) for r in rows] == [
        (3, 7, "2026-03-01"),
        (3, 8, "2026-03-01"),
    ]
    assert rows[0]["payload"]["score"] == 120  # the first scoring of the batch wins
    assert rows[0]["payload"]["firedAt"] == "2026-03-01T23:59:00Z"


@pytest.mark.parametrize("value", ["café", "line\nbreak", "x" * 1025, "carriage\rreturn"])
def test_header_values_must_be_one_line_of_printable_ascii(value: str) -> None:
    config = {"url": "https://crm.example/in", "headers": {"X-Key": value}}

    with pytest.raises(InvalidInput) as caught:
        configs.parse_config("webhook", config)

    assert [e.loc for e in caught.value.errors] == ["body.config.headers"]
    assert "X-Key" in caught.value.errors[0].msg


async def test_a_non_ascii_header_at_send_time_is_one_failed_attempt_not_a_crash() -> None:
    async with httpx.AsyncClient() as client:
        result = await actions._webhook(
            actions.ActionContext(settings(), client),
            configs.WebhookConfig.model_construct(
                url="https://crm.example/in", method="POST", headers={"X-Key": "café"}
            ),
            PAYLOAD,
            None,
        )

    assert not result.ok and result.error is not None and "invalid request" in result.error


async def test_email_to_a_stranger_from_an_unverified_account_is_refused_at_send() -> None:
    async with httpx.AsyncClient() as client:
        ctx = actions.ActionContext(settings(smtp_host="127.0.0.1"), client)
        result = await actions.perform(
            ctx,
            action="email",
            config={"recipients": ["owner@example.com", "stranger@example.com"]},
            payload=PAYLOAD,
            mail=UNVERIFIED,
        )

    assert not result.ok and not result.retryable
    assert result.error is not None and "stranger@example.com" in result.error
    assert "owner@example.com" not in result.error
