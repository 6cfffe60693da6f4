"""Ingest endpoints: SDK format (``/api/ingest/*``, key in body or header) and server format
(``/api/events*``, API key or JWT). All answer 202 at once; scoring happens in the worker."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse

from leadpulse import obs
from leadpulse.api.deps import ContainerDep, IngestDep
from leadpulse.auth.callers import Caller, caller_from_jwt, caller_from_key
from leadpulse.container import Container
from leadpulse.errors import (
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
)
from leadpulse.ingest import front
from leadpulse.ingest.intake import EventModel, Intake, parse_json
from leadpulse.ingest.schemas import (
    ApiEvent,
    BatchItemResult,
    BatchResult,
    IngestResult,
    SdkEvent,
)
from leadpulse.ingest.service import Incoming, Stored
from leadpulse.projects.keys import key_kind
from leadpulse.store.types import utcnow

router = APIRouter(tags=["ingest"])


def _schema(model: EventModel) -> dict[str, Any]:
    return model.model_json_schema(by_alias=True, mode="validation")


def _batch_schema(model: EventModel) -> dict[str, Any]:
    item = _schema(model)
    item["properties"].pop("apiKey", None)
    return {
        "type": "object",
        "required": ["events"],
        "properties": {
            "apiKey": {"type": "string", "description": "pk_ or sk_ key (or X-API-Key)"},
            "sentAt": {"type": "string", "format": "date-time"},
            "events": {"type": "array", "maxItems": 500, "items": item},
        },
    }


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    content = {"application/json": {"schema": schema}, "text/plain": {"schema": schema}}
    return {"requestBody": {"required": True, "content": content}}


async def _sdk_caller(request: Request, c: Container, body: Any) -> Caller:
    key = request.headers.get("x-api-key")
    if not key and isinstance(body, dict) and isinstance(body.get("apiKey"), str):
        key = body["apiKey"]
    auth = request.headers.get("authorization", "")
    if not key and auth.lower().startswith("bearer "):
        token = auth[7:].strip()
        if key_kind(token) is None:
            async with c.db.sessions() as session:
                return await caller_from_jwt(session, token, secret=c.settings.secret_key())
        key = token
    if not key:
        raise Unauthorized("Send the API key in X-API-Key or as apiKey in the body.")
    async with c.db.sessions() as session:
        return await caller_from_key(session, key)


async def _admit(request: Request, c: Container, caller: Caller) -> None:
    client_ip = request.client.host if request.client else "unknown"
    await front.admit(c, caller, origin=request.headers.get("origin"), client_ip=client_ip)


PK_LEAD_ID = (
    "A publishable key may address leads only by anonymousId (and identify them by email); "
    "send leadId with a secret key or a user token."
)


def _addressable(caller: Caller, item: Incoming) -> bool:
    """Tell whether the caller may address the item's lead: pk_ traffic never by ``leadId``.

    A publishable key sits in web pages and lead ids are sequential, so a leadId from it
    would let anyone write to every lead of the project.
    """
    return not (caller.via == "publishable" and item.lead_id is not None)


async def _one(c: Container, caller: Caller, body: Any, model: EventModel) -> JSONResponse:
    intake = front.intake_of(c)
    with obs.counting_rejection():
        item = intake.validate(
            body, model, project_id=caller.project_id, received_at=utcnow(), loc="body"
        )
    if not _addressable(caller, item):
        raise Forbidden(PK_LEAD_ID)
    stored = (await intake.submit([item]))[0]
    obs.count_ingested([stored.status])
    if stored.status == "unknown_lead":
        raise NotFound(f"Lead {item.lead_id} not found.")
    result = IngestResult(status=stored.status, event_id=stored.event_id, lead_id=stored.lead_id)
    return JSONResponse(result.model_dump(by_alias=True), status_code=status.HTTP_202_ACCEPTED)


def _validate_all(
    intake: Intake, events: list[Any], model: EventModel, caller: Caller, body: dict[str, Any]
) -> tuple[list[tuple[int, Incoming]], dict[int, BatchItemResult]]:
    """Validate each event alone: the valid ones by index, and the rejections by index."""
    received_at, sent_at = utcnow(), _batch_sent_at(body)
    valid: list[tuple[int, Incoming]] = []
    rejected: dict[int, BatchItemResult] = {}
    for index, raw in enumerate(events):
        try:
            item = intake.validate(
                raw,
                model,
                project_id=caller.project_id,
                received_at=received_at,
                loc=f"events.{index}",
                sent_at=sent_at,
            )
        except InvalidInput as exc:
            rejected[index] = _rejected(index, exc.errors)
            continue
        if _addressable(caller, item):
            valid.append((index, item))
        else:
            error = FieldError(f"events.{index}.leadId", PK_LEAD_ID, "forbidden")
            rejected[index] = _rejected(index, [error])
    return valid, rejected


def _stored_result(index: int, outcome: Stored) -> BatchItemResult:
    if outcome.status == "unknown_lead":
        error = FieldError(f"events.{index}.leadId", "lead not found", "not_found")
        return _rejected(index, [error])
    return BatchItemResult(
        index=index, status=outcome.status, event_id=outcome.event_id, lead_id=outcome.lead_id
    )


async def _many(c: Container, caller: Caller, body: Any, model: EventModel) -> JSONResponse:
    events = _batch_events(c, body)
    intake = front.intake_of(c)
    valid, results = _validate_all(intake, events, model, caller, body)
    stored = await intake.submit([item for _, item in valid]) if valid else []
    for (index, _), outcome in zip(valid, stored, strict=True):
        results[index] = _stored_result(index, outcome)
    ordered = [results[i] for i in range(len(events))]
    obs.count_ingested(r.status for r in ordered)
    summary = _summary(ordered)
    return JSONResponse(summary.model_dump(by_alias=True, exclude_none=True), status_code=202)


def _batch_events(c: Container, body: Any) -> list[Any]:
    """The batch's ``events`` list, refused when it is not a list or holds too many."""
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise InvalidInput.field("body.events", "must be a list of events", "type_error")
    events: list[Any] = body["events"]
    limit = c.settings.max_batch_events
    if len(events) > limit:
        raise PayloadTooLarge(f"A batch holds at most {limit} events; got {len(events)}.")
    return events


