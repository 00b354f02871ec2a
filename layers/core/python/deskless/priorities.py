"""Impact, urgency and the priority they make (placeholder of the ticket core's branch: the
help-desk setup branch owns this module and replaces it whole)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Level(StrEnum):
    VERY_LOW = "very_low"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


class Priority(StrEnum):
    VERY_LOW = "very_low"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"
    MAJOR = "major"

    @property
    def rank(self) -> int:
        return list(Priority).index(self) + 1


PriorityMatrix = Mapping[Level, Mapping[Level, Priority]]
_LEVELS = list(Level)
_GLPI = [[1, 1, 2, 2, 2], [1, 2, 2, 3, 3], [2, 2, 3, 4, 4], [2, 3, 4, 4, 5], [2, 3, 4, 5, 5]]
DEFAULT_MATRIX: PriorityMatrix = {
    urgency: {impact: list(Priority)[_GLPI[u][i] - 1] for i, impact in enumerate(_LEVELS)}
    for u, urgency in enumerate(_LEVELS)
}


def priority_for(matrix: PriorityMatrix, impact: Level, urgency: Level) -> Priority:
    return matrix[urgency][impact]
