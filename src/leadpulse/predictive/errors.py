"""The typed refusal of training; the API maps it to 422 problem+json like every domain error."""

from __future__ import annotations

from leadpulse.core.readiness import Refusal, RefusalReason
from leadpulse.errors import LeadPulseError


class TrainingRefused(LeadPulseError):
    """The project's data cannot train a model; ``reason`` says which minimum was missed."""

    status = 422
    title = "Cannot train a model"

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.detail)
        self.reason: RefusalReason = refusal.reason
