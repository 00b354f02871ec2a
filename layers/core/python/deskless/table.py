"""The one DynamoDB table: its keys, indexes, TTL and stream, and every item's key shape.

Both the CDK app (infra/constructs/data.py) and the local platform (local/services.py) build
the table from `TABLE`; code builds keys only through the functions below, so each access
pattern is written down once, next to the key it uses.

Access patterns (every read is a GetItem or a Query; nothing scans):

| pattern                               | operation | key                                            |
|---------------------------------------|-----------|------------------------------------------------|
| staff user by id                      | GetItem   | pk=USER#<id>          sk=PROFILE               |
| staff user by email (login, unique)   | GetItem   | pk=EMAIL#<email>      sk=EMAIL  -> user id     |
| list staff users, by name             | Query     | GSI1 gsi1pk=STAFF     gsi1sk=<name>#<id>       |
| WebSocket connection by id            | GetItem   | pk=CONN#<id>          sk=CONNECTION            |
| a user's open connections             | Query     | GSI1 gsi1pk=CONNS#<user id> gsi1sk=<id>        |
| company with its portal (one request) | Query     | pk=COMPANY#<id>  (sk COMPANY and PORTAL)       |
| list companies and portals, by name   | Query     | GSI1 gsi1pk=COMPANIES gsi1sk=<name>#<id>[#PORTAL] |
| a company's portal (at most one)      | GetItem   | pk=COMPANY#<id>       sk=PORTAL                |
| portal by subdomain (unique)          | GetItem   | pk=SUBDOMAIN#<label>  sk=SUBDOMAIN -> company  |
| a staff user's presence and heartbeat | GetItem   | pk=USER#<id>          sk=PRESENCE              |
| presence of a company's technicians   | BatchGet  | pk=USER#<id>  sk=PRESENCE and PROFILE (ids on the company) |
| chat request by id                    | GetItem   | pk=CHATREQ#<id>       sk=CHATREQ               |
| a company's queue, oldest first       | Query     | pk=QUEUE#<company id> sk=<queued ms>#<request id> |
| submissions of one source (throttle)  | Update    | pk=THROTTLE#<kind>#<source> sk=<window start>  |
| inbound email by SES message id       | GetItem   | pk=MAIL#<message id>  sk=INBOUND               |
| admin settings                        | GetItem   | pk=SETTINGS           sk=GLOBAL                |
| session code by its 9 digits (unique) | GetItem   | pk=CODE#<digits>      sk=CODE                  |
| a technician's active codes (N slots) | Query     | pk=TECH#<user id>     sk begins CODESLOT#      |
| a technician's code name (unique)     | Put cond. | pk=TECH#<user id>     sk=CODENAME#<name>       |
| a technician's own code limit         | (in the same Query as the slots: whole TECH#<user id> partition)  |
| failed guesses of one kind by subject | BatchGet  | pk=GUESSES#<kind>#<subject> sk=<minute start> |
| support session                       | GetItem   | pk=SESSION#<id>       sk=SESSION               |
| a session's messages, in order        | Query     | pk=SESSION#<id>       sk begins MSG#           |
| a session's connected participants    | Query     | pk=SESSION#<id>       sk begins CONN#          |
| a technician's sessions, newest first | Query     | GSI1 gsi1pk=SESSIONS#<user id> gsi1sk=<time>#<id> |
| invitation by its token               | GetItem   | pk=INVITE#<token>     sk=INVITATION            |
| an operator's invitations             | Query     | GSI1 gsi1pk=INVITES#<user id> gsi1sk=<time>#<token> |
| API key by id                         | GetItem   | pk=APIKEY#<id>        sk=APIKEY                |
| list API keys                         | Query     | GSI1 gsi1pk=APIKEYS   gsi1sk=<time>#<id>       |
| company by email domain (unique)      | BatchGet  | pk=DOMAIN#<domain and each parent> sk=DOMAIN   |
| contact by id                         | GetItem   | pk=CONTACT#<id>       sk=CONTACT               |
| contact by email (unique, any case)   | GetItem   | pk=CONTACTEMAIL#<email> sk=CONTACTEMAIL -> contact id |
| list contacts, by name                | Query     | GSI1 gsi1pk=CONTACTS  gsi1sk=<name>#<id>       |
| a company's contacts, by name         | Query     | pk=COMPANYCONTACTS#<company> sk=<name>#<id>    |
| contacts by a word of name or email   | Query     | pk=CONTACTTERM#<first char> sk begins <prefix> |
| a contact with password, credential   | BatchGet  | pk=CONTACT#<id> sk=CONTACT, PASSWORD, CREDENTIAL |
| a customer session, with its contact  | BatchGet  | pk=CONTACT#<id> sk=CONTACT, PORTALSESSION#<hash> |
| a contact's sessions (to end them)    | Query     | pk=CONTACT#<id>       sk begins PORTALSESSION#  |
| email template by id (an admin's edit of a built-in one too) | GetItem | pk=TEMPLATES#EMAIL sk=<id> |
| list email templates                  | Query     | pk=TEMPLATES#EMAIL                             |
| shared quick replies                  | Query     | pk=QUICKREPLIES#SHARED                         |
| a technician's own quick replies      | Query     | pk=QUICKREPLIES#<user id>                      |
| a quick reply: shared or the caller's | BatchGet  | pk=QUICKREPLIES#SHARED and #<user id>, sk=<id> |
| the next ticket number (atomic)       | Update    | pk=COUNTER#TICKET     sk=COUNTER               |
| a ticket with its whole timeline      | Query     | pk=TICKET#<number>    (sk TICKET and ENTRY#<ms>#<id>) |
| a ticket list, latest change first    | Query     | pk=TICKETS#<view>     sk=<updated ms>#<number>   |
| a ticket list, highest priority first | Query     | pk=TICKETSBYPRIORITY#<view> sk=<rank>#<updated ms>#<number> |
| how many tickets a list holds         | Query COUNT | pk=TICKETS#<view>                            |
| tickets of a list by a word of their title (or requester) | Query | pk=TICKETWORDS#<scope> sk begins <prefix> |
| a resolved ticket's auto-close timer  | (TTL)     | pk=TICKET#<number>    sk=AUTOCLOSE              |
| team by id                            | GetItem   | pk=TEAMS              sk=<team id>             |
| list teams                            | Query     | pk=TEAMS                                       |
| team by name (unique, any case)       | Put cond. | pk=TEAMNAME#<folded name> sk=TEAMNAME -> team id |
| a staff user's teams (with members)   | Query     | pk=MEMBEROF#<user id> sk=<team id> (a copy of each team) |
| ticket category by id                 | GetItem   | pk=CATEGORIES         sk=<category id>         |
| list ticket categories                | Query     | pk=CATEGORIES                                  |
| list product areas                    | Query     | pk=PRODUCTAREAS       sk=<area id>             |
| automatic mails to an address about a ticket, this hour | Update | pk=MAILCAP#<address hash>#<ticket> sk=<hour> |
| a ticket's notice to an address, claimed once | Put if absent | pk=NOTICE#<ticket> sk=<trigger>#<address hash> |
| a ticket form's suggestions and openings | Update | pk=KBDRAFT#<draft id>  sk=KBDRAFT             |
| a draft abandoned, counted once       | Put if absent | pk=KBDRAFT#<draft id> sk=ABANDONED       |
| deflection figures of recent weeks    | Query     | pk=KBDEFLECTION       sk=<ISO week>            |
| knowledge-base category by id         | GetItem   | pk=KBCATEGORIES       sk=<category id>         |
| list knowledge-base categories        | Query     | pk=KBCATEGORIES                                |
| an article with its variants and votes | Query    | pk=ARTICLE#<id>       sk begins ARTICLE        |
| an article's history, newest first    | Query     | pk=ARTICLE#<id>       sk begins HISTORY#       |
| staff: every article (by category)    | Query     | pk=KBARTICLES         sk=<category id>#<article id> |
| staff: variants in one state, newest first | Query | pk=KBSTATE#<state>   sk=<updated ms>#<article id>#<lang> |
| portal: published articles one audience sees | Query | pk=KBPUBLISHED#<audience> sk=<category id>#<article id> |
| one reader's vote on an article (once) | Put if absent | pk=ARTICLEVOTE#<article id>#<reader hash> sk=VOTE |
| the knowledge index's current generation (its S3 object) | GetItem, Update cond. | pk=SEARCHINDEX sk=POINTER |
| every automation rule with their order | Query     | pk=AUTORULES          (sk RULE#<id> and ORDER)  |
| one automation rule, the rules' order  | GetItem, Update cond. | pk=AUTORULES sk=RULE#<id>, ORDER   |
| what the rules did for one change (a redelivery puts it again) | Put | pk=AUTOTRACE#<number> sk=<ms>#<change id> |
| a ticket's automation traces, newest first | Query     | pk=AUTOTRACE#<number>                          |
| a ticket's scheduled moments (rule -> due, basis) | GetItem, Put | pk=AUTOSCHEDULE#<number> sk=AUTOSCHEDULE |
| a team's round-robin turn (atomic)    | Update    | pk=ROUNDROBIN#<team id> sk=ROUNDROBIN            |
| an automation action done once (Powertools idempotency) | Put cond. | pk=AUTOACTION sk=<hash of change, action> |

Every item carries `type` (its entity name), which the stream filters match on, and items
that expire carry `expires_at` (epoch seconds); reads treat an item past it as gone because
DynamoDB's TTL deletes lag.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

TTL_ATTRIBUTE = "expires_at"
TYPE_ATTRIBUTE = "type"


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True)
class TableDefinition:
    partition_key: str
    sort_key: str
    indexes: tuple[Index, ...]
    ttl_attribute: str
    stream_view: str

    @property
    def key_attributes(self) -> tuple[str, ...]:
        names = [self.partition_key, self.sort_key]
        for index in self.indexes:
            names += [index.partition_key, index.sort_key]
        return tuple(names)


GSI1 = Index(name="gsi1", partition_key="gsi1pk", sort_key="gsi1sk")

TABLE = TableDefinition(
    partition_key="pk",
    sort_key="sk",
    indexes=(GSI1,),
    ttl_attribute=TTL_ATTRIBUTE,
    stream_view="NEW_AND_OLD_IMAGES",
)


class Entity(StrEnum):
    """The value of `type` on each kind of item (stream filters match on it)."""

    USER = "user"
    EMAIL = "email"
    CONNECTION = "connection"
    COMPANY = "company"
    PORTAL = "portal"
    SUBDOMAIN = "subdomain"
    INBOUND_MAIL = "inbound_mail"
    SETTINGS = "settings"
    CODE = "code"
    CODE_SLOT = "code_slot"
    CODE_NAME = "code_name"
    GUESSES = "guesses"
    SESSION = "session"
    MESSAGE = "message"
    PARTICIPANT = "participant"
    INVITATION = "invitation"
    API_KEY = "api_key"
    CODE_LIMIT = "code_limit"
    PRESENCE = "presence"
    CHAT_REQUEST = "chat_request"
    QUEUE_ENTRY = "queue_entry"
    THROTTLE = "throttle"
    COMPANY_DOMAIN = "company_domain"
    CONTACT = "contact"
    CONTACT_EMAIL = "contact_email"
    CONTACT_ENTRY = "contact_entry"  # a contact's place in its company's list, or under a search term
    CONTACT_PASSWORD = "contact_password"
    CREDENTIAL = "credential"  # a contact's pending temporary password or set-password link
    CUSTOMER_SESSION = "customer_session"
    RESET_REQUEST = "reset_request"  # a "Forgot your password?", recorded for any address: the stream mails it
    EMAIL_TEMPLATE = "email_template"
    QUICK_REPLY = "quick_reply"
    TICKET = "ticket"
    TICKET_ENTRY = "ticket_entry"  # one item of a ticket's timeline: a reply, a note, an event
    TICKET_COUNTER = "ticket_counter"
    TICKET_LISTING = "ticket_listing"  # a ticket's place in one list (kept from the stream)
    TICKET_WORD = "ticket_word"  # a ticket under a word of its title or requester, in one scope (from the stream)
    TICKET_TIMER = "ticket_timer"  # a resolved ticket's auto-close: its TTL delete closes the ticket

    # The help desk's setup (issue 12): teams, ticket categories, product areas.
    TEAM = "team"
    TEAM_NAME = "team_name"  # the guard that keeps team names unique, whatever their case
    TEAM_MEMBERSHIP = "team_membership"  # a copy of a team under each member, for "my teams"
    TICKET_CATEGORY = "ticket_category"
    PRODUCT_AREA = "product_area"

    MAIL_CAP = "mail_cap"  # automatic mails sent to one recipient about one ticket in one hour
    TICKET_NOTICE = "ticket_notice"  # a ticket's notice claimed for one recipient: sent once
    KB_DRAFT = "kb_draft"  # a ticket form being typed: the articles suggested to it and opened from it
    KB_ABANDONED = "kb_abandoned"  # a draft counted as abandoned after an article was opened (once)
    KB_DEFLECTION = "kb_deflection"  # one week's deflection figures

    # The knowledge base's articles (issue 13): deskless/articles.py.
    KB_CATEGORY = "kb_category"
    ARTICLE = "article"
    ARTICLE_VARIANT = "article_variant"  # one language of an article: title, body, state (what search indexes)
    ARTICLE_HISTORY = "article_history"  # one saved change of an article
    ARTICLE_LISTING = "article_listing"  # an article's place in a staff list or an audience's published list
    ARTICLE_VOTES = "article_votes"  # an article's "Was this helpful?" counts
    ARTICLE_VOTE = "article_vote"  # one reader's vote (the guard that keeps it to one)
    # The knowledge base's search (issue 13): which generation of the index in S3 is current.
    SEARCH_INDEX = "search_index"
    # Ticket automation rules (issue 14): deskless/automation_rules.py.
    AUTOMATION_RULE = "automation_rule"
    AUTOMATION_ORDER = "automation_order"  # the rules' order as the admin set it, with its revision

    # Ticket automation rules (issue 14), the runtime's: deskless/automation_traces.py, functions/automation.
    AUTOMATION_TRACE = "automation_trace"  # what the rules did for one change of a ticket
    AUTOMATION_SCHEDULE = "automation_schedule"  # a ticket's scheduled moments of time-based rules
    ROUND_ROBIN = "round_robin"  # a team's turn counter for round-robin assignment


Key = dict[str, str]


def stamped(entity: Entity, *keys: Key, **attributes: Any) -> dict[str, Any]:
    """What is stored for one entity: its key (and index keys), its `type`, which the stream
    filters match on, and its attributes. Every item is built here; so is what an update SETs
    on an item it may create (no keys: just the type and the attributes)."""
    if TYPE_ATTRIBUTE in attributes:
        raise ValueError(f"`{TYPE_ATTRIBUTE}` is the entity's: {entity.value}")
    merged: dict[str, Any] = {}
    for key in keys:
        merged.update(key)
    return {**merged, TYPE_ATTRIBUTE: entity.value, **attributes}


def user_key(user_id: str) -> Key:
    return {"pk": f"USER#{user_id}", "sk": "PROFILE"}


def email_key(email: str) -> Key:
    return {"pk": f"EMAIL#{email.lower()}", "sk": "EMAIL"}


STAFF_LIST = "STAFF"


def staff_index(name: str, user_id: str) -> Key:
    return {"gsi1pk": STAFF_LIST, "gsi1sk": f"{name.lower()}#{user_id}"}


def connection_key(connection_id: str) -> Key:
    return {"pk": f"CONN#{connection_id}", "sk": "CONNECTION"}


def user_connections(user_id: str) -> str:
    return f"CONNS#{user_id}"


def connection_index(user_id: str, connection_id: str) -> Key:
    return {"gsi1pk": user_connections(user_id), "gsi1sk": connection_id}


def company_partition(company_id: str) -> str:
    return f"COMPANY#{company_id}"


def company_key(company_id: str) -> Key:
    return {"pk": company_partition(company_id), "sk": "COMPANY"}


COMPANY_LIST = "COMPANIES"
PORTAL_SORT = "PORTAL"


def company_index(name: str, company_id: str) -> Key:
    return {"gsi1pk": COMPANY_LIST, "gsi1sk": f"{name.lower()}#{company_id}"}


def portal_index(company_name: str, company_id: str) -> Key:
    """The portal sorts right after its company in the companies list (one Query reads both)."""
    return {"gsi1pk": COMPANY_LIST, "gsi1sk": f"{company_name.lower()}#{company_id}#{PORTAL_SORT}"}


def portal_key(company_id: str) -> Key:
    return {"pk": company_partition(company_id), "sk": PORTAL_SORT}


def subdomain_key(label: str) -> Key:
    return {"pk": f"SUBDOMAIN#{label.lower()}", "sk": "SUBDOMAIN"}


def inbound_mail_key(message_id: str) -> Key:
    return {"pk": f"MAIL#{message_id}", "sk": "INBOUND"}


SETTINGS_KEY: Key = {"pk": "SETTINGS", "sk": "GLOBAL"}


def code_key(code: str) -> Key:
    return {"pk": f"CODE#{code}", "sk": "CODE"}


def technician_partition(user_id: str) -> str:
    return f"TECH#{user_id}"


CODE_SLOT_PREFIX = "CODESLOT#"


def code_slot_key(user_id: str, slot: int) -> Key:
    return {"pk": technician_partition(user_id), "sk": f"{CODE_SLOT_PREFIX}{slot:03d}"}


def code_limit_key(user_id: str) -> Key:
    """An admin's override of the code limit for one technician (absent: the global setting)."""
    return {"pk": technician_partition(user_id), "sk": "CODELIMIT"}


