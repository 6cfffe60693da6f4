"""A project's ``allowedOrigins``: the web origins its publishable keys may be used from.

Ingest compares the browser's ``Origin`` header with the list as plain strings, so entries
are stored in the form browsers send: ``scheme://host[:port]``, lower case, no default port,
no trailing slash, a non-ASCII host in its IDNA (punycode) form. Anything else — a path, a
query, credentials, a wildcard, another scheme — could never match and is refused.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, urlsplit

MAX_ORIGIN_LENGTH = 255
DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")


def _host(raw: str | None) -> str:
    if not raw:
        raise ValueError("must name a host: scheme://host[:port]")
    try:
        return ipaddress.ip_address(raw).compressed
    except ValueError:
        pass
    try:
        host = raw.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"{raw!r} is not a valid host name") from exc
    if not _HOSTNAME.match(host):
        raise ValueError(f"{raw!r} is not a valid host name")
    return host


def _origin_parts(value: str) -> SplitResult:
    text = value.removesuffix("/")
    parts = urlsplit(text)
    if parts.scheme not in DEFAULT_PORTS or not value.lower().startswith(f"{parts.scheme}://"):
        raise ValueError("must start with http:// or https://")
    if parts.path or parts.query or parts.fragment or "?" in text or "#" in text:
        raise ValueError("must be scheme://host[:port], without a path, query or fragment")
    if "@" in parts.netloc:
        raise ValueError("must not carry a user name or password")
    return parts


def _port(parts: SplitResult) -> int | None:
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError("has an invalid port") from exc
    return None if port == DEFAULT_PORTS[parts.scheme] else port


def normalise_origin(value: str) -> str:
    """Return ``value`` as browsers send it in ``Origin``; raise ValueError if it is none."""
    parts = _origin_parts(value)
    port = _port(parts)
    host = _host(parts.hostname)
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" if port is None else f"{parts.scheme}://{host}:{port}"
