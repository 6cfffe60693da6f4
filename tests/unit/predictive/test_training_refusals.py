"""Training refuses, with a typed reason, when the data cannot support a model."""

from __future__ import annotations

import subprocess
import sys

import pytest

from leadpulse.core.readiness import Minimums
from leadpulse.core.rules import default_rules
from leadpulse.core.targets import ConversionGoal, Goal
from leadpulse.errors import LeadPulseError
from leadpulse.predictive.errors import TrainingRefused
from leadpulse.predictive.options import TrainingOptions, TrainingTask
from leadpulse.predictive.pipeline import train_model
from leadpulse.synthetic.generator import SyntheticSpec, histories

SIGNED = ConversionGoal(event_type="contract_signed", horizon_days=30)


def refusal(
    spec: SyntheticSpec, goal: Goal | None = SIGNED, options: TrainingOptions | None = None
) -> TrainingRefused:
    leads = list(histories(spec))
    with pytest.raises(TrainingRefused) as caught:
        task = TrainingTask(goal, default_rules(), spec.end, options=options or TrainingOptions())
        train_model(lambda: leads, task)
    return caught.value


def test_no_conversion_goal_is_refused_as_a_422_domain_error() -> None:
    error = refusal(SyntheticSpec(leads=10, days=10), goal=None)
    assert error.reason == "no_goal"
    assert isinstance(error, LeadPulseError) and error.status == 422
    assert "no conversion event" in error.detail


def test_history_shorter_than_two_horizons_is_refused() -> None:
    error = refusal(SyntheticSpec(leads=300, days=50))
    assert error.reason == "window_too_short"
    assert "67 are needed" in error.detail


def test_a_project_without_events_is_refused() -> None:
    assert refusal(SyntheticSpec(leads=0, days=120)).reason == "window_too_short"


def test_too_few_leads_are_refused() -> None:
    error = refusal(SyntheticSpec(leads=120, days=120))
    assert error.reason == "too_few_leads"
    assert "200 are needed" in error.detail


def test_a_goal_event_that_never_happens_is_refused_for_lack_of_positives() -> None:
    goal = ConversionGoal(event_type="contract_renewed", horizon_days=30)
    error = refusal(SyntheticSpec(leads=600, days=120), goal=goal)
    assert error.reason == "too_few_positives"


def test_too_few_negatives_are_refused() -> None:
    options = TrainingOptions(minimums=Minimums(train_negatives=1_000_000))
    error = refusal(SyntheticSpec(leads=600, days=120), options=options)
    assert error.reason == "too_few_negatives"


def test_importing_the_predictive_entry_points_loads_neither_numpy_nor_sklearn() -> None:
    code = (
        "import sys\n"
        "import leadpulse.api.app, leadpulse.predictive.pipeline, leadpulse.predictive.card\n"
        "import leadpulse.core.likelihood, leadpulse.core.suggest, leadpulse.synthetic.generator\n"
        "print(sorted(m for m in ('numpy', 'scipy', 'sklearn') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
