"""Held-out evaluation: ROC AUC, PR AUC, calibration and lift (imports numpy and sklearn).

- ROC AUC and PR AUC (average precision) come from ``sklearn.metrics``.
- Calibration: the held-out rows sorted by predicted likelihood and cut into ``BINS`` (10)
  bins of equal row counts (quantile bins: with a low base rate, equal-width bins would put
  nearly every row into the first one); per bin the mean prediction, the observed positive
  rate and the row count.
- Lift: for the top 10, 20 and 30 % of rows by likelihood, the share of all positives found
  there and the lift (their positive rate over the overall rate). Ties are broken by row
  order, which carries no information about the label.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import average_precision_score, roc_auc_score

from leadpulse.core.likelihood import LinearModel
from leadpulse.core.readiness import warnings
from leadpulse.core.targets import ChurnGoal
from leadpulse.predictive.card import (
    CalibrationBin,
    FeatureWeight,
    LiftPoint,
    Metrics,
    ModelCard,
    Period,
)
from leadpulse.predictive.dataset import Dataset, Labels, Split, class_counts
from leadpulse.predictive.fitting import predict

BINS = 10
LIFT_SHARES = (0.1, 0.2, 0.3)
TOP_FEATURES = 10


def metrics(y: Labels, scores: npt.NDArray[np.floating]) -> Metrics:
    """Return ROC AUC and PR AUC of scores against 0/1 labels (both classes present)."""
    return Metrics(
        roc_auc=float(roc_auc_score(y, scores)),
        pr_auc=float(average_precision_score(y, scores)),
    )


def calibration(
    y: Labels, p: npt.NDArray[np.float64], bins: int = BINS
) -> tuple[CalibrationBin, ...]:
    """Return quantile bins of predicted likelihood with the observed positive rate."""
    order = np.argsort(p, kind="stable")
    result = []
    for part in np.array_split(order, min(bins, len(order))):
        if len(part):
            result.append(
                CalibrationBin(
                    predicted=float(p[part].mean()),
                    observed=float(y[part].mean()),
                    rows=len(part),
                )
            )
    return tuple(result)


def lift(y: Labels, p: npt.NDArray[np.float64]) -> tuple[LiftPoint, ...]:
    """Return captured positives and lift for the top shares of rows by likelihood."""
    order = np.argsort(-p, kind="stable")
    positives = int(y.sum(dtype=np.int64))
    base_rate = positives / len(y) if len(y) else 0.0
    points = []
    for share in LIFT_SHARES:
        top = max(1, math.ceil(share * len(y)))
        found = int(y[order[:top]].sum(dtype=np.int64))
        points.append(
            LiftPoint(
                share=share,
                captured=found / positives if positives else 0.0,
                lift=(found / top) / base_rate if base_rate else 0.0,
            )
        )
    return tuple(points)


def top_features(model: LinearModel, k: int = TOP_FEATURES) -> tuple[FeatureWeight, ...]:
    """Return the ``k`` largest coefficients by magnitude with their direction."""
    ranked = sorted(
        zip(model.feature_names, model.coefficients, strict=True),
        key=lambda item: (-abs(item[1]), item[0]),
    )
    return tuple(
        FeatureWeight(
            feature=name,
            coefficient=coef,
            odds_ratio=math.exp(coef),
            direction="raises" if coef > 0 else "lowers",
        )
        for name, coef in ranked[:k]
    )


def baselines(dataset: Dataset) -> dict[str, npt.NDArray[np.float32]]:
    """Return the baseline scores of the held-out rows, oriented as the target."""
    rule, churn = dataset.test.rule_score, dataset.test.formula_churn
    if isinstance(dataset.goal, ChurnGoal):
        return {"churn_formula": churn, "rule_score": -rule}
    return {"rule_score": rule, "churn_formula": 1.0 - churn}


def _period(dates: tuple[datetime, ...], split: Split) -> Period:
    return Period(
        first_snapshot=dates[0],
        last_snapshot=dates[-1],
        snapshots=len(dates),
        rows=len(split.y),
        positives=split.positives,
    )


def build_card(
    model: LinearModel,
    dataset: Dataset,
    *,
    as_of: datetime,
    extra: Mapping[str, npt.NDArray[np.float64]],
    notes: tuple[str, ...],
    settings: Mapping[str, Any],
) -> ModelCard:
    """Evaluate the model on the held-out rows next to the baselines; return its card."""
    y = dataset.test.y
    p = predict(model, dataset.test.x)
    scores = {"model": metrics(y, p)}
    scores.update({name: metrics(y, s) for name, s in baselines(dataset).items()})
    scores.update({name: metrics(y, s) for name, s in extra.items()})
    counts = class_counts(dataset)
    return ModelCard(
        target=model.target,
        goal=model.goal.to_dict(),
        as_of=as_of,
        horizon_days=model.goal.horizon.days,
        leads=dataset.leads,
        train=_period(dataset.dates.train, dataset.train),
        test=_period(dataset.dates.test, dataset.test),
        metrics=scores,
        calibration=calibration(y, p),
        lift=lift(y, p),
        top_features=top_features(model),
        warnings=(*warnings(counts), *notes),
        settings=dict(settings),
    )
