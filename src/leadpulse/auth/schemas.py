"""Request and response bodies of the auth and project endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import EmailStr, Field, StringConstraints, field_validator

from leadpulse.api.schemas import ApiModel, StrictInput
from leadpulse.auth.security import MAX_PASSWORD, MIN_PASSWORD


def _normalise_email(value: str) -> str:
    return value.strip().lower()


# Passwords are taken byte for byte: StrictInput strips other strings, never these.
Password = Annotated[str, StringConstraints(strip_whitespace=False)]


class RegisterIn(StrictInput):
    email: EmailStr = Field(max_length=254)
    password: Password = Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)
    name: str = Field(min_length=1, max_length=200)
    company: str | None = Field(default=None, max_length=200)

    _email = field_validator("email")(_normalise_email)


class LoginIn(StrictInput):
    email: EmailStr
    password: Password = Field(min_length=1, max_length=MAX_PASSWORD)

    _email = field_validator("email")(_normalise_email)


class GoogleIn(StrictInput):
    id_token: str = Field(min_length=10, max_length=8192)


class VerifyEmailIn(StrictInput):
    token: str = Field(min_length=10, max_length=200)


class GenerateKeyIn(StrictInput):
    type: Literal["publishable", "secret"] = "publishable"


class RotateKeyIn(StrictInput):
    type: Literal["publishable", "secret"] = "publishable"


class UserOut(ApiModel):
    id: int
    email: str
    name: str
    company: str | None = None
    email_verified: bool = False


class ProjectBrief(ApiModel):
    id: int
    name: str


class ProjectOut(ApiModel):
    id: int
    name: str
    domain: str | None
    publishable_key: str | None = None
    active: bool
    decay_enabled: bool
    decay_grace_days: int
    decay_daily_rate: float
    allowed_origins: list[str] | None = None
    created_at: datetime


class ProjectCreate(StrictInput):
    name: str = Field(min_length=1, max_length=200)
    domain: str | None = Field(default=None, max_length=255)


class ProjectUpdate(StrictInput):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    domain: str | None = Field(default=None, max_length=255)
    decay_enabled: bool | None = None
    decay_grace_days: int | None = Field(default=None, ge=0, le=365)
    decay_daily_rate: float | None = Field(default=None, gt=0, lt=1)
    allowed_origins: list[str] | None = Field(default=None, max_length=50)

    @field_validator("name", "decay_enabled", "decay_grace_days", "decay_daily_rate", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Omit a field to keep it; only ``domain`` and ``allowedOrigins`` can be cleared.
        if value is None:
            raise ValueError("cannot be null; omit the field to leave it unchanged")
        return value


class AuthOut(ApiModel):
    token: str
    user: UserOut
    project: ProjectBrief


class KeyOut(ApiModel):
    type: Literal["publishable", "secret"]
    api_key: str
    prefix: str
    note: str = "Store this key now: a secret key is never shown again."


class TokenOut(ApiModel):
    token: str
