"""Every name, title, label and reason the API takes is one line of visible text, and every
message is visible text (deskless.fields): a CR/LF (which would reach an email's subject), a NUL,
a bidi override or a zero-width character is refused, naming the character, by every model that
takes one; ordinary names in any script pass."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from deskless.preferences import Preferences
from functions.codes.api import JoinRequest, NewCode
from functions.invitations.api import Arrival, NewApiKey, NewInvitation
from functions.portals.admin import CompanyChange, NewCompany
from functions.portals.public import ChatRequestBody, MessageBody
from functions.realtime.actions import ChatSend, PresenceSet
from functions.staff.accounts import NewStaff, StaffChange

# Each model with a valid body, and the field of it that is a name, title, label or reason.
ONE_LINE_FIELDS: list[tuple[type[BaseModel], dict[str, Any], str]] = [
    (NewCode, {"name": "Printer", "portal": "acme"}, "name"),
    (JoinRequest, {"code": "123456789", "name": "Carla"}, "name"),
    (NewInvitation, {"label": "Carla"}, "label"),
    (Arrival, {"name": "Carla"}, "name"),
    (NewApiKey, {"name": "CRM"}, "name"),
    (NewStaff, {"email": "t@example.com", "name": "Tina", "role": "technician", "password": "x" * 12}, "name"),
    (StaffChange, {"name": "Tina"}, "name"),
    (NewCompany, {"name": "Acme"}, "name"),
    (CompanyChange, {"name": "Acme"}, "name"),
    (ChatRequestBody, {"name": "Carla", "email": "c@example.com", "question": "Help"}, "name"),
    (MessageBody, {"name": "Carla", "email": "c@example.com", "message": "Help"}, "name"),
    (PresenceSet, {"status": "away", "reason": "Lunch"}, "reason"),
]
MESSAGE_FIELDS: list[tuple[type[BaseModel], dict[str, Any], str]] = [
    (ChatRequestBody, {"name": "Carla", "email": "c@example.com", "question": "Help"}, "question"),
    (MessageBody, {"name": "Carla", "email": "c@example.com", "message": "Help"}, "message"),
    (ChatSend, {"session": "s1", "text": "Hello"}, "text"),
]
NOT_ONE_LINE = {
    "CR LF": "Carla\r\nBcc: all@example.com",
    "LF": "Carla\nCustomer",
    "NUL": "Car\x00la",
    "escape": "Carla\x1b[31m",
    "right-to-left override": "Carla \u202egnp.exe",
    "isolate": "\u2067Carla",
    "zero-width space": "Car\u200bla",
    "zero-width joiner": "Car\u200dla",
    "byte order mark": "\ufeffCarla",
    "line separator": "Carla\u2028Customer",
}
FINE_NAMES = ["Jiří Dvořák", "José Ñúñez", "Jürgen Groß", "王小明", "محمد", "O'Brien-Smith", "Ada Lovelace (CTO)"]


def _ids(cases: list[tuple[type[BaseModel], dict[str, Any], str]]) -> list[str]:
    return [f"{model.__name__}.{field}" for model, _, field in cases]


@pytest.mark.parametrize(("model", "valid", "field"), ONE_LINE_FIELDS, ids=_ids(ONE_LINE_FIELDS))
@pytest.mark.parametrize("bad", list(NOT_ONE_LINE.values()), ids=list(NOT_ONE_LINE))
def test_a_name_that_is_not_one_line_of_visible_text_is_refused_naming_the_field(
    model: type[BaseModel], valid: dict[str, Any], field: str, bad: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        model.model_validate({**valid, field: bad})

    [error] = refused.value.errors()
    assert error["loc"] == (field,)
    assert "U+" in error["msg"]


@pytest.mark.parametrize(("model", "valid", "field"), ONE_LINE_FIELDS, ids=_ids(ONE_LINE_FIELDS))
@pytest.mark.parametrize("name", FINE_NAMES)
def test_names_in_any_script_pass_trimmed(model: type[BaseModel], valid: dict[str, Any], field: str, name: str) -> None:
    if model is PresenceSet:
        name = name[:40]
    parsed = model.model_validate({**valid, field: f"  {name} "})

    assert getattr(parsed, field) == name


@pytest.mark.parametrize(("model", "valid", "field"), MESSAGE_FIELDS, ids=_ids(MESSAGE_FIELDS))
def test_a_message_keeps_its_lines_and_refuses_other_control_characters(
    model: type[BaseModel], valid: dict[str, Any], field: str
) -> None:
    kept = model.model_validate({**valid, field: "Line one\r\n\tLine two"})
    assert "Line one\r\n\tLine two" in getattr(kept, field)

    for bad in ("Hello\x00", "Hi\x1b[2J", "Hi\x07", "\u2028"):
        with pytest.raises(ValidationError):
            model.model_validate({**valid, field: bad})


def test_an_away_reason_the_admin_lists_is_one_line_too() -> None:
    with pytest.raises(ValidationError, match="U\\+000A"):
        Preferences(away_reasons=["Lunch\nbreak"])
