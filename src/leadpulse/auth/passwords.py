"""Which new passwords are refused: too short or long, blank, carrying NUL, or common.

Applied where a password is chosen (sign-up, password change), never at sign-in: an old
password keeps working until its owner changes it. The common list is package data
(``common-passwords.txt`` beside this module, its source and licence in its header), loaded once on
first use and compared case-insensitively: ``Password1`` is as guessable as ``password1``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from leadpulse.auth.security import MAX_PASSWORD, MIN_PASSWORD


@cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of common passwords (lower case)."""
    text = resources.files("leadpulse.auth").joinpath("common-passwords.txt").read_text()
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def password_problem(password: str) -> str | None:
    """Say why a new password is refused, or None when it is acceptable."""
    if "\x00" in password:
        return "must not contain NUL characters"
    if not password.strip():
        return "must not be only whitespace"
    if len(password) < MIN_PASSWORD:
        return f"must have at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"must have at most {MAX_PASSWORD} characters"
    if password.lower() in common_passwords():
        return "is one of the most common passwords; choose another"
    return None


def check_new_password(password: str) -> str:
    """Return the password if acceptable; raise ValueError saying why not (a validator)."""
    problem = password_problem(password)
    if problem is not None:
        raise ValueError(problem)
    return password
