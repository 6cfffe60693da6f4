"""Specification of the generic fit signals (``core.traits``)."""

from __future__ import annotations

import pytest

from leadpulse.core.traits import company_size, email_kind


@pytest.mark.parametrize(
    ("email", "kind"),
    [
        (None, "none"),
        ("", "none"),
        ("not-an-address", "none"),
        ("ada@gmail.com", "free"),
        ("Ada@GMAIL.com", "free"),
        ("ada@yahoo.co.uk", "free"),
        ("ada@hotmail.fr", "free"),
        ("ada@proton.me", "free"),
        ("ada@acme.com", "work"),
        ("ada@mail.acme.com", "work"),
    ],
)
def test_email_kind_tells_free_mailboxes_from_work_addresses(email: str | None, kind: str) -> None:
    assert email_kind(email) == kind


@pytest.mark.parametrize(
    ("traits", "size"),
    [
        ({}, None),
        ({"company_size": 250}, 250.0),
        ({"companySize": "51-200"}, 125.5),
        ({"employees": "1000+"}, 1000.0),
        ({"employee_count": " 42 "}, 42.0),
        ({"company_size": "lots", "employees": 12}, 12.0),
        ({"company_size": True}, None),
        ({"company_size": -5}, None),
        ({"company_size": float("nan")}, None),
        ({"company_size": "200-50"}, None),
        ({"company_size": {"min": 1}}, None),
    ],
)
def test_company_size_reads_numbers_ranges_and_open_ranges(
    traits: dict[str, object], size: float | None
) -> None:
    assert company_size(traits) == size