def code_name_key(user_id: str, name: str) -> Key:
    return {"pk": technician_partition(user_id), "sk": f"CODENAME#{' '.join(name.lower().split())}"}


def guesses_key(kind: str, subject: str, window_start: int) -> Key:
    return {"pk": f"GUESSES#{kind}#{subject}", "sk": str(window_start)}


def session_partition(session_id: str) -> str:
    return f"SESSION#{session_id}"


def session_key(session_id: str) -> Key:
    return {"pk": session_partition(session_id), "sk": "SESSION"}


MESSAGE_PREFIX = "MSG#"
PARTICIPANT_PREFIX = "CONN#"


def message_key(session_id: str, at_ms: int, message_id: str) -> Key:
    return {"pk": session_partition(session_id), "sk": f"{MESSAGE_PREFIX}{at_ms:013d}#{message_id}"}


def participant_key(session_id: str, connection_id: str) -> Key:
    return {"pk": session_partition(session_id), "sk": f"{PARTICIPANT_PREFIX}{connection_id}"}


def technician_sessions(user_id: str) -> str:
    return f"SESSIONS#{user_id}"


def session_index(user_id: str, created_at: int, session_id: str) -> Key:
    return {"gsi1pk": technician_sessions(user_id), "gsi1sk": f"{created_at:010d}#{session_id}"}


