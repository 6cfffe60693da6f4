"""Specification of automation matching and the once-per-lead-per-day key."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from leadpulse.core.automations import AutomationRule, Firing, LeadState, match_automations
from leadpulse.core.stages import Stage

NOW = datetime(2026, 7, 4, 18, 0, tzinfo=UTC)


def make_rule(rule_id: int = 1, /, **conditions: Any) -> AutomationRule:
    return AutomationRule(id=rule_id, name=f"rule-{rule_id}", action="log", **conditions)


def make_state(
    *,
    score: int = 75,
    stage: Stage = "hot",
    velocity_score: int = 3,
    event_types: frozenset[str] = frozenset({"demo_request"}),
) -> LeadState:
    return LeadState(
        lead_id=42,
        score=score,
        stage=stage,
        previous_stage="warm",
        velocity_score=velocity_score,
        event_types=event_types,
    )


def test_rule_without_conditions_fires_with_todays_utc_date() -> None:
    assert match_automations([make_rule()], make_state(), NOW) == [
        Firing(automation_id=1, lead_id=42, day=date(2026, 7, 4))
    ]


def test_inactive_rule_never_fires() -> None:
    assert match_automations([make_rule(active=False)], make_state(), NOW) == []


@pytest.mark.parametrize(
    ("conditions", "fires"),
    [
        ({"when_stage": "hot"}, True),
        ({"when_stage": "qualified"}, False),
        ({"min_velocity": 3}, True),
        ({"min_velocity": 4}, False),
        ({"min_score": 75}, True),
        ({"min_score": 76}, False),
        ({"event_type": "demo_request"}, True),
        ({"event_type": "signup"}, False),
        ({"when_stage": "hot", "min_velocity": 3, "min_score": 70}, True),
        ({"when_stage": "hot", "min_velocity": 3, "min_score": 80}, False),
    ],
)
def test_every_set_condition_must_hold(conditions: dict[str, Any], fires: bool) -> None:
    firings = match_automations([make_rule(**conditions)], make_state(), NOW)
    assert bool(firings) is fires


def test_matching_rules_fire_in_rule_order() -> None:
    rules = [make_rule(3), make_rule(1, min_score=1_000), make_rule(2)]
    assert [f.automation_id for f in match_automations(rules, make_state(), NOW)] == [3, 2]


def test_firing_day_is_the_utc_date_even_for_a_non_utc_now() -> None:
    late_evening_east = datetime(2026, 7, 5, 1, 0, tzinfo=timezone(timedelta(hours=9)))
    [firing] = match_automations([make_rule()], make_state(), late_evening_east)
    assert firing.day == date(2026, 7, 4)
