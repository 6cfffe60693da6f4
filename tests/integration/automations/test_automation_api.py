"""``/api/automations``: CRUD per project, config validated per action, executions listed."""

from __future__ import annotations

from typing import Any

import pytest
from foundation_support import assert_problem, error_locs
from outbox_support import verify_owner

WEBHOOK = {"url": "http://127.0.0.1:9/in", "method": "PUT", "headers": {"X-Token": "t"}}


async def create(client: Any, account: Any, **overrides: Any) -> Any:
    body = {"name": "Hot lead", "whenStage": "hot", "action": "log", "config": {}, **overrides}
    return await client.post("/api/automations", json=body, headers=account.headers)


@pytest.mark.parametrize(
    ("action", "config", "stored"),
    [
        ("webhook", WEBHOOK, WEBHOOK),
        ("webhook", {"url": "http://127.0.0.1:9/in"}, {**WEBHOOK, "method": "POST", "headers": {}}),
        ("slack", {"webhookUrl": "https://hooks.slack.com/services/T/B/X"}, None),
        ("email", {"recipients": ["sales@example.com"], "subject": "{name} is {stage}"}, None),
        ("log", {}, {"level": "info"}),
    ],
)
async def test_each_action_is_created_with_its_normalised_config(
    client: Any, signup: Any, container: Any, action: str, config: dict[str, Any], stored: Any
) -> None:
    account = await signup()
    await verify_owner(container.db, account)  # e-mail to others needs a verified account

    response = await create(client, account, action=action, config=config, minScore=60)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["action"] == action and body["minScore"] == 60 and body["active"] is True
    expected = stored or config
    assert {k: body["config"][k] for k in expected} == expected


@pytest.mark.parametrize(
    ("action", "config", "loc"),
    [
        ("email", {"recipients": ["a@example.com"], "subject": "Hi {company}"}, "config.subject"),
        ("email", {"recipients": ["a@example.com"], "subject": "{score:>5}"}, "config.subject"),
        ("email", {"recipients": ["a@example.com"], "subject": "{"}, "config.subject"),
        ("email", {"recipients": [], "subject": "x"}, "config.recipients"),
        ("email", {"recipients": ["nope"], "subject": "x"}, "config.recipients.0"),
        ("email", {"recipients": [f"a{i}@example.com" for i in range(21)]}, "config.recipients"),
        ("webhook", {"url": "ftp://example.com"}, "config.url"),
        ("webhook", {"url": "http://127.0.0.1:9", "method": "GET"}, "config.method"),
        ("webhook", {"url": "http://127.0.0.1:9", "headers": {"Host": "x"}}, "config.headers"),
        (
            "webhook",
            {"url": "http://127.0.0.1:9", "headers": {"content-length": "1"}},
            "config.headers",
        ),
        (
            "webhook",
            {"url": "http://127.0.0.1:9", "headers": {f"X-{i}": "v" for i in range(21)}},
            "config.headers",
        ),
        ("webhook", {}, "config.url"),
        ("slack", {"url": "https://hooks.slack.com/x"}, "config.url"),
        ("log", {"level": "loud"}, "config.level"),
    ],
)
async def test_invalid_config_is_refused_naming_the_config_field(
    client: Any, signup: Any, action: str, config: dict[str, Any], loc: str
) -> None:
    account = await signup()

    response = await create(client, account, action=action, config=config)

    assert f"body.{loc}" in error_locs(assert_problem(response, 422))
    assert (await client.get("/api/automations", headers=account.headers)).json()["total"] == 0


@pytest.mark.parametrize(
    ("override", "loc"),
    [
        ({"action": "sms"}, "body.action"),
        ({"whenStage": "boiling"}, "body.whenStage"),
        ({"minVelocity": 11}, "body.minVelocity"),
        ({"minScore": -1}, "body.minScore"),
        ({"eventType": "has space"}, "body.eventType"),
        ({"name": ""}, "body.name"),
    ],
)
async def test_invalid_conditions_are_refused(
    client: Any, signup: Any, override: dict[str, Any], loc: str
) -> None:
    account = await signup()

    response = await create(client, account, **override)

    assert loc in error_locs(assert_problem(response, 422))


async def test_private_targets_are_refused_unless_allowed(
    client: Any, signup: Any, container: Any
) -> None:
    container.settings.webhooks_allow_private = False
    account = await signup()

    hook = await create(client, account, action="webhook", config={"url": "http://10.0.0.1/x"})
    slack = await create(
        client, account, action="slack", config={"webhookUrl": "https://127.0.0.1/x"}
    )
    plain = await create(
        client, account, action="slack", config={"webhookUrl": "http://hooks.example.com/x"}
    )

    assert error_locs(assert_problem(hook, 422)) == {"body.config.url"}
    assert error_locs(assert_problem(slack, 422)) == {"body.config.webhookUrl"}
    assert error_locs(assert_problem(plain, 422)) == {"body.config.webhookUrl"}


