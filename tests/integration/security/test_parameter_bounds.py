"""Out-of-range input is a 422 naming the parameter, never a 500 (§4.5).

Every operation of the OpenAPI document with an integer in its path is tried with 2⁶³ (one
past a BIGINT) and 2⁶³−1 (the largest id, which names nothing), so a new route is covered
without touching this file.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import httpx
import jwt
import pytest
from security_support import MAX_BIGINT, problem_locs, row_counts

from leadpulse.store.types import utcnow

TOO_BIG = MAX_BIGINT + 1


def _id_operations(app: Any) -> list[tuple[str, str, list[str]]]:
    operations = []
    for path, methods in app.openapi()["paths"].items():
        for method, operation in methods.items():
            names = [
                p["name"]
                for p in operation.get("parameters", [])
                if p["in"] == "path" and p["schema"].get("type") == "integer"
            ]
            if names:
                operations.append((method, path, names))
    return operations


def _fill(path: str, value: int) -> str:
    return re.sub(r"\{[^}]+\}", str(value), path)


async def test_every_integer_path_parameter_refuses_a_value_past_a_bigint(
    client: httpx.AsyncClient, app: Any, signup: Any
) -> None:
    account = await signup()
    operations = _id_operations(app)
    assert len(operations) >= 15
    for method, path, names in operations:
        response = await client.request(method, _fill(path, TOO_BIG), headers=account.headers)
        assert response.status_code == 422, (method, path, response.text)
        assert {f"path.{name}" for name in names} <= problem_locs(response), (method, path)


async def test_the_largest_id_names_nothing_and_is_never_a_server_error(
    client: httpx.AsyncClient, app: Any, signup: Any, db: Any
) -> None:
    account = await signup()
    before = await row_counts(db)
    for method, path, _ in _id_operations(app):
        response = await client.request(method, _fill(path, MAX_BIGINT), headers=account.headers)
        assert response.status_code in (403, 404, 422), (method, path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert await row_counts(db) == before


OUT_OF_RANGE_QUERIES: list[tuple[str, dict[str, Any], str]] = [
    ("/api/leads", {"offset": TOO_BIG}, "query.offset"),
    ("/api/leads", {"minScore": 2**31}, "query.minScore"),
    ("/api/leads/export", {"minScore": TOO_BIG}, "query.minScore"),
    ("/api/leaderboard", {"offset": TOO_BIG}, "query.offset"),
    ("/api/events", {"leadId": TOO_BIG}, "query.leadId"),
    ("/api/events", {"leadId": 0}, "query.leadId"),
    ("/api/events", {"cursor": "garbage"}, "query.cursor"),
    ("/api/events", {"since": "9999-12-31T23:59:59-23:59"}, "query.since"),
    ("/api/events", {"since": "0001-01-01T00:00:00+14:00"}, "query.since"),
    ("/api/automations/executions", {"automationId": TOO_BIG}, "query.automationId"),
    ("/api/automations", {"offset": TOO_BIG}, "query.offset"),
    ("/api/webhooks", {"offset": TOO_BIG}, "query.offset"),
    ("/api/admin/failed-jobs", {"offset": TOO_BIG}, "query.offset"),
    ("/api/leads", {"q": "a\u0000b"}, "query.q"),
    ("/api/events", {"eventType": "\u0000"}, "query.eventType"),
    ("/api/rules/rescore/a%00b", {}, "path.job_id"),
]


async def test_an_out_of_range_query_parameter_is_422_naming_it(
    client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    for path, query, loc in OUT_OF_RANGE_QUERIES:
        response = await client.get(path, params=query, headers=account.headers)
        assert response.status_code == 422, (path, query, response.text)
        assert loc in problem_locs(response), (path, query)


def _cursor(stamp: str, row_id: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps([stamp, row_id]).encode()).decode().rstrip("=")


TAMPERED_CURSORS = [
    _cursor("2026-01-01T00:00:00+00:00", TOO_BIG),
    _cursor("2026-01-01T00:00:00+00:00", -1),
    _cursor("0001-01-01T00:00:00+14:00", 1),
    _cursor("9999-12-31T23:59:59-23:59", 1),
    _cursor("2026-01-01T00:00:00", 1),
    base64.urlsafe_b64encode(b"[" * 500).decode(),
]


async def test_a_tampered_cursor_is_422_naming_it(client: httpx.AsyncClient, signup: Any) -> None:
    account = await signup()
    for cursor in TAMPERED_CURSORS:
        response = await client.get(
            "/api/events", params={"cursor": cursor}, headers=account.headers
        )
        assert response.status_code == 422, (cursor, response.text)
        assert "query.cursor" in problem_locs(response)


async def test_the_largest_offset_and_score_answer_an_empty_page(
    client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    params = {"offset": MAX_BIGINT, "minScore": 2**31 - 1}
    response = await client.get("/api/leads", params=params, headers=account.headers)
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


async def test_a_huge_min_score_on_the_csv_export_is_refused_before_streaming(
    client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    response = await client.get(
        "/api/leads/export", params={"minScore": 10**30}, headers=account.headers
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "query.minScore" in problem_locs(response)


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ('{"name": "a\\u0000b"}', "body.name"),
        ('{"traits": {"plan": "\\u0000"}}', "body.traits.plan"),
        ('{"traits": {"x\\u0000": 1}}', "body.traits"),
        ('{"traits": {"n": NaN}}', "body.traits.n"),
        ('{"traits": {"n": Infinity}}', "body.traits.n"),
        ('{"traits": {"n": 1e400}}', "body.traits.n"),
        ('{"traits": {"n": 123456789012345678901234567890}}', "body.traits.n"),
        ('{"name": "\\ud800"}', "body.name"),
    ],
)
async def test_nul_surrogates_and_non_finite_numbers_in_a_body_are_422(
    client: httpx.AsyncClient, signup: Any, db: Any, body: str, loc: str
) -> None:
    account = await signup()
    before = await row_counts(db)
    headers = {**account.headers, "Content-Type": "application/json"}
    response = await client.post("/api/leads", content=body, headers=headers)
    assert response.status_code == 422, response.text
    # a trait is a union (bool | str | float | int): pydantic may name the branch too
    assert any(found == loc or found.startswith(f"{loc}.") for found in problem_locs(response))
    assert await row_counts(db) == before


def _bearer(settings: Any, **claims: Any) -> dict[str, str]:
    now = int(utcnow().timestamp())
    payload = {"sub": "1", "project_id": 1, "tv": 0, "iat": now, "exp": now + 3600, **claims}
    return {
        "Authorization": f"Bearer {jwt.encode(payload, settings.secret_key(), algorithm='HS256')}"
    }


ODD_CLAIMS: list[dict[str, Any]] = [
    {"sub": "9" * 30},
    {"sub": str(TOO_BIG)},
    {"sub": "1" * 5000},
    {"sub": "abc"},
    {"sub": "1.5"},
    {"sub": "-1"},
    {"project_id": TOO_BIG},
    {"tv": 2**70},
    {"sub": 1.0},
    {"exp": 10**20},
    {"sub": "9" * 100_000},
    {"project_id": [1]},
]


async def test_a_signed_token_with_odd_claims_is_401(
    client: httpx.AsyncClient, signup: Any, settings: Any
) -> None:
    await signup()  # user 1 and project 1 exist: only the odd claim can be refused
    assert (await client.get("/api/auth/me", headers=_bearer(settings))).status_code == 200
    for claims in ODD_CLAIMS:
        response = await client.get("/api/auth/me", headers=_bearer(settings, **claims))
        assert response.status_code == 401, (str(claims)[:80], response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_token_carrying_a_100_kb_claim_is_judged_by_its_claims(
    client: httpx.AsyncClient, signup: Any, settings: Any
) -> None:
    await signup()
    response = await client.get("/api/auth/me", headers=_bearer(settings, note="x" * 100_000))
    assert response.status_code == 200, response.text[:200]
