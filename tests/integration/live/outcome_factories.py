"""Outcome factories for live-update tests: what the pipeline publishes, with defaults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from leadpulse.core.outcomes import EventIngested, LeadScored, ScoreMutation

T0 = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def ingested(project_id: int, **overrides: Any) -> EventIngested:
    fields: dict[str, Any] = {
        "project_id": project_id,
        "lead_id": 7,
        "event_row_id": 70,
        "event_id": "evt-1",
        "event_type": "page_view",
        "anonymous_id": "anon-1",
        "timestamp": T0,
        "received_at": T0,
    }
    return EventIngested(**{**fields, **overrides})


def mutation(project_id: int, history_id: int, old: int, new: int) -> ScoreMutation:
    return ScoreMutation(
        history_id=history_id,
        project_id=project_id,
        lead_id=7,
        cause="rule",
        event_id=f"evt-{history_id}",
        event_type="signup",
        rule_id=3,
        old_score=old,
        new_score=new,
        delta=new - old,
        created_at=T0,
    )


def scored(project_id: int, lead_id: int = 7, **overrides: Any) -> LeadScored:
    fields: dict[str, Any] = {
        "project_id": project_id,
        "lead_id": lead_id,
        "anonymous_id": "anon-1",
        "email": None,
        "name": None,
        "score": 45,
        "previous_score": 5,
        "stage": "warm",
        "previous_stage": "cold",
        "velocity_score": 3,
        "events_last_24h": 3,
        "last_event_at": T0,
        "event_types": frozenset({"signup"}),
    }
    return LeadScored(**{**fields, **overrides})
