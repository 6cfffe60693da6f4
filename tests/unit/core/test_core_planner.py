"""Specification of the scoring planner: event keys, the late-event cut, the lead-state update."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from leadpulse.core.planner import (
    Activity,
    LeadPlan,
    LeadSnapshot,
    Rewind,
    Span,
    event_key,
    next_state,
    plan_lead,
    rewind_for,
)
from leadpulse.core.rules import DEFAULT_RULES, Rule, rule_index
from leadpulse.core.scoring import EventFact, event_order_key, final_score, fold
from leadpulse.core.stages import DEFAULT_THRESHOLDS, StageThresholds

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=1)
RULES = rule_index(Rule(t, p, id=i) for i, (t, p) in enumerate(DEFAULT_RULES, start=1))
QUIET = Activity(total=0, last_24h=0)
NEW_LEAD = LeadSnapshot(
    score=0, stage="cold", last_event_at=None, last_event_key=None, last_decay_on=None
)


def event(event_type: str, minute: int, event_id: str, db_id: int | None = None) -> EventFact:
    return EventFact(event_id, event_type, T0 + timedelta(minutes=minute), db_id)


def key_of(e: EventFact) -> str:
    return event_key(*event_order_key(e))


def lead_after(
    events: list[EventFact], score: int, *, last_decay_on: date | None = None
) -> LeadSnapshot:
    """A lead whose last scored event is the newest of ``events``."""
    last = max(events, key=event_order_key)
    return LeadSnapshot(
        score=score,
        stage="cold",
        last_event_at=last.timestamp,
        last_event_key=key_of(last),
        last_decay_on=last_decay_on,
    )


def plan(
    lead: LeadSnapshot,
    new: list[EventFact],
    span: Span | None = None,
    *,
    rules: Mapping[str, Rule] = RULES,
) -> LeadPlan:
    return plan_lead(
        lead,
        new,
        span=span,
        activity=QUIET,
        rules=rules,
        thresholds=DEFAULT_THRESHOLDS,
        now=NOW,
    )


# --- event keys ----------------------------------------------------------------------------


stamps = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
ids = st.text(min_size=1, max_size=12)


@settings(database=None)
@given(a=st.tuples(stamps, ids), b=st.tuples(stamps, ids))
def test_event_key_orders_like_timestamp_then_event_id(
    a: tuple[datetime, str], b: tuple[datetime, str]
) -> None:
    assert (event_key(*a) < event_key(*b)) == (a < b)
    assert (event_key(*a) == event_key(*b)) == (a == b)


def test_event_key_is_the_same_instant_in_any_time_zone() -> None:
    paris = T0.astimezone(timezone(timedelta(hours=1)))
    assert event_key(paris, "e1") == event_key(T0, "e1") == "2026-11-20T12:00:00.000000|e1"


# --- the late-event cut --------------------------------------------------------------------


def test_a_full_rescore_rewinds_everything() -> None:
    assert rewind_for("2026-11-20T12:00:00.000000|a", [], full=True) == Rewind(cut=None)


def test_events_after_the_last_scored_one_fold_on_top_without_a_rewind() -> None:
    scored = event("signup", 10, "a")
    assert rewind_for(key_of(scored), [event("page_view", 11, "b")], full=False) is None


def test_a_lead_with_nothing_scored_yet_never_rewinds() -> None:
    assert rewind_for(None, [event("page_view", 0, "a")], full=False) is None


def test_no_new_events_means_no_rewind() -> None:
    assert rewind_for(key_of(event("signup", 10, "a")), [], full=False) is None


def test_an_event_at_the_same_time_sorting_after_the_last_id_is_not_late() -> None:
    last = event("signup", 10, "a")
    assert rewind_for(key_of(last), [event("page_view", 10, "b")], full=False) is None


def test_the_cut_is_the_earliest_late_event() -> None:
    last = event("unsubscribe", 20, "b")
    new = [event("page_view", 30, "z"), event("demo_request", 5, "late"), event("x", 15, "y")]

    rewind = rewind_for(key_of(last), new, full=False)

    assert rewind == Rewind(cut=(T0 + timedelta(minutes=5), "late"))


def test_an_earlier_event_id_at_the_same_time_is_late() -> None:
    last = event("signup", 10, "b")
    rewind = rewind_for(key_of(last), [event("page_view", 10, "a")], full=False)
    assert rewind == Rewind(cut=(T0 + timedelta(minutes=10), "a"))


def test_a_rewind_covers_the_events_from_its_cut_on() -> None:
    rewind = Rewind(cut=(T0 + timedelta(minutes=10), "m"))
    events = [event("t", 9, "z"), event("t", 10, "a"), event("t", 10, "m"), event("t", 11, "b")]
    assert [e.event_id for e in events if rewind.covers(e)] == ["m", "b"]
    assert Rewind(cut=None).covers(event("t", -1000, "a"))


# --- the lead-state update -----------------------------------------------------------------


def test_new_state_takes_score_stage_velocity_and_counts() -> None:
    events = [event("signup", 0, "a"), event("demo_request", 1, "b")]
    changes = fold(10, events, RULES)

    state = next_state(
        NEW_LEAD,
        start=10,
        changes=changes,
        folded=events,
        activity=Activity(total=14, last_24h=12),
        thresholds=StageThresholds(warm=10, hot=50, qualified=80),
        rewound=False,
        now=NOW,
    )

    assert (state.score, state.stage) == (80, "qualified")
    assert (state.events_last_24h, state.velocity_score, state.event_count) == (12, 10, 14)
    assert state.last_event_at == events[1].timestamp
    assert state.last_event_key == key_of(events[1])
    assert state.updated_at == NOW


def test_the_last_event_never_moves_back() -> None:
    newest = event("signup", 30, "z")
    lead = lead_after([newest], 20)
    older = [event("page_view", 1, "a")]

    state = next_state(
        lead,
        start=20,
        changes=fold(20, older, RULES),
        folded=older,
        activity=QUIET,
        thresholds=DEFAULT_THRESHOLDS,
        rewound=False,
        now=NOW,
    )

    assert (state.last_event_at, state.last_event_key) == (newest.timestamp, key_of(newest))


def test_without_events_the_score_is_the_clamped_start_and_the_last_event_stays() -> None:
    lead = lead_after([event("signup", 3, "a")], 20)
    state = next_state(
        lead,
        start=12_000,
        changes=[],
        folded=[],
        activity=QUIET,
        thresholds=DEFAULT_THRESHOLDS,
        rewound=True,
        now=NOW,
    )
    assert state.score == 10_000
    assert state.last_event_key == lead.last_event_key


def test_a_rewind_clears_the_decay_day_and_a_plain_run_keeps_it() -> None:
    lead = lead_after([event("signup", 3, "a")], 20, last_decay_on=date(2026, 11, 19))

    def decay_day(rewound: bool) -> date | None:
        return next_state(
            lead,
            start=20,
            changes=[],
            folded=[],
            activity=QUIET,
            thresholds=DEFAULT_THRESHOLDS,
            rewound=rewound,
            now=NOW,
        ).last_decay_on

    assert decay_day(rewound=True) is None
    assert decay_day(rewound=False) == date(2026, 11, 19)


# --- plans ---------------------------------------------------------------------------------


def test_new_events_fold_on_top_of_the_current_score() -> None:
    lead = lead_after([event("signup", 0, "a")], 15)  # decayed from 20 to 15
    new = [event("page_view", 5, "b", db_id=7), event("signup", 6, "c", db_id=8)]

    result = plan(lead, new)

    assert [(c.old_score, c.new_score) for c in result.changes] == [(15, 20), (20, 40)]
    assert result.state.score == 40
    assert result.processed == (7, 8)
    assert result.rewind is None
    assert result.event_types == frozenset({"page_view", "signup"})
    assert result.previous == lead


def test_a_late_event_refolds_from_its_point_with_the_kept_history_sum() -> None:
    a, b = event("signup", 10, "a", db_id=1), event("unsubscribe", 20, "b", db_id=2)
    late = event("demo_request", 0, "late", db_id=3)
    lead = lead_after([a, b], 0)
    rewind = rewind_for(lead.last_event_key, [late], full=False)
    assert rewind is not None
    span = Span(rewind=rewind, base_score=0, events=(a, b, late), unprocessed=frozenset({3}))

    result = plan(lead, [late], span)

    assert [(c.event_id, c.old_score, c.new_score) for c in result.changes] == [
        ("late", 0, 50),
        ("a", 50, 70),
        ("b", 70, 50),
    ]
    assert result.processed == (3,)
    assert result.rewind == rewind
    assert result.state.last_event_key == key_of(b)


def test_events_before_the_cut_are_neither_folded_nor_marked_processed() -> None:
    cut = event("page_view", 10, "m", db_id=2)
    same_time_before = event("signup", 10, "a", db_id=1)  # loaded with the span's time
    span = Span(
        rewind=Rewind(cut=event_order_key(cut)),
        base_score=30,
        events=(same_time_before, cut),
        unprocessed=frozenset({1, 2}),
    )
    lead = lead_after([event("signup", 20, "z")], 30)

    result = plan(lead, [cut], span)

    assert [c.event_id for c in result.changes] == ["m"]
    assert result.processed == (2,)
    assert result.state.score == 35


def test_a_full_rescore_refolds_every_event_with_the_current_rules() -> None:
    events = (event("signup", 0, "a", 1), event("page_view", 1, "b", 2))
    lead = lead_after(list(events), 25)
    span = Span(rewind=Rewind(), base_score=0, events=events, unprocessed=frozenset({1, 2}))

    result = plan(lead, [], span, rules={"signup": Rule("signup", 40, id=9)})

    assert [c.new_score for c in result.changes] == [40, 40]
    assert result.state.score == 40
    assert result.processed == (1, 2)
    assert result.event_types == frozenset()


event_types = st.sampled_from([t for t, _ in DEFAULT_RULES] + ["unknown_type"])
runs = st.lists(st.tuples(event_types, st.integers(0, 50), st.booleans()), min_size=1, max_size=20)


@settings(database=None)
@given(specs=runs)
def test_two_runs_with_a_rewind_equal_one_fold_of_every_event(
    specs: list[tuple[str, int, bool]],
) -> None:
    events = [
        event(kind, minute, f"e{i:02d}", db_id=i) for i, (kind, minute, _) in enumerate(specs)
    ]
    first = [e for e, (_, _, late) in zip(events, specs, strict=True) if not late]
    second = [e for e, (_, _, late) in zip(events, specs, strict=True) if late]
    one = plan(NEW_LEAD, first)
    history = list(one.changes)
    lead = LeadSnapshot(
        score=one.state.score,
        stage=one.state.stage,
        last_event_at=one.state.last_event_at,
        last_event_key=one.state.last_event_key,
        last_decay_on=None,
    )

    rewind = rewind_for(lead.last_event_key, second, full=False)
    span = None
    if rewind is not None:
        history = [c for c in history if not rewind.covers(EventFact(c.event_id, "", c.timestamp))]
        span = Span(
            rewind=rewind,
            base_score=sum(c.delta for c in history),
            events=tuple(e for e in events if rewind.cut is None or e.timestamp >= rewind.cut[0]),
            unprocessed=frozenset(e.db_id for e in second if e.db_id is not None),
        )
    two = plan(lead, second, span)
    history += two.changes

    expected = fold(0, events, RULES)
    assert sorted(history, key=lambda c: (c.timestamp, c.event_id)) == expected
    assert two.state.score == final_score(0, expected)
    assert sorted(two.processed) == [e.db_id for e in second]
