"""Scoring rules, stage thresholds and rescore jobs on the wire."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, model_validator

from leadpulse.api.schemas import ApiModel, StrictInput
from leadpulse.core.rules import EVENT_TYPE_PATTERN, MAX_POINTS
from leadpulse.core.stages import MAX_THRESHOLD


class RuleCreate(StrictInput):
    event_type: str = Field(pattern=EVENT_TYPE_PATTERN)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    points: int = Field(ge=-MAX_POINTS, le=MAX_POINTS)
    active: bool = True


class RuleUpdate(StrictInput):
    event_type: str | None = Field(default=None, pattern=EVENT_TYPE_PATTERN)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    points: int | None = Field(default=None, ge=-MAX_POINTS, le=MAX_POINTS)
    active: bool | None = None


class RuleRead(ApiModel):
    id: int
    event_type: str
    name: str
    description: str | None
    points: int
    active: bool
    created_at: datetime
    updated_at: datetime


class Stages(StrictInput):
    """Lower bounds of each stage above cold; strictly increasing."""

    warm: int = Field(ge=1, le=MAX_THRESHOLD)
    hot: int = Field(ge=1, le=MAX_THRESHOLD)
    qualified: int = Field(ge=1, le=MAX_THRESHOLD)

    @model_validator(mode="after")
    def _increasing(self) -> Stages:
        if not self.warm < self.hot < self.qualified:
            raise ValueError("thresholds must be strictly increasing: warm < hot < qualified")
        return self


class StagesRead(ApiModel):
    warm: int
    hot: int
    qualified: int
    ranges: dict[str, list[int | None]]


class RescoreRead(ApiModel):
    job_id: str
    status: str
    total: int
    done: int
    created_at: datetime
    finished_at: datetime | None = None
