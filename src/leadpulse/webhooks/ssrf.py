"""SSRF guard for every outgoing request to a user-supplied URL.

A target is refused when its host is, or resolves to, a loopback, private, link-local,
multicast, reserved, unspecified, other non-public, or cloud-metadata address — unless
``LEADPULSE_WEBHOOKS_ALLOW_PRIVATE=true``. An IPv6 address that carries an IPv4 address (the
transition forms: IPv4-mapped, -compatible and -translated, NAT64, 6to4, Teredo, ISATAP) is
judged by the IPv4 it carries, since a relay or translator delivers the request there.

The check runs when a URL is saved and again before every attempt (DNS may change). A
checked request is *pinned* to the address that passed the check (the URL carries the IP;
``Host`` and TLS SNI keep the name, so the certificate is still verified against it), which
closes the DNS-rebinding window between check and connect. Redirects are never followed by
callers.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
ALLOW_HINT = "set LEADPULSE_WEBHOOKS_ALLOW_PRIVATE=true to allow it"


class TargetRefused(Exception):
    """The URL is malformed or points at an address outgoing requests may not reach.

    ``retryable`` is True only when the host did not resolve (DNS may recover).
    """

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True, slots=True)
class Target:
    """How to request a checked URL: possibly pinned to the address that passed."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)


# Forms whose IPv4 *is* the destination: the IPv4 policy alone decides (a public NAT64
# address is how an IPv6-only network reaches a public IPv4 server).
TRANSLATED_NETWORKS = (
    ipaddress.IPv6Network("::ffff:0:0/96"),  # IPv4-mapped
    ipaddress.IPv6Network("::ffff:0:0:0/96"),  # IPv4-translated (SIIT)
    ipaddress.IPv6Network("64:ff9b::/96"),  # NAT64, well-known prefix
    ipaddress.IPv6Network("64:ff9b:1::/48"),  # NAT64, local-use prefix (RFC 8215)
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible (deprecated); :: and ::1 excepted
)
ISATAP_IDS = (0x00005EFE, 0x02005EFE)  # interface id ``[02]00:5efe:a.b.c.d``


def _low_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)


def translated_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """Return the IPv4 destination an IPv4-mapped/-compatible/-translated or NAT64 address names."""
    if int(ip) <= 1:  # :: and ::1 are IPv6's own unspecified and loopback addresses
        return None
    if any(ip in network for network in TRANSLATED_NETWORKS):
        return _low_ipv4(ip)
    return None


def tunnelled_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Return the IPv4 addresses a 6to4, Teredo or ISATAP address embeds (relay, client)."""
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)
    if (int(ip) >> 32) & 0xFFFFFFFF in ISATAP_IDS:
        return [_low_ipv4(ip)]
    return []


def _own_refusal(ip: IPAddress) -> str | None:
    if ip in METADATA_ADDRESSES:
        return "cloud metadata"
    kinds = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("non-public", not ip.is_global),
    )
    return next((name for name, flag in kinds if flag), None)


def refusal(ip: IPAddress) -> str | None:
    """Name why an address is refused (e.g. ``"loopback"``), or None if it is public."""
    if isinstance(ip, ipaddress.IPv4Address):
        return _own_refusal(ip)
    translated = translated_ipv4(ip)
    if translated is not None:
        return _own_refusal(translated)
    for embedded in tunnelled_ipv4(ip):
        reason = _own_refusal(embedded)
        if reason is not None:
            return reason
    return _own_refusal(ip)


async def resolve(host: str, port: int) -> list[str]:
    """Resolve a host name to its addresses (getaddrinfo in a worker thread)."""
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]).split("%", 1)[0] for info in infos]


def parse_url(url: str) -> httpx.URL:
    """Parse an http(s) URL with a host; raise TargetRefused otherwise."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise TargetRefused(f"not a valid URL: {exc}") from exc
    if parsed.scheme not in ("http", "https"):
        raise TargetRefused("the URL must use http or https")
    if not parsed.host:
        raise TargetRefused("the URL has no host")
    return parsed


async def _addresses(parsed: httpx.URL, resolver: Resolver) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(parsed.host)]
    except ValueError:
        pass  # a name, not a literal: resolve it
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        found = await resolver(parsed.host, port)
    except OSError as exc:
        raise TargetRefused(f"cannot resolve host {parsed.host}: {exc}", retryable=True) from exc
    if not found:
        raise TargetRefused(f"host {parsed.host} has no address", retryable=True)
    return [ipaddress.ip_address(address) for address in found]


async def check_url(url: str, *, allow_private: bool, resolver: Resolver = resolve) -> Target:
    """Check a URL before a request and return how to send it; raise TargetRefused."""
    parsed = parse_url(url)
    if allow_private:
        return Target(url=str(parsed))
    addresses = await _addresses(parsed, resolver)
    for ip in addresses:
        reason = refusal(ip)
        if reason is not None:
            raise TargetRefused(
                f"{parsed.host} is a {reason} address ({ip}); {ALLOW_HINT}"
                if str(ip) == parsed.host
                else f"{parsed.host} resolves to {ip}, a {reason} address; {ALLOW_HINT}"
            )
    pinned = addresses[0]
    if str(pinned) == parsed.host:
        return Target(url=str(parsed))
    extensions = {"sni_hostname": parsed.host} if parsed.scheme == "https" else {}
    host_header = parsed.netloc.decode("ascii")
    return Target(
        url=str(parsed.copy_with(host=str(pinned))),
        headers={"Host": host_header},
        extensions=extensions,
    )
