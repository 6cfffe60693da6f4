"""Training on a generated project: the learned model must beat the rules, honestly."""

from __future__ import annotations

import dataclasses
import json
import statistics
from datetime import timedelta

import numpy as np
import pytest

from leadpulse.core.features import LeadHistory, feature_vector
from leadpulse.core.likelihood import LinearModel, churn_estimate, explain, likelihood
from leadpulse.core.rules import default_rules
from leadpulse.core.suggest import suggest_rules
from leadpulse.core.targets import ChurnGoal, ConversionGoal
from leadpulse.predictive.dataset import Dataset
from leadpulse.predictive.fitting import predict
from leadpulse.predictive.options import TrainingOptions, TrainingTask
from leadpulse.predictive.pipeline import TrainingResult, fit_and_evaluate, prepare, train_model
from leadpulse.synthetic.generator import SyntheticSpec, histories

PROJECT = SyntheticSpec(leads=2_000, days=120, seed=11)
SIGNED = ConversionGoal(event_type="contract_signed", horizon_days=30)
RULES = default_rules()
TASK = TrainingTask(goal=SIGNED, rules=RULES, as_of=PROJECT.end)
INFORMATIVE = ("demo_request", "pricing_page_visit", "feature_comparison")
MISLEADING = ("page_view", "blog_read", "case_study_view", "webinar_attendance")


@pytest.fixture(scope="module")
def leads() -> list[LeadHistory]:
    return list(histories(PROJECT))


@pytest.fixture(scope="module")
def progress_log() -> list[tuple[str, int, int]]:
    return []


@pytest.fixture(scope="module")
def dataset(leads: list[LeadHistory], progress_log: list[tuple[str, int, int]]) -> Dataset:
    def record(phase: str, done: int, total: int) -> None:
        progress_log.append((phase, done, total))

    return prepare(lambda: leads, TASK, progress=record)


@pytest.fixture(scope="module")
def trained(dataset: Dataset, progress_log: list[tuple[str, int, int]]) -> TrainingResult:
    def record(phase: str, done: int, total: int) -> None:
        progress_log.append((phase, done, total))

    return fit_and_evaluate(dataset, TASK, progress=record)


def test_the_learned_model_beats_the_default_rules_on_the_held_out_period(
    trained: TrainingResult,
) -> None:
    metrics = trained.card.metrics
    assert metrics["model"].roc_auc >= metrics["rule_score"].roc_auc + 0.05
    assert metrics["model"].pr_auc > metrics["rule_score"].pr_auc


def test_with_shuffled_labels_the_model_is_no_better_than_chance(dataset: Dataset) -> None:
    rng = np.random.default_rng(2026)
    aucs = []
    for _ in range(5):
        shuffled = dataclasses.replace(
            dataset,
            train=dataclasses.replace(dataset.train, y=rng.permutation(dataset.train.y)),
            test=dataclasses.replace(dataset.test, y=rng.permutation(dataset.test.y)),
        )
        aucs.append(fit_and_evaluate(shuffled, TASK).card.metrics["model"].roc_auc)
    assert statistics.mean(aucs) == pytest.approx(0.5, abs=0.06)


def test_training_and_held_out_periods_are_split_by_time_with_an_embargo(
    trained: TrainingResult,
) -> None:
    card = trained.card
    horizon = timedelta(days=card.horizon_days)
    assert card.train.last_snapshot + horizon <= card.test.first_snapshot
    assert card.test.last_snapshot + horizon <= card.as_of


def test_the_card_reports_balance_calibration_lift_and_baselines(
    trained: TrainingResult,
) -> None:
    card = trained.card
    assert set(card.metrics) == {"model", "rule_score", "churn_formula"}
    assert 0 < card.train.positive_rate < 0.5 and 0 < card.test.positive_rate < 0.5
    assert sum(b.rows for b in card.calibration) == card.test.rows
    observed = sum(b.observed * b.rows for b in card.calibration) / card.test.rows
    assert observed == pytest.approx(card.test.positive_rate)
    assert [p.share for p in card.lift] == [0.1, 0.2, 0.3]
    captured = [p.captured for p in card.lift]
    assert captured == sorted(captured) and 0 < captured[0] <= 1
    assert card.lift[0].lift > 2
    assert all((w.coefficient > 0) == (w.direction == "raises") for w in card.top_features)
    assert card.warnings == ()
    json.dumps(card.to_dict())


