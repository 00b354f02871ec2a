"""The ticket's rules that need no storage: the status table, the lists a ticket is in, what a
search finds it by."""

from __future__ import annotations

import pytest

from deskless.errors import TransitionNotAllowed
from deskless.priorities import Priority
from deskless.ticket_lists import projection, scopes, views
from deskless.tickets import (
    ACTIVE,
    FINAL,
    TRANSITIONS,
    Author,
    AuthorKind,
    Source,
    Status,
    Ticket,
    check_transition,
)

CARLA = Author(kind=AuthorKind.CONTACT, id="c1", name="Carla Díaz", email="carla@acme.example.com")
TED = Author(kind=AuthorKind.STAFF, id="t1", name="Ted Tech")


def ticket(**changes: object) -> Ticket:
    base = Ticket(
        number=1001,
        title="Přihlášení nefunguje",
        description="x",
        requester=CARLA,
        company_id="acme",
        source=Source.PORTAL,
        priority=Priority.MEDIUM,
        created_at=1773342238,
        updated_at=1773342238000,
    )
    return base.model_copy(update=changes)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Status.NEW, Status.OPEN),
        (Status.OPEN, Status.PENDING),
        (Status.PENDING, Status.OPEN),
        (Status.RESOLVED, Status.OPEN),
        (Status.RESOLVED, Status.CLOSED),
        (Status.OPEN, Status.MERGED),
    ],
)
def test_the_table_allows_these(before: Status, after: Status) -> None:
    check_transition(before, after)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Status.CLOSED, Status.OPEN),
        (Status.MERGED, Status.OPEN),
        (Status.RESOLVED, Status.PENDING),
        (Status.RESOLVED, Status.MERGED),
        (Status.OPEN, Status.NEW),
    ],
)
def test_the_table_refuses_these_and_says_what_may_follow(before: Status, after: Status) -> None:
    with pytest.raises(TransitionNotAllowed) as refused:
        check_transition(before, after)
    assert f"A {before} ticket cannot become {after}" in refused.value.message


def test_final_statuses_lead_nowhere_and_every_status_has_a_row() -> None:
    assert set(TRANSITIONS) == set(Status)
    assert all(not TRANSITIONS[status] for status in FINAL)
    assert Status.NEW not in {after for row in TRANSITIONS.values() for after in row}  # nothing goes back to new
    assert ACTIVE.isdisjoint(FINAL)


def test_a_ticket_is_listed_in_each_of_its_scopes_by_any_status_its_status_and_active() -> None:
    listed = views(ticket(team_id="printers", cc=["boss@acme.example.com"]))

    assert "all" in listed
    assert "all|new" in listed
    assert "all|active" in listed
    assert {"unassigned|active", "team:printers|new", "company:acme", "requester:c1|active"} <= set(listed)
    assert "cc:boss@acme.example.com|new" in listed
    assert "priority:medium|active" in listed
    assert not any(view.endswith("|open") for view in listed)


def test_a_closed_ticket_leaves_the_active_lists_and_an_assigned_one_the_unassigned() -> None:
    closed = views(ticket(status=Status.CLOSED, assignee=TED))

    assert "all|closed" in closed
    assert not any(view.endswith("|active") for view in closed)
    assert "assignee:t1" in closed
    assert not any(view.startswith("unassigned") for view in closed)
    assert scopes(ticket(assignee=TED))[1] == "assignee:t1"


def test_words_are_folded_and_the_requester_is_searched_only_by_staff() -> None:
    keys = set(projection(ticket()))
    words = {sk.split("#")[0] for pk, sk in keys if pk == "TICKETWORDS#all"}
    mine = {sk.split("#")[0] for pk, sk in keys if pk == "TICKETWORDS#requester:c1"}

    assert {"prihlaseni", "nefunguje", "carla", "diaz"} <= words
    assert mine == {"prihlaseni", "nefunguje"}
    assert not any(pk.startswith("TICKETWORDS#priority") for pk, _ in keys)
