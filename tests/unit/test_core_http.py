"""deskless.http: every domain error is answered once, the same way, by every function's API:
its HTTP status and `{"error": code, "message": text}`; invalid input names the field.

The errors are raised from real catalog routes on a fresh Api, run through its Lambda entry
point (Mangum) with a sample HTTP API event, so the mapping under test is the one every
function gets. The origin check is switched off here; tests/integration covers it."""

from __future__ import annotations

import threading
from typing import Annotated, Any

import anyio.to_thread
import pytest
from fastapi import Body, Response
from pydantic import BaseModel, Field

from deskless import errors
from deskless.auth import Principal, Role
from deskless.errors import DesklessError, InvalidRequest, TooManyRequests
from deskless.http import Api, SignedIn, verify_origin
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
    errors.ScreenBusy: (409, "screen_busy"),
    errors.VisitorAbsent: (409, "visitor_absent"),
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
    errors.UnknownSnippet: (400, "unknown_snippet"),
    errors.BuiltInTemplate: (409, "built_in_template"),
    errors.CredentialsUnavailable: (409, "credentials_unavailable"),
    errors.SharedQuickReply: (403, "shared_quick_reply"),
    errors.ContactEmailTaken: (409, "contact_email_taken"),
    errors.DomainTaken: (409, "domain_taken"),
    errors.DomainRefused: (400, "domain_refused"),
    errors.UnassignedCompany: (409, "unassigned_company"),
    errors.InvalidCsv: (400, "invalid_csv"),
    errors.PasswordRefused: (400, "password_refused"),
    errors.CredentialInvalid: (400, "credential_invalid"),
    errors.ContactDeactivated: (409, "contact_deactivated"),
    errors.PasswordChangeRequired: (403, "password_change_required"),
    errors.WrongPortal: (403, "wrong_portal"),
    errors.AttachmentTooLarge: (413, "attachment_too_large"),
    errors.AttachmentTypeRefused: (415, "attachment_type_refused"),
    errors.AttachmentNameRefused: (422, "attachment_name_refused"),
    errors.UploadMissing: (404, "upload_missing"),
    errors.TicketChanged: (409, "ticket_changed"),
    errors.TransitionNotAllowed: (409, "transition_not_allowed"),
    errors.TicketClosed: (409, "ticket_closed"),
    errors.NotTeamMember: (422, "not_team_member"),
    errors.PriorityNeedsStatus: (400, "invalid_request"),
    errors.RuleRefused: (400, "invalid_request"),
    errors.TeamNameTaken: (409, "team_name_taken"),
    errors.TeamInUse: (409, "team_in_use"),
    errors.InvalidFieldValues: (422, "invalid_field_values"),
    errors.SearchIndexBusy: (503, "search_index_busy"),
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

    @api.route("GET /api/health")
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
    answer = response.json()
    assert {"error": answer["error"], "message": answer["message"]} == {"error": code, "message": make(cls).message}
    assert set(answer) <= {"error", "message", "details"}


def test_too_many_requests_tells_the_client_when_to_retry() -> None:
    response = health_raising(make(TooManyRequests))

    assert response.status == 429
    assert response.headers["retry-after"] == "30"


def test_a_domain_error_that_knows_where_the_problem_is_says_so_in_details() -> None:
    where = [{"field": "variants.es.body", "problem": "Unknown snippet {[Nope]}."}]

    response = health_raising(errors.UnknownSnippet("Unknown snippet {[Nope]}.", where))

    assert response.status == 400
    assert response.json() == {"error": "unknown_snippet", "message": "Unknown snippet {[Nope]}.", "details": where}


def test_values_that_do_not_fit_a_ticket_form_are_a_422_naming_each_field() -> None:
    error = errors.InvalidFieldValues.naming({"os": "Choose one of: windows, linux", "seats": "Required"})

    response = health_raising(error)

    assert response.status == 422
    assert response.json() == {
        "error": "invalid_field_values",
        "message": "Some values do not fit the form: os: Choose one of: windows, linux; seats: Required",
        "details": [
            {"field": "os", "problem": "Choose one of: windows, linux"},
            {"field": "seats", "problem": "Required"},
        ],
    }


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

    @api.route("POST /api/auth/login")
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


# --- who may call: the catalog's callers, enforced before the endpoint runs -------------------


