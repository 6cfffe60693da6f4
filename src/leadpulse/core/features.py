"""Features of one lead at a snapshot time ``t``, from its events strictly before ``t``.

A snapshot sees the events with ``timestamp < t`` and the lead's profile, nothing else; adding
any event at or after ``t`` never changes it (a property test checks this). The profile
(e-mail, traits) carries no time in the store, so it is treated as static: keep the profile
features to signals a conversion does not rewrite (e-mail domain kind, company size).

Windows are half-open and end at ``t``: an event is "in the last w days" when
``t - w days <= timestamp < t``. Counts enter as ``log1p(count)``: one more event means more
for a quiet lead than for a busy one, and outliers do not dominate a linear model.

The vector, in ``FeatureSpec.names()`` order:

- ``count_{w}d:{type}``: events of each vocabulary type, for each window w (1, 7, 30 days);
- ``events_{w}d``: events of any type per window (velocity: ``events_1d``);
- ``days_since_last_event``: ``log1p(min(days, 365))`` (recency; 365 without any event);
- ``days_since_first_event``: ``log1p(min(days, 365))`` (first-touch age; 0 without events);
- ``trend_7d``: ``log1p(events in the last 7 d) - log1p(events in the 7 d before)``;
- ``sessions_30d`` and ``sessions_total``: ``log1p`` of sessions started in the last 30 days
  and ever; a session starts at an event after a gap of more than 30 minutes, or when the
  session id changes (both events carrying one);
- ``active_days_30d``: distinct UTC days with an event in the last 30 days (0-30, raw);
- ``rule_score``: ``log1p`` of the scoring fold (``core.scoring``) over the seen events, with
  the rules recorded in the spec, from 0 (no decay);
- ``has_email``, ``work_email``, ``company_size`` (``log1p``, 0 when unknown),
  ``company_size_known``: see ``core.traits``.

A ``Snapshot`` also carries the two baselines the model card compares against, computed from
the same seen events: the rule score itself and the old fixed churn formula
(``core.intelligence.churn_probability``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from leadpulse.core.intelligence import churn_probability, days_since
from leadpulse.core.rules import Rule, rule_index
from leadpulse.core.scoring import EventFact, final_score, fold
from leadpulse.core.timeutil import DAY, require_aware, utc_date
from leadpulse.core.traits import company_size, email_kind
from leadpulse.core.velocity import velocity_trend

WINDOWS_DAYS: tuple[int, ...] = (1, 7, 30)
RECENCY_CAP_DAYS = 365.0
SESSION_GAP = timedelta(minutes=30)
ACTIVITY_WINDOW = timedelta(days=30)
TREND_WINDOW = timedelta(days=7)
ACTIVITY_NAMES = (
    "days_since_last_event",
    "days_since_first_event",
    "trend_7d",
    "sessions_30d",
    "sessions_total",
    "active_days_30d",
)
PROFILE_NAMES = ("has_email", "work_email", "company_size", "company_size_known")


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """An event as the feature builder sees it."""

    event_id: str
    event_type: str
    timestamp: datetime
    session_id: str | None = None


@dataclass(frozen=True, slots=True)
class LeadProfile:
    """What is known about a lead besides its events (not time-stamped)."""

    email: str | None = None
    traits: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LeadHistory:
    """One lead: an opaque key, its events (any order) and its profile."""

    key: str
    events: Sequence[HistoryEvent]
    profile: LeadProfile = field(default_factory=LeadProfile)


@functools.lru_cache(maxsize=64)
def _rule_map(rule_points: tuple[tuple[str, int], ...]) -> dict[str, Rule]:
    # Cached: a training run builds one snapshot per row with the same few rules.
    return rule_index(Rule(event_type=t, points=p) for t, p in rule_points)


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """Which event types get their own counts, and the rules behind the rule-score feature."""

    vocabulary: tuple[str, ...]
    rule_points: tuple[tuple[str, int], ...] = ()
    windows_days: tuple[int, ...] = WINDOWS_DAYS

    def __post_init__(self) -> None:
        if len(set(self.vocabulary)) != len(self.vocabulary):
            raise ValueError("vocabulary must not repeat an event type")
        if not self.windows_days or any(w < 1 for w in self.windows_days):
            raise ValueError("windows_days must be positive whole days")
        if list(self.windows_days) != sorted(set(self.windows_days)):
            raise ValueError("windows_days must be strictly increasing")
        self.rules()  # Rule() validates the points bounds

    def rules(self) -> dict[str, Rule]:
        """Return the recorded rules, indexed by event type."""
        return dict(_rule_map(self.rule_points))

    def to_dict(self) -> dict[str, Any]:
        """Return the spec as JSON-ready data."""
        return {
            "vocabulary": list(self.vocabulary),
            "rulePoints": [[t, p] for t, p in self.rule_points],
            "windowsDays": list(self.windows_days),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureSpec:
        """Rebuild a spec from ``to_dict`` output (raises ValueError on bad data)."""
        return cls(
            vocabulary=tuple(str(t) for t in data["vocabulary"]),
            rule_points=tuple((str(t), int(p)) for t, p in data.get("rulePoints", ())),
            windows_days=tuple(int(w) for w in data.get("windowsDays", WINDOWS_DAYS)),
        )

    def names(self) -> tuple[str, ...]:
        """Return the feature names in vector order."""
        counts = tuple(f"count_{w}d:{t}" for w in self.windows_days for t in self.vocabulary)
        totals = tuple(f"events_{w}d" for w in self.windows_days)
        return (*counts, *totals, *ACTIVITY_NAMES, "rule_score", *PROFILE_NAMES)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A lead as seen at ``at``: its feature vector and the two baseline scores."""

    at: datetime
    vector: tuple[float, ...]
    rule_score: int
    formula_churn: float
    events_seen: int


