"""Who e-mail automations may write to: no open relay for unverified accounts.

A project's e-mail automations may send to any address only once the project owner's
account has verified its e-mail address. Until then the only allowed recipients are the
project's members — today its owner. Addresses compare case-insensitively. The rule is
checked when an automation is saved and again before each send (the owner may change).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

UNVERIFIED_HINT = (
    "an account whose e-mail address is not verified may only send to the project's "
    "members; verify the account's address to send elsewhere"
)


@dataclass(frozen=True, slots=True)
class MailPolicy:
    """The project's members' addresses and whether the owner's account is verified."""

    members: tuple[str, ...]
    verified: bool


def refused_recipients(recipients: Sequence[str], policy: MailPolicy) -> list[int]:
    """Return the positions of the recipients the policy does not allow (none if verified)."""
    if policy.verified:
        return []
    members = {address.casefold() for address in policy.members}
    return [i for i, address in enumerate(recipients) if address.casefold() not in members]
