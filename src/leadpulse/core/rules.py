"""Scoring rules: an event type earns a fixed number of points.

A rule maps ``event_type -> points`` with ``|points| <= MAX_POINTS``. Only active rules score;
an event type with no active rule earns 0 points (it is still stored and shown). An event type
is 1-64 characters of ``[A-Za-z0-9_.:-]`` (``EVENT_TYPE_PATTERN``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_POINTS = 10_000
EVENT_TYPE_PATTERN = r"^[A-Za-z0-9_.:\-]{1,64}$"

DEFAULT_RULES: tuple[tuple[str, int], ...] = (
    ("page_view", 5),
    ("email_open", 10),
    ("form_submit", 20),
    ("signup", 20),
    ("pricing_page_visit", 15),
    ("download", 10),
    ("webinar_attendance", 25),
    ("demo_request", 50),
    ("contract_signed", 100),
    ("unsubscribe", -20),
)


@dataclass(frozen=True, slots=True)
class Rule:
    """Points awarded for one event type."""

    event_type: str
    points: int
    active: bool = True
    id: int | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if abs(self.points) > MAX_POINTS:
            raise ValueError(f"|points| must be <= {MAX_POINTS}, got {self.points}")


def rule_index(rules: Iterable[Rule]) -> dict[str, Rule]:
    """Index the active rules by event type (a later rule for the same type wins)."""
    return {rule.event_type: rule for rule in rules if rule.active}


def default_rules() -> tuple[Rule, ...]:
    """Build the default rule set created for every new project."""
    return tuple(Rule(event_type=t, points=p, name=t) for t, p in DEFAULT_RULES)
