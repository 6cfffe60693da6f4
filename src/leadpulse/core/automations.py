"""Automation matching: which automation rules fire for a lead after scoring.

A rule fires when it is active and every condition that is set holds:
``state.stage == when_stage``, ``state.velocity_score >= min_velocity``,
``state.score >= min_score`` and ``event_type in state.event_types``. A rule with no
conditions fires on every scoring. Each firing carries ``day = UTC date of now``:
(automation_id, lead_id, day) is the key that makes a rule fire at most once per lead per day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from leadpulse.core.stages import Stage
from leadpulse.core.timeutil import utc_date


@dataclass(frozen=True, slots=True)
class AutomationRule:
    """Conditions (None = not checked) and the action to run when they hold."""

    id: int
    name: str
    action: str
    when_stage: Stage | None = None
    min_velocity: int | None = None
    min_score: int | None = None
    event_type: str | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class LeadState:
    """A lead right after scoring; event_types are the types just scored."""

    lead_id: int
    score: int
    stage: Stage
    previous_stage: Stage
    velocity_score: int
    event_types: frozenset[str]


@dataclass(frozen=True, slots=True)
class Firing:
    """One automation to execute for one lead, keyed once per UTC day."""

    automation_id: int
    lead_id: int
    day: date


def rule_matches(rule: AutomationRule, state: LeadState) -> bool:
    """Tell whether an active rule's set conditions all hold for the lead."""
    checks = (
        rule.active,
        rule.when_stage is None or state.stage == rule.when_stage,
        rule.min_velocity is None or state.velocity_score >= rule.min_velocity,
        rule.min_score is None or state.score >= rule.min_score,
        rule.event_type is None or rule.event_type in state.event_types,
    )
    return all(checks)


def match_automations(
    rules: Sequence[AutomationRule], state: LeadState, now: datetime
) -> list[Firing]:
    """List the firings of the rules that match the lead, in rule order."""
    day = utc_date(now)
    return [
        Firing(automation_id=rule.id, lead_id=state.lead_id, day=day)
        for rule in rules
        if rule_matches(rule, state)
    ]
