"""Specification of email normalisation, the merge plan, and what identifies do to a lead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadpulse.core.identity import (
    IDENTIFIED_AT,
    MergePlan,
    Profile,
    identify_profile,
    is_newer,
    merge_profile,
    normalize_email,
    plan_merge,
    takes_email,
)

T = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
EMPTY = Profile(name=None, company=None, traits={})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Ada@Example.COM ", "ada@example.com"),
        ("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"),
        ("\tbob@example.org\n", "bob@example.org"),
    ],
)
def test_normalize_email_strips_and_lowercases(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "no-at-sign.example.com",
        "two@@example.com",
        "a@b@example.com",
        "@example.com",
        "ada@",
        "ada@localhost",
        "ada@.com",
        "ada@example.",
        "ada@exa mple.com",
        "a da@example.com",
        "a" * 250 + "@x.io",
    ],
)
def test_normalize_email_rejects_obviously_invalid_addresses(raw: str) -> None:
    with pytest.raises(ValueError):
        normalize_email(raw)


def test_normalize_email_accepts_254_characters() -> None:
    email = "a" * 245 + "@test.com"
    assert len(email) == 254
    assert normalize_email(email) == email


def test_identified_lead_merges_into_the_lead_already_holding_the_email() -> None:
    assert plan_merge(identified_lead_id=9, existing_lead_ids=[4]) == MergePlan(
        survivor_id=4, merged_ids=(9,)
    )


def test_earliest_holder_survives_and_every_other_lead_merges() -> None:
    assert plan_merge(identified_lead_id=9, existing_lead_ids=[7, 3, 12]) == MergePlan(
        survivor_id=3, merged_ids=(7, 9, 12)
    )


def test_without_existing_holder_the_identified_lead_survives_alone() -> None:
    assert plan_merge(identified_lead_id=9, existing_lead_ids=[]) == MergePlan(
        survivor_id=9, merged_ids=()
    )


def test_identified_lead_already_holding_the_email_is_not_merged_into_itself() -> None:
    assert plan_merge(identified_lead_id=9, existing_lead_ids=[9, 9]) == MergePlan(
        survivor_id=9, merged_ids=()
    )


@pytest.mark.parametrize(
    ("current", "newer", "takes"),
    [
        (None, True, True),
        (None, False, True),  # a lead without an email takes any identify's
        ("old@x.io", True, True),
        ("old@x.io", False, False),  # an older identify never replaces an email
        ("ada@x.io", True, False),  # the same email: traits only
    ],
)
def test_when_an_identify_sets_its_email(current: str | None, newer: bool, takes: bool) -> None:
    assert takes_email(current=current, email="ada@x.io", newer=newer) is takes


def test_newer_identify_overwrites_and_stamps_its_time() -> None:
    first, _ = identify_profile(EMPTY, {"name": "Old", "plan": "a"}, at=T - timedelta(hours=1))

    profile, newer = identify_profile(
        first, {"name": "New", "plan": "b", "email": "x@y.io", "_secret": 1, "gone": None}, at=T
    )

    assert newer is True
    assert (profile.name, profile.company) == ("New", None)
    assert profile.traits == {"plan": "b", IDENTIFIED_AT: T.isoformat()}


def test_older_identify_only_fills_gaps() -> None:
    current, _ = identify_profile(EMPTY, {"name": "New", "plan": "b"}, at=T)

    profile, newer = identify_profile(
        current, {"name": "Old", "company": "Co", "plan": "a", "role": "cto"}, at=T - timedelta(1)
    )

    assert newer is False
    assert (profile.name, profile.company) == ("New", "Co")
    assert profile.traits == {"plan": "b", "role": "cto", IDENTIFIED_AT: T.isoformat()}


def test_column_traits_are_cut_to_200_characters() -> None:
    profile, _ = identify_profile(EMPTY, {"company": "x" * 300}, at=T)
    assert profile.company == "x" * 200


def test_an_identify_at_the_same_time_counts_as_newer() -> None:
    stamped = Profile(name=None, company=None, traits={IDENTIFIED_AT: T.isoformat()})
    assert is_newer(stamped, T) and not is_newer(stamped, T - timedelta(seconds=1))
    assert is_newer(EMPTY, T - timedelta(days=999))


def test_merge_fills_the_survivors_gaps_in_order_then_applies_the_identify() -> None:
    survivor = Profile(name=None, company="Known Co", traits={"utm": "mail"})
    merged = [
        Profile(
            name="First", company="Other", traits={"utm": "ads", "seen": 1, IDENTIFIED_AT: "x"}
        ),
        Profile(name="Second", company=None, traits={"seen": 2, "page": "/"}),
    ]

    profile = merge_profile(survivor, merged, {"plan": "pro"}, at=T)

    assert (profile.name, profile.company) == ("First", "Known Co")
    assert profile.traits == {
        "utm": "mail",
        "seen": 1,
        "page": "/",
        "plan": "pro",
        IDENTIFIED_AT: T.isoformat(),
    }
