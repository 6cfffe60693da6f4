"""Live feeds end with their token (``live.guard``; ``auth.callers.caller_from_jwt``, §4.1).

The handshake refuses a revoked token; a socket already open is disconnected once its token
expires, is revoked (sign out everywhere, password change) or loses its user — while a valid
socket of the same project keeps receiving. The guard re-checks every 0.1 s here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from live_support import PASSWORD, LiveClient, LiveServer, Refused
from outcome_factories import scored
from sqlalchemy import delete

from leadpulse.auth.security import decode_token, issue_token
from leadpulse.bootstrap import build_container
from leadpulse.store.models import User


@pytest.fixture
def settings(settings: Any) -> Any:
    """Re-check open sockets' tokens every 0.1 s."""
    return settings.model_copy(update={"live_auth_check_seconds": 0.1})


async def _post(live: LiveServer, path: str, token: str, body: Any = None) -> httpx.Response:
    async with httpx.AsyncClient(base_url=live.url) as http:
        return await http.post(path, json=body, headers={"Authorization": f"Bearer {token}"})


async def _still_receives(container: Any, client: LiveClient, project_id: int) -> None:
    await container.publish(container.after_scoring, [scored(project_id, lead_id=71)])
    name, frame = await client.next()
    assert (name, frame["id"]) == ("leadUpdated", 71)
    assert client.connected


async def test_a_token_revoked_by_sign_out_everywhere_cannot_open_a_live_feed(
    container: Any, start_live: Any
) -> None:
    live = await start_live(container)
    token, _ = await live.register()
    await live.client(token)  # accepted while valid

    response = await _post(live, "/api/auth/sign-out-everywhere", token)
    assert response.status_code == 204

    with pytest.raises(Refused) as refused:
        await live.client(token)
    assert "revoked" in refused.value.data["message"]


async def test_an_open_socket_is_disconnected_when_its_token_expires(
    container: Any, start_live: Any
) -> None:
    live = await start_live(container)
    token, project_id = await live.register()
    claims = decode_token(token, secret=container.settings.secret_key())
    soon = issue_token(  # valid for about two more seconds
        user_id=claims.user_id,
        project_id=project_id,
        secret=container.settings.secret_key(),
        now=datetime.now(UTC) - timedelta(days=1) + timedelta(seconds=2),
        days=1,
    )
    expiring = await live.client(soon)
    valid = await live.client(token)

    await expiring.wait_disconnected()

    await _still_receives(container, valid, project_id)
    assert expiring.inbox.empty()


async def test_open_sockets_are_disconnected_when_the_user_signs_out_everywhere(
    container: Any, start_live: Any
) -> None:
    live = await start_live(container)
    token, project_id = await live.register()
    revoked = await live.client(token)

    assert (await _post(live, "/api/auth/sign-out-everywhere", token)).status_code == 204
    await revoked.wait_disconnected()

    fresh = await live.sign_in_again(token)
    await _still_receives(container, await live.client(fresh), project_id)


async def test_open_sockets_are_disconnected_when_the_password_changes(
    container: Any, start_live: Any
) -> None:
    live = await start_live(container)
    token, project_id = await live.register()
    revoked = await live.client(token)

    response = await _post(
        live,
        "/api/auth/change-password",
        token,
        {"currentPassword": PASSWORD, "newPassword": "another horse battery staple"},
    )
    assert response.status_code == 200, response.text
    valid = await live.client(response.json()["token"])

    await revoked.wait_disconnected()
    await _still_receives(container, valid, project_id)


async def test_an_open_socket_is_disconnected_when_its_user_is_deleted(
    container: Any, start_live: Any
) -> None:
    live = await start_live(container)
    token, _ = await live.register()
    other_token, other_project = await live.register()
    doomed = await live.client(token)
    other = await live.client(other_token)
    user_id = decode_token(token, secret=container.settings.secret_key()).user_id

    async with container.db.transaction() as session:
        await session.execute(delete(User).where(User.id == user_id))

    await doomed.wait_disconnected()
    await _still_receives(container, other, other_project)


async def test_a_revocation_through_one_api_process_drops_sockets_held_by_another(
    container: Any, settings: Any, start_live: Any
) -> None:
    first = await start_live(container)
    second = await start_live(build_container(settings))  # its own engine, the same database
    token, _ = await first.register()
    held_elsewhere = await second.client(token)

    assert (await _post(first, "/api/auth/sign-out-everywhere", token)).status_code == 204

    await held_elsewhere.wait_disconnected()
