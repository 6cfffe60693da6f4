"""Generic fit signals read from a lead's e-mail and traits (inputs to the learned models).

Kept deliberately small and generic; dedicated fit scoring comes later.

- ``email_kind(email)``: ``"none"`` without an address; ``"free"`` when the domain is a
  consumer mailbox provider (an exact domain in ``FREE_DOMAINS``, or a domain whose first label
  is one of ``FREE_PROVIDERS``, which catches ``yahoo.co.uk`` or ``hotmail.fr``); otherwise
  ``"work"``.
- ``company_size(traits)``: the first of ``COMPANY_SIZE_KEYS`` that reads as a size: a
  non-negative number, a numeric string, a range ``"51-200"`` (its midpoint) or an open range
  ``"1000+"`` (its lower bound). Anything else is unknown (``None``). Booleans are not sizes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Literal

EmailKind = Literal["none", "free", "work"]

FREE_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "msn.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "web.de",
        "mail.ru",
        "qq.com",
        "163.com",
        "126.com",
        "fastmail.com",
        "tutanota.com",
        "hey.com",
        "zoho.com",
    }
)
FREE_PROVIDERS = frozenset({"gmail", "yahoo", "hotmail", "outlook", "live", "gmx", "yandex"})
COMPANY_SIZE_KEYS = ("company_size", "companySize", "employees", "employee_count", "employeeCount")
_RANGE = re.compile(r"^\s*(\d+)\s*(?:-|–|to)\s*(\d+)\s*$")
_OPEN = re.compile(r"^\s*(\d+)\s*\+\s*$")
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*$")


def email_kind(email: str | None) -> EmailKind:
    """Classify an e-mail address as missing, a free mailbox or a work address."""
    if not email or "@" not in email:
        return "none"
    domain = email.rsplit("@", 1)[1].strip().lower()
    if domain in FREE_DOMAINS or domain.split(".", 1)[0] in FREE_PROVIDERS:
        return "free"
    return "work"


def _size_from_text(text: str) -> float | None:
    if match := _RANGE.match(text):
        low, high = float(match.group(1)), float(match.group(2))
        return (low + high) / 2 if high >= low else None
    if match := _OPEN.match(text):
        return float(match.group(1))
    if match := _NUMBER.match(text):
        return float(match.group(1))
    return None


def _size(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) and value >= 0 else None
    if isinstance(value, str):
        return _size_from_text(value)
    return None


def company_size(traits: Mapping[str, object]) -> float | None:
    """Return the company size (employees) a lead's traits state, or None."""
    for key in COMPANY_SIZE_KEYS:
        if key in traits and (size := _size(traits[key])) is not None:
            return size
    return None
