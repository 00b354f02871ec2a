"""A signed-in contact's tickets, on their portal or at the help centre:

    GET /help/tickets           "My activities": mine, those I am kept informed of (CC) and, for a
                                primary contact, my organisation's; a status filter, a search by
                                number or words of the title, a page at a time
    GET /help/tickets/new       the ticket form: a category and its fields, title, description,
                                product areas, CC, impact and urgency
    GET /help/tickets/{number}  a ticket: its details, its public timeline, a reply form and, for
                                its requester, "Close my ticket"; the receipt after submitting

The pages are rendered on the server from the same shared calls the JSON API makes
(deskless.ticket_lists.activities, deskless.tickets.ticket_for_contact), so they read without
script. The forms post JSON to the tickets function's API (`/api/portal/tickets...`) with the
session's CSRF token: assets/tickets.js, the page's one inline script, allowed by its hash. The
form page renders every active category's fields, each category in a fieldset the script shows
when it is chosen, so switching categories loses nothing typed.

The form tells the knowledge base (issue 13) what is being written: a `deskless:ticket-draft`
event on the document (ARCHITECTURE.md); the script asks for articles that may help
(suggestions.py), lists them in `<aside id="ticket-suggestions">` and opens one in place, in the
page's `<dialog>`, without leaving the form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from deskless.attachments import attachment_limits
from deskless.catalog import http_route
from deskless.categories import Category, CategoryField, FieldKind, category_of, list_categories, list_product_areas
from deskless.contacts import primary_contact_names
from deskless.credentials import CustomerSession
from deskless.errors import NotFound
from deskless.languages import Language
from deskless.priorities import Level
from deskless.ticket_lists import ACTIVE_FILTER, Activities, activities, activity_lists
from deskless.tickets import Entry, EntryKind, FileRef, Status, Ticket, may_close, ticket_for_contact

from .account import BASE, help_page
from .pages import Page, Script, error_page
from .text import TICKET_SCRIPT_KEYS
from .visit import Visit

SCRIPT = Script.of("tickets.js")
FILTERS = (ACTIVE_FILTER, *(status.value for status in Status if status is not Status.MERGED))
SHOWN_CHANGES = frozenset({"status", "priority"})  # what a customer reads of an event (never team or assignee)


def _query(here: Visit, **values: str | None) -> str:
    """A page's query string, with the language chosen on the page kept."""
    kept = {name: value for name, value in values.items() if value}
    if here.lang:
        kept["lang"] = here.language
    return f"?{urlencode(kept)}" if kept else ""


def _time(ms: int) -> dict[str, str]:
    """A moment as the page writes it: ISO 8601 for the script to put in the reader's locale, and UTC meanwhile."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return {"iso": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "text": moment.strftime("%Y-%m-%d %H:%M UTC")}


def _files(number: int, files: list[FileRef]) -> list[dict[str, str]]:
    """A ticket's files as links: each downloads through the tickets function (a redirect to the bucket)."""
    path = http_route("GET /api/portal/tickets/{number}/attachments/{attachment_id}").path
    return [
        {
            "name": file.name,
            "href": path.replace("{number}", str(number)).replace("{attachment_id}", quote(file.id, safe="")),
            "size": _size(file.size),
        }
        for file in files
    ]


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{max(1, round(size / 1000))} kB"


def _upload_values(here: Visit) -> dict[str, str]:
    """What a page with a file input says of the limits, and which types it offers to pick."""
    limits = attachment_limits()
    megabytes = {"size": _megabytes(limits.max_file_bytes), "total": _megabytes(limits.max_ticket_bytes)}
    return {"files_hint": here.text["files_hint"].format(**megabytes), "accept": ",".join(limits.content_types)}


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g}"


def _label(labels: Mapping[Language, str], here: Visit, fallback: str = "") -> str:
    return labels.get(here.language) or labels.get("en") or fallback


# --- My activities ------------------------------------------------------------------------------------


def activities_page(
    here: Visit, session: CustomerSession, which: str, status: str, query: str, after: str | None
) -> Page:
    contact = session.contact
    lists = activity_lists(contact)
    chosen: Activities = next((name for name in lists if name == which), "mine")
    wanted = status if status in FILTERS else ""
    page = activities(contact, chosen, wanted or None, query[:100], after=after)
    rows = [
        {
            "number": listed.number,
            "href": f"{BASE}tickets/{listed.number}{_query(here)}",
            "title": listed.title,
            "status": here.text[f"status_{listed.status}"],
            "priority": here.text[f"priority_{listed.priority}"],
            "updated": _time(listed.updated_at),
        }
        for listed in page.tickets
    ]
    tabs = [
        {"name": name, "label": here.text[f"tab_{name}"], "href": f"{BASE}tickets{_query(here, list=name)}"}
        for name in lists
    ]
    more = f"{BASE}tickets{_query(here, list=chosen, status=wanted, after=page.next)}" if page.next else ""
    filters = [("", here.text["filter_any"]), *((name, here.text[_filter_key(name)]) for name in FILTERS)]
    return help_page(
        here,
        "tickets.html",
        here.text["activities_title"],
        script=SCRIPT,
        tabs=tabs,
        chosen=chosen,
        filters=filters,
        status_filter=wanted,
        query=query[:100],
        rows=rows,
        more=more,
        new_href=f"{BASE}tickets/new{_query(here)}",
        keep_query=urlencode({"list": chosen}),
        data=_script_data(here, session),
    )


def _filter_key(name: str) -> str:
    return f"filter_{name}" if name == ACTIVE_FILTER else f"status_{name}"


