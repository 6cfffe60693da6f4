"""No open relay: who an e-mail automation may write to (``core.mailing``)."""

from __future__ import annotations

from leadpulse.core.mailing import MailPolicy, refused_recipients


def test_an_unverified_account_may_write_only_to_the_projects_members() -> None:
    policy = MailPolicy(members=("Owner@Example.com",), verified=False)

    refused = refused_recipients(["owner@example.com", "x@elsewhere.io", "y@a.b"], policy)

    assert refused == [1, 2]


def test_a_verified_account_may_write_to_anyone() -> None:
    policy = MailPolicy(members=("owner@example.com",), verified=True)

    assert refused_recipients(["x@elsewhere.io"], policy) == []
