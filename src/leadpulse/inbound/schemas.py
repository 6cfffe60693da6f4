"""Wire format of ``/api/inbound-sources`` and ``/api/inbound/{sourceId}``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from leadpulse.api.schemas import ApiModel, StrictInput, not_null
from leadpulse.imports.mapping import FieldMapping

HEADER = r"^[A-Za-z0-9-]{1,100}$"
Scheme = Literal["standard", "hmac"]


class HmacConfig(StrictInput):
    """A plain HMAC-SHA256 signature header (``scheme: hmac``)."""

    header: str = Field(pattern=HEADER, description="e.g. X-Signature")
    algorithm: Literal["sha256"] = "sha256"
    encoding: Literal["hex", "base64"] = "hex"
    prefix: str = Field(default="", max_length=32, description="e.g. sha256=")
    timestamp_header: str | None = Field(default=None, pattern=HEADER)
    id_header: str | None = Field(default=None, pattern=HEADER)


class SourceCreate(StrictInput):
    """A new inbound source; its signing secret is made by the server."""

    name: str = Field(min_length=1, max_length=200)
    scheme: Scheme = "standard"
    hmac: HmacConfig | None = None
    tolerance_seconds: int = Field(default=300, ge=1, le=86_400)
    mapping: FieldMapping
    active: bool = True

    @model_validator(mode="after")
    def _hmac_needs_config(self) -> SourceCreate:
        if self.scheme == "hmac" and self.hmac is None:
            raise ValueError("scheme hmac needs the hmac settings (header, encoding …)")
        return self


class SourceUpdate(StrictInput):
    """Changes to a source (fields left out stay)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    scheme: Scheme | None = None
    hmac: HmacConfig | None = None
    tolerance_seconds: int | None = Field(default=None, ge=1, le=86_400)
    mapping: FieldMapping | None = None
    active: bool | None = None

    _not_null = not_null("name", "scheme", "tolerance_seconds", "mapping", "active")


class SourceRead(ApiModel):
    """A source, without its secret."""

    id: int
    name: str
    scheme: Scheme
    hmac: dict[str, Any]
    tolerance_seconds: int
    mapping: dict[str, Any]
    active: bool
    created_at: datetime
    updated_at: datetime


class SourceCreated(SourceRead):
    """The creation response: the only time the signing secret is shown."""

    secret: str = Field(description="whsec_… signing secret; store it now, it is not shown again")


class PreviewRequest(StrictInput):
    """A mapping and a sample payload to try it on."""

    mapping: FieldMapping
    sample: dict[str, Any]


class PreviewResult(ApiModel):
    """The event the sample would produce."""

    event: dict[str, Any]


class InboundResult(ApiModel):
    """The outcome of one inbound delivery."""

    status: Literal["queued", "duplicate"]
    event_id: str
    lead_id: int
