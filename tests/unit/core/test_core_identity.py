"""Specification of email normalisation and the merge plan."""

from __future__ import annotations

import pytest

from leadpulse.core.identity import MergePlan, normalize_email, plan_merge


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
