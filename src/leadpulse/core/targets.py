"""What a learned model predicts, and at which snapshot times it learns it (no leakage).

Conversion (``ConversionGoal``): a lead converts at the first event of ``event_type`` or, for
a stage goal, at the first event whose folded score reaches ``stage`` (with the project's
rules and thresholds). Exactly one of the two is set. At a snapshot ``t`` a lead is
*eligible* when it has an event before ``t`` and has not converted before ``t``; its label
is ``t <= converted_at < t + horizon``.

Churn (``ChurnGoal``, "goes quiet"): at ``t`` a lead is eligible when it was active, i.e. had
an event in ``[t - active_days, t)``; its label is "no event in ``[t, t + quiet_days)``".

Snapshot times (``time_split``) form a grid anchored at the newest time whose label is fully
observed, ``as_of - horizon``, stepping back ``step_days`` (7 by default, so every snapshot
falls on the same weekday and hour and weekly seasonality cannot tell them apart) to no
earlier than ``data_start + warmup_days``. The newest ``test_fraction`` of the grid (at least
one date) is the held-out test period. Train dates are the grid dates ``d`` with
``d + horizon <= first test date``: every training label was observable before the test
period began, exactly as if the model had been trained then. Never a random split.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from leadpulse.core.features import HistoryEvent, in_order
from leadpulse.core.rules import Rule
from leadpulse.core.scoring import EventFact, fold
from leadpulse.core.stages import STAGES, Stage, StageThresholds, stage_for
from leadpulse.core.timeutil import require_aware

MAX_HORIZON_DAYS = 365


def _check_days(name: str, value: int) -> None:
    if not 1 <= value <= MAX_HORIZON_DAYS:
        raise ValueError(f"{name} must be between 1 and {MAX_HORIZON_DAYS} days, got {value}")


@dataclass(frozen=True, slots=True)
class ConversionGoal:
    """What counts as converted: one event type, or reaching a stage; and the horizon."""

    event_type: str | None = None
    stage: Stage | None = None
    horizon_days: int = 30

    def __post_init__(self) -> None:
        if (self.event_type is None) == (self.stage is None):
            raise ValueError("set exactly one of event_type and stage")
        if self.stage is not None and self.stage not in STAGES[1:]:
            raise ValueError(f"stage must be one of {STAGES[1:]}, got {self.stage!r}")
        if self.event_type is not None and not self.event_type:
            raise ValueError("event_type must not be empty")
        _check_days("horizon_days", self.horizon_days)

    @property
    def horizon(self) -> timedelta:
        """The label window length."""
        return timedelta(days=self.horizon_days)

    def describe(self) -> str:
        """Say in words what converting means."""
        what = self.event_type if self.event_type is not None else f"stage {self.stage}"
        return f"{what} within {self.horizon_days} days"

    def to_dict(self) -> dict[str, Any]:
        """Return the goal as JSON-ready data."""
        return {
            "kind": "conversion",
            "eventType": self.event_type,
            "stage": self.stage,
            "horizonDays": self.horizon_days,
        }


@dataclass(frozen=True, slots=True)
class ChurnGoal:
    """A lead active in the last ``active_days`` goes quiet: no event for ``quiet_days``."""

    quiet_days: int = 30
    active_days: int = 14

    def __post_init__(self) -> None:
        _check_days("quiet_days", self.quiet_days)
        _check_days("active_days", self.active_days)

    @property
    def horizon(self) -> timedelta:
        """The label window length."""
        return timedelta(days=self.quiet_days)

    def describe(self) -> str:
        """Say in words what going quiet means."""
        return f"no event for {self.quiet_days} days after activity in the last {self.active_days}"

    def to_dict(self) -> dict[str, Any]:
        """Return the goal as JSON-ready data."""
        return {"kind": "churn", "quietDays": self.quiet_days, "activeDays": self.active_days}


Goal = ConversionGoal | ChurnGoal


def goal_from_dict(data: Mapping[str, Any]) -> Goal:
    """Rebuild a goal from ``to_dict`` output (raises ValueError on bad data)."""
    kind = data.get("kind")
    if kind == "conversion":
        return ConversionGoal(
            event_type=data.get("eventType"),
            stage=data.get("stage"),
            horizon_days=int(data.get("horizonDays", 30)),
        )
    if kind == "churn":
        return ChurnGoal(
            quiet_days=int(data.get("quietDays", 30)),
            active_days=int(data.get("activeDays", 14)),
        )
    raise ValueError(f"unknown goal kind {kind!r}")


def conversion_time(
    events: Iterable[HistoryEvent],
    goal: ConversionGoal,
    rules: Mapping[str, Rule],
    thresholds: StageThresholds,
) -> datetime | None:
    """Return when the lead first converted (None if it never did)."""
    ordered = in_order(events)
    if goal.event_type is not None:
        return next((e.timestamp for e in ordered if e.event_type == goal.event_type), None)
    assert goal.stage is not None  # ConversionGoal guarantees one of the two
    target = STAGES.index(goal.stage)
    facts = [EventFact(e.event_id, e.event_type, e.timestamp) for e in ordered]
    for change in fold(0, facts, rules):
        if STAGES.index(stage_for(change.new_score, thresholds)) >= target:
            return change.timestamp
    return None


@dataclass(frozen=True, slots=True)
class Timeline:
    """What labels need of a lead: its event times in order and when it converted."""

    times: tuple[datetime, ...]
    converted_at: datetime | None = None


def timeline(
    events: Sequence[HistoryEvent],
    goal: Goal,
    rules: Mapping[str, Rule],
    thresholds: StageThresholds,
) -> Timeline:
    """Extract a lead's timeline for a goal."""
    times = tuple(sorted(e.timestamp for e in events))
    if isinstance(goal, ChurnGoal):
        return Timeline(times)
    return Timeline(times, conversion_time(events, goal, rules, thresholds))


