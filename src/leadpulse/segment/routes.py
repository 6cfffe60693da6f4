"""Segment Tracking API endpoints (``POST /v1/<call>`` and ``/v1/batch``), answering 200
``{"success": true}`` as Segment does. Auth, limits and mapping: ``segment.service``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from leadpulse.api.deps import ContainerDep
from leadpulse.auth.callers import caller_from_key
from leadpulse.container import Container
from leadpulse.core.segment import CALLS
from leadpulse.ingest import front
from leadpulse.ingest.intake import parse_json
from leadpulse.segment import service
from leadpulse.segment.schemas import BATCH_SCHEMA, MESSAGE_SCHEMA, SegmentResult
from leadpulse.store.types import utcnow

router = APIRouter(tags=["segment"])
Endpoint = Callable[[Request, Container], Awaitable[JSONResponse]]


def _body(schema: dict[str, object]) -> dict[str, object]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


async def _accept(request: Request, c: Container, call: str | None) -> JSONResponse:
    limit = c.settings.max_event_bytes if call else service.BATCH_LIMIT_BYTES
    encoding = request.headers.get("content-encoding")
    raw = service.decode_body(await request.body(), encoding, limit=limit)
    body = parse_json(raw)
    key = service.write_key(request.headers.get("authorization"), body)
    async with c.db.sessions() as session:
        caller = await caller_from_key(session, key)
    client_ip = request.client.host if request.client else "unknown"
    await front.admit(c, caller, origin=request.headers.get("origin"), client_ip=client_ip)
    intake, at = front.intake_of(c), utcnow()
    if call is None:
        result = await service.accept_batch(
            intake, body, project_id=caller.project_id, received_at=at
        )
    else:
        result = await service.accept_call(
            intake, call, body, project_id=caller.project_id, received_at=at, size=len(raw)
        )
    return JSONResponse(result.model_dump(by_alias=True, exclude_none=True))


def _endpoint(call: str) -> Endpoint:
    async def endpoint(request: Request, c: ContainerDep) -> JSONResponse:
        return await _accept(request, c, call)

    endpoint.__name__ = f"segment_{call}"
    endpoint.__doc__ = f"Record one Segment ``{call}`` call (write key: HTTP Basic or writeKey)."
    return endpoint


for _call in CALLS:
    router.add_api_route(
        f"/v1/{_call}",
        _endpoint(_call),
        methods=["POST"],
        response_model=SegmentResult,
        summary=f"Segment {_call}",
        openapi_extra=_body(MESSAGE_SCHEMA),
    )


@router.post(
    "/v1/batch",
    response_model=SegmentResult,
    summary="Segment batch",
    openapi_extra=_body(BATCH_SCHEMA),
)
async def segment_batch(request: Request, c: ContainerDep) -> JSONResponse:
    """Record a batch of Segment messages (≤ 500 KB, ≤ 32 KB each); bad ones are listed."""
    return await _accept(request, c, None)
