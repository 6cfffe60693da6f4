"""Checking an inbound request's signature, freshness and id: pure, ``now`` passed in.

Two schemes, chosen per source:

- **Standard Webhooks** (``standard``): headers ``webhook-id``, ``webhook-timestamp`` and
  ``webhook-signature`` (``v1,<base64 HMAC-SHA256>`` of ``{id}.{timestamp}.{body}``, keyed
  by the base64 part of the ``whsec_`` secret; several space-separated signatures allowed).
- **Configurable HMAC** (``hmac``): one header holding the HMAC-SHA256 of the body (of
  ``{timestamp}.{body}`` when a timestamp header is configured), hex or base64, after an
  optional prefix such as ``sha256=``; keyed by the secret string as shown (UTF-8). An id
  header, if configured, is the message id.

Either way a timestamp older or newer than the source's tolerance is refused, and the
message id (when there is one) is returned so the caller can refuse a replay. Every refusal
is ``Unauthorized``: the request is never stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from leadpulse.errors import Unauthorized
from leadpulse.webhooks import signing

MAX_ID = 200


@dataclass(frozen=True, slots=True)
class HmacScheme:
    """How a source signs with a plain HMAC header."""

    header: str
    encoding: str = "hex"
    prefix: str = ""
    timestamp_header: str | None = None
    id_header: str | None = None


def _fresh(raw: str | None, *, now: datetime, tolerance: int) -> int:
    if raw is None:
        raise Unauthorized("The request has no timestamp header.")
    try:
        timestamp = int(raw.strip())
    except ValueError as exc:
        raise Unauthorized("The timestamp header is not Unix seconds.") from exc
    if abs(now.timestamp() - timestamp) > tolerance:
        raise Unauthorized("The request's timestamp is outside the replay window.")
    return timestamp


def _message_id(raw: str | None) -> str:
    if not raw or len(raw) > MAX_ID:
        raise Unauthorized("The request has no usable webhook id.")
    return raw


def verify_standard(
    secret: str, headers: Mapping[str, str], body: bytes, *, now: datetime, tolerance: int
) -> str:
    """Verify a Standard Webhooks request; return its message id."""
    message_id = _message_id(headers.get("webhook-id"))
    timestamp = _fresh(headers.get("webhook-timestamp"), now=now, tolerance=tolerance)
    sent = headers.get("webhook-signature")
    if not sent:
        raise Unauthorized("The request has no webhook-signature header.")
    expected = signing.sign(secret, message_id=message_id, timestamp=timestamp, body=body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in sent.split()):
        raise Unauthorized("The webhook signature does not match.")
    return message_id


def _digest(secret: str, signed: bytes, encoding: str) -> str:
    raw = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return raw.hex() if encoding == "hex" else base64.b64encode(raw).decode()


def verify_hmac(
    secret: str,
    scheme: HmacScheme,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
    tolerance: int,
) -> str | None:
    """Verify a request signed with a plain HMAC header; return its message id, if any."""
    sent = headers.get(scheme.header.lower())
    if not sent or not sent.startswith(scheme.prefix):
        raise Unauthorized(f"The request has no {scheme.header} signature header.")
    signed = body
    if scheme.timestamp_header:
        raw = headers.get(scheme.timestamp_header.lower())
        timestamp = _fresh(raw, now=now, tolerance=tolerance)
        signed = f"{timestamp}.".encode() + body
    expected = _digest(secret, signed, scheme.encoding)
    given = sent[len(scheme.prefix) :].strip()
    if scheme.encoding == "hex":
        given = given.lower()
    if not hmac.compare_digest(expected, given):
        raise Unauthorized("The request signature does not match.")
    return _message_id(headers.get(scheme.id_header.lower())) if scheme.id_header else None
