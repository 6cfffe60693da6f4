"""Identity resolution: normalised emails and the merge plan when two leads share one.

``normalize_email(raw) = raw.strip().lower()``, rejected unless it has no whitespace, at most
254 characters, exactly one ``@``, a non-empty local part and a domain of dot-separated
non-empty labels (at least one dot).

Merge rule: the survivor is the lead that ALREADY holds the email (the known contact, e.g.
created through POST /api/leads) - the lowest id among them if several do - and the lead being
identified, plus any other holder, is merged into it. Keeping the known contact's id stable
keeps CRM links valid. With no existing holder the identified lead survives, nothing merges.

Email without a merge (``takes_email``): an identify sets its email on the lead unless the lead
already has that email, or has another one from a newer identify (an older identify never
replaces an email).

Profiles (``identify_profile``): ``name`` and ``company`` are columns (cut to 200 characters),
other traits go into ``traits``; ``email``, keys starting with ``_`` and None values are
ignored. The identify with the newest event time ``at`` (kept as ``traits["_identifiedAt"]``)
overwrites; an older one only fills gaps. A merge (``merge_profile``) first fills the
survivor's gaps from each merged lead in id order (their ``_`` keys are not inherited), then
applies the identify's traits.

External ids (Segment's ``userId``) identify like e-mails, with one more rule: a lead's
external id never changes once set (``external_id_action``). An event whose ``userId``
nobody holds sets it on the lead (``claim``); one held by another lead merges the two by the
merge rule above, the holder surviving (``merge``); one held by this lead, or by a lead merged
into it, changes nothing (``keep``). An event reaching a lead that already holds ANOTHER
external id is a ``conflict``: its userId is not applied (no merge, no traits from it) and
the event stays on, and is scored for, the lead it reached. A merged lead keeps its external
id on its alias row, so later events with that userId still reach the survivor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

MAX_EMAIL_LENGTH = 254
IDENTIFIED_AT = "_identifiedAt"
TRAIT_COLUMNS = ("name", "company")
MAX_TRAIT_COLUMN = 200


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


ExternalIdAction = Literal["keep", "claim", "merge", "conflict"]


def external_id_action(
    *, current: str | None, external_id: str, lead_id: int, holders: Sequence[int]
) -> ExternalIdAction:
    """Decide what an event's external id does to its lead (``holders``: live leads known by
    that id, this lead included when it or a lead merged into it holds the id)."""
    others = set(holders) - {lead_id}
    if current == external_id or (lead_id in holders and not others):
        return "keep"
    if current is not None:
        return "conflict"
    return "merge" if others else "claim"


def takes_email(*, current: str | None, email: str, newer: bool) -> bool:
    """Tell whether an identify (with no other holder of ``email``) sets it on the lead."""
    return current != email and (current is None or newer)


@dataclass(frozen=True, slots=True)
class Profile:
    """What identifies bring to a lead: name, company and custom traits."""

    name: str | None
    company: str | None
    traits: Mapping[str, Any]


def is_newer(profile: Profile, at: datetime) -> bool:
    """Tell whether an identify at ``at`` is at least as new as the lead's last one."""
    stamp = profile.traits.get(IDENTIFIED_AT)
    return stamp is None or datetime.fromisoformat(str(stamp)) <= at


def _fill(target: dict[str, Any], key: str, value: Any, take: bool) -> None:
    if take:
        target[key] = value


def identify_profile(
    profile: Profile, traits: Mapping[str, Any], *, at: datetime
) -> tuple[Profile, bool]:
    """Apply an identify's traits (newer overwrites, older fills gaps); say if it is newer."""
    newer = is_newer(profile, at)
    columns: dict[str, str | None] = {"name": profile.name, "company": profile.company}
    custom = dict(profile.traits)
    for key, value in traits.items():
        if key == "email" or key.startswith("_") or value is None:
            continue
        if key in TRAIT_COLUMNS:
            _fill(columns, key, str(value)[:MAX_TRAIT_COLUMN], newer or columns[key] is None)
        else:
            _fill(custom, key, value, newer or key not in custom)
    if newer:
        custom[IDENTIFIED_AT] = at.isoformat()
    return Profile(name=columns["name"], company=columns["company"], traits=custom), newer


def merge_profile(
    survivor: Profile, merged: Sequence[Profile], traits: Mapping[str, Any], *, at: datetime
) -> Profile:
    """Return the survivor's profile after a merge: gaps filled, then the identify applied."""
    for other in merged:
        inherited = {k: v for k, v in other.traits.items() if not k.startswith("_")}
        survivor = replace(
            survivor,
            name=survivor.name or other.name,
            company=survivor.company or other.company,
            traits={**inherited, **survivor.traits},
        )
    return identify_profile(survivor, traits, at=at)[0]
