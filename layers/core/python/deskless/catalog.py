"""What Deskless is made of: its functions, HTTP routes, WebSocket routes and stream filters,
and who may call each route.

This module is the one place these facts live. The CDK app builds functions, routes,
authorizers and event source mappings from it; the local platform builds its gateway, its
stream poller and its function registry from it; each endpoint names its route key where it
is written (deskless.http.Api.route, deskless.websocket.WebSocketApp), which must be listed
here for that function, and the shared plumbing lets in only the callers listed here.
`deskless routes` prints the whole table with the file and line of each endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .table import TYPE_ATTRIBUTE, Entity


class Trigger(StrEnum):
    HTTP = "http"
    WEBSOCKET = "websocket"
    HTTP_AUTHORIZER = "http_authorizer"
    WEBSOCKET_AUTHORIZER = "websocket_authorizer"
    STREAM = "stream"
    EMAIL = "email"


class Access(StrEnum):
    """What a function may touch; the CDK app turns each into a scoped grant."""

    TABLE_READ = "table:read"
    TABLE_WRITE = "table:write"
    SIGNING_KEY = "secret:signing-key"
    ORIGIN_SECRET = "secret:origin"
    SEND_EMAIL = "ses:send"
    INBOUND_MAIL = "s3:inbound-mail"
    CONNECTIONS = "websocket:connections"
    # Tickets' attachments (deskless.attachments): read and write the bucket (take uploads, store
    # files that came by email, sign downloads); or only sign upload forms to its staging area.
    ATTACHMENTS = "s3:attachments"
    ATTACHMENT_UPLOADS = "s3:attachments-staged"
    # The knowledge base's search index (deskless.search_index): download it to search; or publish
    # new generations of it (from the table's stream).
    SEARCH_INDEX = "s3:search-index"
    SEARCH_INDEX_PUBLISH = "s3:search-index-publish"
    # Issue 14 (automation rules): create, change and delete the one-time schedules of the automation
    # schedule group, handing EventBridge Scheduler the one role that may invoke the automation function.
    AUTOMATION_SCHEDULES = "scheduler:automation"
    # Issue 15 (screen sharing): the deployment's Kinesis Video Streams signaling channel, for the
    # STUN and TURN servers (and their short-lived credentials) handed to both browsers of a share.
    SIGNALING_CHANNEL = "kinesisvideo:ice-servers"


class Caller(StrEnum):
    """Who may call a route. Each HTTP route and WebSocket action lists the callers it allows; the
    shared plumbing (deskless.http, deskless.websocket) refuses everyone else before the endpoint
    runs, so no endpoint checks a role of its own. Ownership (a technician's own codes, a visitor's
    own session) is the logic's to check, and it answers 404 for what is another's."""

    PUBLIC = "public"  # anyone, signed in or not: no identity is asked for
    API_KEY = "api_key"  # an integration presenting an API key (X-Api-Key)
    VISITOR = "visitor"  # a customer in one support session or chat request (the token's scope)
    CONTACT = "contact"  # a customer signed in to their company's portal
    PRIMARY_CONTACT = "primary_contact"  # a contact who sees all of their company's tickets
    TECHNICIAN = "technician"
    ADMIN = "admin"


Allowed = frozenset[Caller]

PUBLIC: Allowed = frozenset({Caller.PUBLIC})
API_KEY: Allowed = frozenset({Caller.API_KEY})
STAFF: Allowed = frozenset({Caller.TECHNICIAN, Caller.ADMIN})
ADMIN: Allowed = frozenset({Caller.ADMIN})
VISITOR: Allowed = frozenset({Caller.VISITOR})
CUSTOMERS: Allowed = frozenset({Caller.CONTACT, Caller.PRIMARY_CONTACT})  # signed in to a portal (a cookie)
CONNECTS: Allowed = STAFF | VISITOR  # who may open a WebSocket: consoles, and visitors of a session or chat request
SIGNED_IN: Allowed = frozenset(Caller) - PUBLIC - API_KEY  # any token: customers and staff


def in_words(allow: Allowed) -> str:
    """The callers a route allows, as a refusal names them.

    >>> in_words(STAFF | VISITOR)
    'visitors, technicians and admins'
    """
    names = [_SPOKEN[caller] for caller in Caller if caller in allow]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


_SPOKEN = {
    Caller.PUBLIC: "anyone",
    Caller.API_KEY: "integrations with an API key",
    Caller.VISITOR: "visitors",
    Caller.CONTACT: "contacts",
    Caller.PRIMARY_CONTACT: "primary contacts",
    Caller.TECHNICIAN: "technicians",
    Caller.ADMIN: "admins",
}


class Auth(StrEnum):
    """What API Gateway asks of a request before the function runs (derived from the callers)."""

    PUBLIC = "public"  # no authorizer
    TOKEN = "token"  # the HTTP Lambda authorizer must accept a bearer token
    # A customer's session cookie (and, for a change, its CSRF token), which the function checks
    # itself (deskless.http): an authorizer would see neither the cookie's session in the table
    # nor the host it is valid on, and must not be asked for a bearer token browsers never send.
    COOKIE = "cookie"


@dataclass(frozen=True)
class Function:
    name: str
    trigger: Trigger
    access: frozenset[Access]
    description: str
    package: str = ""  # folder under functions/; defaults to the name
    entry: str = "handler.handler"  # module.attribute inside the package
    memory_mb: int = 512
    timeout_s: int = 10

    @property
    def folder(self) -> str:
        return self.package or self.name

    @property
    def lambda_handler(self) -> str:
        """The handler string Lambda is given: the package is the asset's top-level folder."""
        return f"{self.folder}.{self.entry}"

    @property
    def module(self) -> str:
        """Where the handler module is imported from in this repository."""
        return f"functions.{self.folder}.{self.entry.rsplit('.', 1)[0]}"

    @property
    def attribute(self) -> str:
        return self.entry.rsplit(".", 1)[1]


