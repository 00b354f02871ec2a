"""Domain errors as types. Each carries its HTTP status and a stable machine-readable code;
deskless.http maps them to a response once: `{"error": code, "message": text}`."""

from __future__ import annotations


class DesklessError(Exception):
    """Something went wrong on Deskless' side (500); every refusal is a subclass with its own status and code."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(DesklessError):
    """The request is not valid: a field is missing, of the wrong type or out of range, or the body is not JSON."""

    status, code = 400, "invalid_request"


class Unauthorized(DesklessError):
    """No identity, or not one Deskless knows: sign in first."""

    status, code = 401, "unauthorized"


class InvalidCredentials(Unauthorized):
    """The email or the password is not right (one answer for both)."""

    code = "invalid_credentials"


class Forbidden(DesklessError):
    """The caller may not do this."""

    status, code = 403, "forbidden"


class NotFound(DesklessError):
    """There is no such thing, or it is not the caller's (one answer for both)."""

    status, code = 404, "not_found"


class Conflict(DesklessError):
    """The request conflicts with the current state of what it changes."""

    status, code = 409, "conflict"


class EmailTaken(Conflict):
    """Another user has this email already."""

    code = "email_taken"


class SubdomainTaken(Conflict):
    """Another portal has this subdomain already."""

    code = "subdomain_taken"


class PortalExists(Conflict):
    """The company has its portal already: a company has at most one."""

    code = "portal_exists"


class TooManyRequests(DesklessError):
    """Too many requests from one source lately; Retry-After says when to try again."""

    status, code = 429, "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class OperatorNotFound(NotFound):
    """There is no operator (staff user) with this email."""

    code = "operator_not_found"


class InvitationInvalid(DesklessError):
    """An invitation link that is unknown, used up or invalidated: one answer for all three."""

    status, code = 410, "invitation_invalid"


class InvalidApiKey(Unauthorized):
    """The API key is missing, not one of ours, or revoked (one answer for all three)."""

    code = "invalid_api_key"


class TryAgain(DesklessError):
    """A write lost too many races in a row; nothing was changed and the same request may be sent again."""

    status, code = 503, "try_again"


class UnknownPortal(InvalidRequest):
    """There is no portal with this subdomain."""

    code = "unknown_portal"


class PortalInactive(Conflict):
    """The portal is inactive: it gets no new session codes."""

    code = "portal_inactive"


class CodeLimitReached(Conflict):
    """The technician holds as many active session codes as they may."""

    code = "code_limit_reached"


class CodeNameTaken(Conflict):
    """The technician has an active session code with this name already."""

    code = "code_name_taken"


class CodeInvalid(NotFound):
    """A session code that cannot be redeemed: one answer whether it expired, was used, was
    cancelled or never existed, so a guesser learns nothing from it."""

    code = "code_invalid"


class TooManyAttempts(TooManyRequests):
    """Too many failed attempts from one source; `retry_after` says when it may try again."""

    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int = 600) -> None:
        super().__init__(message, retry_after)


class SessionEnded(Forbidden):
    """The session is over: nobody may connect to it, join it, write in it or end it again."""

    code = "session_ended"


class NotParticipant(Forbidden):
    """The caller is not a participant of this session."""

    code = "not_participant"


class InvalidSubdomain(InvalidRequest):
    """Not a DNS label of 3 to 63 lower-case letters, digits and inner hyphens, or a reserved name."""

    code = "invalid_subdomain"


class ServiceUnavailable(DesklessError):
    """The service cannot answer this right now."""

    status, code = 503, "service_unavailable"


class PortalUnavailable(ServiceUnavailable):
    """The portal is inactive: it takes no chat requests or messages."""

    code = "portal_unavailable"


class NoTechnicianAvailable(Conflict):
    """Nobody can take a chat right now; the visitor is offered the message form instead."""

    code = "no_technician_available"


class ChatTaken(Conflict):
    """Another technician accepted the chat request first (or it was withdrawn or timed out)."""

    code = "chat_taken"


class OriginNotAllowed(Forbidden):
    """A website that is not on the portal's list of allowed origins embedded its chat widget."""

    code = "origin_not_allowed"


class AccountDeactivated(Forbidden):
    """An administrator deactivated this staff account: it cannot sign in, its tokens stop working."""

    code = "account_deactivated"

    def __init__(self, message: str = "This account is deactivated; ask an administrator.") -> None:
        super().__init__(message)


class CannotChangeSelf(Conflict):
    """An administrator tried to deactivate themselves or to give up their own admin role."""

    code = "cannot_change_self"


class ChannelsLocked(Forbidden):
    """The admin locked the channels: operators cannot switch theirs (every assigned one is on)."""

    code = "channels_locked"


class ChatLimitReached(Conflict):
    """The operator has as many chats open as the admin setting `chat_limit` allows."""

    code = "chat_limit_reached"


class NotOnline(Conflict):
    """An operator who is away accepts no chats."""

    code = "not_online"


class ContactEmailTaken(Conflict):
    """Another contact has this email address already (compared whatever its case)."""

    code = "contact_email_taken"


class DomainTaken(Conflict):
    """Another company holds this email domain already: a domain belongs to at most one company."""

    code = "domain_taken"


class DomainRefused(InvalidRequest):
    """Not a domain a company may hold: not a domain name, or a free-mail or disposable-mail provider's."""

    code = "domain_refused"


class UnassignedCompany(Conflict):
    """The company "Unassigned" holds contacts no company claims: it cannot be renamed, given a
    portal or email domains."""

    code = "unassigned_company"