def choose_vocabulary(
    type_counts: Mapping[str, int],
    *,
    exclude: Iterable[str] = (),
    max_types: int = 20,
    min_count: int = 20,
) -> tuple[str, ...]:
    """Pick the most frequent event types (ties by name), leaving out rare and excluded ones."""
    excluded = set(exclude)
    ranked = sorted(
        (t for t, n in type_counts.items() if n >= min_count and t not in excluded),
        key=lambda t: (-type_counts[t], t),
    )
    return tuple(ranked[:max_types])


def in_order(events: Iterable[HistoryEvent]) -> list[HistoryEvent]:
    """Return the events in scoring order: (timestamp, event_id)."""
    return sorted(events, key=lambda e: (e.timestamp, e.event_id))


def seen_events(events: Iterable[HistoryEvent], at: datetime) -> list[HistoryEvent]:
    """Return the events strictly before ``at`` in scoring order."""
    require_aware(at, "at")
    return in_order(e for e in events if e.timestamp < at)


def _log_days(delta: timedelta | None) -> float:
    if delta is None:
        return math.log1p(RECENCY_CAP_DAYS)
    return math.log1p(min(max(0.0, delta / DAY), RECENCY_CAP_DAYS))


def _window_counts(seen: Sequence[HistoryEvent], at: datetime, spec: FeatureSpec) -> list[float]:
    index = {t: i for i, t in enumerate(spec.vocabulary)}
    spans = [timedelta(days=w) for w in spec.windows_days]
    per_type = [[0] * len(spec.vocabulary) for _ in spans]
    totals = [0] * len(spans)
    for event in seen:
        age = at - event.timestamp
        i = index.get(event.event_type)
        for k, span in enumerate(spans):
            if age <= span:
                totals[k] += 1
                if i is not None:
                    per_type[k][i] += 1
    return [math.log1p(n) for row in (*per_type, totals) for n in row]


def _starts_session(previous: HistoryEvent | None, event: HistoryEvent) -> bool:
    if previous is None or event.timestamp - previous.timestamp > SESSION_GAP:
        return True
    ids = (previous.session_id, event.session_id)
    return None not in ids and ids[0] != ids[1]


def session_starts(seen: Sequence[HistoryEvent]) -> list[datetime]:
    """Return the start time of each session among events in scoring order."""
    starts: list[datetime] = []
    previous: HistoryEvent | None = None
    for event in seen:
        if _starts_session(previous, event):
            starts.append(event.timestamp)
        previous = event
    return starts


def _in_window(times: Iterable[datetime], at: datetime, start: timedelta, end: timedelta) -> int:
    """Count times with ``start < at - time <= end`` (ages in (start, end])."""
    return sum(1 for t in times if start < at - t <= end)


def _activity(seen: Sequence[HistoryEvent], at: datetime) -> list[float]:
    times = [e.timestamp for e in seen]
    if not times:
        return [_log_days(None), 0.0, 0.0, 0.0, 0.0, 0.0]
    zero = timedelta(0)
    starts = session_starts(seen)
    last_week = _in_window(times, at, zero, TREND_WINDOW)
    week_before = _in_window(times, at, TREND_WINDOW, 2 * TREND_WINDOW)
    recent_days = {utc_date(t) for t in times if at - t <= ACTIVITY_WINDOW}
    return [
        _log_days(at - times[-1]),
        _log_days(at - times[0]),
        math.log1p(last_week) - math.log1p(week_before),
        math.log1p(_in_window(starts, at, zero, ACTIVITY_WINDOW)),
        math.log1p(len(starts)),
        float(len(recent_days)),
    ]


def _profile(profile: LeadProfile) -> list[float]:
    kind = email_kind(profile.email)
    size = company_size(profile.traits)
    return [
        float(kind != "none"),
        float(kind == "work"),
        math.log1p(size) if size is not None else 0.0,
        float(size is not None),
    ]


def _formula_churn(seen: Sequence[HistoryEvent], at: datetime, score: int) -> float:
    times = [e.timestamp for e in seen]
    last_24h = _in_window(times, at, timedelta(0), DAY)
    previous_24h = _in_window(times, at, DAY, 2 * DAY)
    return churn_probability(
        days_since_last_event=days_since(times[-1] if times else None, at),
        trend=velocity_trend(last_24h, previous_24h),
        score=score,
    )


def rule_score(seen: Sequence[HistoryEvent], rules: Mapping[str, Rule]) -> int:
    """Score the seen events with the scoring fold from 0."""
    facts = [EventFact(e.event_id, e.event_type, e.timestamp) for e in seen]
    return final_score(0, fold(0, facts, rules))


def snapshot(history: LeadHistory, at: datetime, spec: FeatureSpec) -> Snapshot:
    """Build the lead's feature vector and baselines from its events before ``at``."""
    seen = seen_events(history.events, at)
    score = rule_score(seen, spec.rules())
    vector = (
        *_window_counts(seen, at, spec),
        *_activity(seen, at),
        math.log1p(score),
        *_profile(history.profile),
    )
    return Snapshot(
        at=at,
        vector=tuple(vector),
        rule_score=score,
        formula_churn=_formula_churn(seen, at, score),
        events_seen=len(seen),
    )


def feature_vector(history: LeadHistory, at: datetime, spec: FeatureSpec) -> tuple[float, ...]:
    """Return the lead's feature vector at ``at`` (see the module docstring)."""
    return snapshot(history, at, spec).vector