@dataclass(frozen=True)
class HttpRoute:
    route_key: str  # "METHOD /path/{param}", as API Gateway spells it
    function: str
    allow: Allowed
    # A contact who signed in with a temporary password may call only the routes that say so
    # (choosing a new password, signing out) until they have chosen one.
    before_new_password: bool = False

    @property
    def auth(self) -> Auth:
        """A route for customers only checks their session cookie in its function; any other that
        names a signed-in caller goes through the Lambda authorizer."""
        if self.allow <= CUSTOMERS:
            return Auth.COOKIE
        return Auth.TOKEN if self.allow & SIGNED_IN else Auth.PUBLIC

    @property
    def method(self) -> str:
        return self.route_key.split(" ", 1)[0]

    @property
    def path(self) -> str:
        return self.route_key.split(" ", 1)[1]


@dataclass(frozen=True)
class WebSocketRoute:
    route_key: str  # $connect, $disconnect, $default, or the value of body.action
    function: str
    allow: Allowed  # every WebSocket caller holds a token: $connect's authorizer asks for one
    returns_response: bool = False  # the handler's body is sent back to the caller


@dataclass(frozen=True)
class StreamSubscription:
    """A DynamoDB stream event source mapping: which records reach which function."""

    function: str
    filters: tuple[Mapping[str, Any], ...]  # at most MAX_FILTERS: Lambda's quota per mapping
    name: str = ""  # what the mapping is called (its failure queue's name); defaults to the function's
    batch_size: int = 25
    retry_attempts: int = 5
    max_batching_window_s: int = 0

    @property
    def mapping(self) -> str:
        return self.name or self.function


# Lambda's default quota of filters per event source mapping, and the readers a DynamoDB stream
# serves without throttling (every mapping is one).
MAX_FILTERS = 5
MAX_STREAM_READERS = 2

_RW = frozenset({Access.TABLE_READ, Access.TABLE_WRITE})