def invitation_key(token: str) -> Key:
    return {"pk": f"INVITE#{token}", "sk": "INVITATION"}


def operator_invitations(user_id: str) -> str:
    return f"INVITES#{user_id}"


def invitation_index(user_id: str, created_at: int, token: str) -> Key:
    return {"gsi1pk": operator_invitations(user_id), "gsi1sk": f"{created_at:010d}#{token}"}


def api_key_key(key_id: str) -> Key:
    return {"pk": f"APIKEY#{key_id}", "sk": "APIKEY"}


API_KEY_LIST = "APIKEYS"


def api_key_index(created_at: int, key_id: str) -> Key:
    return {"gsi1pk": API_KEY_LIST, "gsi1sk": f"{created_at:010d}#{key_id}"}


def presence_key(user_id: str) -> Key:
    return {"pk": f"USER#{user_id}", "sk": "PRESENCE"}


def chat_request_key(request_id: str) -> Key:
    return {"pk": f"CHATREQ#{request_id}", "sk": "CHATREQ"}


def queue_partition(company_id: str) -> str:
    return f"QUEUE#{company_id}"


def queue_entry_key(company_id: str, queued_ms: int, request_id: str) -> Key:
    return {"pk": queue_partition(company_id), "sk": f"{queued_ms:013d}#{request_id}"}


