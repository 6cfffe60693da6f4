"""Sign-up, sign-in, tokens, the current user and project, and e-mail verification."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import uuid
from datetime import timedelta
from typing import Any

import jwt
import pytest
import structlog
from foundation_support import SmtpSink, api_client, assert_problem, bearer, error_locs, register
from sqlalchemy import select, update

from leadpulse.auth.security import issue_token
from leadpulse.store.models import EmailVerification, User
from leadpulse.store.types import utcnow

PASSWORD = "correct horse battery"


def _email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


# --- register / login / me / project ------------------------------------------------------


async def test_register_returns_token_user_and_project(client: Any) -> None:
    email = _email()
    response = await client.post(
        "/api/auth/register",
        json={"email": f"  {email.upper()} ", "password": "long enough", "name": "Ada"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == email
    assert body["user"]["name"] == "Ada"
    assert body["user"]["id"] > 0
    assert body["project"]["id"] > 0
    assert body["project"]["name"]
    assert body["token"].count(".") == 2


async def test_register_names_the_project_after_the_company(client: Any) -> None:
    body = await register(client, company="Acme Ltd")
    assert body["project"]["name"] == "Acme Ltd"


async def test_login_me_and_project_happy_path(client: Any) -> None:
    email = _email()
    created = await register(client, email=email, password=PASSWORD)
    login = await client.post(
        "/api/auth/login", json={"email": f" {email.upper()}", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    body = login.json()
    assert body["user"]["id"] == created["user"]["id"]
    assert body["project"]["id"] == created["project"]["id"]

    me = await client.get("/api/auth/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.json()["email"] == email
    assert me.json()["emailVerified"] is False

    project = await client.get("/api/auth/project", headers=bearer(body["token"]))
    assert project.status_code == 200
    out = project.json()
    assert out["id"] == created["project"]["id"]
    assert out["publishableKey"].startswith("pk_")
    assert {"id", "name", "domain", "publishableKey", "createdAt"} <= out.keys()


async def test_current_project_has_a_publishable_key(client: Any, signup: Any) -> None:
    account = await signup()
    response = await client.get("/api/auth/project", headers=account.headers)
    assert response.status_code == 200
    assert response.json()["publishableKey"].startswith("pk_")


async def test_duplicate_email_is_a_conflict(client: Any) -> None:
    email = _email()
    await register(client, email=email)
    again = await client.post(
        "/api/auth/register", json={"email": email, "password": PASSWORD, "name": "Twin"}
    )
    assert_problem(again, 409)


async def test_duplicate_email_in_another_case_is_a_conflict(client: Any, db: Any) -> None:
    email = _email()
    await register(client, email=email)
    again = await client.post(
        "/api/auth/register",
        json={"email": f" {email.upper()} ", "password": PASSWORD, "name": "Twin"},
    )
    assert_problem(again, 409)
    async with db.sessions() as session:
        count = len((await session.scalars(select(User).where(User.email == email))).all())
    assert count == 1


async def test_weak_password_is_refused_naming_the_field(client: Any, db: Any) -> None:
    email = _email()
    response = await client.post(
        "/api/auth/register", json={"email": email, "password": "short", "name": "Weak"}
    )
    body = assert_problem(response, 422)
    assert error_locs(body) == {"body.password"}
    async with db.sessions() as session:
        assert await session.scalar(select(User).where(User.email == email)) is None


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("password123", id="common"),
        pytest.param("PassWord123", id="common-in-another-case"),
        pytest.param("qwertyuiop", id="keyboard-walk"),
        pytest.param(" " * 12, id="all-whitespace"),
        pytest.param("\t\n  \u3000 \r\n ", id="all-unicode-whitespace"),
        pytest.param("long enough\u0000secret", id="nul"),
    ],
)
async def test_common_blank_and_nul_passwords_are_refused_naming_the_field(
    client: Any, db: Any, password: str
) -> None:
    email = _email()
    response = await client.post(
        "/api/auth/register", json={"email": email, "password": password, "name": "Weak"}
    )
    assert error_locs(assert_problem(response, 422)) == {"body.password"}
    async with db.sessions() as session:
        assert await session.scalar(select(User).where(User.email == email)) is None


async def test_missing_fields_are_each_named(client: Any) -> None:
    response = await client.post("/api/auth/register", json={})
    body = assert_problem(response, 422)
    assert error_locs(body) == {"body.email", "body.password", "body.name"}


async def test_invalid_email_and_unknown_field_are_refused(client: Any) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "not-an-email", "password": PASSWORD, "name": "X", "role": "admin"},
    )
    body = assert_problem(response, 422)
    assert error_locs(body) == {"body.email", "body.role"}


async def test_wrong_password_and_unknown_email_get_the_same_401(client: Any) -> None:
    email = _email()
    await register(client, email=email)
    wrong = await client.post(
        "/api/auth/login", json={"email": email, "password": "not the password"}
    )
    unknown = await client.post("/api/auth/login", json={"email": _email(), "password": PASSWORD})
    wrong_body, unknown_body = assert_problem(wrong, 401), assert_problem(unknown, 401)
    assert wrong_body["detail"] == unknown_body["detail"]
    assert wrong.headers["www-authenticate"] == "Bearer"


async def test_passwords_are_taken_exactly_as_typed(client: Any) -> None:
    email = _email()
    await register(client, email=email, password="  spaced out  ")
    exact = await client.post(
        "/api/auth/login", json={"email": email, "password": "  spaced out  "}
    )
    assert exact.status_code == 200, exact.text
    trimmed = await client.post("/api/auth/login", json={"email": email, "password": "spaced out"})
    assert_problem(trimmed, 401)
    blank = await client.post(
        "/api/auth/register", json={"email": _email(), "password": " " * 7 + "x", "name": "B"}
    )
    assert blank.status_code == 201  # 8 characters, spaces count


async def test_concurrent_sign_ups_with_one_email_create_one_account(client: Any, db: Any) -> None:
    email = _email()
    body = {"email": email, "password": PASSWORD, "name": "Racer"}
    responses = await asyncio.gather(
        *(client.post("/api/auth/register", json=body) for _ in range(3))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409]
    for response in responses:
        if response.status_code == 409:
            assert_problem(response, 409)
    async with db.sessions() as session:
        assert len((await session.scalars(select(User).where(User.email == email))).all()) == 1


async def test_google_only_user_cannot_sign_in_with_a_password(client: Any, db: Any) -> None:
    email = _email()
    async with db.transaction() as session:
        session.add(User(email=email, name="G", google_sub=uuid.uuid4().hex))
    response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert_problem(response, 401)


async def test_me_without_a_token_is_401(client: Any) -> None:
    assert_problem(await client.get("/api/auth/me"), 401)
    assert_problem(await client.get("/api/auth/project"), 401)


async def test_me_with_a_garbage_token_is_401(client: Any) -> None:
    assert_problem(await client.get("/api/auth/me", headers=bearer("not.a.jwt")), 401)
    assert_problem(await client.get("/api/auth/me", headers={"Authorization": "Basic x"}), 401)


# --- JWT --------------------------------------------------------------------------------


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _unverified(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


async def test_token_claims_name_user_project_and_expire_in_seven_days(
    client: Any, settings: Any
) -> None:
    body = await register(client)
    claims = jwt.decode(body["token"], settings.jwt_secret, algorithms=["HS256"])
    assert claims["sub"] == str(body["user"]["id"])
    assert claims["project_id"] == body["project"]["id"]
    assert claims["exp"] - claims["iat"] == 7 * 86400
    assert abs(claims["exp"] - (utcnow() + timedelta(days=7)).timestamp()) < 600
    assert jwt.get_unverified_header(body["token"])["alg"] == "HS256"


async def test_expired_token_is_401(client: Any, settings: Any) -> None:
    body = await register(client)
    token = issue_token(
        user_id=body["user"]["id"],
        project_id=body["project"]["id"],
        secret=settings.jwt_secret,
        now=utcnow() - timedelta(days=8),
        days=7,
    )
    problem = assert_problem(await client.get("/api/auth/me", headers=bearer(token)), 401)
    assert "expired" in problem["detail"]


async def test_tampered_payload_is_401(client: Any, signup: Any) -> None:
    mine, other = await signup(), await signup()
    header, _, signature = mine.token.split(".")
    claims = _unverified(mine.token) | {"sub": str(other.user_id), "project_id": other.project_id}
    forged = f"{header}.{_b64(claims)}.{signature}"
    assert_problem(await client.get("/api/auth/me", headers=bearer(forged)), 401)


async def test_tampered_signature_is_401(client: Any, signup: Any) -> None:
    account = await signup()
    header, payload, signature = account.token.split(".")
    flipped = ("B" if signature[0] == "A" else "A") + signature[1:]
    forged = f"{header}.{payload}.{flipped}"
    assert_problem(await client.get("/api/auth/me", headers=bearer(forged)), 401)


async def test_token_signed_with_another_secret_is_401(client: Any, signup: Any) -> None:
    account = await signup()
    claims = _unverified(account.token)
    forged = jwt.encode(claims, "another-secret-" + "y" * 40, algorithm="HS256")
    assert_problem(await client.get("/api/auth/me", headers=bearer(forged)), 401)


async def test_unsigned_alg_none_token_is_401(client: Any, signup: Any) -> None:
    account = await signup()
    claims = _unverified(account.token)
    forged = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    assert_problem(await client.get("/api/auth/me", headers=bearer(forged)), 401)


async def test_token_for_a_project_the_user_does_not_own_is_401(
    client: Any, signup: Any, settings: Any
) -> None:
    mine, other = await signup(), await signup()
    token = issue_token(
        user_id=mine.user_id,
        project_id=other.project_id,
        secret=settings.jwt_secret,
        now=utcnow(),
        days=7,
    )
    assert_problem(await client.get("/api/auth/project", headers=bearer(token)), 401)


# --- e-mail verification --------------------------------------------------------------


_TOKEN = re.compile(r"token=([A-Za-z0-9_-]+)")


async def test_without_smtp_the_verification_mail_is_logged(client: Any) -> None:
    email = _email()
    with structlog.testing.capture_logs() as logs:
        await register(client, email=email)
    mails = [e for e in logs if e["event"] == "mail_not_sent_no_smtp"]
    assert len(mails) == 1
    assert mails[0]["to"] == [email]
    assert _TOKEN.search(mails[0]["body"])


def _smtp_settings(settings: Any, sink: SmtpSink) -> Any:
    return settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": sink.port, "smtp_from": "lp@example.com"}
    )


def _token_from(sink: SmtpSink, email: str) -> str:
    assert sink.received.wait(timeout=10), "no mail arrived at the SMTP server"
    [message] = [m for m in sink.messages if m["To"] == email]
    assert message["From"] == "lp@example.com"
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    match = _TOKEN.search(payload.decode())
    assert match, payload
    return match.group(1)


async def test_verification_mail_goes_over_smtp_and_its_token_verifies_once(
    settings: Any, db: Any, smtp_sink: SmtpSink
) -> None:
    email = _email()
    async with api_client(_smtp_settings(settings, smtp_sink), db) as (client, _):
        body = await register(client, email=email)
        token = _token_from(smtp_sink, email)

        verified = await client.post("/api/auth/verify-email", json={"token": token})
        assert verified.status_code == 200, verified.text
        assert verified.json()["emailVerified"] is True
        assert verified.json()["id"] == body["user"]["id"]
        me = await client.get("/api/auth/me", headers=bearer(body["token"]))
        assert me.json()["emailVerified"] is True

        reused = await client.post("/api/auth/verify-email", json={"token": token})
        assert error_locs(assert_problem(reused, 422)) == {"body.token"}


async def test_verification_tokens_are_stored_hashed(
    settings: Any, db: Any, smtp_sink: SmtpSink
) -> None:
    email = _email()
    async with api_client(_smtp_settings(settings, smtp_sink), db) as (client, _):
        await register(client, email=email)
        token = _token_from(smtp_sink, email)
    async with db.sessions() as session:
        rows = (await session.scalars(select(EmailVerification))).all()
    assert rows
    assert all(token not in (r.token_hash, str(r.id)) for r in rows)


async def test_expired_verification_token_is_refused(
    settings: Any, db: Any, smtp_sink: SmtpSink
) -> None:
    email = _email()
    async with api_client(_smtp_settings(settings, smtp_sink), db) as (client, _):
        body = await register(client, email=email)
        token = _token_from(smtp_sink, email)
        async with db.transaction() as session:
            await session.execute(
                update(EmailVerification)
                .where(EmailVerification.user_id == body["user"]["id"])
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )
        response = await client.post("/api/auth/verify-email", json={"token": token})
        assert error_locs(assert_problem(response, 422)) == {"body.token"}
        me = await client.get("/api/auth/me", headers=bearer(body["token"]))
        assert me.json()["emailVerified"] is False


async def test_garbage_verification_token_is_refused(client: Any) -> None:
    response = await client.post("/api/auth/verify-email", json={"token": "x" * 40})
    assert error_locs(assert_problem(response, 422)) == {"body.token"}
    short = await client.post("/api/auth/verify-email", json={"token": "x"})
    assert error_locs(assert_problem(short, 422)) == {"body.token"}


async def test_registration_survives_an_unreachable_smtp_server(settings: Any, db: Any) -> None:
    from foundation_support import free_port

    broken = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": free_port()})
    async with api_client(broken, db) as (client, _):
        body = await register(client)
        me = await client.get("/api/auth/me", headers=bearer(body["token"]))
        assert me.status_code == 200
