"""One outgoing HTTP attempt to a user-supplied URL: SSRF check, request, classification.

Used by webhook deliveries and by the webhook/Slack automation actions. The response body
is read only up to ``MAX_RESPONSE_BYTES`` (kept for the error message); redirects are not
followed (a 3xx is a failure, and could otherwise lead past the SSRF guard).

Connections: a worker process shares one client (``shared_client``) whose keep-alive pool
is keyed by host name. Every attempt still runs the SSRF check (``ssrf.check_url``) and
pins the name to the address that passed (``PinnedBackend``), so a new connection goes only
to a checked address and TLS verifies the name; at most ``per_host`` requests per host and
port are in flight at once, so one slow receiver cannot take every connection.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
import httpcore
import httpx

from leadpulse import __version__
from leadpulse.webhooks import policy, ssrf
from leadpulse.webhooks.policy import AttemptResult

if TYPE_CHECKING:
    from leadpulse.container import Container

MAX_RESPONSE_BYTES = 1024
USER_AGENT = f"LeadPulse/{__version__} (+webhooks)"
MAX_CONNECTIONS = 100  # per client, all hosts together
PER_HOST = 10  # requests in flight per (host, port)
KEEPALIVE_SECONDS = 30.0


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects a host name to the address its last SSRF check passed (names never pinned,
    i.e. only under ``allow_private``, connect as they are)."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()
        self.pins: dict[str, str] = {}

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Open a TCP connection to the pinned address of ``host``."""
        return await self._inner.connect_tcp(
            self.pins.get(host, host),
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        """Unix sockets are never a webhook target."""
        raise httpcore.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        """Sleep (httpcore's retry backoff)."""
        await self._inner.sleep(seconds)


@dataclass(slots=True)
class _Pool:
    backend: PinnedBackend
    per_host: int
    limiters: dict[tuple[str, int | None], anyio.CapacityLimiter] = field(default_factory=dict)

    def limiter(self, url: httpx.URL) -> anyio.CapacityLimiter:
        key = (url.host, url.port)
        if key not in self.limiters:
            self.limiters[key] = anyio.CapacityLimiter(self.per_host)
        return self.limiters[key]


_POOLS: weakref.WeakKeyDictionary[httpx.AsyncClient, _Pool] = weakref.WeakKeyDictionary()


def new_client(
    timeout_seconds: float, *, max_connections: int = MAX_CONNECTIONS, per_host: int = PER_HOST
) -> httpx.AsyncClient:
    """Create the client for outgoing attempts: one timeout, no redirects, keep-alive
    connections per host name, each new one to the address the SSRF check pinned."""
    backend = PinnedBackend()
    pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        keepalive_expiry=KEEPALIVE_SECONDS,
        network_backend=backend,
    )
    http = httpx.AsyncHTTPTransport()
    http._pool = pool  # httpx has no public hook for httpcore's network backend
    client = httpx.AsyncClient(
        transport=http,
        timeout=httpx.Timeout(timeout_seconds),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )
    _POOLS[client] = _Pool(backend, per_host)
    return client


def shared_client(container: Container) -> httpx.AsyncClient:
    """Return the process's outgoing client (created on first use, closed with the
    container)."""
    if container.http_client is None or container.http_client.is_closed:
        settings = container.settings
        client = new_client(
            settings.webhook_timeout_seconds,
            max_connections=max(settings.outbox_concurrency, settings.webhook_per_host),
            per_host=settings.webhook_per_host,
        )
        container.http_client = client
        container.closers.append(client.aclose)
    return container.http_client


async def _read_head(response: httpx.Response) -> str:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_RESPONSE_BYTES:
            break
    return b"".join(chunks)[:MAX_RESPONSE_BYTES].decode("utf-8", "replace")


def _classify(status_code: int, head: str) -> AttemptResult:
    if policy.is_success(status_code):
        return AttemptResult(status_code)
    snippet = head.strip()[:200]
    error = f"HTTP {status_code}: {snippet}" if snippet else f"HTTP {status_code}"
    return AttemptResult(status_code, error, policy.is_retryable(status_code))


async def send(
    client: httpx.AsyncClient,
    *,
    method: str,
    url: str,
    headers: dict[str, str],
    content: bytes,
    allow_private: bool,
    resolver: ssrf.Resolver = ssrf.resolve,
) -> AttemptResult:
    """Check the target, send one request and classify the outcome; never raise."""
    try:
        target = await ssrf.check_url(url, allow_private=allow_private, resolver=resolver)
    except ssrf.TargetRefused as exc:
        return AttemptResult(None, f"refused: {exc}", exc.retryable)
    pool = _POOLS.get(client)
    try:
        request = _build(client, pool, target, method, url, headers, content)
    except (ValueError, TypeError) as exc:  # e.g. a header value that is not ASCII
        return AttemptResult(None, f"invalid request: {type(exc).__name__}: {exc}")
    if pool is None:
        return await _exchange(client, request)
    async with pool.limiter(request.url):
        return await _exchange(client, request)


def _build(
    client: httpx.AsyncClient,
    pool: _Pool | None,
    target: ssrf.Target,
    method: str,
    url: str,
    headers: dict[str, str],
    content: bytes,
) -> httpx.Request:
    if pool is None:  # a plain client: the URL carries the checked address
        return client.build_request(
            method,
            target.url,
            headers={**headers, **target.headers},
            content=content,
            extensions=target.extensions,
        )
    if target.pin is not None:
        name, address = target.pin
        pool.backend.pins[name] = address
    return client.build_request(method, url, headers=headers, content=content)


async def _exchange(client: httpx.AsyncClient, request: httpx.Request) -> AttemptResult:
    try:
        response = await client.send(request, stream=True)
        try:
            head = await _read_head(response)
        finally:
            await response.aclose()
    except httpx.TimeoutException as exc:
        return AttemptResult(None, f"timed out: {type(exc).__name__}", retryable=True)
    except httpx.HTTPError as exc:
        return AttemptResult(None, f"network error: {type(exc).__name__}: {exc}", retryable=True)
    return _classify(response.status_code, head)
