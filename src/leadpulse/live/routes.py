"""``GET /api/live/frames``: the Socket.IO frames' contract, published in the OpenAPI document.

A Socket.IO frame is not an HTTP response, so OpenAPI has no place for it of its own. This
endpoint answers one example of every frame, typed by ``LiveFrames`` (event name → payload):
that puts each frame's schema in the document's ``components``, where the dashboard's client
generator (``scripts/gen-api-client.sh``) and any other client can find it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from leadpulse.live.frames import (
    AutomationExecutedFrame,
    LeadMergedFrame,
    LeadUpdatedFrame,
    LiveFrames,
    NewEventFrame,
    ScoreMutationFrame,
)

router = APIRouter(prefix="/api/live", tags=["live"])
_AT = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)

EXAMPLE = LiveFrames(
    new_event=NewEventFrame(
        event_id="0193a0c4-demo",
        lead_id=7,
        event_type="demo_request",
        anonymous_id="visitor-7",
        timestamp=_AT,
        received_at=_AT,
    ),
    score_mutation=ScoreMutationFrame(
        id=70,
        lead_id=7,
        cause="rule",
        event_id="0193a0c4-demo",
        event_type="demo_request",
        rule_id=3,
        old_score=25,
        new_score=75,
        delta=50,
        created_at=_AT,
    ),
    lead_updated=LeadUpdatedFrame(
        id=7,
        anonymous_id="visitor-7",
        email="ada@example.com",
        name="Ada",
        current_score=75,
        lead_stage="hot",
        velocity_score=3,
        events_last_24h=3,
        last_event_at=_AT,
        previous_score=25,
        previous_stage="cold",
    ),
    lead_merged=LeadMergedFrame(survivor_id=7, merged_id=8, email="ada@example.com", merged_at=_AT),
    automation_executed=AutomationExecutedFrame(
        id=40,
        automation_id=4,
        lead_id=7,
        action="slack",
        status="succeeded",
        response_code=200,
        finished_at=_AT,
    ),
)


@router.get("/frames", response_model=LiveFrames, summary="Live frame types, by example")
async def frames() -> LiveFrames:
    """Return one example of every Socket.IO frame (connect to ``/socket.io`` with
    ``auth: {token: <JWT>}`` to receive them for your project)."""
    return EXAMPLE
