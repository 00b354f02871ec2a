"""Email templates and quick-reply templates: what they hold, where they are stored, which
language variant is used, and rendering one with its snippets' values.

    TEMPLATES#EMAIL / <template id>              an email template (or an admin's edit of a built-in one)
    QUICKREPLIES#SHARED / <reply id>             a quick reply every technician may use (admins keep them)
    QUICKREPLIES#<user id> / <reply id>          a technician's own quick reply: only they see it

Each kind sits in one partition (a Query lists them; a GetItem reads one); there are tens of
them, not thousands.

**Built-in email templates** (welcome with credentials, password reset, ticket received /
updated / resolved) are defaults written in code (deskless.template_defaults), so every
deployment has them from its first request, in AWS as locally, with nothing to seed. An admin's
edit is stored under the built-in's id and overrides the default; resetting deletes the edit,
and the default shows again. A built-in cannot be deleted or change its purpose.

**Languages.** A template holds a variant per language (en, es, de, cs) and needs at least one.
The variant used is the one asked for, else the portal's language, else English, else the
first there is (`variant_for`).

**Snippets.** Every subject, title and body is checked when saved: an unknown `{[...]}` is
refused naming it and listing the known ones (deskless.snippets.check_known).

**Sending one** (what the parts that mail customers do; the credential issuer is theirs):

    template = email_template(template_id)
    context = SnippetContext.for_sending(SnippetValues(contact_name=..., portal_address=...), issuer)
    language, mail = render_email(template.variants, context, contact_language, portal_language)
    send_email([address], mail.subject, mail.text, mail.html)

The issuer is asked for a temporary password or a set-password link only if the template names
one, once, while rendering; the sender does it inside whatever makes the mail go once (a claim on
the item that asked for it), so a retry issues nothing twice.
"""

from __future__ import annotations

import re
import secrets
import time
from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .auth import Principal, Role
from .data import EXISTS, NEW_ITEM, Condition, ConditionFailed, Item, table
from .errors import BuiltInTemplate, Conflict, NotFound, SharedQuickReply
from .fields import LINES, ONE_LINE, FullName
from .languages import DEFAULT_LANGUAGE, LANGUAGES, Language
from .rendering import Rendered, render
from .snippets import SnippetContext, check_known
from .table import EMAIL_TEMPLATES, Entity, email_template_key, quick_replies, quick_reply_key, stamped

SUBJECT_CHARS = 200
TITLE_CHARS = 120
BODY_CHARS = 20_000
_ID = re.compile(r"[a-z0-9-]{1,40}")

Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=SUBJECT_CHARS), ONE_LINE]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_CHARS), ONE_LINE]
Body = Annotated[str, StringConstraints(max_length=BODY_CHARS), LINES]


class TemplatePurpose(StrEnum):
    """What an email template is for: the settings and rules that send one offer those of the
    purpose they need (the welcome setting, welcome templates)."""

    WELCOME = "welcome"
    PASSWORD_RESET = "password_reset"
    TICKET_RECEIVED = "ticket_received"
    TICKET_UPDATED = "ticket_updated"
    TICKET_RESOLVED = "ticket_resolved"
    TICKET_REFUSED = "ticket_refused"
    OTHER = "other"


class EmailVariant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: Subject
    body: Body = Field(description="Markdown; raw HTML shows as text.")


class ReplyVariant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    body: Body = Field(description="Markdown; raw HTML shows as text.")


V = TypeVar("V", EmailVariant, ReplyVariant)


class EmailTemplateContent(BaseModel):
    """What an admin writes: a name, a purpose, and a subject and body per language."""

    model_config = ConfigDict(extra="forbid")

    name: FullName
    purpose: TemplatePurpose = TemplatePurpose.OTHER
    variants: dict[Language, EmailVariant] = Field(min_length=1, description="A variant per language (at least one).")


REVISION = Field(
    default=None,
    ge=0,
    description="The revision the change was made from (as read): if the template changed since, the change is "
    "refused (409) rather than undo someone else's. Absent: the change is made whatever the revision.",
)


