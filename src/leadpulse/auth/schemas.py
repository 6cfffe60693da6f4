"""Request and response bodies of the auth endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, EmailStr, Field, StringConstraints, field_validator

from leadpulse.api.schemas import ApiModel, StrictInput
from leadpulse.auth.passwords import check_new_password
from leadpulse.auth.security import MAX_PASSWORD, MIN_PASSWORD
from leadpulse.projects.schemas import ProjectBrief


def _normalise_email(value: str) -> str:
    return value.strip().lower()


# Passwords are taken byte for byte: StrictInput strips other strings, never these.
Password = Annotated[str, StringConstraints(strip_whitespace=False)]
# A password being chosen must also pass ``auth.passwords`` (not blank, no NUL, not common).
NewPassword = Annotated[Password, AfterValidator(check_new_password)]


class RegisterIn(StrictInput):
    email: EmailStr = Field(max_length=254)
    password: NewPassword = Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)
    name: str = Field(min_length=1, max_length=200)
    company: str | None = Field(default=None, max_length=200)

    _email = field_validator("email")(_normalise_email)


class LoginIn(StrictInput):
    email: EmailStr
    password: Password = Field(min_length=1, max_length=MAX_PASSWORD)

    _email = field_validator("email")(_normalise_email)


class PasswordChangeIn(StrictInput):
    current_password: Password = Field(min_length=1, max_length=MAX_PASSWORD)
    new_password: NewPassword = Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)


class GoogleIn(StrictInput):
    id_token: str = Field(min_length=10, max_length=8192)


class VerifyEmailIn(StrictInput):
    token: str = Field(min_length=10, max_length=200)


class UserOut(ApiModel):
    id: int
    email: str
    name: str
    company: str | None = None
    email_verified: bool = False


class AuthOut(ApiModel):
    token: str
    user: UserOut
    project: ProjectBrief
