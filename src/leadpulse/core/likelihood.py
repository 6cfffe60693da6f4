"""A learned linear model as plain data, and a lead's likelihood from it by plain arithmetic.

The artifact holds, per feature (``FeatureSpec.names()`` order), the training mean, the scale
(the training standard deviation; 1 for a constant feature) and the coefficient on the
standardised feature; an intercept; the feature spec (vocabulary, the rules behind the
rule-score feature, windows); the goal; and metadata. Scoring needs no library:

    z_i        = (x_i - mean_i) / scale_i
    log_odds   = intercept + sum_i coef_i * z_i
    likelihood = 1 / (1 + exp(-log_odds))            in [0, 1]

Explanation: ``contribution_i = coef_i * z_i`` is what feature i adds to the log-odds compared
with the average training snapshot (z = 0). ``explain`` returns the features with the largest
absolute contributions and whether each raises or lowers the likelihood.

Churn: ``churn_estimate`` uses a learned churn model when there is one, and otherwise the old
fixed formula (``core.intelligence.churn_probability``), labelled as the fallback it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from leadpulse.core.features import FeatureSpec
from leadpulse.core.targets import ChurnGoal, Goal, goal_from_dict

FORMAT = "leadpulse.linear-model/1"
Direction = Literal["raises", "lowers"]
Target = Literal["conversion", "churn"]


def _finite(name: str, values: Sequence[float]) -> None:
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"{name} must be finite numbers")


@dataclass(frozen=True, slots=True)
class LinearModel:
    """A standardised logistic model over a feature spec (JSON-serialisable)."""

    goal: Goal
    spec: FeatureSpec
    means: tuple[float, ...]
    scales: tuple[float, ...]
    coefficients: tuple[float, ...]
    intercept: float
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.spec.names())
        if not len(self.means) == len(self.scales) == len(self.coefficients) == n:
            raise ValueError(f"means, scales and coefficients must each have {n} values")
        for name, values in (("means", self.means), ("coefficients", self.coefficients)):
            _finite(name, values)
        _finite("intercept", (self.intercept,))
        if not all(math.isfinite(s) and s > 0 for s in self.scales):
            raise ValueError("scales must be positive finite numbers")

    @property
    def target(self) -> Target:
        """What the model predicts."""
        return "churn" if isinstance(self.goal, ChurnGoal) else "conversion"

    @property
    def feature_names(self) -> tuple[str, ...]:
        """Feature names in vector order."""
        return self.spec.names()

    def to_dict(self) -> dict[str, Any]:
        """Return the artifact as JSON-ready data."""
        return {
            "format": FORMAT,
            "goal": self.goal.to_dict(),
            "spec": self.spec.to_dict(),
            "features": [
                {"name": name, "mean": m, "scale": s, "coefficient": c}
                for name, m, s, c in zip(
                    self.feature_names, self.means, self.scales, self.coefficients, strict=True
                )
            ],
            "intercept": self.intercept,
            "metadata": dict(self.metadata),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LinearModel:
        """Rebuild a model from ``to_dict`` output (raises ValueError on bad data)."""
        if data.get("format") != FORMAT:
            raise ValueError(f"unsupported model format {data.get('format')!r}")
        spec = FeatureSpec.from_dict(data["spec"])
        features = list(data["features"])
        if [f["name"] for f in features] != list(spec.names()):
            raise ValueError("feature names do not match the spec")
        return cls(
            goal=goal_from_dict(data["goal"]),
            spec=spec,
            means=tuple(float(f["mean"]) for f in features),
            scales=tuple(float(f["scale"]) for f in features),
            coefficients=tuple(float(f["coefficient"]) for f in features),
            intercept=float(data["intercept"]),
            metadata=dict(data.get("metadata", {})),
        )


@dataclass(frozen=True, slots=True)
class Driver:
    """One feature's pull on a lead's likelihood."""

    feature: str
    value: float
    contribution: float
    direction: Direction


@dataclass(frozen=True, slots=True)
class ChurnEstimate:
    """A churn probability and where it comes from."""

    probability: float
    source: Literal["learned", "formula"]


def sigmoid(x: float) -> float:
    """Return 1 / (1 + exp(-x)) without overflow."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def contributions(model: LinearModel, vector: Sequence[float]) -> tuple[float, ...]:
    """Return each feature's log-odds contribution relative to the average snapshot."""
    if len(vector) != len(model.coefficients):
        raise ValueError(f"expected {len(model.coefficients)} features, got {len(vector)}")
    return tuple(
        c * (x - m) / s
        for x, m, s, c in zip(vector, model.means, model.scales, model.coefficients, strict=True)
    )


def log_odds(model: LinearModel, vector: Sequence[float]) -> float:
    """Return the model's log-odds for a feature vector."""
    return model.intercept + math.fsum(contributions(model, vector))


def likelihood(model: LinearModel, vector: Sequence[float]) -> float:
    """Return the 0-1 likelihood the model gives a feature vector."""
    return sigmoid(log_odds(model, vector))


def explain(model: LinearModel, vector: Sequence[float], top: int = 3) -> tuple[Driver, ...]:
    """Return the ``top`` features that move this vector's likelihood most, strongest first."""
    parts = contributions(model, vector)
    order = sorted(range(len(parts)), key=lambda i: (-abs(parts[i]), model.feature_names[i]))
    return tuple(
        Driver(
            feature=model.feature_names[i],
            value=vector[i],
            contribution=parts[i],
            direction="raises" if parts[i] > 0 else "lowers",
        )
        for i in order[:top]
        if parts[i] != 0
    )


def churn_estimate(
    model: LinearModel | None, vector: Sequence[float] | None, *, formula: float
) -> ChurnEstimate:
    """Use the learned churn model when there is one; otherwise the labelled old formula."""
    if model is None or vector is None or model.target != "churn":
        return ChurnEstimate(probability=formula, source="formula")
    return ChurnEstimate(probability=likelihood(model, vector), source="learned")
