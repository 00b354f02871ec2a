"""Contacts: the customers who ask for help, each in one company, found by name, email or company.

    CONTACT#<id> / CONTACT                 the contact (GSI1: every contact by name)
    CONTACTEMAIL#<email> / CONTACTEMAIL    the guard that keeps an address unique across contacts,
                                           whatever its case: -> contact id
    COMPANYCONTACTS#<company> / <name>#<id> the contact's place in its company's list -> contact id
    CONTACTTERM#<c> / <term>#<id>          a word of its name, an address or its domain -> contact id

Search reads the entries of one term partition by prefix (one Query) and the contacts they name
(one BatchGetItem); a company's contacts likewise; nothing scans. Every write of a contact is one
transaction with its guards and entries, so two creates with the same address cannot both win,
and an address freed by an edit is free at once.

Other functions call this module: the console's contacts API, inbound email (a contact for an
unknown sender: `create_contact(..., created_via=CreatedVia.EMAIL)`), the portal's sign-in
(`find_contact_by_email`). A contact created with `welcome_requested` asks for the welcome email,
which the events function sends from the table's stream (deskless.welcome), once: it first claims
it on the contact item (`claim_welcome`: `welcome_sent_at` set only if absent), so a batch the
stream delivers again finds it claimed.
"""

from __future__ import annotations

import re
import secrets
import time
import unicodedata
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, Field

from .companies import UNASSIGNED_ID, companies_by_domain, company_exists
from .data import (
    EXISTS,
    NEW_ITEM,
    Action,
    Condition,
    ConditionFailed,
    Item,
    TransactionCanceled,
    delete_action,
    put_action,
    table,
    update_action,
)
from .errors import Conflict, ContactEmailTaken, InvalidRequest, NotFound
from .languages import DEFAULT_LANGUAGE, Language
from .table import (
    CONTACT_LIST,
    GSI1,
    Entity,
    Key,
    company_contact_key,
    company_contacts,
    contact_email_key,
    contact_index,
    contact_key,
    contact_term_key,
    contact_terms,
    stamped,
)

MAX_EMAILS = 5  # a contact's addresses; with its terms, a write stays well under 100 actions
PAGE = 50  # contacts per page of a list or a search
_TERM_ENTRIES = 200  # entries one search reads: a contact has several, and each is one


class CreatedVia(StrEnum):
    CONSOLE = "console"
    EMAIL = "email"
    IMPORT = "import"
    API = "api"
    PORTAL = "portal"  # a portal's message form, when nobody could chat
    CHAT = "chat"  # a technician turned a chat into a ticket


class Contact(BaseModel):
    id: str
    name: str
    emails: list[str] = Field(description="Addresses, lower case; the first is the one Deskless writes to.")
    phone: str = ""
    company_id: str
    language: Language = DEFAULT_LANGUAGE
    primary: bool = Field(default=False, description="A primary contact sees all of their company's tickets.")
    active: bool = True
    created_via: CreatedVia
    created_at: int
    updated_at: int
    welcome_requested: bool = Field(
        default=False,
        description="Whether the contact was to get the welcome email when created (sent once, from the stream).",
    )


class ContactPage(BaseModel):
    contacts: list[Contact]
    next: str | None = Field(default=None, description="Pass as `after` for the next page; null on the last.")


# --- rules ---------------------------------------------------------------------------------------


def contact_email(text: str) -> str:
    """An address as contacts hold it (lower case), or InvalidRequest saying why it is none.

    >>> contact_email(" Carla@ACME.example.com ")
    'carla@acme.example.com'
    """
    try:
        checked = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidRequest(f"{text.strip()!r} is not an email address: {error}") from error
    return str(checked.normalized).lower()


def contact_emails(texts: Iterable[str]) -> list[str]:
    emails = list(dict.fromkeys(contact_email(text) for text in texts))
    if not emails:
        raise InvalidRequest("A contact has at least one email address.")
    if len(emails) > MAX_EMAILS:
        raise InvalidRequest(f"A contact has at most {MAX_EMAILS} email addresses.")
    return emails


def domain_of(email: str) -> str:
    """The domain of an address as companies hold domains: an international one in its ASCII form.

    >>> domain_of("jana@bücher.de")
    'xn--bcher-kva.de'
    """
    domain = email.rsplit("@", 1)[1]
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


_WORD = re.compile(r"[^\W_]+")