def test_calibration_follows_the_observed_rate(trained: TrainingResult) -> None:
    top, bottom = trained.card.calibration[-1], trained.card.calibration[0]
    assert top.observed > 5 * max(bottom.observed, 0.01)
    assert abs(top.predicted - top.observed) < 0.15


def test_suggested_points_reward_informative_events_over_misleading_ones(
    trained: TrainingResult,
) -> None:
    draft = suggest_rules(trained.model, {r.event_type: r.points for r in RULES}).points()
    assert min(draft[t] for t in INFORMATIVE) > max(draft[t] for t in MISLEADING)
    assert draft["webinar_attendance"] < 10 < 25  # 25 by default, though it is noise
    assert draft["unsubscribe"] < 0
    assert draft["contract_signed"] == 100  # the goal event keeps its points


def test_the_stored_artifact_scores_like_the_training_pipeline(
    trained: TrainingResult, dataset: Dataset
) -> None:
    model = LinearModel.from_dict(json.loads(json.dumps(trained.model.to_dict())))
    scaled = dataset.test.x[:200]
    raw = scaled.astype(np.float64) * np.array(model.scales) + np.array(model.means)
    expected = predict(model, scaled)
    actual = [likelihood(model, tuple(row)) for row in raw]
    assert actual == pytest.approx(list(expected), abs=1e-5)
    assert model.metadata["heldOutRocAuc"] == trained.card.metrics["model"].roc_auc


def test_one_lead_gets_a_likelihood_and_its_three_strongest_reasons(
    trained: TrainingResult, leads: list[LeadHistory]
) -> None:
    vector = feature_vector(leads[0], PROJECT.end, trained.model.spec)
    assert 0.0 <= likelihood(trained.model, vector) <= 1.0
    drivers = explain(trained.model, vector)
    assert len(drivers) == 3
    assert [abs(d.contribution) for d in drivers] == sorted(
        (abs(d.contribution) for d in drivers), reverse=True
    )


def test_progress_is_reported_for_every_phase_in_order(
    trained: TrainingResult, progress_log: list[tuple[str, int, int]]
) -> None:
    phases = list(dict.fromkeys(phase for phase, _, _ in progress_log))
    assert phases == ["summarise", "features", "fit", "evaluate"]
    last_features = [entry for entry in progress_log if entry[0] == "features"][-1]
    assert last_features == ("features", PROJECT.leads, PROJECT.leads)
    assert progress_log[-1] == ("evaluate", 1, 1)


def test_the_learned_churn_model_beats_the_old_fixed_formula(leads: list[LeadHistory]) -> None:
    goal = ChurnGoal(quiet_days=14, active_days=14)
    result = train_model(lambda: leads, dataclasses.replace(TASK, goal=goal))
    metrics = result.card.metrics
    assert result.card.target == "churn"
    assert metrics["model"].roc_auc > metrics["churn_formula"].roc_auc
    vector = feature_vector(leads[1], PROJECT.end, result.model.spec)
    assert churn_estimate(result.model, vector, formula=0.5).source == "learned"


def test_a_stage_goal_trains_too(leads: list[LeadHistory]) -> None:
    goal = ConversionGoal(stage="qualified", horizon_days=30)
    result = train_model(lambda: leads, dataclasses.replace(TASK, goal=goal))
    assert result.card.goal["stage"] == "qualified"
    assert result.card.metrics["model"].roc_auc > 0.6


def test_a_gradient_boosting_challenger_can_be_reported_next_to_the_model(
    dataset: Dataset,
) -> None:
    task = dataclasses.replace(TASK, options=TrainingOptions(challenger=True))
    metrics = fit_and_evaluate(dataset, task).card.metrics
    assert set(metrics) == {"model", "rule_score", "churn_formula", "gradient_boosting"}
    assert metrics["gradient_boosting"].roc_auc > metrics["rule_score"].roc_auc
