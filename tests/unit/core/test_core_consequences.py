"""Outbox entries: outcomes are written without personal data and read back whole, with the
lead's identity as it is when the entry is expanded (``core.consequences``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from leadpulse.core.consequences import LeadIdentity, Outcome, entry_of, outcome_of
from leadpulse.core.outcomes import (
    AutomationExecuted,
    LeadDeleted,
    LeadEdited,
    LeadMerged,
    LeadScored,
)

T0 = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
ADA = LeadIdentity(7, "anon-7", "ada@example.com", "Ada Lovelace", "Analytical Engines")


def scored(**overrides: object) -> LeadScored:
    values: dict[str, object] = {
        "project_id": 1,
        "lead_id": 7,
        "anonymous_id": "anon-7",
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "score": 75,
        "previous_score": 25,
        "stage": "hot",
        "previous_stage": "warm",
        "velocity_score": 3,
        "events_last_24h": 3,
        "last_event_at": T0,
        "event_types": frozenset({"signup", "demo_request"}),
        "scored_at": T0,
        **overrides,
    }
    return LeadScored(**values)  # type: ignore[arg-type]


OUTCOMES: list[Outcome] = [
    scored(),
    LeadMerged(1, 7, 8, "ada@example.com", T0),
    LeadEdited(1, 7, True, T0, "anon-7", "ada@example.com", "Ada Lovelace", "Analytical Engines"),
    LeadEdited(1, 7, False, T0, "anon-7", "ada@example.com", "Ada Lovelace", "Analytical Engines"),
    LeadDeleted(1, 7, (8, 9), T0),
    AutomationExecuted(1, 4, 40, 7, "webhook", "succeeded", 204, T0),
]


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda o: type(o).__name__)
def test_an_outcome_survives_the_outbox_with_the_identity_read_at_expansion(
    outcome: Outcome,
) -> None:
    entry = entry_of(outcome)

    assert outcome_of(entry, {7: ADA}) == outcome


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda o: type(o).__name__)
def test_an_entry_holds_no_personal_data(outcome: Outcome) -> None:
    stored = json.dumps(entry_of(outcome).payload)

    assert "ada@example.com" not in stored and "Ada" not in stored and "anon-7" not in stored


def test_changes_of_an_erased_lead_decode_to_nothing_but_its_deletion_does() -> None:
    changed, deleted = entry_of(scored()), entry_of(LeadDeleted(1, 7, (), T0))

    assert outcome_of(changed, {}) is None
    assert outcome_of(deleted, {}) == LeadDeleted(1, 7, (), T0)