def settings_api(seen: list[Any]) -> Api:
    """The staff function's PATCH /api/settings (admins only in the catalog), echoing what it got."""
    api = Api("staff")

    @api.route("PATCH /api/settings")
    def update_settings(changes: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        seen.append(changes)
        raise InvalidRequest(f"Unknown settings: {', '.join(changes)}.")

    return api


def as_caller(route_key: str, principal: Principal | None, body: Any) -> HttpResult:
    seen: list[Any] = []
    api = settings_api(seen)
    api.app.dependency_overrides[verify_origin] = lambda: None
    event = http_event("http_login", origin_secret=None, route_key=route_key, body=body, principal=principal)
    return http_result(api.lambda_handler()(event, lambda_context(api.function)))


def test_a_signed_in_call_runs_its_gate_and_endpoint_on_the_invocation_s_thread_not_a_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pooled: list[Any] = []
    real_run_sync = anyio.to_thread.run_sync

    async def recorded(function: Any, *args: Any, **kwargs: Any) -> Any:
        pooled.append(function)
        return await real_run_sync(function, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", recorded)
    api = Api("staff")
    threads: list[tuple[int, str]] = []

    @api.route("GET /api/settings")
    def settings(caller: SignedIn) -> dict[str, Any]:
        threads.append((threading.get_ident(), caller.user_id))
        return {}

    async def no_origin_check() -> None:  # (the real one needs the deployment's settings)
        pass

    api.app.dependency_overrides[verify_origin] = no_origin_check
    event = http_event("http_login", origin_secret=None, route_key="GET /api/settings", principal=ADMIN_CALLER)
    event.pop("body")

    response = http_result(api.lambda_handler()(event, lambda_context(api.function)))

    assert response.status == 200
    assert threads == [(threading.get_ident(), ADMIN_CALLER.user_id)]
    assert pooled == []  # the identity, the gate and the endpoint: no thread hop


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.VISITOR, Role.CONTACT, Role.PRIMARY_CONTACT])
def test_a_caller_the_catalog_does_not_name_is_refused_before_the_body_is_read(role: Role) -> None:
    caller = Principal(user_id="u1", role=role, name="Someone")

    response = as_caller("PATCH /api/settings", caller, body={"chat_limit": "not even valid"})

    assert response.status == 403
    assert response.json() == {"error": "forbidden", "message": "This is for admins only."}


def test_a_call_without_an_identity_is_unauthorized() -> None:
    response = as_caller("PATCH /api/settings", None, body={"chat_limit": 3})

    assert (response.status, response.json()["error"]) == (401, "unauthorized")


def test_the_caller_the_catalog_names_reaches_the_endpoint() -> None:
    response = as_caller("PATCH /api/settings", Principal(user_id="a", role=Role.ADMIN, name="Ada"), body={"x": 1})

    assert (response.status, response.json()["message"]) == (400, "Unknown settings: x.")


# --- bodies and headers no endpoint should have to think about ----------------------------------

ADMIN_CALLER = Principal(user_id="a", role=Role.ADMIN, name="Ada")


def test_a_lone_surrogate_in_a_json_body_is_a_400_not_a_500() -> None:
    response = as_caller("PATCH /api/settings", ADMIN_CALLER, body='{"\\ud800": 1}')

    assert response.status == 400
    assert response.json()["error"] == "invalid_request"
    assert "surrogate" in response.json()["message"]


def test_json_nested_deeper_than_the_parser_goes_is_a_400() -> None:
    response = as_caller("PATCH /api/settings", ADMIN_CALLER, body="[" * 50_000 + "]" * 50_000)

    assert (response.status, response.json()["error"]) == (400, "invalid_request")


def test_an_error_message_that_quotes_odd_input_is_still_sent() -> None:
    response = as_caller("PATCH /api/settings", ADMIN_CALLER, body={"\u202e\u0000": 1})

    assert response.status == 400
    assert "\u202e" in response.json()["message"]


@pytest.mark.parametrize(
    "headers",
    [
        {"host": "acme.localhost:port"},
        {"host": "[::1]:8000"},
        {"host": "a:b:c"},
        {"host": "localhost", "x-forwarded-port": "eighty"},
    ],
    ids=["port-not-a-number", "ipv6-literal", "two-colons", "forwarded-port-not-a-number"],
)
def test_a_malformed_host_or_forwarded_port_does_not_break_the_request(headers: dict[str, str]) -> None:
    api = Api("meta")

    @api.route("GET /api/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    api.app.dependency_overrides[verify_origin] = lambda: None
    event = http_event("http_login", origin_secret=None, route_key="GET /api/health", headers=headers)
    event.pop("body")

    response = http_result(api.lambda_handler()(event, lambda_context(api.function)))

    assert (response.status, response.json()) == (200, {"status": "ok"})


def test_json_answers_are_not_sniffed_nor_cached() -> None:
    ok = call(login_api(), "POST /api/auth/login", body={"email": "a@b.c", "age": 3})
    refused = call(login_api(), "POST /api/auth/login", body={"email": "nobody", "age": 3})

    for response in (ok, refused):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"


def test_an_endpoint_may_still_choose_its_own_caching() -> None:
    api = Api("meta")

    @api.route("GET /api/config")
    def config(response: Response) -> dict[str, str]:
        response.headers["cache-control"] = "public, max-age=60"
        return {}

    answer = call(api, "GET /api/config")

    assert answer.headers["cache-control"] == "public, max-age=60"
    assert answer.headers["x-content-type-options"] == "nosniff"
