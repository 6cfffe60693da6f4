"""Suggested rule points from a learned conversion model: a draft to review, never applied.

A rule's points last, while the model's count features only see an event for as long as it
stays in a window. So the effect of an event type is the model's log-odds lift from one more
such event, *averaged over the longest window* ``H`` (30 days) after it happens: the event
sits in the w-day window for ``min(w, H) / H`` of that time. Each step is taken at the typical
count of the training data (a finite difference at the mean):

    typical count in window w:  c = expm1(mean of log1p(count))
    feature step:               step_w(c) = log1p(c + 1) - log1p(c)
    effect(type) = sum_w min(w, H) / H * (coef(count_w:type) / scale * step_w(c_type)
                                         + coef(events_w) / scale * step_w(c_all))

The ``events_w`` part (any event also counts as activity) is shared by every type. The time
weighting also keeps the short windows, whose scales are tiny for rare types, from turning
small noisy coefficients into huge effects. The rule-score feature is left out: it is itself
made of points, so counting it would be circular.

``points = round_half_up(effect * P)`` with one scale ``P`` (points per unit of log-odds), set
so that the strongest positive type gets ``anchor`` points: by default the largest positive
points among the current rules other than the goal event's (50 for the default rules, the
demo request), so the draft keeps the project's scale and its stage thresholds stay
meaningful; 50 without such a rule. Points are clamped to the rule API's bounds
(``|points| <= core.rules.MAX_POINTS``). An effect under ``MIN_EFFECT`` log-odds (about 5 % on
the odds) becomes 0 points: no measurable effect. The goal's own event type keeps its current
points (a model cannot learn from the event it predicts), and current rules for event types
the model did not see are kept as they are, each with a rationale saying so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from leadpulse.core.likelihood import LinearModel
from leadpulse.core.rules import MAX_POINTS
from leadpulse.core.targets import ConversionGoal

MIN_EFFECT = 0.05
DEFAULT_ANCHOR = 50


@dataclass(frozen=True, slots=True)
class DraftRule:
    """A suggested rule: points for one event type, and why."""

    event_type: str
    points: int
    current_points: int | None
    effect: float | None
    rationale: str


@dataclass(frozen=True, slots=True)
class DraftRuleSet:
    """A draft rule set (event type -> points) with one rationale per rule."""

    rules: tuple[DraftRule, ...]
    points_per_log_odds: float

    def points(self) -> dict[str, int]:
        """Return event type -> suggested points."""
        return {rule.event_type: rule.points for rule in self.rules}


def _step(mean_log_count: float) -> float:
    typical = max(0.0, math.expm1(mean_log_count))
    return math.log1p(typical + 1) - math.log1p(typical)


def _weight(model: LinearModel, name: str, share: float) -> float:
    i = model.feature_names.index(name)
    return share * model.coefficients[i] / model.scales[i] * _step(model.means[i])


def event_effects(model: LinearModel) -> dict[str, float]:
    """Return each vocabulary type's averaged log-odds effect (see the module docstring)."""
    windows = model.spec.windows_days
    shares = {w: min(w, windows[-1]) / windows[-1] for w in windows}
    shared = sum(_weight(model, f"events_{w}d", shares[w]) for w in windows)
    return {
        t: shared + sum(_weight(model, f"count_{w}d:{t}", shares[w]) for w in windows)
        for t in model.spec.vocabulary
    }


def _round(value: float) -> int:
    rounded = int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return max(-MAX_POINTS, min(MAX_POINTS, rounded))


def _anchor(current: Mapping[str, int], goal_event: str | None) -> int:
    positives = [p for t, p in current.items() if p > 0 and t != goal_event]
    return min(MAX_POINTS, max(positives, default=DEFAULT_ANCHOR))


def _scale(effects: Mapping[str, float], anchor: int) -> float:
    strongest = max((e for e in effects.values() if e > 0), default=0.0)
    if strongest < MIN_EFFECT:
        strongest = max((abs(e) for e in effects.values()), default=0.0)
    return anchor / strongest if strongest >= MIN_EFFECT else 0.0


def _learned(t: str, effect: float, scale: float, current: int | None, goal: str) -> DraftRule:
    now = "no rule" if current is None else f"{current} now"
    if abs(effect) < MIN_EFFECT:
        return DraftRule(t, 0, current, effect, f"no measurable effect on {goal} ({now})")
    points = _round(effect * scale)
    verb = "raises" if effect > 0 else "lowers"
    return DraftRule(
        t,
        points,
        current,
        effect,
        f"one more {t} {verb} the odds of {goal} by x{math.exp(effect):.2f} on average "
        f"over the following month, for a typical lead ({now})",
    )


def suggest_rules(
    model: LinearModel, current: Mapping[str, int], *, anchor: int | None = None
) -> DraftRuleSet:
    """Turn a conversion model's coefficients into a draft rule set (event type -> points)."""
    if not isinstance(model.goal, ConversionGoal):
        raise ValueError("rule points can only be suggested from a conversion model")
    if anchor is not None and not 0 < anchor <= MAX_POINTS:
        raise ValueError(f"anchor must be between 1 and {MAX_POINTS} points")
    goal_event = model.goal.event_type
    effects = event_effects(model)
    scale = _scale(effects, anchor if anchor is not None else _anchor(current, goal_event))
    goal = model.goal.describe()
    drafts = [_learned(t, e, scale, current.get(t), goal) for t, e in effects.items()]
    for t in sorted(set(current) - set(effects)):
        why = (
            "the goal event itself: kept as it is"
            if t == goal_event
            else "not enough events of this type to learn from: kept as it is"
        )
        drafts.append(DraftRule(t, current[t], current[t], None, why))
    drafts.sort(key=lambda d: (-d.points, d.event_type))
    return DraftRuleSet(rules=tuple(drafts), points_per_log_odds=scale)
