"""Sign-in and sign-up throttle (issue §4.6): per account and per IP, 429 with Retry-After,
then a lockout in which even the right password is refused; Redis shares it across processes.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from foundation_support import api_client, assert_problem, register
from sqlalchemy import func, select

from leadpulse.store.models import User

PASSWORD = "correct horse battery"
ACCOUNT_BUDGET = 3
IP_BUDGET = 6
SIGN_UP_BUDGET = 3
LOCKOUT_MINUTES = 15


@pytest.fixture
def throttled(settings: Any) -> Any:
    """Test settings with the throttle on and small budgets."""
    return settings.model_copy(
        update={
            "rate_limit_enabled": True,
            "login_max_attempts": ACCOUNT_BUDGET,
            "login_ip_max_attempts": IP_BUDGET,
            "register_ip_max_attempts": SIGN_UP_BUDGET,
            "login_lockout_minutes": LOCKOUT_MINUTES,
        }
    )


@pytest.fixture
async def app_client(throttled: Any, db: Any) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    async with api_client(throttled, db) as pair:
        yield pair


@asynccontextmanager
async def from_ip(app: Any, ip: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def _email() -> str:
    return f"th-{uuid.uuid4().hex[:12]}@example.com"


async def _login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


def assert_locked_out(response: httpx.Response) -> None:
    body = assert_problem(response, 429)
    assert "try again" in body["detail"]
    assert 1 <= int(response.headers["Retry-After"]) <= LOCKOUT_MINUTES * 60


async def test_wrong_passwords_lock_the_account_even_for_the_right_one(
    app_client: tuple[httpx.AsyncClient, Any],
) -> None:
    client, _ = app_client
    email = _email()
    await register(client, email=email, password=PASSWORD)
    for _ in range(ACCOUNT_BUDGET):
        assert_problem(await _login(client, email, "not the password"), 401)
    assert_locked_out(await _login(client, email, "not the password"))
    assert_locked_out(await _login(client, email, PASSWORD))


async def test_a_concurrent_burst_of_guesses_is_mostly_refused_unchecked(
    app_client: tuple[httpx.AsyncClient, Any],
) -> None:
    client, _ = app_client
    email = _email()
    await register(client, email=email, password=PASSWORD)
    answers = await asyncio.gather(*(_login(client, email, f"guess {n}") for n in range(20)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses.count(401) == ACCOUNT_BUDGET  # only these were checked at all
    assert statuses.count(429) == 20 - ACCOUNT_BUDGET
    assert_locked_out(await _login(client, email, PASSWORD))


async def test_a_successful_sign_in_resets_the_account_budget(
    app_client: tuple[httpx.AsyncClient, Any],
) -> None:
    client, _ = app_client
    email = _email()
    await register(client, email=email, password=PASSWORD)
    for _ in range(2):
        for _ in range(ACCOUNT_BUDGET - 1):
            assert_problem(await _login(client, email, "typo password"), 401)
        assert (await _login(client, email, PASSWORD)).status_code == 200


async def test_unknown_addresses_are_locked_out_like_known_ones(
    app_client: tuple[httpx.AsyncClient, Any],
) -> None:
    client, _ = app_client
    nobody = _email()
    for _ in range(ACCOUNT_BUDGET):
        assert_problem(await _login(client, nobody, PASSWORD), 401)
    assert_locked_out(await _login(client, nobody, PASSWORD))


async def test_one_ip_spraying_many_accounts_is_locked_out(
    app_client: tuple[httpx.AsyncClient, Any],
) -> None:
    client, app = app_client
    victim = _email()
    await register(client, email=victim, password=PASSWORD)
    async with from_ip(app, "198.51.100.7") as sprayer:
        for _ in range(IP_BUDGET):  # one guess per account: no account budget is spent
            assert_problem(await _login(sprayer, _email(), PASSWORD), 401)
        assert_locked_out(await _login(sprayer, victim, PASSWORD))
    async with from_ip(app, "198.51.100.8") as neighbour:  # another IP is not affected
        assert (await _login(neighbour, victim, PASSWORD)).status_code == 200


async def test_the_account_lock_holds_from_every_ip(
    app_client: tuple[httpx.AsyncClient, Any],
) -> None:
    client, app = app_client
    email = _email()
    await register(client, email=email, password=PASSWORD)
    for n in range(ACCOUNT_BUDGET):
        async with from_ip(app, f"203.0.113.{n + 1}") as attacker:
            assert_problem(await _login(attacker, email, "distributed guess"), 401)
    async with from_ip(app, "203.0.113.200") as owner:
        assert_locked_out(await _login(owner, email, PASSWORD))


async def test_sign_ups_are_throttled_per_ip_whatever_their_outcome(
    app_client: tuple[httpx.AsyncClient, Any], db: Any
) -> None:
    client, app = app_client
    taken = _email()
    await register(client, email=taken)
    body = {"email": taken, "password": PASSWORD, "name": "Probe"}
    for _ in range(SIGN_UP_BUDGET - 1):  # probing whether addresses exist counts too
        assert_problem(await client.post("/api/auth/register", json=body), 409)
    fresh = _email()
    refused = await client.post(
        "/api/auth/register", json={"email": fresh, "password": PASSWORD, "name": "Late"}
    )
    assert_locked_out(refused)
    async with db.sessions() as session:
        assert await session.scalar(select(User.id).where(User.email == fresh)) is None
    async with from_ip(app, "192.0.2.44") as elsewhere:
        assert (await register(elsewhere, email=fresh))["user"]["email"] == fresh


async def test_with_rate_limits_off_nothing_is_throttled(client: httpx.AsyncClient) -> None:
    email = _email()
    await register(client, email=email, password=PASSWORD)
    for _ in range(12):
        assert_problem(await _login(client, email, "not the password"), 401)
    assert (await _login(client, email, PASSWORD)).status_code == 200


async def test_api_processes_sharing_redis_share_the_lockout(
    throttled: Any, db: Any, redis_url: str
) -> None:
    shared = throttled.model_copy(update={"redis_url": redis_url})
    email = _email()
    async with api_client(shared, db) as (first, _):
        await register(first, email=email, password=PASSWORD)
        for _ in range(ACCOUNT_BUDGET):
            assert_problem(await _login(first, email, "not the password"), 401)
    async with api_client(shared, db) as (second, _):  # another process, same Redis
        assert_locked_out(await _login(second, email, PASSWORD))
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 1
