"""From a submission to a stored ticket, whatever its source (the portal, the console, an
integration, an email, a chat, a portal's message form): who asks, whether the submission policy
lets them, the category's fields and default team, and who opened it. The functions that take
tickets in call `submit`; deskless.tickets stores them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .auth import Principal
from .categories import Category, category_of, check_product_areas, check_values
from .contacts import Contact, CreatedVia, contact_of, create_contact, find_contact_by_email
from .data import Action
from .errors import ContactDeactivated, ContactEmailTaken, InvalidFieldValues, NotFound
from .languages import DEFAULT_LANGUAGE, Language
from .preferences import get_preferences
from .priorities import Level
from .tickets import Attach, Author, AuthorKind, Draft, Source, Ticket, open_ticket, uploads


@dataclass(frozen=True)
class Submission:
    """What a source of tickets gives (the API's forms hold the same, validated)."""

    title: str
    description: str
    category_id: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    product_areas: Sequence[str] = ()
    cc: Sequence[str] = ()
    impact: Level = Level.MEDIUM
    urgency: Level = Level.MEDIUM
    attachments: Sequence[str] = ()  # the submitter's uploads (deskless.attachments), by id


POLICY_REFUSAL = "Only your company's primary contacts may submit tickets."


def requester_of(ticket: Ticket) -> Contact | None:
    """The contact a ticket is for, as stored now (one GetItem); None if it is no contact's, or the
    contact is gone."""
    if ticket.requester.kind is not AuthorKind.CONTACT:
        return None
    try:
        return contact_of(ticket.requester.id)
    except NotFound:
        return None


def requester_for(
    email: str,
    name: str,
    *,
    created_via: CreatedVia,
    company_id: str | None = None,
    language: Language = DEFAULT_LANGUAGE,
) -> Contact:
    """The contact an address belongs to, or a new one for it (named `name`, in `company_id` if
    given, else the company its domain names); a deactivated contact asks for nothing more.
    Two submissions from one new address at once make one contact."""
    found = find_contact_by_email(email)
    if found is None:
        welcome = get_preferences().welcome_new_contacts and created_via is not CreatedVia.API
        try:
            return create_contact(
                name,
                [email],
                created_via=created_via,
                company_id=company_id,
                language=language,
                welcome_requested=welcome,
            )
        except ContactEmailTaken:
            found = find_contact_by_email(email)
            if found is None:
                raise
    if not found.active:
        raise ContactDeactivated("This contact is deactivated: reactivate them first.")
    return found


def as_requester(contact: Contact) -> Author:
    return Author(kind=AuthorKind.CONTACT, id=contact.id, name=contact.name, email=contact.emails[0])


def as_staff(caller: Principal) -> Author:
    return Author(kind=AuthorKind.STAFF, id=caller.user_id, name=caller.name, email=caller.email)


def refusal(contact: Contact) -> str:
    """Why the submission policy refuses this contact's tickets ("" when it lets them submit)."""
    if get_preferences().ticket_submission == "primary_contacts" and not contact.primary:
        return POLICY_REFUSAL
    return ""


def category_checked(
    category_id: str | None, values: Mapping[str, object]
) -> tuple[Category | None, dict[str, object]]:
    """The ticket's category (it must exist and be active) and its fields' values, cleaned;
    InvalidFieldValues names each problem."""
    if category_id is None:
        if values:
            raise InvalidFieldValues.naming({key: "Choose a category first" for key in values})
        return None, {}
    category = category_of(category_id)
    if category is None or not category.active:
        raise InvalidFieldValues("There is no such category.", {"category_id": "Not a category"})
    return category, check_values(category, values)


def submit(
    form: Submission,
    requester: Contact,
    source: Source,
    *,
    by: Author | None = None,
    team_id: str | None = None,
    attach: Attach | None = None,
    also: Sequence[Action] = (),
    message_key: str = "",
    destination: str = "",
) -> Ticket:
    """Store a ticket submitted for `requester` (by them unless `by` says who); a submission the
    policy refuses is stored closed with the reason, whoever typed it in for them. The category's
    default team takes it unless `team_id` says otherwise; `attach` keeps files that did not come
    as the submitter's uploads (a chat's transcript, an email's files); `destination` is the support
    address an emailed ticket was sent to."""
    category, values = category_checked(form.category_id, form.fields)
    submitter = by or as_requester(requester)
    areas = check_product_areas(form.product_areas) if form.product_areas else []
    draft = Draft(
        title=form.title,
        description=form.description,
        requester=as_requester(requester),
        company_id=requester.company_id,
        source=source,
        by=submitter,
        category_id=form.category_id,
        fields=values,
        product_areas=areas,
        cc=[str(address) for address in form.cc],
        impact=form.impact,
        urgency=form.urgency,
        team_id=team_id or (category.default_team_id if category else None),
        refused_because=refusal(requester) if by is None else "",
        message_key=message_key,
        destination=destination,
        attach=attach or uploads(submitter, form.attachments),
    )
    return open_ticket(draft, also=also)
