"""One outgoing HTTP attempt to a user-supplied URL: SSRF check, request, classification.

Used by webhook deliveries and by the webhook/Slack automation actions. The response body
is read only up to ``MAX_RESPONSE_BYTES`` (kept for the error message); redirects are not
followed (a 3xx is a failure, and could otherwise lead past the SSRF guard).
"""

from __future__ import annotations

import httpx

from leadpulse import __version__
from leadpulse.webhooks import policy, ssrf
from leadpulse.webhooks.policy import AttemptResult

MAX_RESPONSE_BYTES = 1024
USER_AGENT = f"LeadPulse/{__version__} (+webhooks)"


def new_client(timeout_seconds: float) -> httpx.AsyncClient:
    """Create the client for outgoing attempts: one timeout, no redirects."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_seconds),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )


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
    try:
        request = client.build_request(
            method,
            target.url,
            headers={**headers, **target.headers},
            content=content,
            extensions=target.extensions,
        )
    except (ValueError, TypeError) as exc:  # e.g. a header value that is not ASCII
        return AttemptResult(None, f"invalid request: {type(exc).__name__}: {exc}")
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
