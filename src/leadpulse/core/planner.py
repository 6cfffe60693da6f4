"""The scoring planner: what one worker run decides for one lead, with no I/O.

Two pure steps, because the second needs data that only the first says to load:

1. ``rewind_for(last_event_key, new, full)`` is the late-event cut. Events fold in
   ``(timestamp, eventId)`` order; ``event_key`` encodes that order as sortable text and a lead
   keeps the key of its last folded event. A full rescore (rule change, merge) rewinds
   everything: ``Rewind(cut=None)``. Otherwise, if the earliest new event sorts before the
   lead's last key, the history is rewound to that event: ``Rewind(cut=(timestamp, eventId))``.
   Otherwise nothing is rewound and the new events fold on top of the current score.
2. ``plan_lead(...)`` folds the span and decides the lead's new state. Without a rewind the span
   is the new events and the fold starts at the current score. With one, the caller loads a
   ``Span``: the lead's events from the cut on and ``base_score``, the sum of the history rows
   that stay (rule rows before the cut, decay rows before the cut's time, merge rows), and the
   fold starts there. The new state (``next_state``):

       score = base_score = final_score(start, changes)
       stage = stage_for(score, thresholds)
       events_last_24h = events with now - 24 h < t <= now;  velocity_score = min(10, that)
       event_count = every event of the lead
       last_event_at, last_event_key = the span's last event, unless it sorts before the key
                                       the lead already has
       last_decay_on = None after a rewind (its decay rows were deleted), else unchanged

   The events to mark processed are exactly the unprocessed events the plan folded, so an
   event is never folded twice nor marked without being folded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from leadpulse.core.rules import Rule
from leadpulse.core.scoring import EventFact, ScoreChange, event_order_key, final_score, fold
from leadpulse.core.stages import Stage, StageThresholds, stage_for
from leadpulse.core.velocity import velocity_score

EventKey = tuple[datetime, str]


def event_key(timestamp: datetime, event_id: str) -> str:
    """Encode an event's sort position as text that orders like (timestamp, eventId)."""
    return f"{timestamp.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')}|{event_id}"


@dataclass(frozen=True, slots=True)
class Rewind:
    """Refold a lead's history from ``cut`` on; ``cut`` None means from its first event."""

    cut: EventKey | None = None

    def covers(self, event: EventFact) -> bool:
        """Tell whether the event lies in the rewound span."""
        return self.cut is None or event_order_key(event) >= self.cut


@dataclass(frozen=True, slots=True)
class Span:
    """What a rewind loads: the events from the cut on and the history sum that stays."""

    rewind: Rewind
    base_score: int
    events: tuple[EventFact, ...]
    unprocessed: frozenset[int]  # db ids of the events above that were not processed yet


@dataclass(frozen=True, slots=True)
class LeadSnapshot:
    """A lead's scoring state before the run."""

    score: int
    stage: str
    last_event_at: datetime | None
    last_event_key: str | None
    last_decay_on: date | None


@dataclass(frozen=True, slots=True)
class Activity:
    """Event counts of a lead: all of them, and those of the last 24 hours."""

    total: int
    last_24h: int


@dataclass(frozen=True, slots=True)
class ScoredState:
    """A lead's scoring state after the run (``base_score`` equals ``score``)."""

    score: int
    stage: Stage
    events_last_24h: int
    velocity_score: int
    event_count: int
    last_event_at: datetime | None
    last_event_key: str | None
    last_decay_on: date | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LeadPlan:
    """The decision for one lead: history to rewind and write, events consumed, new state."""

    previous: LeadSnapshot
    rewind: Rewind | None
    changes: tuple[ScoreChange, ...]
    processed: tuple[int, ...]
    state: ScoredState
    event_types: frozenset[str]  # the types of the new events (automations match on them)


def rewind_for(
    last_event_key: str | None, new: Sequence[EventFact], *, full: bool
) -> Rewind | None:
    """Decide the late-event cut: all for a full rescore, the earliest late event, or none."""
    if full:
        return Rewind(cut=None)
    first = min((event_order_key(e) for e in new), default=None)
    if first is None or last_event_key is None or event_key(*first) >= last_event_key:
        return None
    return Rewind(cut=first)


def next_state(
    lead: LeadSnapshot,
    *,
    start: int,
    changes: Sequence[ScoreChange],
    folded: Sequence[EventFact],
    activity: Activity,
    thresholds: StageThresholds,
    rewound: bool,
    now: datetime,
) -> ScoredState:
    """Decide a lead's state after folding ``folded`` from ``start`` (see the module doc)."""
    score = final_score(start, changes)
    last_at, last_key = lead.last_event_at, lead.last_event_key
    last = max(folded, key=event_order_key, default=None)
    if last is not None:
        key = event_key(*event_order_key(last))
        if last_key is None or key >= last_key:
            last_at, last_key = last.timestamp, key
    return ScoredState(
        score=score,
        stage=stage_for(score, thresholds),
        events_last_24h=activity.last_24h,
        velocity_score=velocity_score(activity.last_24h),
        event_count=activity.total,
        last_event_at=last_at,
        last_event_key=last_key,
        last_decay_on=None if rewound else lead.last_decay_on,
        updated_at=now,
    )


def _span_of(new: Sequence[EventFact], span: Span | None) -> tuple[int | None, list[EventFact]]:
    """Return (start score or None for the current one, the events to fold)."""
    if span is None:
        return None, list(new)
    return span.base_score, [e for e in span.events if span.rewind.covers(e)]


def _consumed(folded: Sequence[EventFact], span: Span | None) -> tuple[int, ...]:
    ids = (e.db_id for e in folded if e.db_id is not None)
    if span is None:
        return tuple(ids)
    return tuple(i for i in ids if i in span.unprocessed)


def plan_lead(
    lead: LeadSnapshot,
    new: Sequence[EventFact],
    *,
    span: Span | None,
    activity: Activity,
    rules: Mapping[str, Rule],
    thresholds: StageThresholds,
    now: datetime,
) -> LeadPlan:
    """Plan one lead's run: fold the new events (or the rewound span) and its new state."""
    base, folded = _span_of(new, span)
    start = lead.score if base is None else base
    changes = fold(start, folded, rules)
    state = next_state(
        lead,
        start=start,
        changes=changes,
        folded=folded,
        activity=activity,
        thresholds=thresholds,
        rewound=span is not None,
        now=now,
    )
    return LeadPlan(
        previous=lead,
        rewind=span.rewind if span is not None else None,
        changes=tuple(changes),
        processed=_consumed(folded, span),
        state=state,
        event_types=frozenset(e.event_type for e in new),
    )
