"""Which browser origins may open the live socket (``live.origins``).

The dashboard's own origin — the scheme and ``Host`` of the handshake request — is always
accepted, on any port or domain; ``LEADPULSE_CORS_ORIGINS`` lists the others. Proxy headers
count only from ``LEADPULSE_TRUSTED_PROXIES``. Each case performs the real Engine.IO
handshake (``GET /socket.io/?EIO=4&transport=polling``) against a running server; the
first also opens a real websocket client.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import socketio

from leadpulse.config import Settings


async def _handshake(url: str, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url) as http:
        return await http.get(
            "/socket.io/", params={"EIO": "4", "transport": "polling"}, headers=headers
        )


def _with(container: Any, **changes: Any) -> Any:
    container.settings = Settings.model_validate({**container.settings.model_dump(), **changes})
    return container


async def test_the_dashboards_own_origin_connects_on_any_port(
    container: Any, start_live: Any
) -> None:
    live = await start_live(container)  # a random port, not in the default allow-list
    assert live.url not in container.settings.cors_origins
    token, _ = await live.register()

    client = await live.client(token, {"Origin": live.url})

    assert client.connected


async def test_an_origin_neither_own_nor_listed_is_refused(container: Any, start_live: Any) -> None:
    live = await start_live(container)
    token, _ = await live.register()

    response = await _handshake(live.url, {"Origin": "http://evil.example"})

    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    with pytest.raises(socketio.exceptions.ConnectionError):
        await live.client(token, {"Origin": "http://evil.example"})


async def test_a_listed_origin_connects(container: Any, start_live: Any) -> None:
    live = await start_live(_with(container, cors_origins=["http://app.example:5173"]))

    response = await _handshake(live.url, {"Origin": "http://app.example:5173"})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://app.example:5173"


async def test_a_domain_in_the_host_header_is_the_same_origin(
    container: Any, start_live: Any
) -> None:
    live = await start_live(container)

    served = await _handshake(live.url, {"Host": "dash.example", "Origin": "http://dash.example"})
    other = await _handshake(live.url, {"Host": "dash.example", "Origin": "http://other.example"})

    assert (served.status_code, other.status_code) == (200, 400)


async def test_x_forwarded_host_is_never_believed(container: Any, start_live: Any) -> None:
    live = await start_live(_with(container, trusted_proxies=["127.0.0.1"]))

    response = await _handshake(
        live.url, {"Origin": "http://evil.example", "X-Forwarded-Host": "evil.example"}
    )

    assert response.status_code == 400


@pytest.mark.parametrize(("trusted", "status"), [([], 400), (["127.0.0.1"], 200)])
async def test_x_forwarded_proto_counts_only_from_a_trusted_proxy(
    container: Any, start_live: Any, trusted: list[str], status: int
) -> None:
    live = await start_live(_with(container, trusted_proxies=trusted))
    https_origin = f"https://{urlsplit(live.url).netloc}"

    response = await _handshake(live.url, {"Origin": https_origin, "X-Forwarded-Proto": "https"})

    assert response.status_code == status
