"""The Segment Tracking API: decode the body, find the write key, map each message
(``core.segment``) and hand the events to LeadPulse's own ingest (``ingest.intake``: the same
validation, group commit, dedupe by eventId and queue as ``/api/ingest``).

- Bodies: ``Content-Encoding: gzip`` (or none); any other coding is refused (415). Limits are
  on the decoded body: 32 KB per call (``LEADPULSE_MAX_EVENT_BYTES``), 500 KB per batch and
  32 KB per message of a batch (Segment's documented limits); over a limit answers 413.
- Write key: the user name of HTTP Basic (password empty), else ``writeKey`` in the body. A
  project's ``pk_`` and ``sk_`` keys are write keys.
- A single call that cannot be mapped or validated answers 422 naming the Segment field. A
  batch never fails for its messages (as on Segment): the valid ones are stored, the others
  are listed in the answer's ``rejected`` (index and field errors) and logged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson
import structlog

from leadpulse.core.segment import CALLS, SegmentFieldError, map_message
from leadpulse.errors import (
    BadRequest,
    FieldError,
    InvalidInput,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
)
from leadpulse.ingest.intake import Intake
from leadpulse.ingest.schemas import MAX_ID, SdkEvent
from leadpulse.ingest.service import Incoming
from leadpulse.segment.schemas import RejectedMessage, SegmentResult

log = structlog.get_logger("leadpulse.segment")
BATCH_LIMIT_BYTES = 500 * 1024
USER_KEY_PREFIX = "$user:"
_IDENTITY_CODINGS = ("", "identity")
_GZIP_CODINGS = ("gzip", "x-gzip")


def decode_body(raw: bytes, encoding: str | None, *, limit: int) -> bytes:
    """Undo the body's content codings (gzip only); PayloadTooLarge past ``limit`` bytes."""
    body = raw
    for coding in reversed([c.strip().lower() for c in (encoding or "").split(",")]):
        if coding in _IDENTITY_CODINGS:
            continue
        if coding not in _GZIP_CODINGS:
            raise UnsupportedMediaType(f"Content-Encoding {coding!r} is not supported; use gzip.")
        body = _gunzip(body, limit)
    if len(body) > limit:
        raise PayloadTooLarge(f"The request body exceeds the limit of {limit} bytes.")
    return body


def _gunzip(data: bytes, limit: int) -> bytes:
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decoder.decompress(data, limit + 1)  # never inflate more than the limit
    except zlib.error as exc:
        raise BadRequest("The gzip body cannot be decompressed.") from exc
    if len(out) > limit:
        raise PayloadTooLarge(f"The decompressed body exceeds the limit of {limit} bytes.")
    if not decoder.eof:
        raise BadRequest("The gzip body is truncated.")
    return out


def write_key(authorization: str | None, body: Any) -> str:
    """Return the write key: HTTP Basic's user name, else ``writeKey`` in the body."""
    if authorization and authorization[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise Unauthorized("The Basic credentials are not base64 of 'writeKey:'.") from exc
        user = decoded.partition(":")[0]
        if user:
            return user
    key = body.get("writeKey") if isinstance(body, dict) else None
    if isinstance(key, str) and key:
        return key
    raise Unauthorized("Send the write key as the HTTP Basic user name or as writeKey.")


def user_key(user_id: str) -> str:
    """Return the lead key of a message that has a userId but no anonymousId."""
    if len(USER_KEY_PREFIX) + len(user_id) <= MAX_ID:
        return USER_KEY_PREFIX + user_id
    return f"{USER_KEY_PREFIX}sha256:{hashlib.sha256(user_id.encode()).hexdigest()}"


def _renamed(exc: InvalidInput, loc: str, sources: Mapping[str, str]) -> InvalidInput:
    """Name the Segment fields in the errors of the SDK event a message was mapped to."""
    errors = []
    for error in exc.errors:
        rest = error.loc.removeprefix(f"{loc}.") if error.loc != loc else ""
        head, _, tail = rest.partition(".")
        where = ".".join(p for p in (loc, sources.get(head, head), tail) if p) if rest else loc
        errors.append(FieldError(where, error.msg, error.type))
    names = ", ".join(sorted({e.loc for e in errors}))
    return InvalidInput(f"Invalid fields: {names}", errors)


def to_incoming(
    intake: Intake,
    call: str,
    message: Any,
    *,
    project_id: int,
    received_at: datetime,
    loc: str,
    size: int,
) -> Incoming:
    """Map and validate one message; InvalidInput names the Segment fields at fault."""
    if not isinstance(message, dict):
        raise InvalidInput.field(loc, "must be a JSON object", "type_error")
    try:
        mapped = map_message(call, message, user_key=user_key)
    except SegmentFieldError as exc:
        raise InvalidInput.field(f"{loc}.{exc.field}", exc.msg, exc.type) from exc
    try:
        return intake.validate(
            mapped.event,
            SdkEvent,
            project_id=project_id,
            received_at=received_at,
            loc=loc,
            size=size,
        )
    except InvalidInput as exc:
        raise _renamed(exc, loc, mapped.sources) from exc


async def accept_call(
    intake: Intake, call: str, body: Any, *, project_id: int, received_at: datetime, size: int
) -> SegmentResult:
    """Store one call (``/v1/<call>``); the path names the call, whatever ``type`` says."""
    item = to_incoming(
        intake, call, body, project_id=project_id, received_at=received_at, loc="body", size=size
    )
    await intake.submit([item])
    return SegmentResult()


def _batch_item(
    intake: Intake, index: int, message: Any, sent_at: Any, *, project_id: int, at: datetime
) -> Incoming:
    loc = f"batch.{index}"
    call = message.get("type") if isinstance(message, dict) else None
    if call not in CALLS:
        raise InvalidInput.field(f"{loc}.type", f"must be one of {', '.join(CALLS)}")
    size = len(orjson.dumps(message))
    if sent_at is not None and message.get("sentAt") is None:
        message = {**message, "sentAt": sent_at}  # the batch's send time stands for its items
    return to_incoming(
        intake, call, message, project_id=project_id, received_at=at, loc=loc, size=size
    )


async def accept_batch(
    intake: Intake, body: Any, *, project_id: int, received_at: datetime
) -> SegmentResult:
    """Store the valid messages of a batch; list the others (they do not fail the batch)."""
    if not isinstance(body, dict) or not isinstance(body.get("batch"), list):
        raise InvalidInput.field("body.batch", "must be a list of messages", "type_error")
    valid: list[Incoming] = []
    rejected: list[RejectedMessage] = []
    for index, message in enumerate(body["batch"]):
        try:
            valid.append(
                _batch_item(
                    intake,
                    index,
                    message,
                    body.get("sentAt"),
                    project_id=project_id,
                    at=received_at,
                )
            )
        except InvalidInput as exc:
            errors = [{"loc": e.loc, "msg": e.msg, "type": e.type} for e in exc.errors]
            rejected.append(RejectedMessage(index=index, errors=errors))
    if valid:
        await intake.submit(valid)
    if rejected:
        log.warning("segment_batch_rejected", project_id=project_id, rejected=len(rejected))
    return SegmentResult(rejected=rejected or None)
