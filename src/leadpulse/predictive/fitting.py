"""Fitting on a standardised dataset with scikit-learn (imports numpy and sklearn).

The logistic regression's coefficients and intercept become a ``core.likelihood.LinearModel``
together with the dataset's scaling, so scoring a lead later needs no library. A
non-converged fit is not an error: its ``ConvergenceWarning`` is captured and returned for
the model card instead of escaping into the caller (a background job).

Both fits run with native thread pools (BLAS, OpenMP) limited to ``FIT_THREADS`` (1): training
is a background job on a machine that also serves the API and the worker, and on a busy
two-core machine OpenMP's spinning threads made the gradient boosting fit ten times slower
than one thread.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from leadpulse.core.likelihood import LinearModel
from leadpulse.predictive.dataset import BLOCK_ROWS, Dataset, Matrix
from leadpulse.predictive.options import TrainingOptions

Scores = npt.NDArray[np.float64]
CHALLENGER_ITERATIONS = 200
FIT_THREADS = 1


def fit_logistic(
    dataset: Dataset, options: TrainingOptions, metadata: Mapping[str, Any]
) -> tuple[LinearModel, tuple[str, ...]]:
    """Fit the L2 logistic regression; return the model and any fitting warnings."""
    if not dataset.means:
        raise RuntimeError("standardise the dataset before fitting")
    estimator = LogisticRegression(
        C=options.regularisation, l1_ratio=0.0, solver="lbfgs", max_iter=options.max_iter
    )
    with warnings.catch_warnings(record=True) as caught, threadpool_limits(FIT_THREADS):
        warnings.simplefilter("always", ConvergenceWarning)
        estimator.fit(dataset.train.x, dataset.train.y)
    notes = tuple(
        f"the solver did not fully converge in {options.max_iter} iterations"
        for w in caught[:1]
        if issubclass(w.category, ConvergenceWarning)
    )
    model = LinearModel(
        goal=dataset.goal,
        spec=dataset.spec,
        means=dataset.means,
        scales=dataset.scales,
        coefficients=tuple(float(c) for c in estimator.coef_[0]),
        intercept=float(estimator.intercept_[0]),
        metadata=dict(metadata),
    )
    return model, notes


def predict(model: LinearModel, x: Matrix) -> Scores:
    """Return the model's likelihood for each row of a *standardised* matrix."""
    coef = np.asarray(model.coefficients, dtype=np.float64)
    out = np.empty(len(x), dtype=np.float64)
    for start in range(0, len(x), BLOCK_ROWS):
        block = x[start : start + BLOCK_ROWS].astype(np.float64)
        z = block @ coef + model.intercept
        out[start : start + BLOCK_ROWS] = np.exp(-np.logaddexp(0.0, -z))  # stable sigmoid
    return out


def challenger_scores(dataset: Dataset) -> Scores:
    """Fit a histogram gradient boosting model on the training rows; score the held-out rows."""
    booster = HistGradientBoostingClassifier(
        max_iter=CHALLENGER_ITERATIONS, learning_rate=0.05, early_stopping=False, random_state=0
    )
    with threadpool_limits(FIT_THREADS):
        booster.fit(dataset.train.x, dataset.train.y)
        return np.asarray(booster.predict_proba(dataset.test.x)[:, 1], dtype=np.float64)