FUNCTIONS: tuple[Function, ...] = (
    Function(
        "meta",
        Trigger.HTTP,
        frozenset({Access.ORIGIN_SECRET}),
        "Health check and the public configuration a browser client starts from.",
        memory_mb=256,
    ),
    Function(
        "auth",
        Trigger.HTTP,
        _RW | {Access.SIGNING_KEY, Access.ORIGIN_SECRET},
        "Staff login, token issue, the caller's own profile.",
    ),
    Function(
        "staff",
        Trigger.HTTP,
        _RW | {Access.CONNECTIONS, Access.ORIGIN_SECRET},
        "Admins manage staff users (deactivating one closes their consoles) and the global settings.",
    ),
    Function(
        "codes",
        Trigger.HTTP,
        _RW | {Access.SIGNING_KEY, Access.SEND_EMAIL, Access.ORIGIN_SECRET},
        "9-digit session codes: create, list, cancel, send, redeem (rate-limited).",
    ),
    Function(
        "invitations",
        Trigger.HTTP,
        _RW | {Access.SIGNING_KEY, Access.ORIGIN_SECRET},
        "Operator invitation links, and the API keys that create reusable ones.",
    ),
    Function(
        "sessions",
        Trigger.HTTP,
        frozenset({Access.TABLE_READ, Access.ORIGIN_SECRET}),
        "Support sessions: a technician's sessions and their transcripts.",
    ),
    Function(
        "portals",
        Trigger.HTTP,
        _RW | {Access.SIGNING_KEY, Access.SEND_EMAIL, Access.ORIGIN_SECRET, Access.SEARCH_INDEX},
        "Companies and their portals; each portal's pages, chat widget, chat requests and messages; "
        "customers' sign-in and passwords on their portal or the help centre.",
    ),
    Function(
        "contacts",
        Trigger.HTTP,
        _RW | {Access.SEND_EMAIL, Access.ORIGIN_SECRET},
        "Contacts: find, create, edit, deactivate, import from CSV, reset a contact's portal password, send the "
        "welcome email again; integrations create them with an API key.",
        timeout_s=29,  # a CSV import of 500 rows; API Gateway waits 30 s at most
    ),
    Function(
        "templates",
        Trigger.HTTP,
        _RW | {Access.ORIGIN_SECRET},
        "Email templates and quick replies with their {[...]} snippets, and previews of both.",
    ),
    # The help desk's setup (issue 12): teams, ticket categories, product areas.
    Function(
        "helpdesk",
        Trigger.HTTP,
        _RW | {Access.ORIGIN_SECRET, Access.SIGNING_KEY},  # the signing key: the automation webhooks' secret
        "Admins set up the help desk: teams and their members, ticket categories with their fields, product areas, "
        "and the ticket automation rules.",
    ),
    Function(
        "tickets",
        Trigger.HTTP,
        _RW | {Access.ATTACHMENTS, Access.ORIGIN_SECRET, Access.SEARCH_INDEX},
        "Tickets: the console's lists, a ticket's timeline, replies, notes, changes, merges and suggested "
        "articles; contacts' own tickets on their portal; integrations open them with an API key.",
    ),
    Function(
        "http_authorizer",
        Trigger.HTTP_AUTHORIZER,
        frozenset({Access.TABLE_READ, Access.SIGNING_KEY}),
        "Lambda authorizer of the HTTP API: verifies the bearer token (and that a staff user is active).",
        package="authorizer",
        entry="handler.http",
        memory_mb=256,
        timeout_s=5,
    ),
    Function(
        "websocket_authorizer",
        Trigger.WEBSOCKET_AUTHORIZER,
        frozenset({Access.TABLE_READ, Access.SIGNING_KEY}),
        "Lambda authorizer of WebSocket $connect: verifies the token in the query string (and that a staff "
        "user is active).",
        package="authorizer",
        entry="handler.websocket",
        memory_mb=256,
        timeout_s=5,
    ),
    Function(
        "realtime",
        Trigger.WEBSOCKET,
        _RW | {Access.CONNECTIONS, Access.SIGNING_KEY, Access.SIGNALING_CHANNEL},
        "The WebSocket API: presence and heartbeat, the chat queue, support session chat.",
    ),
    Function(
        "events",
        Trigger.STREAM,
        # The signing key signs tickets' Message-IDs; the attachments bucket holds what notices link to;
        # articles' changes are published to the knowledge base's search index.
        _RW
        | {Access.CONNECTIONS, Access.SEND_EMAIL, Access.SIGNING_KEY, Access.ATTACHMENTS, Access.SEARCH_INDEX_PUBLISH},
        "Side effects of state changes, from the table's stream.",
        timeout_s=30,
    ),
    Function(
        "inbound_email",
        Trigger.EMAIL,
        # The signing key checks the Message-IDs a reply names; a message's files go to the attachments bucket.
        _RW | {Access.INBOUND_MAIL, Access.SIGNING_KEY, Access.ATTACHMENTS},
        "Email received by SES: stored in S3, then recorded here.",
        timeout_s=30,
    ),
    # --- issue 12: attachments ---
    Function(
        "attachments",
        Trigger.HTTP,
        _RW | {Access.SIGNING_KEY, Access.ORIGIN_SECRET, Access.ATTACHMENT_UPLOADS},
        "Attachment uploads: presigned forms to a staging area that a ticket then takes.",
        memory_mb=256,
    ),
    # --- issue 13: knowledge-base articles (staff API; the portal's pages are the portals function's) ---
    Function(
        "knowledge",
        Trigger.HTTP,
        _RW | {Access.ORIGIN_SECRET, Access.SEARCH_INDEX},
        "The knowledge base for staff: articles in four languages, their history and votes, categories, "
        "a preview of an article's Markdown as the portal shows it, search, and the deflection figures.",
    ),
    # --- issue 14: ticket automation rules (RUNTIME): from the stream and the schedules to actions ---
    Function(
        "automation",
        Trigger.STREAM,  # also invoked by EventBridge Scheduler at a time-based rule's moment
        # Rules send email (through templates with credentials), push console notifications, sign
        # webhooks with a key derived from the signing key, and schedule their time-based moments.
        _RW | {Access.SEND_EMAIL, Access.CONNECTIONS, Access.SIGNING_KEY, Access.AUTOMATION_SCHEDULES},
        "Ticket automation rules: each ticket change evaluated against the active rules, their actions done "
        "once and traced; time-based rules at their moment (EventBridge Scheduler).",
        # A webhook that never answers costs 3 tries of 5 s: a batch of ten changes may wait on several.
        timeout_s=300,
    ),
)