class EmailTemplateChange(EmailTemplateContent):
    revision: int | None = REVISION


class EmailTemplate(EmailTemplateContent):
    id: str
    built_in: bool = Field(description="One of Deskless' own: it cannot be deleted, only reset to its default.")
    customized: bool = Field(description="A built-in template an admin changed (reset brings the default back).")
    revision: int = Field(description="Counts the changes stored (0: a built-in template's default).")
    updated_at: int | None = None


class QuickReplyContent(BaseModel):
    """A quick reply's title and body per language."""

    model_config = ConfigDict(extra="forbid")

    variants: dict[Language, ReplyVariant] = Field(min_length=1, description="A variant per language (at least one).")


class QuickReplyChange(QuickReplyContent):
    revision: int | None = REVISION


class QuickReply(QuickReplyContent):
    id: str
    shared: bool = Field(description="Every technician may use it; admins keep it. Else its owner's alone.")
    owner_id: str | None = Field(default=None, description="Whose own quick reply it is (none: shared).")
    revision: int = Field(default=1, description="Counts the changes stored.")
    created_at: int
    updated_at: int


def variant_for(
    variants: dict[Language, V], language: str | None, portal_language: str | None = None
) -> tuple[Language, V]:
    """The variant to use and its language: the one asked for, else the portal's language, else
    English, else the first the template has (en, es, de, cs order).

    >>> variant_for({"en": "hello", "de": "hallo"}, "cs", "de")  # type: ignore[type-var]
    ('de', 'hallo')
    """
    for wanted in (language, portal_language, DEFAULT_LANGUAGE, *LANGUAGES):
        if wanted in variants:
            return wanted, variants[wanted]
    raise ValueError("a template has at least one variant")


def email_texts(content: EmailTemplateContent) -> dict[str, str]:
    """Each text an email template renders, by where it is in the request (for refusals)."""
    return {
        f"variants.{language}.{part}": getattr(variant, part)
        for language, variant in content.variants.items()
        for part in ("subject", "body")
    }


def reply_texts(content: QuickReplyContent) -> dict[str, str]:
    return {
        f"variants.{language}.{part}": getattr(variant, part)
        for language, variant in content.variants.items()
        for part in ("title", "body")
    }


# --- email templates ----------------------------------------------------------------------------


def _built_ins() -> dict[str, EmailTemplateContent]:
    from .template_defaults import BUILT_IN

    return BUILT_IN


def _email_item(template_id: str, content: EmailTemplateContent, now: int) -> Item:
    return stamped(
        Entity.EMAIL_TEMPLATE,
        email_template_key(template_id),
        template_id=template_id,
        updated_at=now,
        revision=1,
        **content.model_dump(mode="json", include=set(EmailTemplateContent.model_fields)),
    )


def _email_template(template_id: str, item: Item | None) -> EmailTemplate:
    built_in = _built_ins().get(template_id)
    if item is None:
        if built_in is None:
            raise NotFound("There is no such email template.")
        return EmailTemplate(id=template_id, built_in=True, customized=False, revision=0, **built_in.model_dump())
    content = EmailTemplateContent.model_validate({name: item[name] for name in EmailTemplateContent.model_fields})
    return EmailTemplate(
        id=template_id,
        built_in=built_in is not None,
        customized=built_in is not None,
        revision=item.get("revision", 1),
        updated_at=item.get("updated_at"),
        **content.model_dump(),
    )


def email_templates() -> list[EmailTemplate]:
    """Every email template: the built-in ones first (edited or not), then the others by name (one Query)."""
    stored = {item["template_id"]: item for item in table().query(EMAIL_TEMPLATES, consistent=True)}
    built_in = [_email_template(template_id, stored.pop(template_id, None)) for template_id in _built_ins()]
    others = sorted((_email_template(tid, item) for tid, item in stored.items()), key=lambda t: t.name.casefold())
    return built_in + others


