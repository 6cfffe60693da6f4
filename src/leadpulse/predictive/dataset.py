"""Snapshot rows in numpy arrays, built in one streaming pass over the leads (imports numpy).

For each lead: its timeline (event times, conversion time) gives the label at every grid date
(``core.targets.label``); the eligible train and test dates are each cut down to the per-lead
cap by a stable hash of (lead key, date); only the chosen dates get a feature vector
(``core.features.snapshot``: events strictly before the date). Rows go into preallocated
float32 matrices sized ``leads x cap`` (pages never touched cost no memory), so memory is
bounded by the row count, never by the number of events.

``Dataset.standardise()`` then centres and scales both matrices in place with the training
period's mean and standard deviation (1 for a constant feature), computed in float64 over
row blocks so no float64 copy of a matrix is ever made.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from leadpulse.core.features import FeatureSpec, LeadHistory, snapshot
from leadpulse.core.readiness import ClassCounts
from leadpulse.core.rules import Rule
from leadpulse.core.stages import StageThresholds
from leadpulse.core.targets import Goal, TimeSplit, label, timeline
from leadpulse.predictive.options import TrainingOptions
from leadpulse.predictive.source import PROGRESS_EVERY, HistorySource, Progress

Matrix = npt.NDArray[np.float32]
Vector = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int8]
BLOCK_ROWS = 16_384
MIN_SCALE = 1e-9


class _Rows:
    """A growable block of snapshot rows (features, label, the two baselines)."""

    def __init__(self, capacity: int, width: int) -> None:
        capacity = max(capacity, 16)
        self.x: Matrix = np.empty((capacity, width), dtype=np.float32)
        self.y: Labels = np.empty(capacity, dtype=np.int8)
        self.rule_score: Vector = np.empty(capacity, dtype=np.float32)
        self.formula_churn: Vector = np.empty(capacity, dtype=np.float32)
        self.n = 0

    def _grow(self) -> None:
        size = 2 * len(self.y)
        self.x = np.resize(self.x, (size, self.x.shape[1]))
        self.y = np.resize(self.y, size)
        self.rule_score = np.resize(self.rule_score, size)
        self.formula_churn = np.resize(self.formula_churn, size)

    def add(self, history: LeadHistory, at: datetime, y: bool, spec: FeatureSpec) -> None:
        if self.n == len(self.y):
            self._grow()
        snap = snapshot(history, at, spec)
        self.x[self.n] = snap.vector
        self.y[self.n] = y
        self.rule_score[self.n] = snap.rule_score
        self.formula_churn[self.n] = snap.formula_churn
        self.n += 1

    def split(self) -> Split:
        n = self.n
        return Split(self.x[:n], self.y[:n], self.rule_score[:n], self.formula_churn[:n])


@dataclass(slots=True)
class Split:
    """The rows of one period: features, labels (0/1) and the baseline scores."""

    x: Matrix
    y: Labels
    rule_score: Vector
    formula_churn: Vector

    @property
    def positives(self) -> int:
        """Rows labelled 1."""
        return int(self.y.sum(dtype=np.int64))

    @property
    def negatives(self) -> int:
        """Rows labelled 0."""
        return len(self.y) - self.positives


@dataclass(slots=True)
class Dataset:
    """Training and held-out rows for one goal, and how they were laid out."""

    goal: Goal
    spec: FeatureSpec
    dates: TimeSplit
    train: Split
    test: Split
    leads: int
    means: tuple[float, ...] = field(default=())
    scales: tuple[float, ...] = field(default=())

    def standardise(self) -> None:
        """Centre and scale both periods in place with the training period's statistics."""
        if self.means:
            raise RuntimeError("the dataset is already standardised")
        mean, scale = _moments(self.train.x)
        for split in (self.train, self.test):
            for start in range(0, len(split.x), BLOCK_ROWS):
                block = split.x[start : start + BLOCK_ROWS]
                block -= mean.astype(np.float32)
                block /= scale.astype(np.float32)
        self.means = tuple(float(v) for v in mean)
        self.scales = tuple(float(v) for v in scale)


def _moments(x: Matrix) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Return column means and standard deviations in float64, block by block."""
    n = max(1, len(x))
    total = np.zeros(x.shape[1], dtype=np.float64)
    for start in range(0, len(x), BLOCK_ROWS):
        total += x[start : start + BLOCK_ROWS].sum(axis=0, dtype=np.float64)
    mean = total / n
    squares = np.zeros(x.shape[1], dtype=np.float64)
    for start in range(0, len(x), BLOCK_ROWS):
        centred = x[start : start + BLOCK_ROWS].astype(np.float64) - mean
        squares += (centred * centred).sum(axis=0)
    std = np.sqrt(squares / n)
    return mean, np.where(std > MIN_SCALE, std, 1.0)


def pick(key: str, dates: Sequence[datetime], k: int) -> list[datetime]:
    """Choose up to ``k`` dates for a lead by a stable hash (same lead, same choice)."""
    if len(dates) <= k:
        return list(dates)
    ranked = sorted(dates, key=lambda d: zlib.crc32(f"{key}|{d.isoformat()}".encode()))
    return sorted(ranked[:k])


@dataclass(frozen=True, slots=True)
class Layout:
    """Everything the streaming pass needs besides the leads."""

    goal: Goal
    spec: FeatureSpec
    dates: TimeSplit
    rules: Mapping[str, Rule]
    thresholds: StageThresholds
    options: TrainingOptions


def _eligible(layout: Layout, history: LeadHistory) -> tuple[dict[datetime, bool], ...]:
    line = timeline(history.events, layout.goal, layout.rules, layout.thresholds)
    periods = []
    for dates in (layout.dates.train, layout.dates.test):
        labels = {at: label(layout.goal, line, at) for at in dates}
        periods.append({at: y for at, y in labels.items() if y is not None})
    return tuple(periods)


def build(layout: Layout, source: HistorySource, total: int, progress: Progress) -> Dataset:
    """Stream the leads once and return their snapshot rows (not yet standardised)."""
    width = len(layout.spec.names())
    opts = layout.options
    train = _Rows(total * opts.train_per_lead, width)
    test = _Rows(total * opts.test_per_lead, width)
    leads = 0
    done = 0
    for done, history in enumerate(source(), start=1):
        train_dates, test_dates = _eligible(layout, history)
        chosen = (
            (train, train_dates, pick(history.key, list(train_dates), opts.train_per_lead)),
            (test, test_dates, pick(history.key, list(test_dates), opts.test_per_lead)),
        )
        for rows, labels, picked in chosen:
            for at in picked:
                rows.add(history, at, labels[at], layout.spec)
        leads += any(picked for _, _, picked in chosen)
        if done % PROGRESS_EVERY == 0:
            progress("features", done, total)
    progress("features", done, max(total, done))
    return Dataset(layout.goal, layout.spec, layout.dates, train.split(), test.split(), leads)


def class_counts(dataset: Dataset) -> ClassCounts:
    """Return the dataset's lead and class counts for the readiness checks."""
    return ClassCounts(
        leads=dataset.leads,
        train_positives=dataset.train.positives,
        train_negatives=dataset.train.negatives,
        test_positives=dataset.test.positives,
        test_negatives=dataset.test.negatives,
    )