HTTP_ROUTES: tuple[HttpRoute, ...] = (
    HttpRoute("GET /api/health", "meta", PUBLIC),
    HttpRoute("GET /api/config", "meta", PUBLIC),
    HttpRoute("POST /api/auth/login", "auth", PUBLIC),
    HttpRoute("GET /api/me", "auth", STAFF),
    HttpRoute("GET /api/staff", "staff", ADMIN),
    HttpRoute("POST /api/staff", "staff", ADMIN),
    HttpRoute("GET /api/settings", "staff", ADMIN),
    HttpRoute("PATCH /api/settings", "staff", ADMIN),
    HttpRoute("PATCH /api/staff/{user_id}", "staff", ADMIN),
    HttpRoute("POST /api/codes", "codes", STAFF),
    HttpRoute("GET /api/codes", "codes", STAFF),
    HttpRoute("DELETE /api/codes/{code}", "codes", STAFF),
    HttpRoute("POST /api/codes/{code}/email", "codes", STAFF),
    HttpRoute("GET /api/codes/{code}/invitation", "codes", STAFF),
    HttpRoute("POST /api/join", "codes", PUBLIC),
    HttpRoute("POST /api/invitations", "invitations", STAFF),
    HttpRoute("GET /api/invitations", "invitations", STAFF),
    HttpRoute("DELETE /api/invitations/{token}", "invitations", STAFF),
    HttpRoute("POST /api/invitations/{token}/accept", "invitations", PUBLIC),
    HttpRoute("POST /api/v1/invitations", "invitations", API_KEY),
    HttpRoute("POST /api/api-keys", "invitations", ADMIN),
    HttpRoute("GET /api/api-keys", "invitations", ADMIN),
    HttpRoute("DELETE /api/api-keys/{key_id}", "invitations", ADMIN),
    HttpRoute("GET /api/sessions", "sessions", STAFF),
    HttpRoute("GET /api/sessions/{session_id}/messages", "sessions", STAFF | {Caller.VISITOR}),
    HttpRoute("GET /api/companies", "portals", STAFF),
    HttpRoute("POST /api/companies", "portals", ADMIN),
    HttpRoute("GET /api/companies/{company_id}", "portals", STAFF),
    HttpRoute("PATCH /api/companies/{company_id}", "portals", ADMIN),
    HttpRoute("POST /api/companies/{company_id}/portal", "portals", ADMIN),
    HttpRoute("PATCH /api/companies/{company_id}/portal", "portals", ADMIN),
    HttpRoute("GET /api/companies/{company_id}/portal/embed", "portals", ADMIN),
    HttpRoute("POST /api/companies/{company_id}/domains", "portals", ADMIN),
    HttpRoute("DELETE /api/companies/{company_id}/domains/{domain}", "portals", ADMIN),
    HttpRoute("GET /api/contacts", "contacts", STAFF),
    HttpRoute("POST /api/contacts", "contacts", STAFF),
    HttpRoute("GET /api/contacts/{contact_id}", "contacts", STAFF),
    HttpRoute("PATCH /api/contacts/{contact_id}", "contacts", STAFF),
    HttpRoute("POST /api/contacts/{contact_id}/deactivate", "contacts", STAFF),
    HttpRoute("POST /api/contacts/{contact_id}/password-reset", "contacts", STAFF),
    HttpRoute("POST /api/contacts/{contact_id}/welcome", "contacts", STAFF),
    HttpRoute("POST /api/contacts/import/preview", "contacts", ADMIN),
    HttpRoute("POST /api/contacts/import", "contacts", ADMIN),
    HttpRoute("POST /api/v1/contacts", "contacts", API_KEY),
    HttpRoute("GET /api/snippets", "templates", STAFF),
    HttpRoute("GET /api/email-templates", "templates", ADMIN),
    HttpRoute("POST /api/email-templates", "templates", ADMIN),
    HttpRoute("POST /api/email-templates/preview", "templates", ADMIN),
    HttpRoute("GET /api/email-templates/{template_id}", "templates", ADMIN),
    HttpRoute("PUT /api/email-templates/{template_id}", "templates", ADMIN),
    HttpRoute("DELETE /api/email-templates/{template_id}", "templates", ADMIN),
    HttpRoute("POST /api/email-templates/{template_id}/reset", "templates", ADMIN),
    HttpRoute("POST /api/email-templates/{template_id}/preview", "templates", ADMIN),
    # Shared quick replies and each technician's own: the logic keeps another's out of sight (404).
    HttpRoute("GET /api/quick-replies", "templates", STAFF),
    HttpRoute("POST /api/quick-replies", "templates", STAFF),
    HttpRoute("POST /api/quick-replies/preview", "templates", STAFF),
    HttpRoute("GET /api/quick-replies/{reply_id}", "templates", STAFF),
    HttpRoute("PUT /api/quick-replies/{reply_id}", "templates", STAFF),
    HttpRoute("DELETE /api/quick-replies/{reply_id}", "templates", STAFF),
    HttpRoute("POST /api/quick-replies/{reply_id}/preview", "templates", STAFF),
    # The help desk's setup (issue 12): staff read it (the console's forms), admins change it.
    HttpRoute("GET /api/teams", "helpdesk", STAFF),
    HttpRoute("POST /api/teams", "helpdesk", ADMIN),
    HttpRoute("GET /api/teams/{team_id}", "helpdesk", STAFF),
    HttpRoute("PATCH /api/teams/{team_id}", "helpdesk", ADMIN),
    HttpRoute("DELETE /api/teams/{team_id}", "helpdesk", ADMIN),
    HttpRoute("GET /api/ticket-categories", "helpdesk", STAFF),
    HttpRoute("POST /api/ticket-categories", "helpdesk", ADMIN),
    HttpRoute("GET /api/ticket-categories/{category_id}", "helpdesk", STAFF),
    HttpRoute("PUT /api/ticket-categories/{category_id}", "helpdesk", ADMIN),
    HttpRoute("DELETE /api/ticket-categories/{category_id}", "helpdesk", ADMIN),
    HttpRoute("GET /api/product-areas", "helpdesk", STAFF),
    HttpRoute("POST /api/product-areas", "helpdesk", ADMIN),
    HttpRoute("PATCH /api/product-areas/{area_id}", "helpdesk", ADMIN),
    HttpRoute("DELETE /api/product-areas/{area_id}", "helpdesk", ADMIN),
    # A portal's own API: the portal is the one whose host the request came to.
    HttpRoute("GET /api/portal", "portals", PUBLIC),
    HttpRoute("POST /api/portal/chat-requests", "portals", PUBLIC),
    HttpRoute("POST /api/portal/messages", "portals", PUBLIC),
    HttpRoute("GET /", "portals", PUBLIC),
    HttpRoute("GET /widget", "portals", PUBLIC),
    HttpRoute("GET /widget.js", "portals", PUBLIC),
    HttpRoute("GET /join", "portals", PUBLIC),
    HttpRoute("GET /join/{code}", "portals", PUBLIC),
    HttpRoute("GET /invite/{token}", "portals", PUBLIC),
    # Customers' accounts, on their portal or the help centre (the support domain itself): the
    # pages are forms that post to themselves; the signed-in ones check the session cookie, and
    # every change a CSRF token and the request's Origin (deskless.http).
    HttpRoute("GET /help", "portals", PUBLIC),
    HttpRoute("GET /help/sign-in", "portals", PUBLIC),
    HttpRoute("POST /help/sign-in", "portals", PUBLIC),
    HttpRoute("GET /help/forgot-password", "portals", PUBLIC),
    HttpRoute("POST /help/forgot-password", "portals", PUBLIC),
    HttpRoute("GET /help/set-password", "portals", PUBLIC),
    HttpRoute("POST /help/set-password", "portals", PUBLIC),
    HttpRoute("GET /help/change-password", "portals", CUSTOMERS, before_new_password=True),
    HttpRoute("POST /help/change-password", "portals", CUSTOMERS, before_new_password=True),
    HttpRoute("POST /help/sign-out", "portals", CUSTOMERS, before_new_password=True),
    HttpRoute("GET /api/portal/me", "portals", CUSTOMERS),
    # Tickets (issue 12's core): the console's, an integration's, and a contact's own on their portal.
    HttpRoute("GET /api/tickets", "tickets", STAFF),
    HttpRoute("GET /api/tickets/counts", "tickets", STAFF),
    # --- issue 12: the console's tickets (whom a ticket may be assigned to) ---
    HttpRoute("GET /api/tickets/assignees", "tickets", STAFF),
    HttpRoute("POST /api/tickets", "tickets", STAFF),
    HttpRoute("GET /api/tickets/{number}", "tickets", STAFF),
    HttpRoute("PATCH /api/tickets/{number}", "tickets", STAFF),
    HttpRoute("POST /api/tickets/{number}/replies", "tickets", STAFF),
    HttpRoute("POST /api/tickets/{number}/notes", "tickets", STAFF),
    HttpRoute("POST /api/tickets/{number}/merge", "tickets", STAFF),
    HttpRoute("GET /api/tickets/{number}/attachments/{attachment_id}", "tickets", STAFF),
    HttpRoute("POST /api/sessions/{session_id}/ticket", "tickets", STAFF),
    HttpRoute("POST /api/v1/tickets", "tickets", API_KEY),
    HttpRoute("GET /api/portal/tickets", "tickets", CUSTOMERS),
    HttpRoute("POST /api/portal/tickets", "tickets", CUSTOMERS),
    HttpRoute("GET /api/portal/tickets/{number}", "tickets", CUSTOMERS),
    HttpRoute("POST /api/portal/tickets/{number}/replies", "tickets", CUSTOMERS),
    HttpRoute("POST /api/portal/tickets/{number}/close", "tickets", CUSTOMERS),
    HttpRoute("GET /api/portal/tickets/{number}/attachments/{attachment_id}", "tickets", CUSTOMERS),
    # --- issue 12: attachments (upload forms; a ticket takes the upload, deskless.attachments) ---
    HttpRoute("POST /api/attachments", "attachments", STAFF),
    HttpRoute("POST /api/portal/attachments", "attachments", CUSTOMERS),
    # --- issue 12: tickets on the customer's portal (My activities, the ticket form, a ticket's page) ---
    HttpRoute("GET /help/tickets", "portals", CUSTOMERS),
    HttpRoute("GET /help/tickets/new", "portals", CUSTOMERS),
    HttpRoute("GET /help/tickets/{number}", "portals", CUSTOMERS),
    # --- issue 13: knowledge-base articles: staff write them, admins keep the categories; readers
    # read the published ones on the portal (what they may see: the logic answers 404 for the rest)
    # and vote once per article (a reader cookie when signed out, throttled per source) ---
    HttpRoute("GET /api/articles", "knowledge", STAFF),
    HttpRoute("POST /api/articles", "knowledge", STAFF),
    HttpRoute("POST /api/articles/preview", "knowledge", STAFF),
    HttpRoute("GET /api/articles/{article_id}", "knowledge", STAFF),
    HttpRoute("PATCH /api/articles/{article_id}", "knowledge", STAFF),
    HttpRoute("DELETE /api/articles/{article_id}", "knowledge", STAFF),
    HttpRoute("GET /api/articles/{article_id}/history", "knowledge", STAFF),
    HttpRoute("GET /api/knowledge/categories", "knowledge", STAFF),
    HttpRoute("POST /api/knowledge/categories", "knowledge", ADMIN),
    HttpRoute("PATCH /api/knowledge/categories/{category_id}", "knowledge", ADMIN),
    HttpRoute("DELETE /api/knowledge/categories/{category_id}", "knowledge", ADMIN),
    HttpRoute("GET /help/articles", "portals", PUBLIC),
    HttpRoute("GET /help/articles/{article_id}/{lang}", "portals", PUBLIC),
    HttpRoute("GET /help/articles/{article_id}/{lang}/{slug}", "portals", PUBLIC),
    HttpRoute("POST /help/articles/{article_id}/{lang}/vote", "portals", PUBLIC),
    # --- issue 13, the portal's side: articles suggested to a contact's ticket form while it is
    # typed (each shown and opened counted for deflection, per draft); the search itself is
    # GET /help/articles?q= above ---
    HttpRoute("POST /api/portal/knowledge/suggestions", "portals", CUSTOMERS),
    HttpRoute("POST /api/portal/knowledge/opened", "portals", CUSTOMERS),
    # --- issue 13 (console): staff search the articles, a ticket's suggested articles (what its
    # requester may read), and the deflection figures for admins ---
    HttpRoute("GET /api/articles/search", "knowledge", STAFF),
    HttpRoute("GET /api/tickets/{number}/articles", "tickets", STAFF),
    HttpRoute("GET /api/knowledge/deflection", "knowledge", ADMIN),
    # --- issue 14, ENGINE: ticket automation rules, in the admin's order; the editor's options, a
    # rule's dry run against a ticket, and the key webhooks are signed with ---
    HttpRoute("GET /api/automation/rules", "helpdesk", ADMIN),
    HttpRoute("POST /api/automation/rules", "helpdesk", ADMIN),
    HttpRoute("GET /api/automation/rules/{rule_id}", "helpdesk", ADMIN),
    HttpRoute("PUT /api/automation/rules/{rule_id}", "helpdesk", ADMIN),
    HttpRoute("PATCH /api/automation/rules/{rule_id}", "helpdesk", ADMIN),
    HttpRoute("DELETE /api/automation/rules/{rule_id}", "helpdesk", ADMIN),
    HttpRoute("PUT /api/automation/order", "helpdesk", ADMIN),
    HttpRoute("GET /api/automation/options", "helpdesk", ADMIN),
    HttpRoute("POST /api/automation/test", "helpdesk", ADMIN),
    HttpRoute("GET /api/automation/webhook-secret", "helpdesk", ADMIN),
    # --- issue 14 (RUNTIME): what the automation rules did for each change of a ticket, newest first ---
    HttpRoute("GET /api/tickets/{number}/automation", "tickets", STAFF),
)

