"""Specification of scoring rules and stage thresholds."""

from __future__ import annotations

import pytest

from leadpulse.core.rules import DEFAULT_RULES, MAX_POINTS, Rule, default_rules, rule_index
from leadpulse.core.stages import (
    DEFAULT_THRESHOLDS,
    STAGES,
    Stage,
    StageThresholds,
    stage_for,
)


def test_default_rules_match_the_spec() -> None:
    assert dict(DEFAULT_RULES) == {
        "page_view": 5,
        "email_open": 10,
        "form_submit": 20,
        "signup": 20,
        "pricing_page_visit": 15,
        "download": 10,
        "webinar_attendance": 25,
        "demo_request": 50,
        "contract_signed": 100,
        "unsubscribe": -20,
    }


def test_default_rules_build_active_rule_values() -> None:
    rules = default_rules()
    assert len(rules) == len(DEFAULT_RULES)
    assert all(rule.active for rule in rules)


def test_rule_index_keeps_only_active_rules_keyed_by_event_type() -> None:
    rules = [Rule("page_view", 5, id=1), Rule("signup", 20, active=False, id=2)]
    index = rule_index(rules)
    assert list(index) == ["page_view"]
    assert index["page_view"].id == 1


@pytest.mark.parametrize("points", [MAX_POINTS, -MAX_POINTS, 0])
def test_rule_accepts_points_within_ten_thousand(points: int) -> None:
    assert Rule("x", points).points == points


@pytest.mark.parametrize("points", [MAX_POINTS + 1, -MAX_POINTS - 1])
def test_rule_rejects_points_beyond_ten_thousand(points: int) -> None:
    with pytest.raises(ValueError):
        Rule("x", points)


def test_stages_are_ordered_cold_to_qualified() -> None:
    assert STAGES == ("cold", "warm", "hot", "qualified")


@pytest.mark.parametrize(
    ("score", "stage"),
    [
        (0, "cold"),
        (29, "cold"),
        (30, "warm"),
        (59, "warm"),
        (60, "hot"),
        (99, "hot"),
        (100, "qualified"),
        (10_000, "qualified"),
    ],
)
def test_every_default_stage_boundary(score: int, stage: Stage) -> None:
    assert stage_for(score, DEFAULT_THRESHOLDS) == stage


def test_custom_thresholds_move_the_boundaries() -> None:
    thresholds = StageThresholds(warm=10, hot=20, qualified=40)
    assert [stage_for(s, thresholds) for s in (9, 10, 20, 40)] == [
        "cold",
        "warm",
        "hot",
        "qualified",
    ]


@pytest.mark.parametrize(
    ("warm", "hot", "qualified"),
    [(0, 60, 100), (60, 60, 100), (30, 100, 100), (30, 60, 10_001), (50, 40, 100)],
)
def test_thresholds_must_be_strictly_increasing_within_range(
    warm: int, hot: int, qualified: int
) -> None:
    with pytest.raises(ValueError):
        StageThresholds(warm=warm, hot=hot, qualified=qualified)


def test_thresholds_may_reach_ten_thousand() -> None:
    assert StageThresholds(warm=1, hot=2, qualified=10_000).qualified == 10_000
