"""Google sign-in against a locally generated key pair served by a real HTTP server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from foundation_support import CertServer, api_client, assert_problem, bearer, register
from sqlalchemy import func, select, update

from leadpulse.auth.google import GoogleVerifier
from leadpulse.store.models import User

CLIENT_ID = "1234567890-leadpulse.apps.googleusercontent.com"


@dataclass
class SigningKey:
    kid: str
    private_pem: bytes
    cert_pem: str


def make_key() -> SigningKey:
    """Generate an RSA key pair and a self-signed certificate, as Google publishes them."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "accounts.google.test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    return SigningKey(kid=uuid.uuid4().hex, private_pem=private_pem, cert_pem=cert_pem)


@pytest.fixture(scope="module")
def google_key() -> SigningKey:
    return make_key()


def id_token(key: SigningKey, **overrides: Any) -> str:
    """Sign a Google-style ID token; keyword arguments override claims."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": "https://accounts.google.com",
        "aud": CLIENT_ID,
        "sub": uuid.uuid4().hex,
        "email": f"g-{uuid.uuid4().hex[:10]}@gmail.com",
        "email_verified": True,
        "name": "Grace Hopper",
        "iat": int((now - timedelta(seconds=30)).timestamp()),
        "exp": int((now + timedelta(hours=1)).timestamp()),
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key.private_pem, algorithm="RS256", headers={"kid": key.kid})


@pytest.fixture
async def google_app(
    settings: Any, db: Any, cert_server: CertServer, google_key: SigningKey
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """(client, app) of an API whose Google sign-in trusts the local certificate server."""
    cert_server.certs = {google_key.kid: google_key.cert_pem}
    configured = settings.model_copy(
        update={"google_client_id": CLIENT_ID, "google_certs_url": cert_server.url}
    )
    async with api_client(configured, db) as pair:
        yield pair


@pytest.fixture
def google_client(google_app: tuple[httpx.AsyncClient, Any]) -> httpx.AsyncClient:
    return google_app[0]


@pytest.fixture
def verifier(google_app: tuple[httpx.AsyncClient, Any]) -> GoogleVerifier:
    found: GoogleVerifier = google_app[1].state.container.google
    return found


async def _sign_in(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/auth/google", json={"idToken": token})


async def test_a_valid_token_creates_a_verified_user(
    google_client: httpx.AsyncClient, google_key: SigningKey, db: Any
) -> None:
    email = f"new-{uuid.uuid4().hex[:8]}@gmail.com"
    response = await _sign_in(google_client, id_token(google_key, email=email))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["email"] == email
    assert body["user"]["name"] == "Grace Hopper"
    assert body["user"]["emailVerified"] is True
    assert body["project"]["id"] > 0
    me = await google_client.get("/api/auth/me", headers=bearer(body["token"]))
    assert me.json()["email"] == email
    async with db.sessions() as session:
        user = await session.scalar(select(User).where(User.email == email))
    assert user is not None
    assert user.password_hash is None
    assert user.google_sub


async def test_signing_in_again_finds_the_same_user_and_project(
    google_client: httpx.AsyncClient, google_key: SigningKey, db: Any
) -> None:
    sub, email = uuid.uuid4().hex, f"again-{uuid.uuid4().hex[:8]}@gmail.com"
    first = (await _sign_in(google_client, id_token(google_key, sub=sub, email=email))).json()
    second = (await _sign_in(google_client, id_token(google_key, sub=sub, email=email))).json()
    assert second["user"]["id"] == first["user"]["id"]
    assert second["project"]["id"] == first["project"]["id"]
    async with db.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(User))
    assert count == 1


async def test_google_email_is_normalised(
    google_client: httpx.AsyncClient, google_key: SigningKey
) -> None:
    email = f"case-{uuid.uuid4().hex[:8]}@gmail.com"
    body = (await _sign_in(google_client, id_token(google_key, email=email.upper()))).json()
    assert body["user"]["email"] == email


async def test_google_sign_in_links_an_existing_verified_password_account(
    google_client: httpx.AsyncClient, google_key: SigningKey, db: Any
) -> None:
    email = f"linked-{uuid.uuid4().hex[:8]}@gmail.com"
    account = await register(google_client, email=email)
    async with db.transaction() as session:
        await session.execute(
            update(User).where(User.id == account["user"]["id"]).values(email_verified=True)
        )
    sub = uuid.uuid4().hex
    body = (await _sign_in(google_client, id_token(google_key, sub=sub, email=email))).json()
    assert body["user"]["id"] == account["user"]["id"]
    assert body["project"]["id"] == account["project"]["id"]
    assert body["user"]["emailVerified"] is True
    async with db.sessions() as session:
        user = await session.get(User, account["user"]["id"])
    assert user is not None and user.google_sub == sub
    login = await google_client.post(
        "/api/auth/login", json={"email": email, "password": "correct horse battery"}
    )
    assert login.status_code == 200  # the owner's password keeps working


async def test_linking_an_unverified_account_revokes_its_password(
    google_client: httpx.AsyncClient, google_key: SigningKey
) -> None:
    # Someone registered the address first without proving they own it (pre-hijacking).
    email = f"squatted-{uuid.uuid4().hex[:8]}@gmail.com"
    squatter = await register(google_client, email=email, password="squatter password")
    body = (await _sign_in(google_client, id_token(google_key, email=email))).json()
    assert body["user"]["id"] == squatter["user"]["id"]
    login = await google_client.post(
        "/api/auth/login", json={"email": email, "password": "squatter password"}
    )
    assert_problem(login, 401)


async def _key(client: httpx.AsyncClient, token: str, kind: str) -> str:
    made = await client.post(
        "/api/auth/generate-api-key", json={"type": kind}, headers=bearer(token)
    )
    assert made.status_code == 201, made.text
    key: str = made.json()["apiKey"]
    return key


async def _ingest(client: httpx.AsyncClient, key: str) -> httpx.Response:
    body = {"event": "page_view", "anonymousId": f"v-{uuid.uuid4().hex[:8]}"}
    return await client.post("/api/ingest/event", json=body, headers={"X-API-Key": key})


async def test_a_google_takeover_revokes_the_squatters_tokens_and_keys(
    google_client: httpx.AsyncClient, google_key: SigningKey
) -> None:
    # Issue §4.1: the squatter kept a JWT, a secret key and the publishable key.
    email = f"pretaken-{uuid.uuid4().hex[:8]}@gmail.com"
    squatter = await register(google_client, email=email, password="squatter password")
    jwt_kept = squatter["token"]
    secret_kept = await _key(google_client, jwt_kept, "secret")
    publishable_kept = (
        await google_client.get("/api/auth/project", headers=bearer(jwt_kept))
    ).json()["publishableKey"]
    assert (await google_client.get("/api/leads", headers=bearer(secret_kept))).status_code == 200

    owner = (await _sign_in(google_client, id_token(google_key, email=email))).json()
    assert owner["user"]["id"] == squatter["user"]["id"]

    assert_problem(await google_client.get("/api/auth/me", headers=bearer(jwt_kept)), 401)
    minted = await google_client.post(
        "/api/auth/generate-api-key", json={"type": "secret"}, headers=bearer(jwt_kept)
    )
    assert_problem(minted, 401)
    assert_problem(await google_client.get("/api/leads", headers=bearer(secret_kept)), 401)
    assert_problem(await _ingest(google_client, publishable_kept), 401)

    # The owner's session works, with a fresh publishable key for the project.
    mine = (await google_client.get("/api/auth/project", headers=bearer(owner["token"]))).json()
    assert mine["publishableKey"] not in (None, publishable_kept)
    assert (await _ingest(google_client, mine["publishableKey"])).status_code == 202


async def test_linking_a_verified_account_keeps_its_tokens_and_keys(
    google_client: httpx.AsyncClient, google_key: SigningKey, db: Any
) -> None:
    email = f"proven-{uuid.uuid4().hex[:8]}@gmail.com"
    account = await register(google_client, email=email)
    async with db.transaction() as session:
        await session.execute(
            update(User).where(User.id == account["user"]["id"]).values(email_verified=True)
        )
    secret = await _key(google_client, account["token"], "secret")
    assert (await _sign_in(google_client, id_token(google_key, email=email))).status_code == 200
    assert (
        await google_client.get("/api/auth/me", headers=bearer(account["token"]))
    ).status_code == 200
    assert (await google_client.get("/api/leads", headers=bearer(secret))).status_code == 200


async def test_a_changed_google_email_still_finds_the_user_by_subject(
    google_client: httpx.AsyncClient, google_key: SigningKey
) -> None:
    sub = uuid.uuid4().hex
    first = (await _sign_in(google_client, id_token(google_key, sub=sub))).json()
    renamed = (await _sign_in(google_client, id_token(google_key, sub=sub))).json()
    assert renamed["user"]["id"] == first["user"]["id"]


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"aud": "someone-else.apps.googleusercontent.com"}, id="wrong-audience"),
        pytest.param(
            {
                "iat": int((datetime.now(UTC) - timedelta(hours=3)).timestamp()),
                "exp": int((datetime.now(UTC) - timedelta(hours=2)).timestamp()),
            },
            id="expired",
        ),
        pytest.param({"iss": "https://evil.example.com"}, id="wrong-issuer"),
        pytest.param({"email_verified": False}, id="unverified-email"),
        pytest.param({"email": None}, id="no-email"),
    ],
)
async def test_tokens_google_would_not_vouch_for_are_refused(
    google_client: httpx.AsyncClient, google_key: SigningKey, db: Any, claims: dict[str, Any]
) -> None:
    response = await _sign_in(google_client, id_token(google_key, **claims))
    assert_problem(response, 401)
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0


async def test_a_token_signed_by_another_key_is_refused(
    google_client: httpx.AsyncClient, google_key: SigningKey
) -> None:
    impostor = make_key()
    impostor.kid = google_key.kid  # same key id, different key
    assert_problem(await _sign_in(google_client, id_token(impostor)), 401)


async def test_a_malformed_token_is_refused(google_client: httpx.AsyncClient) -> None:
    assert_problem(await _sign_in(google_client, "not-a-jwt-at-all"), 401)


async def test_certificates_are_fetched_once_and_cached(
    google_client: httpx.AsyncClient, google_key: SigningKey, cert_server: CertServer
) -> None:
    for _ in range(3):
        assert (await _sign_in(google_client, id_token(google_key))).status_code == 200
    assert cert_server.requests == 1


async def test_an_unknown_key_id_triggers_one_refetch(
    google_client: httpx.AsyncClient,
    google_key: SigningKey,
    cert_server: CertServer,
    verifier: GoogleVerifier,
) -> None:
    assert (await _sign_in(google_client, id_token(google_key))).status_code == 200
    verifier.refetch_after = 0  # as if the refetch cool-down had passed
    rotated = make_key()
    cert_server.certs = {google_key.kid: google_key.cert_pem, rotated.kid: rotated.cert_pem}
    assert (await _sign_in(google_client, id_token(rotated))).status_code == 200
    assert cert_server.requests == 2
    assert (await _sign_in(google_client, id_token(rotated))).status_code == 200
    assert cert_server.requests == 2


async def test_made_up_key_ids_cannot_force_a_refetch_per_request(
    google_client: httpx.AsyncClient, google_key: SigningKey, cert_server: CertServer
) -> None:
    assert (await _sign_in(google_client, id_token(google_key))).status_code == 200
    for _ in range(5):
        assert_problem(await _sign_in(google_client, id_token(make_key())), 401)
    assert cert_server.requests == 1


async def test_stale_certificates_are_fetched_again(
    google_client: httpx.AsyncClient, google_key: SigningKey, cert_server: CertServer
) -> None:
    cert_server.max_age = 0  # expires at once
    for _ in range(2):
        assert (await _sign_in(google_client, id_token(google_key))).status_code == 200
    assert cert_server.requests == 2


async def test_a_key_id_google_does_not_publish_is_refused(
    google_client: httpx.AsyncClient, google_key: SigningKey
) -> None:
    stranger = make_key()
    assert_problem(await _sign_in(google_client, id_token(stranger)), 401)


async def test_unreachable_certificates_are_a_503(
    settings: Any, db: Any, google_key: SigningKey
) -> None:
    from foundation_support import free_port

    configured = settings.model_copy(
        update={
            "google_client_id": CLIENT_ID,
            "google_certs_url": f"http://127.0.0.1:{free_port()}/certs",
        }
    )
    async with api_client(configured, db) as (client, _):
        assert_problem(await _sign_in(client, id_token(google_key)), 503)


async def test_google_sign_in_without_a_client_id_is_a_503(
    client: httpx.AsyncClient, google_key: SigningKey
) -> None:
    body = assert_problem(await _sign_in(client, id_token(google_key)), 503)
    assert "GOOGLE_CLIENT_ID" in body["detail"]


async def test_missing_id_token_is_a_422(google_client: httpx.AsyncClient) -> None:
    response = await google_client.post("/api/auth/google", json={})
    body = assert_problem(response, 422)
    assert {e["loc"] for e in body["errors"]} == {"body.idToken"}