# --- the form -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormField:
    """One question of a category's form, in the visitor's language."""

    id: str  # the control's id: the category's and the field's, so two categories never clash
    key: str
    kind: str
    label: str
    help: str
    required: bool
    choices: list[tuple[str, str]]
    max_length: int
    minimum: int | float | None
    maximum: int | float | None


def _form_field(here: Visit, category: Category, field: CategoryField) -> FormField:
    return FormField(
        id=f"f-{category.id}-{field.key}",
        key=field.key,
        kind=field.kind.value,
        label=_label(field.labels, here, field.key),
        help=_label(field.help, here),
        required=field.required,
        choices=[(choice.key, _label(choice.labels, here, choice.key)) for choice in field.choices],
        max_length=field.longest,
        minimum=field.minimum,
        maximum=field.maximum,
    )


def form_page(here: Visit, session: CustomerSession) -> Page:
    categories = [
        {
            "id": category.id,
            "label": _label(category.labels, here, category.name),
            "description": category.description,
            "fields": [_form_field(here, category, field) for field in category.fields],
        }
        for category in list_categories(active_only=True)
    ]
    levels = [(level.value, here.text[f"priority_{level.value}"]) for level in Level]
    return help_page(
        here,
        "ticket_form.html",
        here.text["new_ticket_title"],
        script=SCRIPT,
        categories=categories,
        areas=[(area.id, area.name) for area in list_product_areas()],
        levels=levels,
        default_level=Level.MEDIUM.value,
        list_href=f"{BASE}tickets{_query(here)}",
        data=_script_data(here, session),
        uploads=_upload_values(here),
        img_src="https:",  # a suggested article opens on the form, its images with it (as on its own page)
    )


# --- a ticket -----------------------------------------------------------------------------------------


def ticket_page(here: Visit, session: CustomerSession, number: int, done: str = "") -> Page:
    contact = session.contact
    try:
        ticket, timeline = ticket_for_contact(number, contact)
    except NotFound:  # not there, or not theirs: one answer
        return error_page(here, 404, here.text["ticket_missing"])
    notices = {
        "received": here.text["received"].format(number=number),
        "replied": here.text["replied"],
        "closed": here.text["closed_done"],
    }
    may_submit = primary_contact_names(contact.company_id) if ticket.status_reason else []
    return help_page(
        here,
        "ticket.html",
        ticket.title,
        script=SCRIPT,
        ticket=ticket,
        number_label=here.text["ticket_number"].format(number=number),
        notice=notices.get(done, ""),
        status_label=here.text[f"status_{ticket.status}"],
        priority_label=here.text[f"priority_{ticket.priority}"],
        created=_time(ticket.created_at * 1000),
        values=_values(here, ticket),
        timeline=[_entry(here, number, entry) for entry in timeline],
        may_reply=ticket.status not in (Status.CLOSED, Status.MERGED),
        may_close=may_close(ticket, contact.id),
        may_submit=", ".join(may_submit),
        list_href=f"{BASE}tickets{_query(here)}",
        files=_files(number, ticket.attachments),
        data={**_script_data(here, session), "number": number},
        uploads=_upload_values(here),
    )


def _values(here: Visit, ticket: Ticket) -> list[tuple[str, str]]:
    """The category and its fields' values, as the customer reads them."""
    category = category_of(ticket.category_id) if ticket.category_id else None
    if category is None:
        return []
    shown = [(here.text["category_label"], _label(category.labels, here, category.name))]
    for field in category.fields:
        if field.key not in ticket.fields:
            continue
        value = ticket.fields[field.key]
        choices = {choice.key: _label(choice.labels, here, choice.key) for choice in field.choices}
        if field.kind is FieldKind.CHECKBOX:
            words = here.text["checked"] if value else here.text["unchecked"]
        elif isinstance(value, list):
            words = ", ".join(choices.get(str(key), str(key)) for key in value)
        else:
            words = choices.get(str(value), str(value))
        shown.append((_label(field.labels, here, field.key), words))
    return shown


def _entry(here: Visit, number: int, entry: Entry) -> dict[str, Any]:
    """A timeline entry as the page shows it: a reply's text, or what an event changed, in words."""
    lines: list[str] = []
    if entry.kind is EntryKind.EVENT:
        for change in entry.changes:
            if change.field == "opened":
                lines.append(here.text["event_opened"].format(name=entry.author.name))
            elif change.field == "merged":
                lines.append(here.text["event_merged"].format(into=change.after or ""))
            elif change.field in SHOWN_CHANGES:
                name = here.text[f"col_{change.field}"]
                before, after = (
                    here.text.get(f"{change.field}_{value}", value or "") for value in (change.before, change.after)
                )
                lines.append(here.text["event_change"].format(field=name, before=before, after=after))
        if entry.reason and entry.reason != "auto_close":
            lines.append(entry.reason)
    return {
        "kind": entry.kind.value,
        "author": entry.author.name,
        "at": _time(entry.at),
        "body": entry.body,
        "lines": lines,
        "files": _files(number, entry.attachments),
    }


def _script_data(here: Visit, session: CustomerSession) -> dict[str, Any]:
    return {
        "lang": here.language,
        "csrf": session.csrf_token,
        "text": {key: here.text[key] for key in TICKET_SCRIPT_KEYS},
        "lang_query": _query(here),
        "pages": f"{BASE}tickets/",
        "max_file_bytes": attachment_limits().max_file_bytes,
        "api": {
            "submit": http_route("POST /api/portal/tickets").path,
            "reply": http_route("POST /api/portal/tickets/{number}/replies").path,
            "close": http_route("POST /api/portal/tickets/{number}/close").path,
            "upload": http_route("POST /api/portal/attachments").path,
            "suggestions": http_route("POST /api/portal/knowledge/suggestions").path,
            "opened": http_route("POST /api/portal/knowledge/opened").path,
        },
    }
