"""Domain errors as types. Each carries its HTTP status and a stable machine-readable code;
deskless.http maps them to a response once: `{"error": code, "message": text}`."""

from __future__ import annotations


class DesklessError(Exception):
    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(DesklessError):
    status, code = 400, "invalid_request"


class Unauthorized(DesklessError):
    status, code = 401, "unauthorized"


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"


class Forbidden(DesklessError):
    status, code = 403, "forbidden"


class NotFound(DesklessError):
    status, code = 404, "not_found"


class Conflict(DesklessError):
    status, code = 409, "conflict"


class EmailTaken(Conflict):
    code = "email_taken"


class SubdomainTaken(Conflict):
    code = "subdomain_taken"


class PortalExists(Conflict):
    code = "portal_exists"


class TooManyRequests(DesklessError):
    status, code = 429, "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
