"""The model card: what a model was trained on and how well it does on the held-out period.

Everything is plain data (``to_dict()`` is JSON-ready; no numpy types leak out), so the later
API can store and serve it as it is. Metrics of the learned model stand next to two
baselines computed on the same held-out rows, each oriented so that higher means "more
likely the target": for conversion, the current rule score and ``1 - churn formula``; for
churn, the churn formula and the negated rule score. ROC AUC of 0.5 is chance; PR AUC is
to be read against the held-out positive rate (the PR AUC of a random ranking).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from leadpulse.core.likelihood import Direction, Target


@dataclass(frozen=True, slots=True)
class Metrics:
    """Ranking quality on the held-out period."""

    roc_auc: float
    pr_auc: float


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    """One bin of held-out rows by predicted likelihood: mean prediction vs observed rate."""

    predicted: float
    observed: float
    rows: int


@dataclass(frozen=True, slots=True)
class LiftPoint:
    """The top ``share`` of held-out rows by likelihood: positives captured and lift."""

    share: float
    captured: float  # share of all held-out positives found in the top rows
    lift: float  # positive rate in the top rows / overall positive rate


@dataclass(frozen=True, slots=True)
class FeatureWeight:
    """A feature's coefficient on the standardised scale (log-odds per standard deviation)."""

    feature: str
    coefficient: float
    odds_ratio: float
    direction: Direction


@dataclass(frozen=True, slots=True)
class Period:
    """A run of snapshot dates and the rows they produced."""

    first_snapshot: datetime
    last_snapshot: datetime
    snapshots: int
    rows: int
    positives: int

    @property
    def positive_rate(self) -> float:
        """Share of rows labelled positive."""
        return self.positives / self.rows if self.rows else 0.0


@dataclass(frozen=True, slots=True)
class ModelCard:
    """Training window, class balance, held-out metrics vs baselines, and warnings."""

    target: Target
    goal: dict[str, Any]
    as_of: datetime
    horizon_days: int
    leads: int
    train: Period
    test: Period
    metrics: dict[str, Metrics]
    calibration: tuple[CalibrationBin, ...]
    lift: tuple[LiftPoint, ...]
    top_features: tuple[FeatureWeight, ...]
    warnings: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the card as JSON-ready data (datetimes as ISO 8601 strings)."""
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        for period in ("train", "test"):
            data[period]["positive_rate"] = getattr(self, period).positive_rate
            for key in ("first_snapshot", "last_snapshot"):
                data[period][key] = data[period][key].isoformat()
        return data
