"""Specification of leakage-free snapshot features (``core.features``)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadpulse.core.features import (
    FeatureSpec,
    HistoryEvent,
    LeadHistory,
    LeadProfile,
    choose_vocabulary,
    feature_vector,
    rule_score,
    seen_events,
    session_starts,
    snapshot,
)
from leadpulse.core.intelligence import churn_probability
from leadpulse.core.rules import DEFAULT_RULES, rule_index
from leadpulse.core.scoring import EventFact, final_score, fold

AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SPEC = FeatureSpec(
    vocabulary=("page_view", "pricing_page_visit", "demo_request"), rule_points=DEFAULT_RULES
)
TYPES = ("page_view", "pricing_page_visit", "demo_request", "webinar_attendance", "unsubscribe")


def ev(
    event_type: str = "page_view",
    *,
    ago: timedelta = timedelta(hours=1),
    event_id: str | None = None,
    session: str | None = None,
) -> HistoryEvent:
    t = AT - ago
    return HistoryEvent(event_id or f"{event_type}-{t.isoformat()}", event_type, t, session)


def lead(*events: HistoryEvent, profile: LeadProfile | None = None) -> LeadHistory:
    return LeadHistory(key="lead-1", events=list(events), profile=profile or LeadProfile())


def features(history: LeadHistory, spec: FeatureSpec = SPEC) -> dict[str, float]:
    return dict(zip(spec.names(), feature_vector(history, AT, spec), strict=True))


def counts(history: LeadHistory, name: str) -> tuple[int, ...]:
    values = features(history)
    return tuple(round(math.expm1(values[f"count_{w}d:{name}"])) for w in (1, 7, 30))


def test_vector_has_one_value_per_named_feature() -> None:
    history = lead(ev())
    assert len(feature_vector(history, AT, SPEC)) == len(SPEC.names()) == 3 * 3 + 3 + 6 + 1 + 4


def test_counts_fall_into_half_open_windows_ending_at_the_snapshot() -> None:
    history = lead(
        ev(ago=timedelta(hours=2)),
        ev(ago=timedelta(days=1)),  # exactly 1 day ago: inside the 1-day window
        ev(ago=timedelta(days=1, seconds=1)),
        ev(ago=timedelta(days=7)),
        ev(ago=timedelta(days=20)),
        ev(ago=timedelta(days=30, seconds=1)),  # outside every window
    )
    assert counts(history, "page_view") == (2, 4, 5)


def test_events_at_or_after_the_snapshot_are_not_seen() -> None:
    history = lead(ev(ago=timedelta(0)), ev(ago=-timedelta(hours=1)), ev(ago=timedelta(hours=3)))
    assert counts(history, "page_view") == (1, 1, 1)
    assert snapshot(history, AT, SPEC).events_seen == 1


def test_types_outside_the_vocabulary_count_only_in_the_totals() -> None:
    values = features(lead(ev("webinar_attendance"), ev("page_view")))
    assert round(math.expm1(values["events_1d"])) == 2
    assert round(math.expm1(values["count_1d:page_view"])) == 1


def test_recency_and_first_touch_age_are_log_days() -> None:
    values = features(lead(ev(ago=timedelta(days=3)), ev(ago=timedelta(days=10))))
    assert values["days_since_last_event"] == pytest.approx(math.log1p(3))
    assert values["days_since_first_event"] == pytest.approx(math.log1p(10))


def test_a_lead_without_seen_events_has_capped_recency_and_zero_activity() -> None:
    values = features(lead(ev(ago=-timedelta(days=1))))
    assert values["days_since_last_event"] == pytest.approx(math.log1p(365))
    assert values["events_30d"] == values["sessions_total"] == values["rule_score"] == 0.0


def test_trend_compares_the_last_week_with_the_week_before() -> None:
    history = lead(
        ev(ago=timedelta(days=1)),
        ev(ago=timedelta(days=2)),
        ev(ago=timedelta(days=3)),
        ev(ago=timedelta(days=9)),
    )
    assert features(history)["trend_7d"] == pytest.approx(math.log1p(3) - math.log1p(1))


def test_a_session_starts_after_a_30_minute_gap_or_a_new_session_id() -> None:
    events = [
        ev(ago=timedelta(minutes=100), session="a"),
        ev(ago=timedelta(minutes=90), session="a"),
        ev(ago=timedelta(minutes=85), session="b"),  # new id
        ev(ago=timedelta(minutes=50)),  # 35-minute gap
        ev(ago=timedelta(minutes=40)),
    ]
    assert len(session_starts(seen_events(events, AT))) == 3


def test_active_days_count_distinct_utc_days() -> None:
    history = lead(
        ev(ago=timedelta(hours=1)), ev(ago=timedelta(hours=2)), ev(ago=timedelta(days=3))
    )
    assert features(history)["active_days_30d"] == 2.0


def test_rule_score_is_the_scoring_fold_over_the_seen_events() -> None:
    events = [ev("page_view"), ev("demo_request", ago=timedelta(days=2)), ev("unsubscribe")]
    facts = [EventFact(e.event_id, e.event_type, e.timestamp) for e in events]
    expected = final_score(0, fold(0, facts, rule_index(SPEC.rules().values())))
    snap = snapshot(lead(*events), AT, SPEC)
    assert snap.rule_score == expected == rule_score(seen_events(events, AT), SPEC.rules())
    assert features(lead(*events))["rule_score"] == pytest.approx(math.log1p(expected))


def test_snapshot_carries_the_old_churn_formula_as_a_baseline() -> None:
    snap = snapshot(lead(ev("demo_request", ago=timedelta(days=12))), AT, SPEC)
    expected = churn_probability(days_since_last_event=12.0, trend="steady", score=50)
    assert snap.formula_churn == expected


@pytest.mark.parametrize(
    ("email", "traits", "expected"),
    [
        (None, {}, (0.0, 0.0, 0.0, 0.0)),
        ("ada@gmail.com", {}, (1.0, 0.0, 0.0, 0.0)),
        ("ada@acme.example", {"company_size": 99}, (1.0, 1.0, math.log1p(99), 1.0)),
    ],
)
def test_profile_features_read_email_kind_and_company_size(
    email: str | None, traits: dict[str, object], expected: tuple[float, ...]
) -> None:
    values = features(lead(ev(), profile=LeadProfile(email=email, traits=traits)))
    names = ("has_email", "work_email", "company_size", "company_size_known")
    assert tuple(values[n] for n in names) == pytest.approx(expected)


def test_vocabulary_keeps_frequent_types_and_leaves_out_the_goal() -> None:
    type_counts = {"page_view": 500, "contract_signed": 90, "demo_request": 40, "rare": 3}
    assert choose_vocabulary(type_counts, exclude=("contract_signed",), min_count=20) == (
        "page_view",
        "demo_request",
    )
    assert choose_vocabulary({"b": 30, "a": 30}, max_types=1) == ("a",)


def test_spec_round_trips_through_plain_data() -> None:
    assert FeatureSpec.from_dict(SPEC.to_dict()) == SPEC


@pytest.mark.parametrize(
    "kwargs",
    [
        {"vocabulary": ("a", "a")},
        {"vocabulary": (), "windows_days": (7, 1)},
        {"vocabulary": (), "windows_days": ()},
        {"vocabulary": (), "rule_points": (("a", 10_001),)},
    ],
)
def test_invalid_specs_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        FeatureSpec(**kwargs)  # type: ignore[arg-type]


def test_naive_snapshot_time_is_rejected() -> None:
    with pytest.raises(ValueError):
        feature_vector(lead(ev()), AT.replace(tzinfo=None), SPEC)


# --- the no-leakage property -------------------------------------------------------------

offsets = st.integers(min_value=0, max_value=60 * 24 * 45)  # minutes, up to 45 days


def _events(draw_offsets: list[int], kinds: list[str], sign: int, tag: str) -> list[HistoryEvent]:
    return [
        HistoryEvent(f"{tag}-{i}", kind, AT + sign * timedelta(minutes=m), f"s{m // 45}")
        for i, (m, kind) in enumerate(zip(draw_offsets, kinds, strict=False))
    ]


@settings(max_examples=150, deadline=None)
@given(
    past=st.lists(offsets.map(lambda m: m + 1), max_size=25),
    past_kinds=st.lists(st.sampled_from(TYPES), min_size=25, max_size=25),
    future=st.lists(offsets, min_size=1, max_size=25),
    future_kinds=st.lists(st.sampled_from(TYPES), min_size=25, max_size=25),
)
def test_events_at_or_after_the_snapshot_never_change_the_snapshot(
    past: list[int], past_kinds: list[str], future: list[int], future_kinds: list[str]
) -> None:
    before = _events(past, past_kinds, -1, "past")
    after = _events(future, future_kinds, +1, "future")  # offset 0 = exactly at the snapshot
    profile = LeadProfile(email="ada@acme.example", traits={"employees": "51-200"})
    alone = snapshot(LeadHistory("k", before, profile), AT, SPEC)
    with_future = snapshot(LeadHistory("k", before + after, profile), AT, SPEC)
    assert with_future == alone
