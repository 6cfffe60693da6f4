"""Wire format of ``/api/imports``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, computed_field

from leadpulse.api.schemas import ApiModel, Page

ImportStatus = Literal["queued", "running", "finished", "failed"]


class ImportRead(ApiModel):
    """An import job and its progress."""

    id: int
    status: ImportStatus
    format: str
    filename: str
    size_bytes: int
    offset: int = Field(exclude=True)
    rows_read: int
    rows_stored: int
    rows_duplicate: int
    rows_rejected: int
    error: str | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def percent(self) -> float:
        """Share of the file read and committed, 0–100 (100 once finished)."""
        if self.status == "finished":
            return 100.0
        if self.size_bytes <= 0:
            return 0.0
        return min(99.9, round(100 * self.offset / self.size_bytes, 1))


class RejectionRead(ApiModel):
    """A row that was not imported: its line in the file and why."""

    line: int
    errors: list[dict[str, Any]]
    raw: str


class ImportDetail(ImportRead):
    """An import job with a page of its rejected rows."""

    rejections: Page[RejectionRead]
