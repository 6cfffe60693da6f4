"""The Socket.IO handshake refuses revoked tokens (``auth.callers.caller_from_jwt``, §4.1)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from live_support import Refused


async def test_a_token_revoked_by_sign_out_everywhere_cannot_open_a_live_feed(
    container: Any, start_live: Any
) -> None:
    live = await start_live(container)
    token, _ = await live.register()
    await live.client(token)  # accepted while valid

    async with httpx.AsyncClient(base_url=live.url) as http:
        response = await http.post(
            "/api/auth/sign-out-everywhere", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 204

    with pytest.raises(Refused) as refused:
        await live.client(token)
    assert "revoked" in refused.value.data["message"]
