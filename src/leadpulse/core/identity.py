"""Identity resolution: normalised emails and the merge plan when two leads share one.

``normalize_email(raw) = raw.strip().lower()``, rejected unless it has no whitespace, at most
254 characters, exactly one ``@``, a non-empty local part and a domain of dot-separated
non-empty labels (at least one dot).

Merge rule: the survivor is the lead that ALREADY holds the email (the known contact, e.g.
created through POST /api/leads) - the lowest id among them if several do - and the lead being
identified, plus any other holder, is merged into it. Keeping the known contact's id stable
keeps CRM links valid. With no existing holder the identified lead survives, nothing merges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_EMAIL_LENGTH = 254


@dataclass(frozen=True, slots=True)
class MergePlan:
    """Which lead survives and which leads are merged into it (ascending ids)."""

    survivor_id: int
    merged_ids: tuple[int, ...]


def normalize_email(raw: str) -> str:
    """Normalise an email address, raising ValueError if it is obviously invalid."""
    email = raw.strip().lower()
    if not email or len(email) > MAX_EMAIL_LENGTH:
        raise ValueError("email must be 1-254 characters")
    if any(ch.isspace() for ch in email):
        raise ValueError("email must not contain whitespace")
    if email.count("@") != 1:
        raise ValueError("email must contain exactly one @")
    local, domain = email.split("@")
    if not local:
        raise ValueError("email local part is empty")
    labels = domain.split(".")
    if len(labels) < 2 or not all(labels):
        raise ValueError("email domain must be dot-separated, non-empty labels")
    return email


def plan_merge(*, identified_lead_id: int, existing_lead_ids: Sequence[int]) -> MergePlan:
    """Plan the merge of an identified lead into the lead that already holds its email."""
    holders = sorted(set(existing_lead_ids) - {identified_lead_id})
    if not holders:
        return MergePlan(survivor_id=identified_lead_id, merged_ids=())
    survivor = holders[0]
    merged = sorted({identified_lead_id, *holders[1:]})
    return MergePlan(survivor_id=survivor, merged_ids=tuple(merged))