def throttle_key(kind: str, source: str, window_start: int) -> Key:
    return {"pk": f"THROTTLE#{kind}#{source}", "sk": str(window_start)}


def domain_key(domain: str) -> Key:
    """The guard that gives an email domain to at most one company (`*.d` and `d` share it)."""
    return {"pk": f"DOMAIN#{domain.lower()}", "sk": "DOMAIN"}


def contact_key(contact_id: str) -> Key:
    return {"pk": f"CONTACT#{contact_id}", "sk": "CONTACT"}


def contact_email_key(email: str) -> Key:
    """The guard that keeps a contact's email address unique across contacts, whatever its case."""
    return {"pk": f"CONTACTEMAIL#{email.lower()}", "sk": "CONTACTEMAIL"}


def contact_password_key(contact_id: str) -> Key:
    return {"pk": contact_partition(contact_id), "sk": "PASSWORD"}


def credential_key(contact_id: str) -> Key:
    """A contact's one pending credential (a temporary password or a link): issuing one replaces it."""
    return {"pk": contact_partition(contact_id), "sk": "CREDENTIAL"}


def contact_partition(contact_id: str) -> str:
    return f"CONTACT#{contact_id}"


def reset_request_key(address_subject: str, request_id: str) -> Key:
    """One "Forgot your password?" for an address (a hash of it), known or not."""
    return {"pk": f"RESETREQUEST#{address_subject}", "sk": request_id}


