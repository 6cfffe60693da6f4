"""The SSRF guard and one outgoing attempt, with fake DNS and httpx.MockTransport."""

from __future__ import annotations

import ipaddress
from typing import Any

import httpx
import pytest

from leadpulse.webhooks import ssrf, transport


def resolver_to(*addresses: str) -> ssrf.Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


async def no_dns(host: str, port: int) -> list[str]:
    raise AssertionError("DNS must not be queried")


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("100.64.0.1", "non-public"),
        ("::ffff:127.0.0.1", "loopback"),
    ],
)
def test_non_public_addresses_are_refused(address: str, reason: str) -> None:
    assert ssrf.refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::1111", "8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert ssrf.refusal(ipaddress.ip_address(address)) is None


async def test_a_name_resolving_to_any_private_address_is_refused() -> None:
    with pytest.raises(ssrf.TargetRefused, match=r"resolves to 10\.0\.0\.7, a private"):
        await ssrf.check_url(
            "https://hooks.example.com/x",
            allow_private=False,
            resolver=resolver_to("93.184.215.14", "10.0.0.7"),
        )


async def test_a_public_name_is_pinned_to_its_checked_address() -> None:
    target = await ssrf.check_url(
        "https://hooks.example.com:8443/in?a=1",
        allow_private=False,
        resolver=resolver_to("93.184.215.14"),
    )

    assert target.url == "https://93.184.215.14:8443/in?a=1"
    assert target.headers == {"Host": "hooks.example.com:8443"}
    assert target.extensions == {"sni_hostname": "hooks.example.com"}


async def test_allowing_private_targets_skips_resolution() -> None:
    target = await ssrf.check_url("http://intranet.local/x", allow_private=True, resolver=no_dns)

    assert target.url == "http://intranet.local/x" and target.headers == {}


async def test_unresolvable_host_is_a_retryable_refusal() -> None:
    async def broken(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(ssrf.TargetRefused) as caught:
        await ssrf.check_url("http://nowhere.invalid/", allow_private=False, resolver=broken)

    assert caught.value.retryable


@pytest.mark.parametrize("url", ["ftp://example.com/", "http:///nohost", "mailto:a@b.c"])
def test_only_http_urls_with_a_host_parse(url: str) -> None:
    with pytest.raises(ssrf.TargetRefused):
        ssrf.parse_url(url)


def client_answering(status: int, seen: list[httpx.Request], **kwargs: Any) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, text="body text", **kwargs)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=False)


async def send(client: httpx.AsyncClient, url: str = "http://127.0.0.1/x", **kw: Any) -> Any:
    options: dict[str, Any] = {"allow_private": True, **kw}
    return await transport.send(
        client, method="POST", url=url, headers={"X-A": "1"}, content=b"{}", **options
    )


@pytest.mark.parametrize(
    ("status", "ok", "retryable"),
    [
        (200, True, False),
        (204, True, False),
        (500, False, True),
        (429, False, True),
        (408, False, True),
        (404, False, False),
        (422, False, False),
    ],
)
async def test_attempts_are_classified_by_status(status: int, ok: bool, retryable: bool) -> None:
    seen: list[httpx.Request] = []
    async with client_answering(status, seen) as client:
        result = await send(client)

    assert (result.ok, result.retryable, result.status_code) == (ok, retryable, status)
    assert seen[0].headers["X-A"] == "1" and seen[0].content == b"{}"
    if not ok:
        assert result.error == f"HTTP {status}: body text"


async def test_a_redirect_is_a_failure_and_is_not_followed() -> None:
    seen: list[httpx.Request] = []
    headers = {"Location": "http://169.254.169.254/"}
    async with client_answering(302, seen, headers=headers) as client:
        result = await send(client)

    assert len(seen) == 1 and not result.ok and not result.retryable


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("x")],
)
async def test_network_errors_and_timeouts_are_retryable(error: Exception) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        result = await send(client)

    assert not result.ok and result.retryable and result.status_code is None


async def test_a_refused_target_is_never_contacted() -> None:
    seen: list[httpx.Request] = []
    async with client_answering(200, seen) as client:
        result = await send(
            client,
            url="http://metadata.internal/latest",
            allow_private=False,
            resolver=resolver_to("169.254.169.254"),
        )

    assert seen == []
    assert not result.ok and not result.retryable
    assert result.error is not None and "cloud metadata" in result.error


async def test_a_pinned_request_goes_to_the_checked_address_with_the_original_host() -> None:
    seen: list[httpx.Request] = []
    async with client_answering(200, seen) as client:
        await send(
            client,
            url="https://hooks.example.com/in",
            allow_private=False,
            resolver=resolver_to("93.184.215.14"),
        )

    [request] = seen
    assert request.url.host == "93.184.215.14"
    assert request.headers["Host"] == "hooks.example.com"
    assert request.extensions["sni_hostname"] == "hooks.example.com"
