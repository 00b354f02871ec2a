"""deskless.http: every domain error is answered once, the same way, by every function's API:
its HTTP status and `{"error": code, "message": text}`; invalid input names the field.

The errors are raised from real catalog routes on a fresh Api, run through its Lambda entry
point (Mangum) with a sample HTTP API event, so the mapping under test is the one every
function gets. The origin check is switched off here; tests/integration covers it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, Field

from deskless import errors
from deskless.errors import DesklessError, TooManyRequests
from deskless.http import Api, verify_origin
from tests.helpers import HttpResult, http_event, http_result, lambda_context

# The public contract: what clients see for each domain error. A new error class must be added here.
EXPECTED: dict[type[DesklessError], tuple[int, str]] = {
    errors.DesklessError: (500, "internal_error"),
    errors.InvalidRequest: (400, "invalid_request"),
    errors.Unauthorized: (401, "unauthorized"),
    errors.InvalidCredentials: (401, "invalid_credentials"),
    errors.Forbidden: (403, "forbidden"),
    errors.NotFound: (404, "not_found"),
    errors.Conflict: (409, "conflict"),
    errors.EmailTaken: (409, "email_taken"),
    errors.SubdomainTaken: (409, "subdomain_taken"),
    errors.PortalExists: (409, "portal_exists"),
    errors.TooManyRequests: (429, "too_many_requests"),
    errors.OperatorNotFound: (404, "operator_not_found"),
    errors.InvitationInvalid: (410, "invitation_invalid"),
    errors.InvalidApiKey: (401, "invalid_api_key"),
    errors.TryAgain: (503, "try_again"),
    errors.UnknownPortal: (400, "unknown_portal"),
    errors.PortalInactive: (409, "portal_inactive"),
    errors.CodeLimitReached: (409, "code_limit_reached"),
    errors.CodeNameTaken: (409, "code_name_taken"),
    errors.CodeInvalid: (404, "code_invalid"),
    errors.TooManyAttempts: (429, "too_many_attempts"),
    errors.SessionEnded: (403, "session_ended"),
    errors.NotParticipant: (403, "not_participant"),
    errors.InvalidSubdomain: (400, "invalid_subdomain"),
    errors.ServiceUnavailable: (503, "service_unavailable"),
    errors.PortalUnavailable: (503, "portal_unavailable"),
    errors.NoTechnicianAvailable: (409, "no_technician_available"),
    errors.ChatTaken: (409, "chat_taken"),
    errors.OriginNotAllowed: (403, "origin_not_allowed"),
    errors.ChannelsLocked: (403, "channels_locked"),
    errors.ChatLimitReached: (409, "chat_limit_reached"),
    errors.NotOnline: (409, "not_online"),
    errors.AccountDeactivated: (403, "account_deactivated"),
    errors.CannotChangeSelf: (409, "cannot_change_self"),
}


def all_error_classes() -> list[type[DesklessError]]:
    found: list[type[DesklessError]] = [DesklessError]
    for cls in found:
        found.extend(cls.__subclasses__())
    return found


def make(cls: type[DesklessError]) -> DesklessError:
    message = f"{cls.__name__} happened."
    return TooManyRequests(message, retry_after=30) if cls is TooManyRequests else cls(message)


def call(api: Api, route_key: str, body: Any = None) -> HttpResult:
    api.app.dependency_overrides[verify_origin] = lambda: None
    event = http_event("http_login", origin_secret=None, route_key=route_key, body=body)
    if body is None:
        event.pop("body")
    return http_result(api.lambda_handler()(event, lambda_context(api.function)))


def health_raising(error: Exception) -> HttpResult:
    api = Api("meta")

    @api.route("health")
    def health() -> dict[str, str]:
        raise error

    return call(api, "GET /api/health")


def test_every_domain_error_class_has_a_stated_status_and_code() -> None:
    assert set(all_error_classes()) == set(EXPECTED)


@pytest.mark.parametrize("cls", list(EXPECTED), ids=lambda cls: cls.__name__)
def test_a_domain_error_becomes_its_status_and_code(cls: type[DesklessError]) -> None:
    status, code = EXPECTED[cls]

    response = health_raising(make(cls))

    assert response.status == status
    assert response.json() == {"error": code, "message": f"{cls.__name__} happened."}


def test_too_many_requests_tells_the_client_when_to_retry() -> None:
    response = health_raising(make(TooManyRequests))

    assert response.status == 429
    assert response.headers["retry-after"] == "30"


def test_an_unexpected_exception_is_a_500_without_its_details() -> None:
    response = health_raising(RuntimeError("secret internals"))

    assert response.status == 500
    assert response.json()["error"] == "internal_error"
    assert "secret internals" not in response.body


class Credentials(BaseModel):
    email: str = Field(pattern=r".+@.+")
    age: int


def login_api() -> Api:
    api = Api("auth")

    @api.route("login")
    def login(body: Credentials) -> dict[str, str]:
        return {"email": body.email}

    return api


def test_an_invalid_body_is_a_400_that_names_each_field() -> None:
    response = call(login_api(), "POST /api/auth/login", body={"email": "nobody", "age": "old"})

    assert response.status == 400
    body = response.json()
    assert body["error"] == "invalid_request"
    assert {detail["field"] for detail in body["details"]} == {"email", "age"}
    assert "email" in body["message"]
    assert "age" in body["message"]


def test_a_body_that_is_not_json_is_a_400() -> None:
    response = call(login_api(), "POST /api/auth/login", body="{not json")

    assert response.status == 400
    assert response.json()["error"] == "invalid_request"


def test_an_unknown_path_and_a_wrong_method_answer_in_the_same_shape() -> None:
    missing = call(login_api(), "GET /api/nothing-here")
    wrong_method = call(login_api(), "GET /api/auth/login")

    assert (missing.status, missing.json()["error"]) == (404, "not_found")
    assert (wrong_method.status, wrong_method.json()["error"]) == (405, "method_not_allowed")


def test_an_api_cannot_register_a_route_the_catalog_does_not_list() -> None:
    with pytest.raises(KeyError):
        Api("meta").route("login")