CUSTOMER_SESSION_PREFIX = "PORTALSESSION#"


def customer_session_key(contact_id: str, secret_hash: str) -> Key:
    return {"pk": contact_partition(contact_id), "sk": f"{CUSTOMER_SESSION_PREFIX}{secret_hash}"}


CONTACT_LIST = "CONTACTS"


def _sortable(name: str) -> str:
    return " ".join(name.lower().split())


def contact_index(name: str, contact_id: str) -> Key:
    return {"gsi1pk": CONTACT_LIST, "gsi1sk": f"{_sortable(name)}#{contact_id}"}


def company_contacts(company_id: str) -> str:
    return f"COMPANYCONTACTS#{company_id}"


def company_contact_key(company_id: str, name: str, contact_id: str) -> Key:
    return {"pk": company_contacts(company_id), "sk": f"{_sortable(name)}#{contact_id}"}


def contact_terms(term: str) -> str:
    """The partition of the search terms that start as `term` does (one per first character)."""
    return f"CONTACTTERM#{term[:1]}"


def contact_term_key(term: str, contact_id: str) -> Key:
    return {"pk": contact_terms(term), "sk": f"{term}#{contact_id}"}


EMAIL_TEMPLATES = "TEMPLATES#EMAIL"


def email_template_key(template_id: str) -> Key:
    return {"pk": EMAIL_TEMPLATES, "sk": template_id}


