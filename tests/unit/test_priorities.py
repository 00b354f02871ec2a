"""A ticket's priority from impact and urgency: GLPI's default matrix, a matrix an admin edits
(complete, or refused naming what is missing), and priorities that sort as people expect."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from deskless.priorities import DEFAULT_MATRIX, Level, Priority, PriorityMatrix, priority_for


class Settings(BaseModel):
    model_config = ConfigDict(strict=True)  # as the settings' PATCH is

    matrix: PriorityMatrix


def as_json(matrix: dict[Level, dict[Level, Priority]]) -> dict[str, dict[str, str]]:
    return {urgency.value: {impact.value: p.value for impact, p in row.items()} for urgency, row in matrix.items()}


# GLPI's install (install/empty_data.php), `priority_matrix`, urgency -> impact, 1 = very low .. 5 = very high.
GLPI = {
    1: {1: 1, 2: 1, 3: 2, 4: 2, 5: 2},
    2: {1: 1, 2: 2, 3: 2, 4: 3, 5: 3},
    3: {1: 2, 2: 2, 3: 3, 4: 4, 5: 4},
    4: {1: 2, 2: 3, 3: 4, 4: 4, 5: 5},
    5: {1: 2, 2: 3, 3: 4, 4: 5, 5: 5},
}


@pytest.mark.parametrize("urgency", range(1, 6))
@pytest.mark.parametrize("impact", range(1, 6))
def test_the_default_matrix_is_glpis(urgency: int, impact: int) -> None:
    expected = list(Priority)[GLPI[urgency][impact] - 1]

    assert priority_for(DEFAULT_MATRIX, list(Level)[impact - 1], list(Level)[urgency - 1]) == expected


def test_the_default_is_symmetric_so_reading_it_either_way_gives_the_same() -> None:
    # GLPI reads matrix[urgency][impact]; its default happens to be symmetric, an admin's need not be.
    assert all(DEFAULT_MATRIX[u][i] == DEFAULT_MATRIX[i][u] for u in Level for i in Level)


def test_an_edited_matrix_is_read_urgency_first() -> None:
    edited = as_json(DEFAULT_MATRIX)
    edited["very_high"]["very_low"] = "major"  # very urgent, hardly any impact

    matrix = Settings.model_validate({"matrix": edited}).matrix

    assert priority_for(matrix, impact=Level.VERY_LOW, urgency=Level.VERY_HIGH) == Priority.MAJOR
    assert priority_for(matrix, impact=Level.VERY_HIGH, urgency=Level.VERY_LOW) == Priority.LOW


def test_the_default_never_gives_major() -> None:
    given = {priority for row in DEFAULT_MATRIX.values() for priority in row.values()}

    assert Priority.MAJOR not in given
    assert given == set(Priority) - {Priority.MAJOR}


def test_priorities_rank_from_very_low_to_major() -> None:
    ranks = [priority.rank for priority in Priority]

    assert ranks == [1, 2, 3, 4, 5, 6]
    assert max(Priority, key=lambda p: p.rank) == Priority.MAJOR
    assert sorted([Priority.HIGH, Priority.MAJOR, Priority.VERY_LOW], key=lambda p: p.rank)[0] == Priority.VERY_LOW


def test_an_edited_matrix_is_read_from_its_names_and_used() -> None:
    edited = as_json(DEFAULT_MATRIX)
    edited["very_high"]["very_high"] = "major"

    matrix = Settings.model_validate({"matrix": edited}).matrix

    assert priority_for(matrix, Level.VERY_HIGH, Level.VERY_HIGH) == Priority.MAJOR
    assert priority_for(matrix, Level.VERY_LOW, Level.VERY_LOW) == Priority.VERY_LOW


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda m: m.pop("medium"), "missing: medium"),
        (lambda m: m["high"].pop("very_low"), "urgency high needs a priority for each impact; missing: very_low"),
        (lambda m: m["low"].update(low="urgent"), "Input should be"),
        (lambda m: m.update(extreme=m["low"]), "Input should be"),
        (lambda m: m["low"].update(low=3), "Input should be"),
    ],
)
def test_an_incomplete_or_wrong_matrix_is_refused_saying_what_is_wrong(change: Any, problem: str) -> None:
    matrix = as_json(DEFAULT_MATRIX)
    change(matrix)

    with pytest.raises(ValidationError) as refused:
        Settings.model_validate({"matrix": matrix})

    assert problem in str(refused.value)
