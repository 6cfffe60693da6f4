"""Specification of the scoring fold, with property tests for order independence."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from leadpulse.core.rules import DEFAULT_RULES, Rule, rule_index
from leadpulse.core.scoring import (
    MAX_SCORE,
    MIN_SCORE,
    EventFact,
    clamp_score,
    event_order_key,
    final_score,
    fold,
)
from leadpulse.core.stages import DEFAULT_THRESHOLDS, stage_for

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
RULES = rule_index(Rule(t, p, id=i) for i, (t, p) in enumerate(DEFAULT_RULES, start=1))


def make_event(
    event_type: str = "page_view", *, minute: int = 0, event_id: str | None = None
) -> EventFact:
    return EventFact(
        event_id=event_id or f"evt-{event_type}-{minute}",
        event_type=event_type,
        timestamp=T0 + timedelta(minutes=minute),
    )


def test_walkthrough_page_view_signup_demo_request_is_75_hot() -> None:
    events = [
        make_event("page_view", minute=0),
        make_event("signup", minute=1),
        make_event("demo_request", minute=2),
    ]
    changes = fold(0, events, RULES)
    score = final_score(0, changes)
    assert [c.new_score for c in changes] == [5, 25, 75]
    assert score == 75
    assert stage_for(score, DEFAULT_THRESHOLDS) == "hot"


def test_unsubscribe_at_zero_stays_zero_with_zero_delta() -> None:
    [change] = fold(0, [make_event("unsubscribe")], RULES)
    assert (change.old_score, change.new_score, change.delta, change.points) == (0, 0, 0, -20)


def test_floor_is_applied_at_each_step_not_at_the_end() -> None:
    events = [make_event("unsubscribe", minute=0), make_event("page_view", minute=1)]
    assert final_score(0, fold(0, events, RULES)) == 5


def test_score_is_capped_at_ten_thousand() -> None:
    changes = fold(9_950, [make_event("contract_signed")], RULES)
    assert changes[0].new_score == MAX_SCORE
    assert changes[0].delta == 50
    assert changes[0].points == 100


def test_unknown_event_type_gives_a_zero_point_row() -> None:
    [change] = fold(40, [make_event("webinar_registration_custom", event_id="e1")], RULES)
    assert change.event_id == "e1"
    assert (change.points, change.delta, change.rule_id) == (0, 0, None)
    assert change.old_score == change.new_score == 40


def test_inactive_rule_scores_nothing_even_if_present_in_mapping() -> None:
    rules = {"page_view": Rule("page_view", 5, active=False, id=9)}
    [change] = fold(0, [make_event("page_view")], rules)
    assert (change.points, change.delta, change.rule_id) == (0, 0, None)


def test_change_records_rule_id_and_passes_db_id_through() -> None:
    event = EventFact("e1", "signup", T0, db_id=77)
    [change] = fold(0, [event], RULES)
    assert change.rule_id == RULES["signup"].id
    assert change.db_id == 77
    assert change.timestamp == T0


def test_events_are_scored_in_timestamp_then_event_id_order() -> None:
    same_time = [make_event("page_view", event_id="b"), make_event("signup", event_id="a")]
    earlier = make_event("demo_request", minute=-5, event_id="z")
    changes = fold(0, [*same_time, earlier], RULES)
    assert [c.event_id for c in changes] == ["z", "a", "b"]


def test_event_order_key_is_timestamp_then_event_id() -> None:
    assert event_order_key(make_event(event_id="x")) == (T0, "x")


def test_clamp_score_bounds() -> None:
    assert [clamp_score(v) for v in (-1, 0, 5, 10_000, 10_001)] == [0, 0, 5, 10_000, 10_000]


def test_final_score_without_changes_is_the_start() -> None:
    assert final_score(42, []) == 42


event_types = st.sampled_from([t for t, _ in DEFAULT_RULES] + ["unknown_type"])
event_lists = st.lists(
    st.builds(
        EventFact,
        event_id=st.uuids().map(str),
        event_type=event_types,
        timestamp=st.integers(0, 10_000).map(lambda m: T0 + timedelta(minutes=m)),
    ),
    max_size=40,
    unique_by=lambda e: e.event_id,
)
start_scores = st.integers(MIN_SCORE, MAX_SCORE)


@settings(database=None)
@given(start=start_scores, events=event_lists, seed=st.randoms(use_true_random=False))
def test_fold_is_independent_of_input_permutation(
    start: int, events: list[EventFact], seed: random.Random
) -> None:
    shuffled = list(events)
    seed.shuffle(shuffled)
    assert fold(start, shuffled, RULES) == fold(start, events, RULES)


@settings(database=None)
@given(start=start_scores, events=event_lists)
def test_sum_of_deltas_equals_final_minus_start(start: int, events: list[EventFact]) -> None:
    changes = fold(start, events, RULES)
    assert sum(c.delta for c in changes) == final_score(start, changes) - start


@settings(database=None)
@given(
    start=start_scores,
    events=event_lists,
    points=st.dictionaries(event_types, st.integers(-10_000, 10_000)),
)
def test_score_never_leaves_zero_to_ten_thousand(
    start: int, events: list[EventFact], points: dict[str, int]
) -> None:
    rules = {t: Rule(t, p) for t, p in points.items()}
    for change in fold(start, events, rules):
        assert MIN_SCORE <= change.new_score <= MAX_SCORE
        assert change.new_score == change.old_score + change.delta


@settings(database=None)
@given(start=start_scores, events=event_lists)
def test_changes_chain_from_one_to_the_next(start: int, events: list[EventFact]) -> None:
    changes = fold(start, events, RULES)
    previous = start
    for change in changes:
        assert change.old_score == previous
        previous = change.new_score
