"""A ticket's automation traces for staff: what the rules did for each of its changes (issue 14)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from deskless.automation_engine import Evaluation
from deskless.automation_traces import PAGE, traces_of
from deskless.errors import NotFound
from deskless.tickets import ticket_of

from .app import api
from .inputs import Number

Before = Annotated[
    int | None,
    Query(ge=0, le=99_999_999_999_999, description="Only traces older than this (ms): the `at` of the last one shown."),
]


@api.route("GET /api/tickets/{number}/automation", errors=[NotFound])
def automation(number: Number, before: Before = None) -> list[Evaluation]:
    """What the automation rules did for each change of the ticket, newest first (50 at most): the
    rules evaluated, the conditions that held, the actions done, skipped or failed, and why."""
    ticket_of(number, consistent=False)  # NotFound for a ticket that does not exist
    return traces_of(number, before=before, limit=PAGE)
