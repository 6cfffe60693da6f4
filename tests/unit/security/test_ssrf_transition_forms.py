"""SSRF guard: IPv6 transition forms are judged by the IPv4 address they carry (§4.10)."""

from __future__ import annotations

import ipaddress

import pytest

from leadpulse.webhooks import ssrf

REFUSED = [
    # IPv4-mapped, -compatible and -translated
    ("::ffff:10.0.0.1", "private"),
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:169.254.169.254", "cloud metadata"),
    ("::10.0.0.1", "private"),
    ("::127.0.0.1", "loopback"),
    ("::ffff:0:192.168.1.1", "private"),
    # NAT64, well-known and local-use prefixes
    ("64:ff9b::10.0.0.1", "private"),
    ("64:ff9b::127.0.0.1", "loopback"),
    ("64:ff9b::169.254.169.254", "cloud metadata"),
    ("64:ff9b:1::192.168.0.1", "private"),
    # 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD
    ("2002:a00:1::1", "private"),
    ("2002:7f00:1::", "loopback"),
    ("2002:a9fe:a9fe::1", "cloud metadata"),
    ("2002:c0a8:101::", "private"),
    # Teredo: 2001:0:<server>:<flags>:<port>:<client XOR ffffffff>; client 10.0.0.1 here
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "private"),
    # ISATAP interface identifier ::[02]00:5efe:a.b.c.d under a public prefix
    ("2606:4700::5efe:a00:1", "private"),
    ("2606:4700::200:5efe:7f00:1", "loopback"),
    # IPv6's own loopback and unspecified addresses keep their names
    ("::1", "loopback"),
    ("::", "unspecified"),
]
ALLOWED = [
    "::ffff:8.8.8.8",
    "64:ff9b::8.8.8.8",  # an IPv6-only network reaching a public IPv4 server
    "2002:808:808::1",  # 6to4 of a public address
    "2606:4700::5efe:808:808",
    "2606:4700::1111",
]


@pytest.mark.parametrize(("address", "reason"), REFUSED)
def test_a_transition_address_carrying_a_non_public_ipv4_is_refused(
    address: str, reason: str
) -> None:
    assert ssrf.refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize("address", ALLOWED)
def test_a_transition_address_carrying_a_public_ipv4_passes(address: str) -> None:
    assert ssrf.refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("address", ["2002:a00:1::1", "64:ff9b::a00:1", "::ffff:0:a00:1"])
async def test_a_webhook_url_with_such_a_literal_is_refused(address: str) -> None:
    with pytest.raises(ssrf.TargetRefused, match=r"private address"):
        await ssrf.check_url(f"http://[{address}]/hook", allow_private=False)


async def test_a_name_resolving_to_a_nat64_form_of_a_private_address_is_refused() -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return ["64:ff9b::c0a8:1"]

    with pytest.raises(ssrf.TargetRefused, match=r"resolves to 64:ff9b::c0a8:1, a private"):
        await ssrf.check_url("https://hooks.example.com/x", allow_private=False, resolver=resolve)
