"""Response bodies of ``/api/admin``."""

from __future__ import annotations

from datetime import datetime

from leadpulse.api.schemas import ApiModel


class FailedJobRead(ApiModel):
    id: int
    lead_id: int
    attempts: int
    error: str
    traceback: str
    failed_at: datetime
    replayed_at: datetime | None
