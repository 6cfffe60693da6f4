"""Specification of scoring with a stored linear model (``core.likelihood``)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import pytest

from leadpulse.core.features import FeatureSpec
from leadpulse.core.likelihood import (
    LinearModel,
    churn_estimate,
    explain,
    likelihood,
    log_odds,
    sigmoid,
)
from leadpulse.core.targets import ChurnGoal, ConversionGoal

SPEC = FeatureSpec(vocabulary=("pricing", "webinar"), windows_days=(7,))
NAMES = SPEC.names()
GOAL = ConversionGoal(event_type="contract_signed", horizon_days=30)


def make_model(
    coefficients: Mapping[str, float],
    *,
    means: Mapping[str, float] | None = None,
    scales: Mapping[str, float] | None = None,
    intercept: float = -1.0,
    goal: ConversionGoal | ChurnGoal = GOAL,
) -> LinearModel:
    return LinearModel(
        goal=goal,
        spec=SPEC,
        means=tuple((means or {}).get(n, 0.0) for n in NAMES),
        scales=tuple((scales or {}).get(n, 1.0) for n in NAMES),
        coefficients=tuple(coefficients.get(n, 0.0) for n in NAMES),
        intercept=intercept,
        metadata={"asOf": "2026-05-01T00:00:00+00:00"},
    )


def vector(**values: float) -> tuple[float, ...]:
    named = {k.replace("__", ":"): v for k, v in values.items()}
    return tuple(named.get(n, 0.0) for n in NAMES)


def test_likelihood_is_the_logistic_of_the_standardised_linear_score() -> None:
    model = make_model(
        {"count_7d:pricing": 2.0, "events_7d": -0.5},
        means={"count_7d:pricing": 1.0},
        scales={"count_7d:pricing": 0.5},
    )
    x = vector(count_7d__pricing=2.0, events_7d=1.0)
    expected = -1.0 + 2.0 * (2.0 - 1.0) / 0.5 - 0.5 * 1.0
    assert log_odds(model, x) == pytest.approx(expected)
    assert likelihood(model, x) == pytest.approx(1 / (1 + math.exp(-expected)))


def test_likelihood_stays_within_zero_and_one_for_extreme_scores() -> None:
    assert sigmoid(-1000.0) == 0.0
    assert sigmoid(1000.0) == 1.0
    assert sigmoid(0.0) == 0.5


def test_explain_names_the_three_strongest_pulls_with_their_direction() -> None:
    model = make_model(
        {
            "count_7d:pricing": 1.5,
            "count_7d:webinar": 0.1,
            "days_since_last_event": -1.0,
            "work_email": 0.8,
        }
    )
    x = vector(
        count_7d__pricing=1.0, count_7d__webinar=1.0, days_since_last_event=2.0, work_email=1.0
    )
    drivers = explain(model, x)
    assert [(d.feature, d.direction) for d in drivers] == [
        ("days_since_last_event", "lowers"),
        ("count_7d:pricing", "raises"),
        ("work_email", "raises"),
    ]
    assert drivers[0].contribution == pytest.approx(-2.0)
    assert drivers[0].value == 2.0


def test_explain_leaves_out_features_that_do_not_move_the_score() -> None:
    model = make_model({"count_7d:pricing": 1.0})
    assert [d.feature for d in explain(model, vector(count_7d__pricing=1.0))] == [
        "count_7d:pricing"
    ]


def test_a_vector_of_the_wrong_length_is_rejected() -> None:
    with pytest.raises(ValueError, match="features"):
        likelihood(make_model({}), (1.0, 2.0))


def test_the_artifact_round_trips_through_json() -> None:
    model = make_model({"count_7d:pricing": 1.25}, means={"rule_score": 3.5})
    data: dict[str, Any] = json.loads(json.dumps(model.to_dict()))
    assert LinearModel.from_dict(data) == model
    assert data["features"][0] == {
        "name": "count_7d:pricing",
        "mean": 0.0,
        "scale": 1.0,
        "coefficient": 1.25,
    }


def test_an_artifact_whose_features_do_not_match_its_spec_is_rejected() -> None:
    data = make_model({}).to_dict()
    data["features"] = data["features"][1:]
    with pytest.raises(ValueError, match="do not match"):
        LinearModel.from_dict(data)
    with pytest.raises(ValueError, match="format"):
        LinearModel.from_dict({**make_model({}).to_dict(), "format": "pickle"})


@pytest.mark.parametrize(
    "change",
    [{"scales": {"events_7d": 0.0}}, {"means": {"events_7d": math.nan}}, {"intercept": math.inf}],
)
def test_invalid_numbers_are_rejected(change: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        make_model({}, **change)


def test_churn_uses_the_learned_model_when_there_is_one() -> None:
    model = make_model({"days_since_last_event": 1.0}, goal=ChurnGoal(), intercept=0.0)
    estimate = churn_estimate(model, vector(days_since_last_event=1.0), formula=0.2)
    assert estimate.source == "learned"
    assert estimate.probability == pytest.approx(sigmoid(1.0))
    assert model.target == "churn"


def test_churn_falls_back_to_the_labelled_old_formula() -> None:
    assert churn_estimate(None, None, formula=0.2).source == "formula"
    conversion = make_model({})
    fallback = churn_estimate(conversion, vector(), formula=0.2)
    assert (fallback.source, fallback.probability) == ("formula", 0.2)
