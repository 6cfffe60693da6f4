"""Specification of the seeded synthetic project generator."""

from __future__ import annotations

import statistics
from collections import Counter
from itertools import pairwise

import pytest

from leadpulse.ingest.schemas import SdkEvent
from leadpulse.synthetic.behaviour import GOAL_EVENT
from leadpulse.synthetic.generator import SyntheticLead, SyntheticSpec, generate, make_lead

SPEC = SyntheticSpec(leads=600, days=90, seed=3)


@pytest.fixture(scope="module")
def project() -> list[SyntheticLead]:
    return list(generate(SPEC))


def test_the_same_seed_gives_the_same_project(project: list[SyntheticLead]) -> None:
    again = list(generate(SPEC))
    assert [lead.sdk_events() for lead in again] == [lead.sdk_events() for lead in project]


def test_a_lead_does_not_depend_on_the_project_size(project: list[SyntheticLead]) -> None:
    small = SyntheticSpec(leads=10, days=SPEC.days, seed=SPEC.seed)
    assert make_lead(small, 7) == project[7]


def test_another_seed_gives_another_project(project: list[SyntheticLead]) -> None:
    other = list(generate(SyntheticSpec(leads=50, days=90, seed=4)))
    assert [lead.sdk_events() for lead in other] != [lead.sdk_events() for lead in project[:50]]


def test_events_lie_in_the_period_in_time_order_with_unique_ids(
    project: list[SyntheticLead],
) -> None:
    ids = [e.event_id for lead in project for e in lead.events]
    assert len(ids) == len(set(ids))
    for lead in project:
        assert all(SPEC.start <= e.timestamp < SPEC.end for e in lead.events)
        assert all(a.timestamp <= b.timestamp for a, b in pairwise(lead.events))


def test_every_event_is_a_valid_sdk_ingest_body(project: list[SyntheticLead]) -> None:
    for lead in project[:100]:
        for body in lead.sdk_events():
            event = SdkEvent.model_validate(body)
            assert event.anonymous_id == lead.anonymous_id
            assert (event.email is not None) == (event.event == "identify")


def test_identified_leads_carry_email_and_traits_on_their_identify_event(
    project: list[SyntheticLead],
) -> None:
    identified = [lead for lead in project if lead.email is not None]
    assert 0.3 < len(identified) / len(project) < 0.7
    identifies = [[e for e in lead.events if e.event_type == "identify"] for lead in identified]
    assert sum(len(found) == 1 for found in identifies) > 0.9 * len(identified)
    for lead, found in zip(identified, identifies, strict=True):
        assert len(found) <= 1  # none when it would fall after the end of the period
        assert all(e.email == lead.email and e.traits == lead.traits for e in found)


def test_conversions_happen_at_the_hidden_conversion_time(project: list[SyntheticLead]) -> None:
    for lead in project:
        signed = [e.timestamp for e in lead.events if e.event_type == GOAL_EVENT]
        due = lead.hidden.converts_at
        assert signed == ([due] if due is not None and due < SPEC.end else [])


def test_buying_intent_drives_conversion(project: list[SyntheticLead]) -> None:
    converted = [lead.hidden.intent for lead in project if lead.hidden.converts_at]
    others = [lead.hidden.intent for lead in project if not lead.hidden.converts_at]
    assert statistics.mean(converted) > statistics.mean(others) + 0.5


def test_weekends_are_quieter_than_weekdays(project: list[SyntheticLead]) -> None:
    days = Counter(e.timestamp.weekday() for lead in project for e in lead.events if e.session_id)
    assert days[5] + days[6] < 0.5 * (days[0] + days[1])


def test_misleading_event_types_occur_regardless_of_intent(
    project: list[SyntheticLead],
) -> None:
    def share(kind: str, keep: bool) -> float:
        picked = [lead for lead in project if (lead.hidden.intent > 0) == keep]
        total = sum(len(lead.events) for lead in picked)
        return sum(1 for lead in picked for e in lead.events if e.event_type == kind) / total

    assert share("pricing_page_visit", True) > 1.5 * share("pricing_page_visit", False)
    assert share("webinar_attendance", True) < 1.5 * share("webinar_attendance", False)
