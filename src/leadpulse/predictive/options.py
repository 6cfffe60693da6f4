"""What to train (``TrainingTask``) and how (``TrainingOptions``: defaults and their reasons).

- Snapshots: the weekly grid of ``core.targets.time_split`` (7-day step, 7-day warm-up, the
  newest quarter held out, a horizon-long embargo between the periods).
- Rows per lead: each lead contributes at most ``train_per_lead`` (2) training snapshots and
  ``test_per_lead`` (1) held-out snapshot, picked among its eligible dates by a stable hash
  of (lead key, date) - independent of the label, so the sample stays unbiased. Capping rows
  per lead keeps busy long-lived leads from dominating, keeps rows nearly independent, and
  bounds memory at ``leads x 3`` rows whatever the project's history length.
- Vocabulary: the 20 most frequent event types with at least 20 events (the goal's own event
  type excluded): rarer types cannot get a stable coefficient.
- Model: L2-regularised logistic regression (lbfgs) on standardised features with
  ``C = 0.1`` - strong enough that 60-odd correlated count features do not trade huge
  opposite coefficients (which would make the explanation and the suggested points
  meaningless) and that a small project is not overfitted, weak enough not to flatten real
  effects once there are a few hundred positives. No class weights: the likelihood must stay
  a calibrated probability. ``challenger=True`` also fits a histogram gradient boosting model
  and reports its held-out metrics on the card, for comparison only (the stored artifact
  stays linear, so scoring remains plain arithmetic).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from leadpulse.core.readiness import Minimums
from leadpulse.core.rules import Rule
from leadpulse.core.stages import DEFAULT_THRESHOLDS, StageThresholds
from leadpulse.core.targets import Goal, SnapshotPlan
from leadpulse.core.timeutil import require_aware


@dataclass(frozen=True, slots=True)
class TrainingOptions:
    """How to sample snapshots and fit the model."""

    plan: SnapshotPlan = field(default_factory=SnapshotPlan)
    minimums: Minimums = field(default_factory=Minimums)
    train_per_lead: int = 2
    test_per_lead: int = 1
    max_event_types: int = 20
    min_type_count: int = 20
    vocabulary: tuple[str, ...] | None = None
    regularisation: float = 0.1
    max_iter: int = 500
    challenger: bool = False

    def __post_init__(self) -> None:
        if self.train_per_lead < 1 or self.test_per_lead < 1:
            raise ValueError("train_per_lead and test_per_lead must be at least 1")
        if self.regularisation <= 0:
            raise ValueError("regularisation (C) must be positive")
        if self.max_event_types < 1 or self.min_type_count < 1:
            raise ValueError("max_event_types and min_type_count must be at least 1")


@dataclass(frozen=True, slots=True)
class TrainingTask:
    """What to train: the goal (None while the project has none), the project's rules and
    stage thresholds, the time the data runs up to, and the settings."""

    goal: Goal | None
    rules: tuple[Rule, ...]
    as_of: datetime
    thresholds: StageThresholds = DEFAULT_THRESHOLDS
    options: TrainingOptions = field(default_factory=TrainingOptions)

    def __post_init__(self) -> None:
        require_aware(self.as_of, "as_of")