WEBSOCKET_ROUTES: tuple[WebSocketRoute, ...] = (
    WebSocketRoute("$connect", "realtime", CONNECTS),
    WebSocketRoute("$disconnect", "realtime", CONNECTS),
    WebSocketRoute("$default", "realtime", CONNECTS, returns_response=True),
    WebSocketRoute("ping", "realtime", CONNECTS, returns_response=True),
    WebSocketRoute("session.join", "realtime", STAFF, returns_response=True),
    WebSocketRoute("chat.send", "realtime", CONNECTS, returns_response=True),
    WebSocketRoute("session.end", "realtime", CONNECTS, returns_response=True),
    WebSocketRoute("heartbeat", "realtime", STAFF, returns_response=True),
    WebSocketRoute("presence.get", "realtime", STAFF, returns_response=True),
    WebSocketRoute("presence.set", "realtime", STAFF, returns_response=True),
    WebSocketRoute("queue.list", "realtime", STAFF, returns_response=True),
    WebSocketRoute("chat.accept", "realtime", STAFF, returns_response=True),
    WebSocketRoute("chat.status", "realtime", VISITOR, returns_response=True),
    WebSocketRoute("chat.withdraw", "realtime", VISITOR, returns_response=True),
    # --- issue 15: screen sharing ---
    WebSocketRoute("screen.request", "realtime", STAFF, returns_response=True),
    WebSocketRoute("screen.answer", "realtime", VISITOR, returns_response=True),
    WebSocketRoute("screen.start", "realtime", CONNECTS, returns_response=True),
    WebSocketRoute("screen.share", "realtime", STAFF, returns_response=True),
    WebSocketRoute("screen.signal", "realtime", CONNECTS, returns_response=True),
    WebSocketRoute("screen.stop", "realtime", CONNECTS, returns_response=True),
    WebSocketRoute("screen.ice", "realtime", CONNECTS, returns_response=True),
)

