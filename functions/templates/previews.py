"""Previews: a template rendered for sample values, saved or as it is being edited, with no side
effect. A credential snippet shows a placeholder (deskless.snippets): a preview never issues a
password or a link, and writes nothing.

A preview may name a ticket: its values fill the `{[Ticket ...]}` snippets, and its requester is
the contact named (a technician sees a quick reply as it will read on that ticket).

A preview may name a contact: their values (deskless.contact_mail.recipient: their names and
address, their company's, where they sign in) fill what the sample leaves out, and a saved
template is shown in the variant a mail to them would take (their language, else their portal's,
else English)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from deskless.contact_mail import Recipient, recipient
from deskless.contacts import contact_of
from deskless.fields import ONE_LINE
from deskless.languages import DEFAULT_LANGUAGE, Language
from deskless.rendering import Rendered, render
from deskless.snippets import SnippetContext, SnippetValues, check_known
from deskless.templates import (
    BODY_CHARS,
    SUBJECT_CHARS,
    TITLE_CHARS,
    EmailVariant,
    ReplyVariant,
    render_email,
    render_reply,
)
from deskless.tickets import Ticket, ticket_of

# While a template is being written its subject or body may still be empty: a preview takes that.
DraftLine = Annotated[str, StringConstraints(max_length=max(SUBJECT_CHARS, TITLE_CHARS)), ONE_LINE]
DraftBody = Annotated[str, StringConstraints(max_length=BODY_CHARS)]


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sample: SnippetValues = Field(
        default_factory=SnippetValues, description="Values for the snippets; an absent one shows as [its name]."
    )
    contact_id: str | None = Field(
        default=None,
        max_length=64,
        description="Preview as a mail to this contact: their values fill what `sample` leaves out (404 if there "
        "is no such contact). Credentials still show as placeholders: a preview issues nothing.",
    )

    ticket_number: int | None = Field(
        default=None,
        ge=1,
        le=999_999_999,
        description="Preview for this ticket: its values, and its requester's as `contact_id`'s (404 if there is "
        "no such ticket).",
    )

    def for_contact(self) -> tuple[SnippetContext, Recipient | None]:
        """The preview's context, and the contact it is for (if one is named, or the ticket's requester)."""
        values = SnippetValues()
        contact_id = self.contact_id
        if self.ticket_number is not None:
            ticket = ticket_of(self.ticket_number)
            values = ticket_values(ticket)
            contact_id = contact_id or ticket.requester.id or None
        to = recipient(contact_of(contact_id)) if contact_id else None
        if to is not None:
            values = to.values.model_copy(update=values.model_dump(exclude_none=True))
        values = values.model_copy(update=self.sample.model_dump(exclude_none=True))
        return SnippetContext.for_preview(values), to


def ticket_values(ticket: Ticket) -> SnippetValues:
    """A ticket's own snippet values (its link is the portal's, which a preview leaves out)."""
    return SnippetValues(ticket_number=str(ticket.number), ticket_title=ticket.title, ticket_status=ticket.status)


class EmailDraft(Sample):
    """An email template's variant as it is being edited."""

    subject: DraftLine = ""
    body: DraftBody = ""
    language: Language = DEFAULT_LANGUAGE


class ReplyDraft(Sample):
    """A quick reply's variant as it is being edited."""

    title: DraftLine = ""
    body: DraftBody = ""
    language: Language = DEFAULT_LANGUAGE


class SavedPreview(Sample):
    """Which variant of a saved template to preview: the language asked for, else the portal's,
    else English (deskless.templates.variant_for)."""

    language: Language | None = None
    portal_language: Language | None = None


class EmailPreview(BaseModel):
    language: Language = Field(description="The language of the variant rendered.")
    subject: str
    html: str = Field(description="The whole HTML document, as it is sent.")
    text: str = Field(description="The plain-text part, as it is sent.")


class ReplyPreview(BaseModel):
    language: Language
    title: str
    html: str
    text: str


def _email(language: Language, rendered: Rendered) -> EmailPreview:
    return EmailPreview(language=language, subject=rendered.subject, html=rendered.html, text=rendered.text)


def _reply(language: Language, rendered: Rendered) -> ReplyPreview:
    return ReplyPreview(language=language, title=rendered.subject, html=rendered.html, text=rendered.text)


def preview_email_draft(draft: EmailDraft) -> EmailPreview:
    check_known({"subject": draft.subject, "body": draft.body})
    context, _ = draft.for_contact()
    return _email(draft.language, render(draft.subject, draft.body, context, language=draft.language))


def preview_reply_draft(draft: ReplyDraft) -> ReplyPreview:
    check_known({"title": draft.title, "body": draft.body})
    context, _ = draft.for_contact()
    return _reply(draft.language, render(draft.title, draft.body, context, language=draft.language))


def _languages(asked: SavedPreview, to: Recipient | None) -> tuple[str | None, str | None]:
    """The language asked for and the portal's: what was asked, else the contact's and their portal's."""
    if to is None:
        return asked.language, asked.portal_language
    return asked.language or to.contact.language, asked.portal_language or to.portal_language


def preview_email(variants: dict[Language, EmailVariant], asked: SavedPreview) -> EmailPreview:
    context, to = asked.for_contact()
    return _email(*render_email(variants, context, *_languages(asked, to)))


def preview_reply(variants: dict[Language, ReplyVariant], asked: SavedPreview) -> ReplyPreview:
    context, to = asked.for_contact()
    return _reply(*render_reply(variants, context, *_languages(asked, to)))
