"""Request and response bodies of the project endpoints (``/api/projects``, and the current
project and key generation under ``/api/auth``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, computed_field

from leadpulse.api.schemas import ApiModel, StrictInput, not_null
from leadpulse.projects.keys import KeyKind
from leadpulse.projects.origins import MAX_ORIGIN_LENGTH, normalise_origin

# One entry of ``allowedOrigins``: an invalid one is a 422 naming its index
# (``body.allowedOrigins.2``); a valid one is stored as browsers send it.
Origin = Annotated[
    str, StringConstraints(max_length=MAX_ORIGIN_LENGTH), AfterValidator(normalise_origin)
]


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
    allowed_origins: list[Origin] | None = Field(default=None, max_length=50)

    # Omit a field to keep it; only ``domain`` and ``allowedOrigins`` can be cleared.
    _not_null = not_null("name", "decay_enabled", "decay_grace_days", "decay_daily_rate")


class GenerateKeyIn(StrictInput):
    type: KeyKind = "publishable"


class RotateKeyIn(StrictInput):
    type: KeyKind = "publishable"


KEY_NOTES: dict[KeyKind, str] = {
    "secret": "Store this key now: a secret key is never shown again.",
    "publishable": "A publishable key can only ingest events and may appear in web pages; "
    "GET /api/auth/project shows the newest one.",
}


class KeyOut(ApiModel):
    type: KeyKind
    api_key: str
    prefix: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def note(self) -> str:
        """What to do with the key now (only a secret key is shown once)."""
        return KEY_NOTES[self.type]


class KeyInfo(ApiModel):
    """An API key as listed: never the secret, only what tells keys apart."""

    id: int
    type: KeyKind = Field(validation_alias="kind")
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class TokenOut(ApiModel):
    token: str