def _summary(ordered: list[BatchItemResult]) -> BatchResult:
    return BatchResult(
        accepted=sum(r.status == "queued" for r in ordered),
        duplicates=sum(r.status == "duplicate" for r in ordered),
        rejected=sum(r.status == "rejected" for r in ordered),
        results=ordered,
    )


def _batch_sent_at(body: dict[str, Any]) -> Any:
    raw = body.get("sentAt")
    if raw is None:
        return None
    try:
        return SdkEvent.model_validate({"event": "x", "anonymousId": "x", "sentAt": raw}).sent_at
    except ValueError as exc:
        raise InvalidInput.field("body.sentAt", "must be an ISO-8601 date-time") from exc


def _rejected(index: int, errors: list[FieldError]) -> BatchItemResult:
    return BatchItemResult(
        index=index,
        status="rejected",
        errors=[{"loc": e.loc, "msg": e.msg, "type": e.type} for e in errors],
    )


@router.post(
    "/api/ingest/event",
    status_code=202,
    response_model=IngestResult,
    openapi_extra=_body(_schema(SdkEvent)),
    summary="Ingest one event (SDK format)",
)
async def ingest_event(request: Request, c: ContainerDep) -> JSONResponse:
    """Accept one SDK event; the key comes from X-API-Key or ``apiKey`` in the body."""
    body = parse_json(await request.body())
    caller = await _sdk_caller(request, c, body)
    await _admit(request, c, caller)
    return await _one(c, caller, body, SdkEvent)


@router.post(
    "/api/ingest/batch",
    status_code=202,
    response_model=BatchResult,
    openapi_extra=_body(_batch_schema(SdkEvent)),
    summary="Ingest a batch of events (SDK format)",
)
async def ingest_batch(request: Request, c: ContainerDep) -> JSONResponse:
    """Accept up to 500 SDK events; each is validated alone and reported by index."""
    body = parse_json(await request.body())
    caller = await _sdk_caller(request, c, body)
    await _admit(request, c, caller)
    return await _many(c, caller, body, SdkEvent)


@router.post(
    "/api/events",
    status_code=202,
    response_model=IngestResult,
    openapi_extra=_body(_schema(ApiEvent)),
    summary="Record one event for a lead (server format)",
)
async def post_event(request: Request, c: ContainerDep, caller: IngestDep) -> JSONResponse:
    """Accept one event for ``leadId`` or ``anonymousId`` (API key or JWT)."""
    body = parse_json(await request.body())
    await _admit(request, c, caller)
    return await _one(c, caller, body, ApiEvent)


@router.post(
    "/api/events/batch",
    status_code=202,
    response_model=BatchResult,
    openapi_extra=_body(_batch_schema(ApiEvent)),
    summary="Record a batch of events (server format)",
)
async def post_events_batch(request: Request, c: ContainerDep, caller: IngestDep) -> JSONResponse:
    """Accept up to 500 server-format events; each is validated alone."""
    body = parse_json(await request.body())
    await _admit(request, c, caller)
    return await _many(c, caller, body, ApiEvent)
