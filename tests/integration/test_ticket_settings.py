"""The tickets' settings an admin changes on the staff function's /api/settings: the priority
matrix (all 25 cells, GLPI's by default), who may submit tickets, when resolved tickets close, and
the cap on automatic mail; each refused clearly when out of range or incomplete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from deskless.data import table
from deskless.priorities import DEFAULT_MATRIX, Level, Priority, priority_for
from deskless.table import SETTINGS_KEY
from tests.conftest import LocalAws
from tests.helpers import TECHNICIAN, current
from tests.integration.test_codes import forget_caches
from tests.integration.test_settings import StaffApi


@pytest.fixture
def staff(aws: LocalAws) -> Iterator[StaffApi]:
    forget_caches()
    yield StaffApi(aws)
    forget_caches()


def default_matrix() -> dict[str, dict[str, str]]:
    return {u.value: {i.value: p.value for i, p in row.items()} for u, row in DEFAULT_MATRIX.items()}


def test_an_admin_changes_the_priority_matrix_and_tickets_would_follow_it(staff: StaffApi) -> None:
    matrix = default_matrix()
    matrix["very_high"]["very_high"] = "major"
    matrix["low"]["medium"] = "high"

    response = staff.call("PATCH /api/settings", {"priority_matrix": matrix})

    assert response.status == 200
    assert response.json()["priority_matrix"] == matrix
    forget_caches()
    assert staff.call("GET /api/settings").json()["priority_matrix"] == matrix
    kept = current("deskless.preferences").get_preferences().priority_matrix
    assert priority_for(kept, impact=Level.VERY_HIGH, urgency=Level.VERY_HIGH) == Priority.MAJOR
    assert priority_for(kept, impact=Level.MEDIUM, urgency=Level.LOW) == Priority.HIGH


def test_an_admin_sets_the_submission_policy_auto_close_and_mail_cap(staff: StaffApi) -> None:
    body = {"ticket_submission": "primary_contacts", "auto_close_days": 14, "automatic_mail_cap": 3}

    response = staff.call("PATCH /api/settings", body)

    assert response.status == 200
    assert {name: response.json()[name] for name in body} == body
    stored = table().get(SETTINGS_KEY)
    assert stored is not None
    assert {name: stored[name] for name in body} == body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ticket_submission": "nobody"}, "ticket_submission"),
        ({"auto_close_days": 0}, "auto_close_days"),
        ({"auto_close_days": 91}, "auto_close_days"),
        ({"auto_close_days": "7"}, "auto_close_days"),
        ({"automatic_mail_cap": 0}, "automatic_mail_cap"),
        ({"automatic_mail_cap": 101}, "automatic_mail_cap"),
        ({"priority_matrix": None}, "priority_matrix"),
        ({"priority_matrix": {"low": {"low": "low"}}}, "priority_matrix"),
    ],
)
def test_an_invalid_ticket_setting_is_a_400_naming_it(staff: StaffApi, body: dict[str, Any], field: str) -> None:
    response = staff.call("PATCH /api/settings", body)

    assert response.status == 400
    assert response.json()["error"] == "invalid_request"
    assert {d["field"].split(".")[0] for d in response.json()["details"]} == {field}
    assert table().get(SETTINGS_KEY) is None


def test_a_matrix_with_a_missing_cell_says_which(staff: StaffApi) -> None:
    matrix = default_matrix()
    del matrix["high"]["very_low"]

    response = staff.call("PATCH /api/settings", {"priority_matrix": matrix})

    assert response.status == 400
    assert "urgency high needs a priority for each impact; missing: very_low" in response.json()["message"]


def test_a_technician_may_not_change_the_ticket_settings(staff: StaffApi) -> None:
    response = staff.call("PATCH /api/settings", {"auto_close_days": 3}, caller=TECHNICIAN)

    assert response.status == 403