async def test_update_revalidates_the_config_against_a_new_action(
    client: Any, signup: Any, container: Any
) -> None:
    account = await signup()
    await verify_owner(container.db, account)
    created = (await create(client, account, action="log")).json()

    bad = await client.patch(
        f"/api/automations/{created['id']}", json={"action": "email"}, headers=account.headers
    )
    good = await client.patch(
        f"/api/automations/{created['id']}",
        json={"action": "email", "config": {"recipients": ["x@example.com"]}, "whenStage": None},
        headers=account.headers,
    )

    assert "body.config.recipients" in error_locs(assert_problem(bad, 422))
    assert good.status_code == 200, good.text
    body = good.json()
    assert body["action"] == "email" and body["whenStage"] is None
    assert body["config"]["subject"] == "{automation}: {name} is {stage} ({score})"


async def test_null_name_or_action_is_not_a_valid_update(client: Any, signup: Any) -> None:
    account = await signup()
    created = (await create(client, account)).json()

    response = await client.patch(
        f"/api/automations/{created['id']}",
        json={"name": None, "action": None},
        headers=account.headers,
    )

    assert error_locs(assert_problem(response, 422)) == {"body.name", "body.action"}


async def test_list_get_and_delete(client: Any, signup: Any) -> None:
    account = await signup()
    ids = [(await create(client, account, name=f"A{i}")).json()["id"] for i in range(3)]

    page = (await client.get("/api/automations?limit=2", headers=account.headers)).json()
    one = await client.get(f"/api/automations/{ids[0]}", headers=account.headers)
    deleted = await client.delete(f"/api/automations/{ids[0]}", headers=account.headers)
    gone = await client.get(f"/api/automations/{ids[0]}", headers=account.headers)

    assert page["total"] == 3 and [i["id"] for i in page["items"]] == [ids[2], ids[1]]
    assert one.json()["name"] == "A0"
    assert deleted.status_code == 204
    assert_problem(gone, 404)


async def test_another_projects_automation_answers_404_everywhere(client: Any, signup: Any) -> None:
    owner = await signup()
    other = await signup()
    automation_id = (await create(client, owner)).json()["id"]
    h = other.headers

    responses = [
        await client.get(f"/api/automations/{automation_id}", headers=h),
        await client.patch(f"/api/automations/{automation_id}", json={"active": False}, headers=h),
        await client.get(f"/api/automations/executions?automationId={automation_id}", headers=h),
        await client.delete(f"/api/automations/{automation_id}", headers=h),
    ]

    assert [r.status_code for r in responses] == [404] * 4
    assert (await client.get("/api/automations", headers=h)).json()["total"] == 0
    still = await client.get(f"/api/automations/{automation_id}", headers=owner.headers)
    assert still.json()["active"] is True


async def test_executions_filter_values_are_validated(client: Any, signup: Any) -> None:
    account = await signup()

    response = await client.get(
        "/api/automations/executions?status=exploded&limit=0", headers=account.headers
    )

    assert error_locs(assert_problem(response, 422)) == {"query.status", "query.limit"}


async def test_automations_need_a_credential(client: Any) -> None:
    assert_problem(await client.get("/api/automations"), 401)
    assert_problem(await client.get("/api/automations/executions"), 401)


async def test_an_unverified_account_may_mail_only_its_members(
    client: Any, signup: Any, container: Any
) -> None:
    account = await signup()
    mine = {"recipients": [account.email.upper()]}
    relay = {"recipients": [account.email, "victim@elsewhere.example"]}

    refused = await create(client, account, action="email", config=relay)
    allowed = await create(client, account, action="email", config=mine)
    widened = await client.patch(
        f"/api/automations/{allowed.json()['id']}",
        json={"config": relay},
        headers=account.headers,
    )
    await verify_owner(container.db, account)
    verified = await create(client, account, action="email", config=relay)

    assert error_locs(assert_problem(refused, 422)) == {"body.config.recipients.1"}
    assert allowed.status_code == 201, allowed.text
    assert error_locs(assert_problem(widened, 422)) == {"body.config.recipients.1"}
    assert verified.status_code == 201, verified.text
    listed = (await client.get("/api/automations", headers=account.headers)).json()
    stored = [[r.lower() for r in a["config"]["recipients"]] for a in listed["items"]]
    assert stored == [relay["recipients"], [account.email]]


@pytest.mark.parametrize(
    "headers",
    [{"X-Token": "café"}, {"X-Token": "two\nlines"}, {"X-Tökén": "v"}],
)
async def test_header_names_and_values_are_checked_on_save(
    client: Any, signup: Any, headers: dict[str, str]
) -> None:
    account = await signup()

    response = await create(
        client,
        account,
        action="webhook",
        config={"url": "http://127.0.0.1:9/in", "headers": headers},
    )

    assert error_locs(assert_problem(response, 422)) == {"body.config.headers"}
