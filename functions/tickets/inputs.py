"""What the ticket routes take: the shapes of a ticket's text and of the choices a form makes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import UUID4, BaseModel, EmailStr, Field, StringConstraints

from deskless.errors import AttachmentTooLarge, AttachmentTypeRefused, UploadMissing
from deskless.fields import LINES, ONE_LINE
from deskless.priorities import Level
from deskless.ticket_intake import Submission
from deskless.tickets import MAX_TAG_LENGTH

MAX_CC = 20
MAX_FIELDS = 50
MAX_AREAS = 20
MAX_FILES = 10

# A ticket's number in a path, a page's cursor, a file's id.
Number = Annotated[int, Path(ge=1, le=999_999_999, description="The ticket's number (#1001 is 1001).")]
Cursor = Annotated[str, StringConstraints(min_length=1, max_length=80)]
FileId = Annotated[str, Path(min_length=1, max_length=64)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), ONE_LINE]
Text = Annotated[str, StringConstraints(max_length=20_000), LINES]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
FieldValues = Annotated[
    dict[Annotated[str, StringConstraints(max_length=64)], Any],
    Field(
        max_length=MAX_FIELDS,
        description="The category's fields, by key: text, number, choice key(s), true/false, YYYY-MM-DD.",
    ),
]
Areas = Annotated[list[Id], Field(max_length=MAX_AREAS, description="Product areas, by id.")]
Cc = Annotated[list[EmailStr], Field(max_length=MAX_CC, description="Addresses that follow the ticket.")]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TAG_LENGTH), ONE_LINE]
MAX_DUE_MS = 253_402_300_799_999  # the end of the year 9999


class TicketForm(BaseModel):
    """What every source of a ticket gives (deskless.ticket_intake.Submission, validated)."""

    title: Title
    description: Text
    category_id: Id | None = None
    fields: FieldValues = Field(default_factory=dict)
    product_areas: Areas = Field(default_factory=list)
    cc: Cc = Field(default_factory=list)
    impact: Level = Level.MEDIUM
    urgency: Level = Level.MEDIUM


Uploads = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=64)]],
    Field(max_length=MAX_FILES, description="Files uploaded first (POST /api/attachments), by attachment id."),
]


class Reply(BaseModel):
    body: Text
    attachments: Uploads = Field(default_factory=list)


class TicketWithFiles(TicketForm):
    """A ticket submitted by someone who can upload (a contact, a technician)."""

    attachments: Uploads = Field(default_factory=list)


class PortalTicket(TicketWithFiles):
    """A ticket submitted on the portal's form."""

    draft: UUID4 | None = Field(
        default=None,
        description="The form's draft id, given to the knowledge base's suggestions while it was typed "
        "(deskless.deflection): the ticket counts as submitted after an article was opened, if one was.",
    )


def submission(form: TicketForm) -> Submission:
    return Submission(**form.model_dump(include=set(Submission.__dataclass_fields__)))


# What taking uploads may answer (deskless.attachments).
UPLOAD_ERRORS = (AttachmentTooLarge, AttachmentTypeRefused, UploadMissing)
