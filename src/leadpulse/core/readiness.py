"""Whether a project's data is enough to learn from, and what the model card warns about.

Refusals (training stops; ``leadpulse.predictive.errors.TrainingRefused`` carries the reason):

- ``no_goal``: no conversion goal is configured;
- ``window_too_short``: the data does not span ``warmup + 2 x horizon`` (no training date
  remains once the test period and its embargo are set aside);
- ``too_few_leads``: fewer than ``Minimums.leads`` (200) distinct leads in the snapshots;
- ``too_few_positives`` / ``too_few_negatives``: fewer than 25 training rows or 5 held-out
  rows of a class. A class that (almost) never happens cannot be learned, and a held-out
  period without it has no AUC.

Warnings (training goes on, the card shows them): fewer than 100 positive training rows
(small data), a minority class under 5 % of the training rows (one class dominates: the
model mostly learns the base rate), fewer than 30 positive held-out rows (held-out metrics
are noisy) and fewer than 1,000 leads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RefusalReason = Literal[
    "no_goal", "window_too_short", "too_few_leads", "too_few_positives", "too_few_negatives"
]

WARN_TRAIN_POSITIVES = 100
WARN_MINORITY_SHARE = 0.05
WARN_TEST_POSITIVES = 30
WARN_LEADS = 1_000


@dataclass(frozen=True, slots=True)
class Minimums:
    """Below these counts training is refused."""

    leads: int = 200
    train_positives: int = 25
    train_negatives: int = 25
    test_positives: int = 5
    test_negatives: int = 5


@dataclass(frozen=True, slots=True)
class ClassCounts:
    """How many leads and rows of each class the snapshots produced."""

    leads: int
    train_positives: int
    train_negatives: int
    test_positives: int
    test_negatives: int

    @property
    def train_rows(self) -> int:
        """Rows in the training period."""
        return self.train_positives + self.train_negatives

    @property
    def test_rows(self) -> int:
        """Rows in the held-out period."""
        return self.test_positives + self.test_negatives


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why training cannot go ahead."""

    reason: RefusalReason
    detail: str


def no_goal() -> Refusal:
    """Refuse: nothing says what converting means."""
    return Refusal("no_goal", "no conversion event or stage is configured for this project")


def window_too_short(*, span_days: float, needed_days: int) -> Refusal:
    """Refuse: the data is too short for a training period, an embargo and a test period."""
    return Refusal(
        "window_too_short",
        f"the events span {span_days:.0f} days; at least {needed_days} are needed "
        "(warm-up + one horizon to train + one horizon to test)",
    )


def check_counts(counts: ClassCounts, minimums: Minimums) -> Refusal | None:
    """Return the first refusal the counts call for, or None when training may go ahead."""
    if counts.leads < minimums.leads:
        return Refusal(
            "too_few_leads", f"{counts.leads} leads have snapshots; {minimums.leads} are needed"
        )
    c, m = counts, minimums
    checks: tuple[tuple[RefusalReason, str, int, int], ...] = (
        ("too_few_positives", "positive training", c.train_positives, m.train_positives),
        ("too_few_positives", "positive held-out", c.test_positives, m.test_positives),
        ("too_few_negatives", "negative training", c.train_negatives, m.train_negatives),
        ("too_few_negatives", "negative held-out", c.test_negatives, m.test_negatives),
    )
    for reason, what, have, need in checks:
        if have < need:
            return Refusal(reason, f"{have} {what} snapshots; {need} are needed")
    return None


def warnings(counts: ClassCounts) -> tuple[str, ...]:
    """Return the model card's data warnings (empty when the data looks sound)."""
    found: list[str] = []
    if counts.train_positives < WARN_TRAIN_POSITIVES:
        found.append(
            f"small data: only {counts.train_positives} positive training snapshots "
            f"(under {WARN_TRAIN_POSITIVES}); coefficients are uncertain"
        )
    minority = min(counts.train_positives, counts.train_negatives)
    if counts.train_rows and minority / counts.train_rows < WARN_MINORITY_SHARE:
        found.append(
            f"one class dominates: the rarer class is {minority / counts.train_rows:.1%} of "
            "training snapshots"
        )
    if counts.test_positives < WARN_TEST_POSITIVES:
        found.append(
            f"held-out metrics are noisy: only {counts.test_positives} positive test snapshots"
        )
    if counts.leads < WARN_LEADS:
        found.append(f"few leads: {counts.leads} (under {WARN_LEADS:,})")
    return tuple(found)