def quick_replies(owner_id: str | None) -> str:
    """The partition of the shared quick replies (owner None) or of one user's own."""
    return f"QUICKREPLIES#{owner_id or 'SHARED'}"


def quick_reply_key(owner_id: str | None, reply_id: str) -> Key:
    return {"pk": quick_replies(owner_id), "sk": reply_id}


TICKET_COUNTER_KEY: Key = {"pk": "COUNTER#TICKET", "sk": "COUNTER"}


def ticket_partition(number: int) -> str:
    return f"TICKET#{number}"


def ticket_key(number: int) -> Key:
    return {"pk": ticket_partition(number), "sk": "TICKET"}


TICKET_ENTRY_PREFIX = "ENTRY#"


def ticket_entry_key(number: int, at_ms: int, entry_id: str) -> Key:
    return {"pk": ticket_partition(number), "sk": f"{TICKET_ENTRY_PREFIX}{at_ms:013d}#{entry_id}"}


def ticket_timer_key(number: int) -> Key:
    return {"pk": ticket_partition(number), "sk": "AUTOCLOSE"}


def ticket_list(view: str) -> str:
    """The partition of one ticket list (`view` names it: "all|open", "assignee:<id>|active", ...)."""
    return f"TICKETS#{view}"


def ticket_listing_key(view: str, updated_ms: int, number: int) -> Key:
    """A ticket's place in a list, latest change first when read backwards."""
    return {"pk": ticket_list(view), "sk": f"{updated_ms:013d}#{number:010d}"}


