"""Token revocation (issue §4.1): sign out everywhere, password change, old tokens refused."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import jwt
from foundation_support import assert_problem, bearer, error_locs, register
from sqlalchemy import select, update

from leadpulse.auth.security import issue_token
from leadpulse.store.models import User
from leadpulse.store.types import utcnow

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"


def _email() -> str:
    return f"rv-{uuid.uuid4().hex[:12]}@example.com"


async def _login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def _token(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> str:
    response = await _login(client, email, password)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


async def _change(client: httpx.AsyncClient, token: str, current: str, new: str) -> httpx.Response:
    return await client.post(
        "/api/auth/change-password",
        json={"currentPassword": current, "newPassword": new},
        headers=bearer(token),
    )


async def test_sign_out_everywhere_revokes_every_token_of_the_user(
    client: httpx.AsyncClient,
) -> None:
    email = _email()
    first = (await register(client, email=email))["token"]
    laptop, phone = await _token(client, email), await _token(client, email)
    other = (await register(client))["token"]  # another user is not affected

    response = await client.post("/api/auth/sign-out-everywhere", headers=bearer(laptop))
    assert response.status_code == 204

    for token in (first, laptop, phone):
        body = assert_problem(await client.get("/api/auth/me", headers=bearer(token)), 401)
        assert "revoked" in body["detail"]
    assert (await client.get("/api/auth/me", headers=bearer(other))).status_code == 200
    fresh = await _token(client, email)
    assert (await client.get("/api/auth/me", headers=bearer(fresh))).status_code == 200


async def test_a_revoked_token_cannot_mint_keys_or_switch_projects(
    client: httpx.AsyncClient,
) -> None:
    account = await register(client)
    token, project_id = account["token"], account["project"]["id"]
    await client.post("/api/auth/sign-out-everywhere", headers=bearer(token))
    minted = await client.post(
        "/api/auth/generate-api-key", json={"type": "secret"}, headers=bearer(token)
    )
    assert_problem(minted, 401)
    assert_problem(
        await client.post(f"/api/projects/{project_id}/switch", headers=bearer(token)), 401
    )


async def test_sign_out_everywhere_needs_a_user_token(client: httpx.AsyncClient) -> None:
    assert_problem(await client.post("/api/auth/sign-out-everywhere"), 401)


async def test_changing_the_password_revokes_earlier_tokens_and_returns_a_fresh_one(
    client: httpx.AsyncClient,
) -> None:
    email = _email()
    old = (await register(client, email=email))["token"]
    other_session = await _token(client, email)

    response = await _change(client, old, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 200, response.text
    fresh = response.json()["token"]
    assert response.json()["user"]["email"] == email

    for token in (old, other_session):
        assert_problem(await client.get("/api/auth/me", headers=bearer(token)), 401)
    assert (await client.get("/api/auth/me", headers=bearer(fresh))).status_code == 200
    assert_problem(await _login(client, email, PASSWORD), 401)
    assert (await _login(client, email, NEW_PASSWORD)).status_code == 200


async def test_a_wrong_current_password_changes_nothing(client: httpx.AsyncClient) -> None:
    email = _email()
    token = (await register(client, email=email))["token"]
    response = await _change(client, token, "not my password", NEW_PASSWORD)
    assert error_locs(assert_problem(response, 422)) == {"body.currentPassword"}
    assert (await client.get("/api/auth/me", headers=bearer(token))).status_code == 200
    assert (await _login(client, email, PASSWORD)).status_code == 200


async def test_the_new_password_must_pass_the_same_rules_as_at_sign_up(
    client: httpx.AsyncClient,
) -> None:
    email = _email()
    token = (await register(client, email=email))["token"]
    for weak in ("Password123", " " * 12, "short", "abcdefgh\u0000ij"):
        response = await _change(client, token, PASSWORD, weak)
        assert error_locs(assert_problem(response, 422)) == {"body.newPassword"}, weak
    assert (await _login(client, email, PASSWORD)).status_code == 200


async def test_a_google_only_account_has_no_password_to_change(
    client: httpx.AsyncClient, db: Any
) -> None:
    account = await register(client)
    async with db.transaction() as session:  # as after Google took the account over
        await session.execute(
            update(User)
            .where(User.id == account["user"]["id"])
            .values(password_hash=None, google_sub=uuid.uuid4().hex)
        )
    response = await _change(client, account["token"], PASSWORD, NEW_PASSWORD)
    assert error_locs(assert_problem(response, 422)) == {"body.currentPassword"}


async def test_tokens_carry_the_users_version_and_old_style_tokens_still_work(
    client: httpx.AsyncClient, settings: Any, db: Any
) -> None:
    account = await register(client)
    claims = jwt.decode(account["token"], settings.jwt_secret, algorithms=["HS256"])
    assert claims["tv"] == 0
    legacy = jwt.encode(  # issued before token versions existed: no "tv" claim
        {k: v for k, v in claims.items() if k != "tv"}, settings.jwt_secret, algorithm="HS256"
    )
    assert (await client.get("/api/auth/me", headers=bearer(legacy))).status_code == 200
    await client.post("/api/auth/sign-out-everywhere", headers=bearer(legacy))
    assert_problem(await client.get("/api/auth/me", headers=bearer(legacy)), 401)
    async with db.sessions() as session:
        version = await session.scalar(
            select(User.token_version).where(User.id == account["user"]["id"])
        )
    assert version == 1


async def test_a_token_from_a_future_version_is_refused(
    client: httpx.AsyncClient, settings: Any
) -> None:
    account = await register(client)
    forged = issue_token(  # only a holder of the secret could sign it; still not accepted
        user_id=account["user"]["id"],
        project_id=account["project"]["id"],
        secret=settings.jwt_secret,
        now=utcnow() - timedelta(minutes=1),
        days=7,
        token_version=5,
    )
    assert_problem(await client.get("/api/auth/me", headers=bearer(forged)), 401)
