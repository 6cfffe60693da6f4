"""Receiving one inbound delivery: verify, refuse replays, map, store through ingest.

Order: the source (404 if unknown or inactive) → body size (413) → signature, timestamp and
id (401) → a webhook id this source already delivered (401, replay) → JSON and mapping
(422 naming the payload path) → the ingest front (``ingest.intake``, as the ingest routes)
→ the id remembered. Nothing is stored before every check has passed.

Event ids: the mapped ``eventId`` path if there is one, else ``whk_<source>_<webhook id>``,
else (HMAC without an id header) ``whk_`` + SHA-256 of source and body; so a delivery that
slips past the replay check (two at once) is still one event.

Transactions: the entry point owns them: a read for the source and the replay check, the
group committer's own transaction for the event, then one to remember the id. A failure in
between leaves the id unremembered, so the sender's retry is accepted (and dedupes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from leadpulse.container import Container
from leadpulse.errors import InvalidInput, NotFound, PayloadTooLarge, Unauthorized
from leadpulse.imports.mapping import FieldMapping, apply_mapping, source_path
from leadpulse.imports.runner import shared_intake
from leadpulse.inbound import service
from leadpulse.inbound.signing import HmacScheme, verify_hmac, verify_standard
from leadpulse.ingest.intake import Intake, parse_json
from leadpulse.ingest.schemas import ApiEvent
from leadpulse.ingest.service import Incoming, Stored
from leadpulse.store.models import InboundSource
from leadpulse.store.types import utcnow


def verify(
    source: InboundSource, headers: Mapping[str, str], body: bytes, *, now: datetime
) -> str | None:
    """Check the request's signature and freshness with the source's scheme; return the
    message id (None for an HMAC source without an id header)."""
    tolerance = source.tolerance_seconds
    if source.scheme == "standard":
        return verify_standard(source.secret, headers, body, now=now, tolerance=tolerance)
    config = source.hmac
    scheme = HmacScheme(
        header=config["header"],
        encoding=config.get("encoding", "hex"),
        prefix=config.get("prefix") or "",
        timestamp_header=config.get("timestampHeader"),
        id_header=config.get("idHeader"),
    )
    return verify_hmac(source.secret, scheme, headers, body, now=now, tolerance=tolerance)


def map_event(
    intake: Intake,
    mapping: FieldMapping,
    payload: Any,
    *,
    project_id: int,
    received_at: datetime,
    loc: str = "body",
) -> tuple[Incoming, bool]:
    """Map and validate a payload; errors name the payload's own paths. Also tell whether
    the payload gave an eventId."""
    raw = apply_mapping(mapping, payload, loc=loc)
    try:
        item = intake.validate(
            raw, ApiEvent, project_id=project_id, received_at=received_at, loc=loc
        )
    except InvalidInput as exc:
        errors = [source_path(mapping, loc, error) for error in exc.errors]
        raise InvalidInput(f"Invalid payload at {errors[0].loc}", errors) from exc
    return item, "eventId" in raw


def _event_id(source_id: int, message_id: str | None, body: bytes) -> str:
    if message_id is not None:
        return f"whk_{source_id}_{message_id}"[:128]
    digest = hashlib.sha256(f"{source_id}.".encode() + body).hexdigest()
    return f"whk_{digest[:40]}"


async def receive(
    container: Container, *, source_id: int, headers: Mapping[str, str], body: bytes
) -> Stored:
    """Accept one delivery to a source (see the module docstring)."""
    now = utcnow()
    async with container.db.sessions() as session:
        source = await service.active_source(session, source_id=source_id)
        limit = container.settings.inbound_max_body_bytes
        if len(body) > limit:
            raise PayloadTooLarge(f"An inbound body holds at most {limit} bytes.")
        message_id = verify(source, headers, body, now=now)
        if message_id and await service.seen(session, source_id=source.id, message_id=message_id):
            raise Unauthorized("This webhook id was already delivered (replay refused).")
    intake = shared_intake(container)
    mapping = FieldMapping.model_validate(source.mapping)
    item, given_id = map_event(
        intake, mapping, parse_json(body), project_id=source.project_id, received_at=now
    )
    if not given_id:
        item.event_id = _event_id(source.id, message_id, body)
    stored = (await intake.submit([item]))[0]
    if stored.status == "unknown_lead":
        raise NotFound("The mapped lead was not found.")
    if message_id:
        async with container.db.transaction() as session:
            await service.remember(session, source_id=source.id, message_id=message_id, now=now)
    return stored
