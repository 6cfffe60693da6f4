"""Specification of the training minimums and model-card warnings (``core.readiness``)."""

from __future__ import annotations

import dataclasses

import pytest

from leadpulse.core.readiness import (
    ClassCounts,
    Minimums,
    check_counts,
    no_goal,
    warnings,
    window_too_short,
)

HEALTHY = ClassCounts(
    leads=5_000, train_positives=400, train_negatives=3_000, test_positives=150, test_negatives=900
)


def test_healthy_counts_train_without_warnings() -> None:
    assert check_counts(HEALTHY, Minimums()) is None
    assert warnings(HEALTHY) == ()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"leads": 199}, "too_few_leads"),
        ({"train_positives": 24}, "too_few_positives"),
        ({"test_positives": 4}, "too_few_positives"),
        ({"train_negatives": 0}, "too_few_negatives"),
        ({"test_negatives": 4}, "too_few_negatives"),
    ],
)
def test_counts_below_a_minimum_refuse_with_the_reason(change: dict[str, int], reason: str) -> None:
    refusal = check_counts(dataclasses.replace(HEALTHY, **change), Minimums())
    assert refusal is not None
    assert refusal.reason == reason
    assert str(min(change.values())) in refusal.detail


def test_too_few_leads_is_reported_before_class_counts() -> None:
    refusal = check_counts(ClassCounts(10, 0, 0, 0, 0), Minimums())
    assert refusal is not None and refusal.reason == "too_few_leads"


def test_goal_and_window_refusals_say_why() -> None:
    assert no_goal().reason == "no_goal"
    short = window_too_short(span_days=40.2, needed_days=67)
    assert short.reason == "window_too_short"
    assert "40 days" in short.detail and "67" in short.detail


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"train_positives": 60, "train_negatives": 600}, "small data"),
        ({"train_positives": 120, "train_negatives": 5_000}, "one class dominates"),
        ({"test_positives": 20}, "held-out metrics are noisy"),
        ({"leads": 600}, "few leads"),
    ],
)
def test_thin_or_lopsided_data_is_warned_about(change: dict[str, int], words: str) -> None:
    found = warnings(dataclasses.replace(HEALTHY, **change))
    assert len(found) == 1 and words in found[0]