def folded(text: str) -> str:
    """Lower case without accents, as search compares ("Dvořák" finds "dvorak" and back).

    >>> folded("Zoë DVOŘÁK")
    'zoe dvorak'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def search_terms(name: str, emails: Sequence[str]) -> list[str]:
    """What a search finds a contact by, each a prefix away: the words of its name, its addresses
    and their domains.

    >>> search_terms("Carla Díaz-Ruiz", ["carla@acme.example.com"])
    ['carla', 'diaz', 'ruiz', 'carla@acme.example.com', 'acme.example.com']
    """
    words = _WORD.findall(folded(name))
    addresses = [folded(email) for email in emails]
    domains = [address.rsplit("@", 1)[1] for address in addresses]
    return list(dict.fromkeys([*words, *addresses, *domains]))


def matches(contact: Contact, query: str) -> bool:
    """Whether every word of the query starts one of the contact's terms, or, for a word with
    punctuation, each of its pieces does ("o'brien" finds O'Brien by "o" and "brien"; an address
    starts its own term).

    >>> matches(Contact(id="c", name="Mary-Jane O'Brien", emails=["mj@acme.example"], company_id="x",
    ...                 created_via="api", created_at=0, updated_at=0), "o'brien mary-jane mj@acme")
    True
    """
    terms = search_terms(contact.name, contact.emails)
    return all(_starts(word, terms) or _starts_in_pieces(word, terms) for word in query_words(query))


def _starts(word: str, terms: Sequence[str]) -> bool:
    return any(term.startswith(word) for term in terms)


def _starts_in_pieces(word: str, terms: Sequence[str]) -> bool:
    pieces = _WORD.findall(word)
    return pieces != [word] and bool(pieces) and all(_starts(piece, terms) for piece in pieces)


def query_words(query: str) -> list[str]:
    return [word for word in folded(query).split() if word]


# --- items ---------------------------------------------------------------------------------------


def _contact_item(contact: Contact, revision: int = 1) -> Item:
    """The stored contact; `revision` counts its writes, so an edit raced by another is refused."""
    return stamped(
        Entity.CONTACT,
        contact_key(contact.id),
        contact_index(contact.name, contact.id),
        contact_id=contact.id,
        revision=revision,
        **contact.model_dump(mode="json", exclude={"id"}),
    )


def contact_from_item(item: Item) -> Contact:
    fields = {name: value for name, value in item.items() if name in Contact.model_fields}
    return Contact.model_validate({**fields, "id": item["contact_id"]})


def _entries(contact: Contact) -> dict[tuple[str, str], Item]:
    """The contact's place in its company's list and under each search term, by key."""
    keys: list[Key] = [company_contact_key(contact.company_id, contact.name, contact.id)]
    keys += [contact_term_key(term, contact.id) for term in search_terms(contact.name, contact.emails)]
    return {(key["pk"], key["sk"]): stamped(Entity.CONTACT_ENTRY, key, contact_id=contact.id) for key in keys}


def _guard(email: str, contact_id: str) -> Item:
    return stamped(Entity.CONTACT_EMAIL, contact_email_key(email), contact_id=contact_id)


# --- writes --------------------------------------------------------------------------------------


def place_by_domain(emails: Sequence[str]) -> str:
    """The company of the first address whose domain a company holds, else Unassigned (one
    BatchGetItem). Being placed by domain never makes anyone a primary contact."""
    found = companies_by_domain([domain_of(email) for email in emails])
    return next((found[domain_of(email)] for email in emails if domain_of(email) in found), UNASSIGNED_ID)


def create_contact(
    name: str,
    emails: Iterable[str],
    *,
    created_via: CreatedVia,
    phone: str = "",
    company_id: str | None = None,
    language: Language = DEFAULT_LANGUAGE,
    primary: bool = False,
    welcome_requested: bool = False,
    also: Sequence[Action] = (),
    contact_id: str | None = None,
    now: float | None = None,
) -> Contact:
    """Store a new contact in one transaction with its address guards and entries (and `also`, a
    caller's own writes, which may name the contact by `contact_id`, given then). Without a
    company, the domain of its addresses places it, else Unassigned. ContactEmailTaken names an
    address another contact has; NotFound, a company that does not exist; a refusal of `also`
    is TransactionCanceled, as DynamoDB said it."""
    addresses = contact_emails(emails)
    at = int(time.time() if now is None else now)
    contact = Contact(
        id=contact_id or new_contact_id(),
        name=name,
        emails=addresses,
        phone=phone,
        company_id=company_id or place_by_domain(addresses),
        language=language,
        primary=primary,
        created_via=created_via,
        created_at=at,
        updated_at=at,
        welcome_requested=welcome_requested,
    )
    actions = [
        put_action(_contact_item(contact), NEW_ITEM),
        company_exists(contact.company_id),
        *(put_action(_guard(email, contact.id), NEW_ITEM) for email in addresses),
        *(put_action(entry) for entry in _entries(contact).values()),
        *also,
    ]
    _write(actions, addresses, guards_from=2)
    return contact


def new_contact_id() -> str:
    return secrets.token_hex(8)


def claim_welcome(contact_id: str, *, now: float | None = None) -> bool:
    """Claim sending the contact's first welcome email: True once, whoever asks how often (one
    conditional UpdateItem setting `welcome_sent_at`); False if it was claimed already, or the
    contact is gone or deactivated (since the stream's image of them was taken)."""
    unclaimed = Condition(
        "attribute_exists(pk) AND attribute_not_exists(welcome_sent_at) AND active = :active",
        values={":active": True},
    )
    try:
        table().update(
            contact_key(contact_id),
            set_values={"welcome_sent_at": int(time.time() if now is None else now)},
            condition=unclaimed,
        )
    except ConditionFailed:
        return False
    return True


def release_welcome(contact_id: str) -> None:
    """Give a claim up again (sending failed): the stream's retry may claim it anew."""
    table().update(contact_key(contact_id), remove=["welcome_sent_at"], condition=EXISTS)


def welcomed(contact_id: str, *, now: float | None = None) -> None:
    """Note that a welcome email was sent just now (sent again by a technician)."""
    table().update(
        contact_key(contact_id),
        set_values={"welcome_sent_at": int(time.time() if now is None else now)},
        condition=EXISTS,
    )


def _write(actions: Sequence[Action], guarded: Sequence[str], *, guards_from: int) -> None:
    """Run a contact's transaction; its refusals as domain errors (the guards of `guarded` sit at
    `guards_from` on, the company check at 1)."""
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        refused = [reason == "ConditionalCheckFailed" for reason in error.reasons]
        for offset, email in enumerate(guarded):
            if refused[guards_from + offset]:
                raise ContactEmailTaken(f"Another contact has the email address {email} already.") from error
        if refused[1]:
            raise NotFound("There is no such company.") from error
        if refused[0]:
            raise _changed_meanwhile() from error
        raise


def _changed_meanwhile() -> Conflict:
    return Conflict("The contact was changed by someone else at the same time; reload it and try again.")


def update_contact(
    contact_id: str,
    *,
    name: str | None = None,
    emails: Iterable[str] | None = None,
    phone: str | None = None,
    company_id: str | None = None,
    language: Language | None = None,
    primary: bool | None = None,
    active: bool | None = None,
    now: float | None = None,
) -> Contact:
    """Change what is given, in one transaction with the guards and entries that follow (an
    address given up is free at once); the contact as it is now. Refuses a write raced by another
    (Conflict), an address another contact has (ContactEmailTaken), an unknown company (NotFound)."""
    item = table().get(contact_key(contact_id), consistent=True)
    if item is None:
        raise NotFound("There is no such contact.")
    current, revision = contact_from_item(item), int(item.get("revision", 1))
    changes: dict[str, Any] = {
        "name": name,
        "emails": None if emails is None else contact_emails(emails),
        "phone": phone,
        "company_id": company_id,
        "language": language,
        "primary": primary,
        "active": active,
    }
    given = {field: value for field, value in changes.items() if value is not None}
    updated = current.model_copy(update={**given, "updated_at": int(time.time() if now is None else now)})
    if updated.model_copy(update={"updated_at": current.updated_at}) == current:
        return current
    unchanged = Condition("revision = :seen", values={":seen": revision})
    stored = _contact_item(updated, revision + 1)
    values = {field: value for field, value in stored.items() if field not in ("pk", "sk")}
    actions = [update_action(contact_key(contact_id), set_values=values, condition=unchanged)]
    actions.append(company_exists(updated.company_id))
    added = [email for email in updated.emails if email not in current.emails]
    actions += [put_action(_guard(email, contact_id), NEW_ITEM) for email in added]
    ours = Condition("contact_id = :contact", values={":contact": contact_id})
    actions += [
        delete_action(contact_email_key(email), ours) for email in current.emails if email not in updated.emails
    ]
    before, after = _entries(current), _entries(updated)
    actions += [delete_action({"pk": pk, "sk": sk}) for pk, sk in before.keys() - after.keys()]
    actions += [put_action(after[key]) for key in after.keys() - before.keys()]
    _write(actions, added, guards_from=2)
    return updated


def deactivate_contact(contact_id: str) -> Contact:
    """A deactivated contact keeps its addresses (no one else may take them) and its history."""
    return update_contact(contact_id, active=False)


# --- reads ---------------------------------------------------------------------------------------


def contact_of(contact_id: str, *, consistent: bool = False) -> Contact:
    item = table().get(contact_key(contact_id), consistent=consistent)
    if item is None:
        raise NotFound("There is no such contact.")
    return contact_from_item(item)


def find_contact_by_email(email: str) -> Contact | None:
    """The contact with this address, whatever its case (two GetItems), or None."""
    guard = table().get(contact_email_key(email.strip()))
    item = table().get(contact_key(guard["contact_id"])) if guard else None
    return contact_from_item(item) if item else None


def email_guard(email: str) -> Key:
    """The key of the guard of an address, for a read batched with others (the portal's sign-in)."""
    return contact_email_key(email.strip())


def guarded_contact(guard: Item | None) -> str | None:
    """The id of the contact an address's guard, read with `email_guard`, names (None: nobody's)."""
    return str(guard["contact_id"]) if guard else None


def contacts_with_emails(emails: Sequence[str]) -> dict[str, str]:
    """Which of these addresses a contact has, with its id (one BatchGetItem per hundred)."""
    items = table().get_many([contact_email_key(email) for email in emails]) if emails else []
    return {email.lower(): item["contact_id"] for email, item in zip(emails, items, strict=True) if item is not None}


def contacts_by_ids(contact_ids: Sequence[str]) -> list[Contact]:
    """The contacts with these ids that exist, in order (one BatchGetItem per hundred)."""
    items = table().get_many([contact_key(contact_id) for contact_id in contact_ids]) if contact_ids else []
    return [contact_from_item(item) for item in items if item is not None]


def list_contacts(*, after: str | None = None, limit: int = PAGE) -> ContactPage:
    """Every contact by name, a page at a time (one Query)."""
    items = table().query(CONTACT_LIST, index=GSI1.name, after=after, limit=limit + 1)
    more = len(items) > limit
    shown = items[:limit]
    return ContactPage(contacts=[contact_from_item(item) for item in shown], next=shown[-1]["gsi1sk"] if more else None)


def contacts_of_company(company_id: str, *, after: str | None = None, limit: int = PAGE) -> ContactPage:
    """A company's contacts by name, a page at a time (one Query and one BatchGetItem)."""
    entries = table().query(company_contacts(company_id), after=after, limit=limit + 1)
    more = len(entries) > limit
    shown = entries[:limit]
    contacts = contacts_by_ids([entry["contact_id"] for entry in shown])
    return ContactPage(contacts=contacts, next=shown[-1]["sk"] if more else None)


def primary_contact_names(company_id: str, *, limit: int = 100) -> list[str]:
    """The names of a company's active primary contacts (who may submit tickets when only they
    may), of its first `limit` contacts by name."""
    page = contacts_of_company(company_id, limit=limit)
    return [contact.name for contact in page.contacts if contact.primary and contact.active]


def search_contacts(query: str, *, company_id: str | None = None, limit: int = PAGE) -> ContactPage:
    """Contacts each word of the query starts a term of (a word of the name, an address, a
    domain), by name, in one company if given: one Query of the longest word's term partition and
    one BatchGetItem (a word with punctuation: one Query more, of its longest piece's partition,
    for the contacts it finds piece by piece). At most `limit`: a longer query narrows it."""
    words = query_words(query)
    if not words:
        return contacts_of_company(company_id, limit=limit) if company_id else list_contacts(limit=limit)
    longest = max(words, key=len)
    pieces = _WORD.findall(longest)
    starts = [longest, max(pieces, key=len)] if pieces and pieces != [longest] else [longest]
    entries = [
        entry
        for start in starts
        for entry in table().query(contact_terms(start), sort_prefix=start, limit=_TERM_ENTRIES)
    ]
    ids = list(dict.fromkeys(entry["contact_id"] for entry in entries))
    found = [
        contact
        for contact in contacts_by_ids(ids[:100])
        if matches(contact, query) and (company_id is None or contact.company_id == company_id)
    ]
    found.sort(key=lambda contact: (folded(contact.name), contact.id))
    return ContactPage(contacts=found[:limit])
