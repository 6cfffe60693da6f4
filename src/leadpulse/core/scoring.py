"""The scoring fold: a lead's score is a pure function of its events and the rules.

Events are ordered by ``(timestamp, event_id)``. Starting from ``start_score``, each event
applies ``score_i = clamp(score_{i-1} + points(event_type))`` where
``clamp(x) = min(MAX_SCORE, max(MIN_SCORE, x))`` (floor 0 and cap 10 000 at EVERY step) and
``points`` is the active rule's points, or 0 for an unknown/inactive type. Each step yields a
``ScoreChange`` with ``delta = new_score - old_score`` (after clamping), so the deltas of a
fold add up to ``final - start``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from leadpulse.core.rules import Rule

MIN_SCORE = 0
MAX_SCORE = 10_000


@dataclass(frozen=True, slots=True)
class EventFact:
    """An event as the fold sees it.

    ``db_id`` is opaque to the fold: it is passed through to the event's ``ScoreChange`` so the
    caller can link the change to its stored event.
    """

    event_id: str
    event_type: str
    timestamp: datetime
    db_id: int | None = None


@dataclass(frozen=True, slots=True)
class ScoreChange:
    """One step of the fold: which event moved the score, by how much."""

    event_id: str
    event_type: str
    timestamp: datetime
    rule_id: int | None
    old_score: int
    new_score: int
    delta: int
    points: int
    db_id: int | None


def event_order_key(e: EventFact) -> tuple[datetime, str]:
    """Return the scoring order key of an event: (timestamp, event_id)."""
    return (e.timestamp, e.event_id)


def clamp_score(value: int) -> int:
    """Clamp a score into [MIN_SCORE, MAX_SCORE]."""
    return min(MAX_SCORE, max(MIN_SCORE, value))


def _apply(score: int, event: EventFact, rules: Mapping[str, Rule]) -> ScoreChange:
    rule = rules.get(event.event_type)
    if rule is not None and not rule.active:
        rule = None
    points = rule.points if rule is not None else 0
    new_score = clamp_score(score + points)
    return ScoreChange(
        event_id=event.event_id,
        event_type=event.event_type,
        timestamp=event.timestamp,
        rule_id=rule.id if rule is not None else None,
        old_score=score,
        new_score=new_score,
        delta=new_score - score,
        points=points,
        db_id=event.db_id,
    )


def fold(
    start_score: int, events: Sequence[EventFact], rules: Mapping[str, Rule]
) -> list[ScoreChange]:
    """Score events in (timestamp, event_id) order from start_score, one change per event."""
    score = clamp_score(start_score)
    changes: list[ScoreChange] = []
    for event in sorted(events, key=event_order_key):
        change = _apply(score, event, rules)
        changes.append(change)
        score = change.new_score
    return changes


def final_score(start: int, changes: Sequence[ScoreChange]) -> int:
    """Return the score after the last change, or the clamped start if there are none."""
    if not changes:
        return clamp_score(start)
    return changes[-1].new_score
