"""Projects: list, create, update with validation, switch, tenancy, seeded defaults."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest
from foundation_support import assert_problem, bearer, error_locs
from sqlalchemy import select

from leadpulse.core.rules import DEFAULT_RULES
from leadpulse.store.models import Project, ScoringRule, StageThreshold


async def _create(client: httpx.AsyncClient, account: Any, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/projects", json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    out: dict[str, Any] = response.json()
    return out


async def test_a_new_user_lists_their_one_project(client: httpx.AsyncClient, signup: Any) -> None:
    account = await signup()
    response = await client.get("/api/projects", headers=account.headers)
    assert response.status_code == 200
    [project] = response.json()
    assert project["id"] == account.project_id
    assert project["publishableKey"] == account.publishable_key


async def test_create_project_then_list_both_oldest_first(
    client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    created = await _create(client, account, name="  Marketing site ", domain="example.com")
    assert created["name"] == "Marketing site"
    assert created["domain"] == "example.com"
    assert created["publishableKey"].startswith("pk_")
    assert created["publishableKey"] != account.publishable_key
    assert created["decayEnabled"] is True
    listed = (await client.get("/api/projects", headers=account.headers)).json()
    assert [p["id"] for p in listed] == [account.project_id, created["id"]]


async def test_projects_of_other_users_are_not_listed(
    client: httpx.AsyncClient, signup: Any
) -> None:
    mine, theirs = await signup(), await signup()
    await _create(client, theirs, name="Theirs")
    listed = (await client.get("/api/projects", headers=mine.headers)).json()
    assert [p["id"] for p in listed] == [mine.project_id]


async def test_create_project_validates_its_body(client: httpx.AsyncClient, signup: Any) -> None:
    account = await signup()
    for body, locs in (
        ({}, {"body.name"}),
        ({"name": ""}, {"body.name"}),
        ({"name": "x" * 201}, {"body.name"}),
        ({"name": "ok", "owner": 1}, {"body.owner"}),
    ):
        response = await client.post("/api/projects", json=body, headers=account.headers)
        assert error_locs(assert_problem(response, 422)) == locs


async def test_new_projects_are_seeded_with_default_rules_and_thresholds(
    client: httpx.AsyncClient, signup: Any, db: Any
) -> None:
    account = await signup()
    second = await _create(client, account, name="Second")
    for project_id in (account.project_id, second["id"]):
        async with db.sessions() as session:
            rules = (
                await session.scalars(
                    select(ScoringRule).where(ScoringRule.project_id == project_id)
                )
            ).all()
            thresholds = (
                await session.scalars(
                    select(StageThreshold).where(StageThreshold.project_id == project_id)
                )
            ).all()
        assert len(rules) == 10
        assert {(r.event_type, r.points) for r in rules} == set(DEFAULT_RULES)
        assert [(t.warm, t.hot, t.qualified) for t in thresholds] == [(30, 60, 100)]


async def test_update_name_domain_and_decay_settings(
    client: httpx.AsyncClient, signup: Any, db: Any
) -> None:
    account = await signup()
    response = await client.patch(
        f"/api/projects/{account.project_id}",
        json={
            "name": "Renamed",
            "domain": "acme.test",
            "decayEnabled": False,
            "decayGraceDays": 14,
            "decayDailyRate": 0.1,
            "allowedOrigins": ["https://acme.test"],
        },
        headers=account.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["domain"]) == ("Renamed", "acme.test")
    assert (body["decayEnabled"], body["decayGraceDays"], body["decayDailyRate"]) == (
        False,
        14,
        0.1,
    )
    assert body["allowedOrigins"] == ["https://acme.test"]
    async with db.sessions() as session:
        project = await session.get(Project, account.project_id)
    assert project is not None and project.name == "Renamed" and project.decay_grace_days == 14


async def test_a_partial_update_leaves_other_fields_alone(
    client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    before = (await client.get("/api/auth/project", headers=account.headers)).json()
    response = await client.patch(
        f"/api/projects/{account.project_id}", json={"domain": "x.test"}, headers=account.headers
    )
    after = response.json()
    assert after["domain"] == "x.test"
    assert {k: v for k, v in after.items() if k != "domain"} == {
        k: v for k, v in before.items() if k != "domain"
    }


async def test_domain_can_be_cleared_with_null(client: httpx.AsyncClient, signup: Any) -> None:
    account = await signup()
    url = f"/api/projects/{account.project_id}"
    await client.patch(url, json={"domain": "x.test"}, headers=account.headers)
    response = await client.patch(url, json={"domain": None}, headers=account.headers)
    assert response.status_code == 200
    assert response.json()["domain"] is None


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"decayDailyRate": 0}, "body.decayDailyRate"),
        ({"decayDailyRate": 1}, "body.decayDailyRate"),
        ({"decayDailyRate": -0.5}, "body.decayDailyRate"),
        ({"decayDailyRate": "fast"}, "body.decayDailyRate"),
        ({"decayGraceDays": -1}, "body.decayGraceDays"),
        ({"decayGraceDays": 366}, "body.decayGraceDays"),
        ({"name": ""}, "body.name"),
        ({"name": None}, "body.name"),
        ({"decayEnabled": None}, "body.decayEnabled"),
        ({"decayDailyRate": None}, "body.decayDailyRate"),
        ({"decayGraceDays": None}, "body.decayGraceDays"),
        ({"owner_id": 2}, "body.owner_id"),
    ],
)
async def test_invalid_updates_name_the_field_and_change_nothing(
    client: httpx.AsyncClient, signup: Any, body: dict[str, Any], loc: str
) -> None:
    account = await signup()
    before = (await client.get("/api/auth/project", headers=account.headers)).json()
    response = await client.patch(
        f"/api/projects/{account.project_id}", json=body, headers=account.headers
    )
    assert error_locs(assert_problem(response, 422)) == {loc}
    after = (await client.get("/api/auth/project", headers=account.headers)).json()
    assert after == before


# --- allowedOrigins bounds (issue §4.11) -------------------------------------------------

LONG_HOST = "a" * 60 + "." + "b" * 60 + "." + "c" * 60 + "." + "d" * 60 + ".example"


@pytest.mark.parametrize(
    "bad",
    [
        "https://" + LONG_HOST,  # over 255 characters
        "https://shop.example/checkout",  # a path
        "https://shop.example?utm=1",
        "shop.example",  # no scheme
        "ftp://shop.example",
        "https://user:pw@shop.example",
        "https://*.shop.example",
        "https://shop.example:99999",
        "",
    ],
)
async def test_an_invalid_allowed_origin_is_named_by_its_index(
    client: httpx.AsyncClient, signup: Any, bad: str
) -> None:
    account = await signup()
    before = (await client.get("/api/auth/project", headers=account.headers)).json()
    response = await client.patch(
        f"/api/projects/{account.project_id}",
        json={"allowedOrigins": ["https://ok.example", bad]},
        headers=account.headers,
    )
    assert error_locs(assert_problem(response, 422)) == {"body.allowedOrigins.1"}
    after = (await client.get("/api/auth/project", headers=account.headers)).json()
    assert after == before


async def test_allowed_origins_are_stored_as_browsers_send_them(
    client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    response = await client.patch(
        f"/api/projects/{account.project_id}",
        json={
            "allowedOrigins": [
                "https://Shop.Example/",
                "https://shop.example:443",
                "http://localhost:3000",
                "http://[::1]:8080",
            ]
        },
        headers=account.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["allowedOrigins"] == [
        "https://shop.example",
        "https://shop.example",
        "http://localhost:3000",
        "http://[::1]:8080",
    ]


async def test_switch_gives_a_token_acting_in_the_other_project(
    client: httpx.AsyncClient, signup: Any, settings: Any
) -> None:
    account = await signup()
    second = await _create(client, account, name="Second")
    response = await client.post(f"/api/projects/{second['id']}/switch", headers=account.headers)
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    claims = jwt.decode(token, settings.jwt_secret, algorithms=["HS256"])
    assert (claims["sub"], claims["project_id"]) == (str(account.user_id), second["id"])
    current = (await client.get("/api/auth/project", headers=bearer(token))).json()
    assert current["id"] == second["id"]
    assert current["publishableKey"] == second["publishableKey"]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {"name": "Hijacked"}),
        ("POST", "/switch", None),
        ("POST", "/rotate-key", None),
    ],
)
async def test_another_users_project_is_404(
    client: httpx.AsyncClient, signup: Any, method: str, suffix: str, body: Any
) -> None:
    mine, theirs = await signup(), await signup()
    for project_id in (theirs.project_id, 987654321):
        response = await client.request(
            method, f"/api/projects/{project_id}{suffix}", json=body, headers=mine.headers
        )
        assert_problem(response, 404)
    after = (await client.get("/api/auth/project", headers=theirs.headers)).json()
    assert after["name"] != "Hijacked"
    assert after["publishableKey"] == theirs.publishable_key


async def test_project_endpoints_need_a_user_token(client: httpx.AsyncClient, signup: Any) -> None:
    account = await signup()
    assert_problem(await client.get("/api/projects"), 401)
    assert_problem(await client.post("/api/projects", json={"name": "x"}), 401)
    pk = {"X-API-Key": account.publishable_key}
    assert_problem(await client.get("/api/projects", headers=pk), 403)
    assert_problem(
        await client.patch(f"/api/projects/{account.project_id}", json={}, headers=pk), 403
    )


async def test_non_numeric_project_id_is_a_422(client: httpx.AsyncClient, signup: Any) -> None:
    account = await signup()
    response = await client.patch("/api/projects/abc", json={}, headers=account.headers)
    assert error_locs(assert_problem(response, 422)) == {"path.project_id"}
