"""Specification of suggested rule points from a learned model (``core.suggest``)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pytest

from leadpulse.core.features import FeatureSpec
from leadpulse.core.likelihood import LinearModel
from leadpulse.core.rules import DEFAULT_RULES, MAX_POINTS
from leadpulse.core.suggest import event_effects, suggest_rules
from leadpulse.core.targets import ChurnGoal, ConversionGoal

SPEC = FeatureSpec(
    vocabulary=(
        "demo_request",
        "pricing_page_visit",
        "webinar_attendance",
        "unsubscribe",
        "chat_started",
    )
)
NAMES = SPEC.names()
CURRENT = dict(DEFAULT_RULES)
LN2 = math.log(2)


def make_model(
    coefficients: Mapping[str, float], goal: ConversionGoal | ChurnGoal | None = None
) -> LinearModel:
    return LinearModel(
        goal=goal or ConversionGoal(event_type="contract_signed"),
        spec=SPEC,
        means=(0.0,) * len(NAMES),
        scales=(1.0,) * len(NAMES),
        coefficients=tuple(coefficients.get(n, 0.0) for n in NAMES),
        intercept=-2.0,
    )


MODEL = make_model(
    {
        "count_30d:demo_request": 1.0,
        "count_30d:pricing_page_visit": 0.5,
        "count_30d:webinar_attendance": 0.01,
        "count_30d:unsubscribe": -1.0,
        "count_30d:chat_started": 0.25,
    }
)


def test_effects_are_log_odds_of_one_more_event_at_the_typical_count() -> None:
    effects = event_effects(MODEL)
    assert effects["demo_request"] == pytest.approx(LN2)  # log1p(1) - log1p(0), scale 1
    assert effects["unsubscribe"] == pytest.approx(-LN2)


def test_short_windows_weigh_by_the_share_of_the_month_an_event_spends_in_them() -> None:
    short = make_model({"count_1d:demo_request": 1.0, "count_7d:demo_request": 1.0})
    assert event_effects(short)["demo_request"] == pytest.approx(LN2 * (1 / 30 + 7 / 30))


def test_general_activity_is_shared_by_every_event_type() -> None:
    effects = event_effects(make_model({"events_30d": 0.3}))
    assert list(effects.values()) == pytest.approx([0.3 * LN2] * len(SPEC.vocabulary))


def test_the_strongest_type_gets_the_anchor_and_the_others_scale_with_it() -> None:
    draft = suggest_rules(MODEL, CURRENT).points()
    assert draft["demo_request"] == 50  # the largest current points besides the goal event
    assert draft["pricing_page_visit"] == 25
    assert draft["chat_started"] == 13  # 12.5 rounds half up
    assert draft["unsubscribe"] == -50


def test_an_effect_too_small_to_measure_gets_zero_points() -> None:
    rule = next(
        r for r in suggest_rules(MODEL, CURRENT).rules if r.event_type == "webinar_attendance"
    )
    assert rule.points == 0
    assert rule.current_points == 25
    assert "no measurable effect" in rule.rationale


def test_the_goal_event_and_types_the_model_did_not_see_keep_their_points() -> None:
    rules = {r.event_type: r for r in suggest_rules(MODEL, CURRENT).rules}
    assert rules["contract_signed"].points == 100
    assert "goal event" in rules["contract_signed"].rationale
    assert rules["email_open"].points == 10
    assert rules["email_open"].effect is None


def test_each_rule_says_why_in_terms_of_odds() -> None:
    rule = next(r for r in suggest_rules(MODEL, CURRENT).rules if r.event_type == "demo_request")
    assert "x2.00" in rule.rationale and "contract_signed within 30 days" in rule.rationale


def test_points_stay_within_the_rule_api_bounds() -> None:
    strong = make_model({"count_30d:demo_request": 1.0, "count_30d:unsubscribe": -3.0})
    draft = suggest_rules(strong, {}, anchor=MAX_POINTS).points()
    assert draft == {
        "demo_request": MAX_POINTS,
        "unsubscribe": -MAX_POINTS,
        "pricing_page_visit": 0,
        "webinar_attendance": 0,
        "chat_started": 0,
    }


def test_without_current_rules_the_anchor_is_fifty_points() -> None:
    assert suggest_rules(MODEL, {}).points()["demo_request"] == 50


def test_the_draft_is_ordered_by_points() -> None:
    points = [r.points for r in suggest_rules(MODEL, CURRENT).rules]
    assert points == sorted(points, reverse=True)


def test_churn_models_and_bad_anchors_are_refused() -> None:
    with pytest.raises(ValueError, match="conversion"):
        suggest_rules(make_model({}, goal=ChurnGoal()), CURRENT)
    with pytest.raises(ValueError, match="anchor"):
        suggest_rules(MODEL, CURRENT, anchor=0)
