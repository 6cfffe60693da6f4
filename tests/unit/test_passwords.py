"""New passwords: long enough, not blank, no NUL, not one of the most common (issue §4.6)."""

from __future__ import annotations

import pytest

from leadpulse.auth.passwords import check_new_password, common_passwords, password_problem
from leadpulse.auth.security import MAX_PASSWORD, MIN_PASSWORD


def test_the_shipped_list_holds_thousands_of_lower_case_entries() -> None:
    words = common_passwords()
    assert len(words) > 10_000
    assert {"password", "12345678", "iloveyou", "trustno1", "qwertyuiop"} <= words
    assert all(w == w.lower() and MIN_PASSWORD <= len(w) <= MAX_PASSWORD for w in words)
    assert not any(w.startswith("#") for w in words)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("password", "common"),
        ("Password", "common"),
        ("TRUSTNO1", "common"),
        (" " * MIN_PASSWORD, "whitespace"),
        ("\t\n\r \u00a0\u2003\u3000 ", "whitespace"),
        ("abcdefgh\x00", "NUL"),
        ("\x00" * 10, "NUL"),
        ("short", "at least"),
        ("x" * (MAX_PASSWORD + 1), "at most"),
    ],
)
def test_weak_passwords_are_refused_saying_why(password: str, why: str) -> None:
    problem = password_problem(password)
    assert problem is not None and why in problem
    with pytest.raises(ValueError, match=why):
        check_new_password(password)


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "  spaced out  ", " " * 7 + "x", "zq8#Lm2!vR", "x" * MAX_PASSWORD],
)
def test_ordinary_passwords_pass_unchanged(password: str) -> None:
    assert password_problem(password) is None
    assert check_new_password(password) == password