def email_template(template_id: str) -> EmailTemplate:
    """One email template (a GetItem; a built-in one that was never edited is its default)."""
    if not _ID.fullmatch(template_id):
        raise NotFound("There is no such email template.")
    return _email_template(template_id, table().get(email_template_key(template_id), consistent=True))


def create_email_template(content: EmailTemplateContent) -> EmailTemplate:
    check_known(email_texts(content))
    template_id = secrets.token_hex(8)
    item = _email_item(template_id, content, int(time.time()))
    table().put(item, condition=NEW_ITEM)
    return _email_template(template_id, item)


def replace_email_template(template_id: str, change: EmailTemplateChange) -> EmailTemplate:
    """Store an admin's version of a template (one UpdateItem, which counts the revision): a custom
    one must exist; a built-in one keeps its purpose; a change made from an older revision than
    the stored one is refused (Conflict) instead of undoing what someone else saved meanwhile."""
    if not _ID.fullmatch(template_id):
        raise NotFound("There is no such email template.")
    built_in = _built_ins().get(template_id)
    if built_in is not None and change.purpose != built_in.purpose:
        raise BuiltInTemplate(f"The built-in template {built_in.name!r} keeps its purpose, {built_in.purpose.value}.")
    check_known(email_texts(change))
    content = EmailTemplateContent.model_validate(change.model_dump(include=set(EmailTemplateContent.model_fields)))
    attributes = stamped(
        Entity.EMAIL_TEMPLATE, template_id=template_id, updated_at=int(time.time()), **content.model_dump(mode="json")
    )
    try:
        item = table().update(
            email_template_key(template_id),
            set_values=attributes,
            add={"revision": 1},
            condition=_unchanged_since(change.revision, must_exist=built_in is None),
        )
    except ConditionFailed as error:
        if table().get(email_template_key(template_id), consistent=True) is None and built_in is None:
            raise NotFound("There is no such email template.") from error
        raise _changed_meanwhile("email template") from error
    return _email_template(template_id, item)


def _unchanged_since(revision: int | None, *, must_exist: bool) -> Condition | None:
    """The condition of a change made from `revision` (None: from whatever is stored)."""
    if revision is None:
        return EXISTS if must_exist else None
    if revision == 0 and not must_exist:
        return NEW_ITEM  # the default of a built-in template: nothing may be stored yet
    return Condition("attribute_exists(pk) AND revision = :revision", values={":revision": revision})


def _changed_meanwhile(what: str) -> Conflict:
    return Conflict(f"Someone else saved this {what} since you opened it; reload it and make your change again.")


def delete_email_template(template_id: str) -> None:
    if template_id in _built_ins():
        raise BuiltInTemplate("A built-in template cannot be deleted; reset it to its default instead.")
    if not _ID.fullmatch(template_id):
        raise NotFound("There is no such email template.")
    try:
        table().delete(email_template_key(template_id), condition=EXISTS)
    except ConditionFailed as error:
        raise NotFound("There is no such email template.") from error


def reset_email_template(template_id: str) -> EmailTemplate:
    """A built-in template back to its default (an admin's edit is deleted)."""
    if template_id not in _built_ins():
        raise NotFound("There is no built-in template with this id; only built-in templates have a default.")
    table().delete(email_template_key(template_id))
    return _email_template(template_id, None)


def render_email(
    variants: dict[Language, EmailVariant],
    context: SnippetContext,
    language: str | None = None,
    portal_language: str | None = None,
) -> tuple[Language, Rendered]:
    """The email in the language chosen (variant_for), rendered with the context's values."""
    chosen, variant = variant_for(variants, language, portal_language)
    return chosen, render(variant.subject, variant.body, context, language=chosen)


# --- quick replies ------------------------------------------------------------------------------


def _reply_item(reply: QuickReply) -> Item:
    return stamped(
        Entity.QUICK_REPLY,
        quick_reply_key(reply.owner_id, reply.id),
        reply_id=reply.id,
        **reply.model_dump(mode="json", exclude={"id"}),
    )