def ticket_priority_list(view: str) -> str:
    return f"TICKETSBYPRIORITY#{view}"


def ticket_priority_key(view: str, rank: int, updated_ms: int, number: int) -> Key:
    """A ticket's place in a list by priority (then latest change), highest first when read backwards."""
    return {"pk": ticket_priority_list(view), "sk": f"{rank:02d}#{updated_ms:013d}#{number:010d}"}


def ticket_words(scope: str) -> str:
    return f"TICKETWORDS#{scope}"


def ticket_word_key(scope: str, word: str, number: int) -> Key:
    return {"pk": ticket_words(scope), "sk": f"{word}#{number:010d}"}


# --- the help desk's setup: teams, ticket categories, product areas ---------------------------

TEAMS = "TEAMS"


def team_key(team_id: str) -> Key:
    return {"pk": TEAMS, "sk": team_id}


def team_name_key(name: str) -> Key:
    """The guard that gives a team name to one team, compared without case or repeated spaces."""
    return {"pk": f"TEAMNAME#{_sortable(name).casefold()}", "sk": "TEAMNAME"}


def memberships(user_id: str) -> str:
    """The partition of a staff user's teams: a copy of each, so "my teams" is one Query."""
    return f"MEMBEROF#{user_id}"


def membership_key(user_id: str, team_id: str) -> Key:
    return {"pk": memberships(user_id), "sk": team_id}


TICKET_CATEGORIES = "CATEGORIES"


def ticket_category_key(category_id: str) -> Key:
    return {"pk": TICKET_CATEGORIES, "sk": category_id}


PRODUCT_AREAS = "PRODUCTAREAS"


def product_area_key(area_id: str) -> Key:
    return {"pk": PRODUCT_AREAS, "sk": area_id}


def mail_cap_key(recipient_subject: str, ticket_number: int, hour_start: int) -> Key:
    """The count of automatic mails to one recipient (a hash of the address) about one ticket in one hour."""
    return {"pk": f"MAILCAP#{recipient_subject}#{ticket_number}", "sk": str(hour_start)}


def ticket_notice_key(ticket_number: int, trigger: str, recipient_subject: str) -> Key:
    """One notice about a ticket (`trigger`: what it tells of) to one recipient (a hash of the address)."""
    return {"pk": f"NOTICE#{ticket_number}", "sk": f"{trigger}#{recipient_subject}"}


def kb_draft_key(draft_id: str) -> Key:
    """A ticket form being typed on the portal: what the knowledge base suggested to it, what was opened."""
    return {"pk": f"KBDRAFT#{draft_id}", "sk": "KBDRAFT"}


def kb_abandoned_key(draft_id: str) -> Key:
    return {"pk": f"KBDRAFT#{draft_id}", "sk": "ABANDONED"}


KB_DEFLECTION = "KBDEFLECTION"


def kb_deflection_key(week: str) -> Key:
    """One ISO week's deflection figures (`week` like 2026-W49, so weeks sort in time)."""
    return {"pk": KB_DEFLECTION, "sk": week}


# --- the knowledge base: categories, articles, their lists and votes (deskless/articles.py) -----

KB_CATEGORIES = "KBCATEGORIES"