# Every route of both APIs, each saying who may call it.
ROUTES: tuple[HttpRoute | WebSocketRoute, ...] = (*HTTP_ROUTES, *WEBSOCKET_ROUTES)

# The route selection expression of the WebSocket API.
WEBSOCKET_ROUTE_SELECTION = "$request.body.action"
# Where the WebSocket authorizer finds the token (browsers cannot set WebSocket headers).
WEBSOCKET_TOKEN_PARAMETER = "token"
WEBSOCKET_AUTHORIZER = "websocket_authorizer"
# SES stores each received message in the inbound bucket under this prefix + its message id.
INBOUND_MAIL_PREFIX = "inbound/"
# Uploads wait in the attachments bucket under this prefix until a ticket takes them (a day at most).
ATTACHMENTS_STAGED_PREFIX = "staged/"
# A generation of the knowledge index no longer current is tagged so (deskless.search_index); the
# bucket's lifecycle rule deletes it a day later, when no reader can still be downloading it.
SEARCH_INDEX_SUPERSEDED_TAG = ("generation", "superseded")
HTTP_AUTHORIZER = "http_authorizer"
# How long API Gateway reuses the HTTP authorizer's verdict on a token (the local gateway too). The
# authorizer checks the user is still active and reads their role as stored, so this bounds how
# long a deactivated or demoted user's HTTP calls keep working (their consoles close at once).
HTTP_AUTHORIZER_CACHE_SECONDS = 60


