"""API keys: secret keys shown once and stored hashed, scopes, rotation revokes at once."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from foundation_support import assert_problem, bearer
from sqlalchemy import select

from leadpulse.api.deps import IngestDep, ServerDep, UserDep
from leadpulse.projects.keys import key_digest
from leadpulse.store.models import ApiKey

probe = APIRouter(prefix="/api/test-only")


@probe.get("/server")
async def server_probe(caller: ServerDep) -> dict[str, Any]:
    return {"projectId": caller.project_id, "via": caller.via}


@probe.get("/ingest")
async def ingest_probe(caller: IngestDep) -> dict[str, Any]:
    return {"projectId": caller.project_id, "via": caller.via}


@probe.get("/user")
async def user_probe(caller: UserDep) -> dict[str, Any]:
    return {"projectId": caller.project_id, "userId": caller.user_id}


@pytest.fixture
def probed(app: Any) -> Any:
    """The test app with routes guarded by each caller dependency."""
    app.include_router(probe)
    return app


async def _new_key(client: httpx.AsyncClient, account: Any, kind: str) -> str:
    response = await client.post(
        "/api/auth/generate-api-key", json={"type": kind}, headers=account.headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["type"] == kind
    key: str = body["apiKey"]
    assert key.startswith(body["prefix"])
    return key


async def _rows(db: Any, project_id: int) -> list[dict[str, Any]]:
    async with db.sessions() as session:
        rows = (
            await session.execute(select(ApiKey.__table__).where(ApiKey.project_id == project_id))
        ).mappings()
        return [dict(r) for r in rows]


async def test_a_secret_key_is_returned_once_and_stored_only_as_its_hash(
    client: httpx.AsyncClient, signup: Any, db: Any
) -> None:
    account = await signup()
    key = await _new_key(client, account, "secret")
    assert key.startswith("sk_")
    rows = [r for r in await _rows(db, account.project_id) if r["kind"] == "secret"]
    assert len(rows) == 1
    import hashlib

    assert rows[0]["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert rows[0]["public_key"] is None
    for row in await _rows(db, account.project_id):
        assert all(key not in str(value) for value in row.values())


async def test_no_endpoint_returns_a_secret_key_again(
    client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    key = await _new_key(client, account, "secret")
    for path in ("/api/auth/project", "/api/projects", "/api/auth/me"):
        response = await client.get(path, headers=account.headers)
        assert response.status_code == 200
        assert key not in response.text
        assert key[3:] not in response.text


async def test_a_publishable_key_can_be_added_and_is_readable(
    client: httpx.AsyncClient, signup: Any, db: Any
) -> None:
    account = await signup()
    key = await _new_key(client, account, "publishable")
    assert key.startswith("pk_")
    project = (await client.get("/api/auth/project", headers=account.headers)).json()
    assert project["publishableKey"] == key


async def test_generating_a_key_of_an_unknown_type_is_a_422(
    client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    response = await client.post(
        "/api/auth/generate-api-key", json={"type": "admin"}, headers=account.headers
    )
    assert {e["loc"] for e in assert_problem(response, 422)["errors"]} == {"body.type"}


async def test_generating_a_key_needs_a_user_token(client: httpx.AsyncClient, signup: Any) -> None:
    account = await signup()
    secret = await _new_key(client, account, "secret")
    response = await client.post(
        "/api/auth/generate-api-key", json={"type": "secret"}, headers=bearer(secret)
    )
    assert_problem(response, 403)
    assert_problem(await client.post("/api/auth/generate-api-key", json={}), 401)


async def test_a_secret_key_has_server_access_by_bearer_and_by_header(
    probed: Any, client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    key = await _new_key(client, account, "secret")
    for headers in (bearer(key), {"X-API-Key": key}):
        response = await client.get("/api/test-only/server", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json() == {"projectId": account.project_id, "via": "secret"}
    jwt_caller = await client.get("/api/test-only/server", headers=account.headers)
    assert jwt_caller.json() == {"projectId": account.project_id, "via": "jwt"}


async def test_a_secret_key_is_not_a_user(
    probed: Any, client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    key = await _new_key(client, account, "secret")
    assert_problem(await client.get("/api/projects", headers=bearer(key)), 403)
    assert_problem(await client.get("/api/test-only/user", headers={"X-API-Key": key}), 403)


async def test_a_publishable_key_can_only_ingest(
    probed: Any, client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    pk = account.publishable_key
    assert_problem(await client.get("/api/test-only/server", headers={"X-API-Key": pk}), 403)
    assert_problem(await client.get("/api/auth/me", headers=bearer(pk)), 403)
    response = await client.get("/api/test-only/ingest", headers={"X-API-Key": pk})
    assert response.json() == {"projectId": account.project_id, "via": "publishable"}


@pytest.mark.parametrize("key", ["sk_" + "x" * 43, "pk_unknown", "ak_not-ours", "", "Bearer-ish"])
async def test_unknown_keys_are_401(probed: Any, client: httpx.AsyncClient, key: str) -> None:
    headers = {"X-API-Key": key} if key else {}
    assert_problem(await client.get("/api/test-only/ingest", headers=headers), 401)


async def test_rotating_the_publishable_key_revokes_the_old_one_at_once(
    probed: Any, client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    old = account.publishable_key
    assert (
        await client.get("/api/test-only/ingest", headers={"X-API-Key": old})
    ).status_code == 200
    response = await client.post(
        f"/api/projects/{account.project_id}/rotate-key", headers=account.headers
    )
    assert response.status_code == 201, response.text
    new = response.json()["apiKey"]
    assert new.startswith("pk_") and new != old
    assert_problem(await client.get("/api/test-only/ingest", headers={"X-API-Key": old}), 401)
    fresh = await client.get("/api/test-only/ingest", headers={"X-API-Key": new})
    assert fresh.json()["projectId"] == account.project_id
    project = (await client.get("/api/auth/project", headers=account.headers)).json()
    assert project["publishableKey"] == new


async def test_rotating_secret_keys_revokes_every_old_secret_key(
    probed: Any, client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    first, second = (
        await _new_key(client, account, "secret"),
        await _new_key(client, account, "secret"),
    )
    response = await client.post(
        f"/api/projects/{account.project_id}/rotate-key",
        json={"type": "secret"},
        headers=account.headers,
    )
    assert response.status_code == 201, response.text
    new = response.json()["apiKey"]
    assert new.startswith("sk_")
    for old in (first, second):
        assert_problem(await client.get("/api/test-only/server", headers=bearer(old)), 401)
    assert (await client.get("/api/test-only/server", headers=bearer(new))).status_code == 200
    # the publishable key was not touched
    pk = {"X-API-Key": account.publishable_key}
    assert (await client.get("/api/test-only/ingest", headers=pk)).status_code == 200


async def test_rotating_another_users_project_is_404_and_changes_nothing(
    probed: Any, client: httpx.AsyncClient, signup: Any
) -> None:
    mine, theirs = await signup(), await signup()
    response = await client.post(
        f"/api/projects/{theirs.project_id}/rotate-key", headers=mine.headers
    )
    assert_problem(response, 404)
    pk = {"X-API-Key": theirs.publishable_key}
    assert (await client.get("/api/test-only/ingest", headers=pk)).status_code == 200
    assert_problem(
        await client.post("/api/projects/999999999/rotate-key", headers=mine.headers), 404
    )


async def test_keys_of_an_inactive_project_are_forbidden(
    probed: Any, client: httpx.AsyncClient, signup: Any, db: Any
) -> None:
    from sqlalchemy import update

    from leadpulse.store.models import Project

    account = await signup()
    async with db.transaction() as session:
        await session.execute(
            update(Project).where(Project.id == account.project_id).values(active=False)
        )
    pk = {"X-API-Key": account.publishable_key}
    assert_problem(await client.get("/api/test-only/ingest", headers=pk), 403)


# --- listing, last use and revocation of one key (issue §4.1) ---------------------------


async def _list(client: httpx.AsyncClient, account: Any, **params: Any) -> dict[str, Any]:
    response = await client.get(
        f"/api/projects/{account.project_id}/keys", params=params, headers=account.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_keys_are_listed_with_prefix_type_and_dates_never_the_secret(
    client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    secret = await _new_key(client, account, "secret")
    body = await _list(client, account)
    assert body["total"] == 2 and body["limit"] == 50 and body["offset"] == 0
    newest, first = body["items"]
    assert newest["type"] == "secret" and secret.startswith(newest["prefix"])
    assert first["type"] == "publishable"
    assert account.publishable_key.startswith(first["prefix"])
    for item in body["items"]:
        assert set(item) == {"id", "type", "prefix", "createdAt", "lastUsedAt", "revokedAt"}
        assert item["createdAt"] and item["revokedAt"] is None
    response = await client.get(f"/api/projects/{account.project_id}/keys", headers=account.headers)
    assert secret not in response.text and secret[10:] not in response.text
    assert account.publishable_key[10:] not in response.text


async def test_the_key_list_is_paged(client: httpx.AsyncClient, signup: Any) -> None:
    account = await signup()
    for _ in range(3):
        await _new_key(client, account, "secret")
    page = await _list(client, account, limit=2, offset=2)
    assert page["total"] == 4 and len(page["items"]) == 2
    assert page["items"][-1]["type"] == "publishable"


async def test_a_keys_last_use_is_recorded_once_a_minute_not_per_request(
    probed: Any, app: Any, client: httpx.AsyncClient, signup: Any, db: Any
) -> None:
    account = await signup()
    secret = await _new_key(client, account, "secret")
    assert all(item["lastUsedAt"] is None for item in (await _list(client, account))["items"])

    async def use_and_read() -> Any:
        response = await client.get("/api/test-only/server", headers=bearer(secret))
        assert response.status_code == 200
        await app.state.container.flush()  # the background publisher writes after the answer
        async with db.sessions() as session:
            return await session.scalar(
                select(ApiKey.last_used_at).where(ApiKey.key_hash == key_digest(secret))
            )

    first = await use_and_read()
    assert first is not None
    [listed] = [i for i in (await _list(client, account))["items"] if i["type"] == "secret"]
    assert listed["lastUsedAt"] is not None
    for _ in range(5):  # within the minute: no further write
        assert await use_and_read() == first


async def test_listing_another_users_keys_is_404(client: httpx.AsyncClient, signup: Any) -> None:
    mine, theirs = await signup(), await signup()
    response = await client.get(f"/api/projects/{theirs.project_id}/keys", headers=mine.headers)
    assert_problem(response, 404)
    secret = await _new_key(client, mine, "secret")
    by_key = await client.get(f"/api/projects/{mine.project_id}/keys", headers=bearer(secret))
    assert_problem(by_key, 403)


async def test_revoking_one_key_stops_it_at_once_and_keeps_it_listed(
    probed: Any, client: httpx.AsyncClient, signup: Any
) -> None:
    account = await signup()
    doomed, kept = (
        await _new_key(client, account, "secret"),
        await _new_key(client, account, "secret"),
    )
    assert (await client.get("/api/test-only/server", headers=bearer(doomed))).status_code == 200
    [doomed_id] = [
        i["id"] for i in (await _list(client, account))["items"] if doomed.startswith(i["prefix"])
    ]
    response = await client.delete(
        f"/api/projects/{account.project_id}/keys/{doomed_id}", headers=account.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["revokedAt"] is not None
    assert_problem(await client.get("/api/test-only/server", headers=bearer(doomed)), 401)
    assert (await client.get("/api/test-only/server", headers=bearer(kept))).status_code == 200
    listed = {i["id"]: i for i in (await _list(client, account))["items"]}
    assert listed[doomed_id]["revokedAt"] is not None


async def test_revoking_a_key_of_another_project_is_404(
    probed: Any, client: httpx.AsyncClient, signup: Any
) -> None:
    mine, theirs = await signup(), await signup()
    [their_key] = (await _list(client, theirs))["items"]
    for project_id in (theirs.project_id, mine.project_id):
        response = await client.delete(
            f"/api/projects/{project_id}/keys/{their_key['id']}", headers=mine.headers
        )
        assert_problem(response, 404)
    pk = {"X-API-Key": theirs.publishable_key}
    assert (await client.get("/api/test-only/ingest", headers=pk)).status_code == 200