def _conversion_label(goal: ConversionGoal, line: Timeline, at: datetime) -> bool | None:
    if not line.times or line.times[0] >= at:
        return None  # the lead did not exist yet
    if line.converted_at is not None and line.converted_at < at:
        return None  # already converted: nothing left to predict
    return line.converted_at is not None and line.converted_at < at + goal.horizon


def _churn_label(goal: ChurnGoal, line: Timeline, at: datetime) -> bool | None:
    before = [t for t in line.times if t < at]
    if not before or at - before[-1] > timedelta(days=goal.active_days):
        return None  # not active: cannot go quiet
    return not any(at <= t < at + goal.horizon for t in line.times)


def label(goal: Goal, line: Timeline, at: datetime) -> bool | None:
    """Return the lead's label at snapshot ``at``, or None when it is not eligible."""
    require_aware(at, "at")
    if isinstance(goal, ChurnGoal):
        return _churn_label(goal, line, at)
    return _conversion_label(goal, line, at)


@dataclass(frozen=True, slots=True)
class SnapshotPlan:
    """How snapshot dates are laid out (see the module docstring)."""

    step_days: int = 7
    warmup_days: int = 7
    test_fraction: float = 0.25

    def __post_init__(self) -> None:
        _check_days("step_days", self.step_days)
        if not 0 <= self.warmup_days <= MAX_HORIZON_DAYS:
            raise ValueError(f"warmup_days must be between 0 and {MAX_HORIZON_DAYS}")
        if not 0 < self.test_fraction < 1:
            raise ValueError("test_fraction must be in (0, 1)")


@dataclass(frozen=True, slots=True)
class TimeSplit:
    """Snapshot dates for training and for the held-out test period, oldest first."""

    train: tuple[datetime, ...]
    test: tuple[datetime, ...]


def time_split(
    *, data_start: datetime, as_of: datetime, horizon: timedelta, plan: SnapshotPlan
) -> TimeSplit:
    """Lay out the snapshot grid and split it by time with a horizon-long embargo."""
    require_aware(data_start, "data_start")
    require_aware(as_of, "as_of")
    first = data_start + timedelta(days=plan.warmup_days)
    step = timedelta(days=plan.step_days)
    newest = as_of - horizon
    dates: list[datetime] = []
    while newest - len(dates) * step >= first:
        dates.append(newest - len(dates) * step)
    dates.reverse()
    if not dates:
        return TimeSplit((), ())
    n_test = max(1, math.ceil(len(dates) * plan.test_fraction))
    test = tuple(dates[-n_test:])
    train = tuple(d for d in dates if d + horizon <= test[0])
    return TimeSplit(train, test)
