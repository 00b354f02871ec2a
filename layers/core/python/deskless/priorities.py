"""A ticket's priority from its impact and urgency, through a matrix the admin can edit.

Impact (how much is affected) and urgency (how soon it matters) each take one of five levels;
the matrix gives, for each urgency and each impact, one of six priorities (`major` above
`very_high`, for what a technician decides is an emergency: the default never gives it).

The default is GLPI's, copied exactly: glpi-project/glpi, install/empty_data.php, the config
`priority_matrix` = {"1":{"1":1,"2":1,"3":2,"4":2,"5":2},"2":{"1":1,"2":2,"3":2,"4":3,"5":3},
"3":{"1":2,"2":2,"3":3,"4":4,"5":4},"4":{"1":2,"2":3,"3":4,"4":4,"5":5},
"5":{"1":2,"2":3,"3":4,"4":5,"5":5}}, read as matrix[urgency][impact] (CommonITILObject::
computePriority), levels 1..5 = very low..very high, priority 6 = major.

Pure: no storage. The matrix in force is a setting (deskless.preferences, `priority_matrix`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, Strict


class Level(StrEnum):
    """An impact or an urgency, lowest first."""

    VERY_LOW = "very_low"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


class Priority(StrEnum):
    """A ticket's priority, lowest first; `rank` sorts them (major highest)."""

    VERY_LOW = "very_low"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"
    MAJOR = "major"

    @property
    def rank(self) -> int:
        """1 (very low) .. 6 (major), as GLPI numbers them: a sort key that sorts as people expect.

        >>> sorted([Priority.MAJOR, Priority.LOW, Priority.HIGH], key=lambda p: p.rank)
        [<Priority.LOW: 'low'>, <Priority.HIGH: 'high'>, <Priority.MAJOR: 'major'>]
        """
        return list(Priority).index(self) + 1


def _complete(matrix: dict[Level, dict[Level, Priority]]) -> dict[Level, dict[Level, Priority]]:
    """Every urgency has a row, and every row a priority for every impact; stored in level order."""
    missing_rows = [urgency.value for urgency in Level if urgency not in matrix]
    if missing_rows:
        raise ValueError(f"the matrix needs a row for each urgency; missing: {', '.join(missing_rows)}")
    for urgency in Level:
        missing = [impact.value for impact in Level if impact not in matrix[urgency]]
        if missing:
            raise ValueError(f"urgency {urgency.value} needs a priority for each impact; missing: {', '.join(missing)}")
    return {urgency: {impact: matrix[urgency][impact] for impact in Level} for urgency in Level}


# A level or priority as its name, in strict models too (the settings' PATCH is strict: "3" is no number).
_LevelName = Annotated[Level, Strict(False)]
_PriorityName = Annotated[Priority, Strict(False)]

# urgency -> impact -> priority, with every level present (5 x 5).
PriorityMatrix = Annotated[
    dict[_LevelName, dict[_LevelName, _PriorityName]],
    AfterValidator(_complete),
    Field(description="For each urgency, for each impact, the priority a ticket gets (all 25 given)."),
]


def _from_glpi(rows: dict[int, dict[int, int]]) -> dict[Level, dict[Level, Priority]]:
    levels, priorities = list(Level), list(Priority)
    return {
        levels[urgency - 1]: {levels[impact - 1]: priorities[priority - 1] for impact, priority in row.items()}
        for urgency, row in rows.items()
    }


# GLPI's default, as its install writes it (see the module's docstring): urgency -> impact -> priority.
DEFAULT_MATRIX: dict[Level, dict[Level, Priority]] = _from_glpi(
    {
        1: {1: 1, 2: 1, 3: 2, 4: 2, 5: 2},
        2: {1: 1, 2: 2, 3: 2, 4: 3, 5: 3},
        3: {1: 2, 2: 2, 3: 3, 4: 4, 5: 4},
        4: {1: 2, 2: 3, 3: 4, 4: 4, 5: 5},
        5: {1: 2, 2: 3, 3: 4, 4: 5, 5: 5},
    }
)


def priority_for(matrix: dict[Level, dict[Level, Priority]], impact: Level, urgency: Level) -> Priority:
    """The priority the matrix gives a ticket of this impact and urgency.

    >>> priority_for(DEFAULT_MATRIX, Level.HIGH, Level.VERY_HIGH)
    <Priority.VERY_HIGH: 'very_high'>
    """
    return matrix[urgency][impact]