def kb_category_key(category_id: str) -> Key:
    return {"pk": KB_CATEGORIES, "sk": category_id}


def article_partition(article_id: str) -> str:
    return f"ARTICLE#{article_id}"


ARTICLE_SORT = "ARTICLE"  # the article, its variants and its counts all sort under it: one Query reads them
HISTORY_PREFIX = "HISTORY#"


def article_key(article_id: str) -> Key:
    return {"pk": article_partition(article_id), "sk": ARTICLE_SORT}


def article_variant_key(article_id: str, language: str) -> Key:
    return {"pk": article_partition(article_id), "sk": f"{ARTICLE_SORT}#VARIANT#{language}"}


def article_votes_key(article_id: str) -> Key:
    return {"pk": article_partition(article_id), "sk": f"{ARTICLE_SORT}#VOTES"}


def article_history_key(article_id: str, at_ms: int, entry_id: str) -> Key:
    return {"pk": article_partition(article_id), "sk": f"{HISTORY_PREFIX}{at_ms:013d}#{entry_id}"}


STAFF_ARTICLES = "KBARTICLES"


def staff_article_key(category_id: str, article_id: str) -> Key:
    """An article's place in the staff list: every article, by category (a sort-key prefix picks one)."""
    return {"pk": STAFF_ARTICLES, "sk": f"{category_id}#{article_id}"}


def articles_in_state(state: str) -> str:
    return f"KBSTATE#{state}"


def article_state_key(state: str, updated_ms: int, article_id: str, language: str) -> Key:
    """A variant's place in the staff list of its state, latest change first when read backwards."""
    return {"pk": articles_in_state(state), "sk": f"{updated_ms:013d}#{article_id}#{language}"}


def published_articles(audience: str) -> str:
    """The published articles one audience sees: `public`, `customers`, or either `@<company id>`."""
    return f"KBPUBLISHED#{audience}"


def published_article_key(audience: str, category_id: str, article_id: str) -> Key:
    return {"pk": published_articles(audience), "sk": f"{category_id}#{article_id}"}


def article_vote_key(article_id: str, reader: str) -> Key:
    """One reader's vote on an article (a hash of who they are), put only if absent."""
    return {"pk": f"ARTICLEVOTE#{article_id}#{reader}", "sk": "VOTE"}


def search_index_key() -> Key:
    """The pointer to the knowledge index's current generation (one item: every reader checks it)."""
    return {"pk": "SEARCHINDEX", "sk": "POINTER"}


AUTOMATION_RULES = "AUTORULES"  # every rule and their order: listing them is one Query
AUTOMATION_RULE_PREFIX = "RULE#"
AUTOMATION_ORDER_KEY: Key = {"pk": AUTOMATION_RULES, "sk": "ORDER"}


def automation_rule_key(rule_id: str) -> Key:
    return {"pk": AUTOMATION_RULES, "sk": f"{AUTOMATION_RULE_PREFIX}{rule_id}"}


# --- issue 14: ticket automation rules (the runtime) ---


def automation_traces(number: int) -> str:
    return f"AUTOTRACE#{number}"


def automation_trace_key(number: int, at_ms: int, change_id: str) -> Key:
    """One change's trace: its time first, so a Query read backwards is newest first; the change id
    last, so the same change (a stream record delivered again) puts the same item."""
    return {"pk": automation_traces(number), "sk": f"{at_ms:013d}#{change_id}"}


def automation_schedule_key(number: int) -> Key:
    """A ticket's scheduled moments: not in the ticket's partition, which its page Queries whole."""
    return {"pk": f"AUTOSCHEDULE#{number}", "sk": "AUTOSCHEDULE"}


def round_robin_key(team_id: str) -> Key:
    return {"pk": f"ROUNDROBIN#{team_id}", "sk": "ROUNDROBIN"}


# Powertools' idempotency records of automation actions: its persistence layer builds the sort key
# (the function's name and a hash of the change id and the action's index) under this partition.
AUTOMATION_ACTIONS = "AUTOACTION"