def _reply(item: Item) -> QuickReply:
    kept = {name: item[name] for name in QuickReply.model_fields if name in item}
    return QuickReply.model_validate({**kept, "id": item["reply_id"]})


def quick_replies_for(caller: Principal) -> list[QuickReply]:
    """The shared quick replies, then the caller's own, each by its first title (two Queries)."""
    listed: list[QuickReply] = []
    for owner in (None, caller.user_id):
        replies = [_reply(item) for item in table().query(quick_replies(owner), consistent=True)]
        listed += sorted(replies, key=lambda reply: variant_for(reply.variants, None)[1].title.casefold())
    return listed


def quick_reply(caller: Principal, reply_id: str) -> QuickReply:
    """A shared quick reply or the caller's own (one BatchGetItem); another's is not found."""
    if not _ID.fullmatch(reply_id):
        raise NotFound("There is no such quick reply.")
    keys = [quick_reply_key(caller.user_id, reply_id), quick_reply_key(None, reply_id)]
    found = [item for item in table().get_many(keys, consistent=True) if item is not None]
    if not found:
        raise NotFound("There is no such quick reply.")
    return _reply(found[0])


def shared_quick_reply(reply_id: str) -> QuickReply | None:
    """A shared quick reply (a GetItem), or None: what an automation rule's public reply may use."""
    if not _ID.fullmatch(reply_id):
        return None
    item = table().get(quick_reply_key(None, reply_id), consistent=True)
    return _reply(item) if item is not None else None


def create_quick_reply(caller: Principal, content: QuickReplyContent, *, shared: bool) -> QuickReply:
    if shared and caller.role != Role.ADMIN:
        raise SharedQuickReply("Only admins add shared quick replies; keep this one as your own.")
    check_known(reply_texts(content))
    now = int(time.time())
    reply = QuickReply(
        id=secrets.token_hex(8),
        shared=shared,
        owner_id=None if shared else caller.user_id,
        created_at=now,
        updated_at=now,
        variants=content.variants,
    )
    table().put(_reply_item(reply), condition=NEW_ITEM)
    return reply


def _changeable(caller: Principal, reply_id: str) -> QuickReply:
    reply = quick_reply(caller, reply_id)
    if reply.shared and caller.role != Role.ADMIN:
        raise SharedQuickReply("Only admins change or delete shared quick replies.")
    return reply


def replace_quick_reply(caller: Principal, reply_id: str, change: QuickReplyChange) -> QuickReply:
    """A quick reply's new text (BatchGetItem + PutItem, conditional on the revision read), unless
    it changed since the revision the change was made from (Conflict)."""
    check_known(reply_texts(change))
    reply = _changeable(caller, reply_id)
    if change.revision is not None and change.revision != reply.revision:
        raise _changed_meanwhile("quick reply")
    changed = reply.model_copy(
        update={"variants": change.variants, "updated_at": int(time.time()), "revision": reply.revision + 1}
    )
    try:
        table().put(_reply_item(changed), condition=Condition("revision = :read", values={":read": reply.revision}))
    except ConditionFailed as error:
        raise _changed_meanwhile("quick reply") from error
    return changed


def delete_quick_reply(caller: Principal, reply_id: str) -> None:
    reply = _changeable(caller, reply_id)
    try:
        table().delete(quick_reply_key(reply.owner_id, reply.id), condition=EXISTS)
    except ConditionFailed as error:
        raise NotFound("There is no such quick reply.") from error


def render_reply(
    variants: dict[Language, ReplyVariant],
    context: SnippetContext,
    language: str | None = None,
    portal_language: str | None = None,
) -> tuple[Language, Rendered]:
    """The quick reply in the language chosen, rendered (its title as the subject)."""
    chosen, variant = variant_for(variants, language, portal_language)
    return chosen, render(variant.title, variant.body, context, language=chosen)