class InvalidCsv(InvalidRequest):
    """The CSV file cannot be imported at all (not UTF-8, no header, unknown columns, too many rows);
    nothing was written."""

    code = "invalid_csv"


class UnknownSnippet(InvalidRequest):
    """A template names a snippet `{[...]}` that does not exist; the message names it and lists
    the known ones, `details` says which field holds it."""

    code = "unknown_snippet"

    def __init__(self, message: str, details: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.details = details or []


class RuleRefused(InvalidRequest):
    """An automation rule that cannot be saved: the message gives every reason, naming its condition
    or action; `details` says where each is in the rule (`conditions.0`, `actions.1`), so the editor
    says it next to that part."""

    def __init__(self, message: str, details: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.details = list(details or [])


class BuiltInTemplate(Conflict):
    """A built-in template cannot be deleted: reset it to its default instead."""

    code = "built_in_template"


class CredentialsUnavailable(Conflict):
    """The template issues portal credentials (a temporary password, a set-password link), which
    only a mail to a contact can carry."""

    code = "credentials_unavailable"


class SharedQuickReply(Forbidden):
    """Only admins add, change or delete the shared quick replies (technicians use them)."""

    code = "shared_quick_reply"


class PasswordRefused(InvalidRequest):
    """A password that may not be a contact's (too short, one of the most common, ...), or a current
    password that is not right; `details` names the field, so a page can say it next to it."""

    code = "password_refused"

    def __init__(self, message: str, field: str = "password", reason: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.reason = reason  # which rule: a page says it in the visitor's language
        self.details = [{"field": field, "problem": message}]


class CredentialInvalid(InvalidRequest):
    """A set-password link or temporary password that does not work any more: used, replaced by a
    newer one, or expired (one answer for all)."""

    code = "credential_invalid"


class ContactDeactivated(Conflict):
    """The contact is deactivated: they cannot sign in, and get no credentials."""

    code = "contact_deactivated"


class PasswordChangeRequired(Forbidden):
    """The contact signed in with a temporary password: choosing a new one comes before anything else."""

    code = "password_change_required"


class WrongPortal(Forbidden):
    """The contact's account is on another portal (or the help centre): the message says where."""

    code = "wrong_portal"

    def __init__(self, address: str) -> None:
        super().__init__(f"Your account is not on this portal. Sign in at {address}")
        self.address = address


# --- the help desk's setup (issue 12) -------------------------------------------------------------


class TeamNameTaken(Conflict):
    """Another team has this name already (compared whatever its case)."""

    code = "team_name_taken"


class TeamInUse(Conflict):
    """The team is the default team of a ticket category: choose another one there first."""

    code = "team_in_use"


class InvalidFieldValues(DesklessError):
    """A ticket's values do not fit its category's fields (or name unknown product areas): `details`
    says, for each field key, what is wrong ("Required", "Choose one of: ...", ...)."""

    status, code = 422, "invalid_field_values"

    def __init__(self, message: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems = dict(problems or {})  # field key -> what is wrong with its value
        self.details = [{"field": key, "problem": problem} for key, problem in self.problems.items()]

    @classmethod
    def naming(cls, problems: dict[str, str]) -> InvalidFieldValues:
        """The error for these problems, its message listing them."""
        summary = "; ".join(f"{key}: {problem}" for key, problem in problems.items())
        return cls(f"Some values do not fit the form: {summary}", problems)


class AttachmentTooLarge(DesklessError):
    """A file larger than an attachment may be, or one that would take a ticket's attachments past
    theirs; the message says the limit."""

    status, code = 413, "attachment_too_large"


class AttachmentTypeRefused(DesklessError):
    """A kind of file Deskless does not take as an attachment (it takes images, PDF, text, CSV,
    logs, office documents and zip archives; never HTML, SVG or scripts)."""

    status, code = 415, "attachment_type_refused"


class AttachmentNameRefused(DesklessError):
    """A file name that leaves nothing once its folders, control characters and surrounding dots
    and spaces are taken away."""

    status, code = 422, "attachment_name_refused"


class UploadMissing(NotFound):
    """No upload of the caller's with this attachment id: never uploaded, expired from the staging
    area, taken already, or another's (one answer for all)."""

    code = "upload_missing"


# --- tickets (issue 12) ---------------------------------------------------------------------------


class TicketChanged(Conflict):
    """Someone changed the ticket since the caller read it: read it again, then decide."""

    code = "ticket_changed"


class TransitionNotAllowed(Conflict):
    """The ticket's status cannot go from what it is to what was asked."""

    code = "transition_not_allowed"


class TicketClosed(Conflict):
    """The ticket is closed (or merged into another): nothing more can be added to it."""

    code = "ticket_closed"


class NotTeamMember(DesklessError):
    """A ticket's assignee must be a member of its team, when it has one."""

    status, code = 422, "not_team_member"


class PriorityNeedsStatus(InvalidRequest):
    """Lists are sorted by priority only with a status filter (active, or one status)."""


class SearchIndexBusy(DesklessError):
    """The knowledge index changed under every attempt to publish to it (other writers kept winning)."""

    status, code = 503, "search_index_busy"


# --- screen sharing (issue 15) --------------------------------------------------------------------


class ScreenBusy(Conflict):
    """A screen is already shared (or asked for) in that direction: one share per direction per session."""

    code = "screen_busy"


class VisitorAbsent(Conflict):
    """No visitor connection takes part in the session now: there is nobody to share with."""

    code = "visitor_absent"
