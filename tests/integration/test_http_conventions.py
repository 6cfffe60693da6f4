"""HTTP conventions: problem+json for every error, body limits, request ids, headers, CORS."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from foundation_support import api_client, assert_problem

LIMIT = 2048
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}

crash = APIRouter(prefix="/api/test-only")


@crash.get("/crash")
async def crashing_route() -> None:
    raise RuntimeError("boom: a bug in a route")


@pytest.fixture
async def small_client(settings: Any, db: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose body limit is ``LIMIT`` bytes."""
    async with api_client(settings.model_copy(update={"max_body_bytes": LIMIT}), db) as (c, _):
        yield c


def _register_body(size: int) -> bytes:
    body = {"email": "big@example.com", "password": "correct horse battery", "name": "x" * size}
    return json.dumps(body).encode()


def _assert_common_headers(response: httpx.Response) -> None:
    assert response.headers.get("x-request-id")
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_malformed_json_is_a_400_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/register",
        content=b'{"email": "a@b.c", "password": ',
        headers={"Content-Type": "application/json"},
    )
    body = assert_problem(response, 400)
    assert "JSON" in body["detail"]
    _assert_common_headers(response)


async def test_validation_errors_are_422_with_field_paths(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/auth/login", json={"email": 5})
    body = assert_problem(response, 422)
    assert {e["loc"] for e in body["errors"]} == {"body.email", "body.password"}
    assert all(e["msg"] and e["type"] for e in body["errors"])


async def test_a_body_that_is_not_an_object_is_a_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/auth/login", json=[1, 2])
    assert_problem(response, 422)


async def test_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    for accept in ("application/json", "*/*", "text/html"):
        response = await client.get("/api/no-such-thing", headers={"Accept": accept})
        assert_problem(response, 404)
        _assert_common_headers(response)


async def test_wrong_method_is_a_405_problem(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/auth/login")
    assert_problem(response, 405)
    assert "POST" in response.headers["allow"]
    _assert_common_headers(response)


async def test_a_body_over_the_declared_limit_is_a_413_problem(
    small_client: httpx.AsyncClient, db: Any
) -> None:
    response = await small_client.post(
        "/api/auth/register",
        content=_register_body(LIMIT),
        headers={"Content-Type": "application/json"},
    )
    body = assert_problem(response, 413)
    assert str(LIMIT) in body["detail"]
    _assert_common_headers(response)


async def test_a_streamed_body_over_the_limit_is_a_413_problem(
    small_client: httpx.AsyncClient,
) -> None:
    payload = _register_body(LIMIT * 2)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 512):
            yield payload[start : start + 512]

    response = await small_client.post(
        "/api/auth/register", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    body = assert_problem(response, 413)
    assert str(LIMIT) in body["detail"]
    _assert_common_headers(response)


async def test_a_streamed_body_under_the_limit_is_accepted(
    small_client: httpx.AsyncClient,
) -> None:
    payload = _register_body(100)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 64):
            yield payload[start : start + 64]

    response = await small_client.post(
        "/api/auth/register", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text


async def test_an_oversized_body_creates_nothing(small_client: httpx.AsyncClient) -> None:
    await small_client.post(
        "/api/auth/register",
        content=_register_body(LIMIT),
        headers={"Content-Type": "application/json"},
    )
    response = await small_client.post(
        "/api/auth/login", json={"email": "big@example.com", "password": "correct horse battery"}
    )
    assert_problem(response, 401)


async def test_every_response_carries_a_request_id_and_security_headers(
    client: httpx.AsyncClient,
) -> None:
    responses = [
        await client.get("/api/health"),
        await client.get("/api/auth/me"),
        await client.post("/api/auth/login", json={}),
    ]
    ids = [r.headers["x-request-id"] for r in responses]
    assert len(set(ids)) == len(ids)
    for response in responses:
        _assert_common_headers(response)


async def test_a_valid_incoming_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/auth/me", headers={"X-Request-ID": "req-123.abc:9"})
    assert response.headers["x-request-id"] == "req-123.abc:9"


@pytest.mark.parametrize("bad", ["has spaces", "x" * 129, "<script>"])
async def test_an_invalid_incoming_request_id_is_replaced(
    client: httpx.AsyncClient, bad: str
) -> None:
    response = await client.get("/api/auth/me", headers={"X-Request-ID": bad})
    assert response.headers["x-request-id"] not in ("", bad)


async def test_an_unhandled_error_is_a_500_problem_with_a_request_id(
    app: Any, client: httpx.AsyncClient
) -> None:
    app.include_router(crash)
    response = await client.get("/api/test-only/crash", headers={"X-Request-ID": "crash-1"})
    body = assert_problem(response, 500)
    assert "boom" not in body["detail"]  # internals stay in the log
    assert response.headers["x-request-id"] == "crash-1"
    _assert_common_headers(response)


async def test_cors_allows_a_listed_origin_with_credentials(client: httpx.AsyncClient) -> None:
    origin = "http://localhost:5173"
    response = await client.get("/api/health", headers={"Origin": origin})
    assert response.headers["access-control-allow-origin"] == origin
    assert response.headers["access-control-allow-credentials"] == "true"
    preflight = await client.options(
        "/api/auth/login",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,authorization",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin
    assert "POST" in preflight.headers["access-control-allow-methods"]


async def test_cors_ignores_an_unknown_origin(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/health", headers={"Origin": "https://evil.example"})
    # Starlette still sends Allow-Credentials on simple requests; without Allow-Origin the
    # browser refuses the response, which is what matters.
    assert "access-control-allow-origin" not in response.headers
    preflight = await client.options(
        "/api/auth/login",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


async def test_errors_carry_cors_headers_for_a_listed_origin(client: httpx.AsyncClient) -> None:
    origin = "http://localhost:4000"
    response = await client.get("/api/auth/me", headers={"Origin": origin})
    assert_problem(response, 401)
    assert response.headers["access-control-allow-origin"] == origin


async def test_docs_get_their_own_csp(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    docs_csp = response.headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline';" in docs_csp  # Swagger UI's inline start-up
    assert "https:" not in docs_csp and "cdn.jsdelivr.net" not in docs_csp  # assets are local
    api = await client.get("/api/health")
    assert "'unsafe-inline'" not in api.headers["content-security-policy"].split("style-src")[0]