def _removed(*entities: Entity) -> Mapping[str, Any]:
    types = [entity.value for entity in entities]
    return {"eventName": ["REMOVE"], "dynamodb": {"OldImage": {TYPE_ATTRIBUTE: {"S": types}}}}


def _inserted(*entities: Entity) -> Mapping[str, Any]:
    types = [entity.value for entity in entities]
    return {"eventName": ["INSERT"], "dynamodb": {"NewImage": {TYPE_ATTRIBUTE: {"S": types}}}}


def _ended_chat_request() -> Mapping[str, Any]:
    """A chat request that stopped waiting: accepted or withdrawn (its only other changes are the
    visitor's connections coming and going while it waits)."""
    image = {TYPE_ATTRIBUTE: {"S": [Entity.CHAT_REQUEST.value]}, "state": {"S": ["accepted", "withdrawn"]}}
    return {"eventName": ["MODIFY"], "dynamodb": {"NewImage": image}}


def _contact_to_welcome() -> Mapping[str, Any]:
    """A contact created with the welcome email asked for (from an email, in the console, or by an
    import that asked): the events function sends it."""
    image = {TYPE_ATTRIBUTE: {"S": [Entity.CONTACT.value]}, "welcome_requested": {"BOOL": [True]}}
    return {"eventName": ["INSERT"], "dynamodb": {"NewImage": image}}


