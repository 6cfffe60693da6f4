"""Lead stages derived from the score with per-project thresholds.

``stage_for(score)``: cold if score < warm; warm if warm <= score < hot;
hot if hot <= score < qualified; qualified if score >= qualified.
Defaults: cold 0-29, warm 30-59, hot 60-99, qualified >= 100.
Thresholds must satisfy ``0 < warm < hot < qualified <= 10 000``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Stage = Literal["cold", "warm", "hot", "qualified"]
STAGES: tuple[Stage, ...] = ("cold", "warm", "hot", "qualified")

MAX_THRESHOLD = 10_000


@dataclass(frozen=True, slots=True)
class StageThresholds:
    """Minimum score of each stage above cold."""

    warm: int = 30
    hot: int = 60
    qualified: int = 100

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ValueError unless 0 < warm < hot < qualified <= 10 000."""
        if not 0 < self.warm < self.hot < self.qualified <= MAX_THRESHOLD:
            raise ValueError(
                "stage thresholds must satisfy 0 < warm < hot < qualified <= "
                f"{MAX_THRESHOLD}, got warm={self.warm} hot={self.hot} "
                f"qualified={self.qualified}"
            )


DEFAULT_THRESHOLDS = StageThresholds()


def stage_for(score: int, thresholds: StageThresholds) -> Stage:
    """Return the stage a score falls into."""
    if score >= thresholds.qualified:
        return "qualified"
    if score >= thresholds.hot:
        return "hot"
    if score >= thresholds.warm:
        return "warm"
    return "cold"
