"""Email templates (admins) and quick replies (admins keep the shared ones, every technician may
keep their own), the snippets they may name, and previews of both.

The templates and their rules are deskless.templates' (the functions that send mail render them
too); the previews are this function's (previews.py)."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel

from deskless.errors import BuiltInTemplate, Conflict, NotFound, SharedQuickReply, UnknownSnippet
from deskless.http import Api, SignedIn
from deskless.snippets import SNIPPETS
from deskless.templates import (
    EmailTemplate,
    EmailTemplateChange,
    EmailTemplateContent,
    QuickReply,
    QuickReplyChange,
    QuickReplyContent,
    create_email_template,
    create_quick_reply,
    delete_email_template,
    delete_quick_reply,
    email_template,
    email_templates,
    quick_replies_for,
    quick_reply,
    replace_email_template,
    replace_quick_reply,
    reset_email_template,
)

from .previews import (
    EmailDraft,
    EmailPreview,
    ReplyDraft,
    ReplyPreview,
    SavedPreview,
    preview_email,
    preview_email_draft,
    preview_reply,
    preview_reply_draft,
)

api = Api("templates")


class SnippetInfo(BaseModel):
    token: str  # "{[Contact Name]}"
    name: str
    group: str
    description: str
    credential: bool  # issued when a mail is sent; a placeholder in previews
    link: bool  # its value is an address, which may stand as a link's target


class NewQuickReply(QuickReplyContent):
    shared: bool = False  # admins only: every technician may use it


@api.route("GET /api/snippets")
def snippets() -> list[SnippetInfo]:
    return [
        SnippetInfo(
            token=s.token,
            name=s.name,
            group=s.group.value,
            description=s.description,
            credential=s.issued is not None,
            link=s.link,
        )
        for s in SNIPPETS
    ]


# --- email templates ----------------------------------------------------------------------------


@api.route("GET /api/email-templates")
def list_email_templates() -> list[EmailTemplate]:
    return email_templates()


@api.route("POST /api/email-templates", status_code=201, errors=[UnknownSnippet])
def create_email(content: EmailTemplateContent) -> EmailTemplate:
    return create_email_template(content)


@api.route("POST /api/email-templates/preview", errors=[UnknownSnippet, NotFound])
def preview_email_as_edited(draft: EmailDraft) -> EmailPreview:
    return preview_email_draft(draft)


@api.route("GET /api/email-templates/{template_id}", errors=[NotFound])
def get_email(template_id: str) -> EmailTemplate:
    return email_template(template_id)


@api.route("PUT /api/email-templates/{template_id}", errors=[NotFound, UnknownSnippet, BuiltInTemplate, Conflict])
def replace_email(template_id: str, change: EmailTemplateChange) -> EmailTemplate:
    return replace_email_template(template_id, change)


@api.route(
    "DELETE /api/email-templates/{template_id}",
    status_code=204,
    response_class=Response,
    errors=[NotFound, BuiltInTemplate],
)
def delete_email(template_id: str) -> Response:
    delete_email_template(template_id)
    return Response(status_code=204)


@api.route("POST /api/email-templates/{template_id}/reset", errors=[NotFound])
def reset_email(template_id: str) -> EmailTemplate:
    return reset_email_template(template_id)


@api.route("POST /api/email-templates/{template_id}/preview", errors=[NotFound])
def preview_saved_email(template_id: str, asked: SavedPreview) -> EmailPreview:
    return preview_email(email_template(template_id).variants, asked)


# --- quick replies ------------------------------------------------------------------------------


@api.route("GET /api/quick-replies")
def list_quick_replies(caller: SignedIn) -> list[QuickReply]:
    return quick_replies_for(caller)


@api.route("POST /api/quick-replies", status_code=201, errors=[UnknownSnippet, SharedQuickReply])
def create_reply(new: NewQuickReply, caller: SignedIn) -> QuickReply:
    return create_quick_reply(caller, new, shared=new.shared)


@api.route("POST /api/quick-replies/preview", errors=[UnknownSnippet, NotFound])
def preview_reply_as_edited(draft: ReplyDraft) -> ReplyPreview:
    return preview_reply_draft(draft)


@api.route("GET /api/quick-replies/{reply_id}", errors=[NotFound])
def get_reply(reply_id: str, caller: SignedIn) -> QuickReply:
    return quick_reply(caller, reply_id)


@api.route("PUT /api/quick-replies/{reply_id}", errors=[NotFound, UnknownSnippet, SharedQuickReply, Conflict])
def replace_reply(reply_id: str, change: QuickReplyChange, caller: SignedIn) -> QuickReply:
    return replace_quick_reply(caller, reply_id, change)


@api.route(
    "DELETE /api/quick-replies/{reply_id}",
    status_code=204,
    response_class=Response,
    errors=[NotFound, SharedQuickReply],
)
def delete_reply(reply_id: str, caller: SignedIn) -> Response:
    delete_quick_reply(caller, reply_id)
    return Response(status_code=204)


@api.route("POST /api/quick-replies/{reply_id}/preview", errors=[NotFound])
def preview_saved_reply(reply_id: str, asked: SavedPreview, caller: SignedIn) -> ReplyPreview:
    return preview_reply(quick_reply(caller, reply_id).variants, asked)
