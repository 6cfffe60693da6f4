"""The ingest front of an API process: parse, validate, hand to the committer.

One ``Intake`` per process (``ingest.routes`` creates it on first use and keeps it on the
container), so concurrent requests share its group committer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import orjson
import uuid_utils
from pydantic import BaseModel, ValidationError

from leadpulse.config import Settings
from leadpulse.core.outcomes import EventIngested
from leadpulse.errors import BadRequest, InvalidInput, field_errors
from leadpulse.ingest import service
from leadpulse.ingest.committer import GroupCommitter
from leadpulse.ingest.schemas import ApiEvent, SdkEvent, check_nesting
from leadpulse.ingest.service import TRAITS_KEY, Incoming, Stored
from leadpulse.queue.wakeup import Waker
from leadpulse.store.db import Database
from leadpulse.store.types import utcnow

EventModel = type[SdkEvent] | type[ApiEvent]
# Hands committed outcomes to the post-commit hooks without waiting for them.
Publish = Callable[[Sequence[EventIngested]], None]


def parse_json(raw: bytes) -> Any:
    """Decode a JSON body whatever its Content-Type (sendBeacon sends text/plain).

    What orjson refuses is read again by the standard library, which also takes ``NaN`` and
    ``Infinity``: validation then refuses those per event, naming the field, and the other
    events of a batch are still stored. What orjson could not write back (a lone surrogate,
    an integer beyond 64 bits) stays a malformed body.
    """
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            value = json.loads(raw)
            orjson.dumps(value)
        except (ValueError, TypeError, RecursionError):
            raise BadRequest("The request body is not valid JSON.") from exc
        return value


class Intake:
    """Validate events and store them through the group committer."""

    def __init__(self, db: Database, settings: Settings, *, waker: Waker, publish: Publish):
        self.db = db
        self.settings = settings
        self.waker = waker
        self.publish = publish
        self.committer = GroupCommitter(self._write, self._after_commit)

    async def _write(self, items: Sequence[Incoming]) -> tuple[list[Stored], list[EventIngested]]:
        # The committer's group is the unit of work: one transaction per group.
        async with self.db.transaction() as session:
            return await service.store(session, items, now=utcnow())

    async def _after_commit(self, ingested: list[EventIngested]) -> None:
        if ingested:
            await self.waker.notify()
            self.publish(ingested)

    def validate(
        self,
        raw: Any,
        model: EventModel,
        *,
        project_id: int,
        received_at: datetime,
        loc: str,
        sent_at: datetime | None = None,
        size: int | None = None,
    ) -> Incoming:
        """Turn one raw JSON object into an Incoming, or raise InvalidInput naming fields."""
        limit = self.settings.max_event_bytes
        if not isinstance(raw, dict):
            raise InvalidInput.field(loc, "must be a JSON object", "type_error")
        if (size if size is not None else len(orjson.dumps(raw))) > limit:
            raise InvalidInput.field(loc, f"event is larger than {limit} bytes", "too_large")
        try:
            event = model.model_validate(raw)
        except ValidationError as exc:
            errors = field_errors(exc.errors(include_url=False), prefix=loc)
            raise InvalidInput(f"Invalid event at {loc}", errors) from exc
        self._check_nesting(event, loc)
        try:
            return self._incoming(event, project_id, received_at, sent_at)
        except OverflowError as exc:  # sentAt − timestamp carried the date out of range
            msg = "out of range once corrected for the clock skew given by sentAt"
            raise InvalidInput.field(f"{loc}.timestamp", msg, "value_error") from exc

    def _check_nesting(self, event: BaseModel, loc: str) -> None:
        for name in ("properties", "traits"):
            value = getattr(event, name)
            if value is None:
                continue
            problem = check_nesting(
                value,
                max_depth=self.settings.max_properties_depth,
                max_keys=self.settings.max_properties_keys,
                path=f"{loc}.{name}",
            )
            if problem:
                where, _, msg = problem.partition(": ")
                raise InvalidInput.field(where, msg, "limit_exceeded")

    def _incoming(
        self,
        event: SdkEvent | ApiEvent,
        project_id: int,
        received_at: datetime,
        batch_sent_at: datetime | None,
    ) -> Incoming:
        properties = dict(event.properties)
        if event.traits:
            properties[TRAITS_KEY] = event.traits
        return Incoming(
            project_id=project_id,
            event_type=event.event if isinstance(event, SdkEvent) else event.event_type,
            event_id=event.event_id or str(uuid_utils.uuid7()),
            timestamp=service.correct_timestamp(
                timestamp=event.timestamp,
                sent_at=event.sent_at or batch_sent_at,
                received_at=received_at,
                skew=self.settings.future_skew_seconds,
            ),
            received_at=received_at,
            anonymous_id=event.anonymous_id,
            lead_id=event.lead_id if isinstance(event, ApiEvent) else None,
            properties=properties,
            email=event.email,
            session_id=event.session_id,
            user_id=event.user_id,
            context=event.context,
        )

    async def submit(self, items: Sequence[Incoming]) -> list[Stored]:
        """Store events; the outcomes come back in order."""
        return await self.committer.submit(items)