def _written(*entities: Entity) -> Mapping[str, Any]:
    """Any version of an item stored (created or changed): projections follow it."""
    types = [entity.value for entity in entities]
    return {"eventName": ["INSERT", "MODIFY"], "dynamodb": {"NewImage": {TYPE_ATTRIBUTE: {"S": types}}}}


STREAM_SUBSCRIPTIONS: tuple[StreamSubscription, ...] = (
    # One mapping for every side effect (Lambda allows five filters to one; the stream serves two
    # readers): filters merge type lists, so the events code itself ignores what a narrower filter
    # kept out before (a reset request without a contact, a ticket entry that is not a public reply).
    # Articles' variants, written or removed, keep the knowledge index current.
    StreamSubscription(
        "events",
        filters=(
            _removed(
                Entity.CONNECTION,
                Entity.CODE,
                Entity.QUEUE_ENTRY,
                Entity.TICKET_TIMER,
                Entity.KB_DRAFT,
                Entity.ARTICLE_VARIANT,
            ),
            _inserted(Entity.SESSION, Entity.CHAT_REQUEST, Entity.RESET_REQUEST, Entity.TICKET_ENTRY),
            _written(Entity.TICKET, Entity.ARTICLE_VARIANT),
            _ended_chat_request(),
            _contact_to_welcome(),
        ),
    ),
    # --- issue 14: ticket automation rules (RUNTIME): every version of a ticket, to the rules ---
    StreamSubscription("automation", filters=(_written(Entity.TICKET),), batch_size=10),
)


def function(name: str) -> Function:
    for candidate in FUNCTIONS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no function named {name!r}")


def http_route(route_key: str) -> HttpRoute:
    for route in HTTP_ROUTES:
        if route.route_key == route_key:
            return route
    raise KeyError(f"no HTTP route {route_key!r} in the catalog")


def websocket_route(route_key: str) -> WebSocketRoute:
    for route in WEBSOCKET_ROUTES:
        if route.route_key == route_key:
            return route
    raise KeyError(f"no WebSocket route {route_key!r} in the catalog")
