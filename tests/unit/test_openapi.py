"""The API's OpenAPI document (docs/openapi.json) and reference page (docs/api.html) are made from
the code (local/openapi.py): these tests keep the committed files what the code says, and the
document true to the catalog (who may call) and to each endpoint's declared errors."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest
from openapi_spec_validator import validate
from pydantic import TypeAdapter

from deskless.catalog import HTTP_ROUTES, PUBLIC, Auth, Caller, HttpRoute
from deskless.errors import (
    CodeLimitReached,
    DesklessError,
    InvalidApiKey,
    InvalidSubdomain,
    NotFound,
    PortalUnavailable,
)
from deskless.http import Api, ErrorBody, error_response
from infra.paths import DOCS
from local import openapi
from local.api_reference import reference_page

DOCUMENT: dict[str, Any] = openapi.document()
HTTP_ROUTE_IDS = [route.route_key for route in HTTP_ROUTES]


def operation(route: HttpRoute) -> dict[str, Any]:
    found: dict[str, Any] = DOCUMENT["paths"][route.path][route.method.lower()]
    return found


def codes(response: dict[str, Any], media_type: str = "application/json") -> set[str]:
    """The error codes a response's JSON schema allows (our body, not API Gateway's)."""
    schema = response["content"][media_type]["schema"]
    ours = next(option for option in schema.get("anyOf", [schema]) if "allOf" in option)
    return set(ours["properties"]["error"]["enum"])


def test_the_committed_files_are_what_the_code_describes() -> None:
    for name, text in openapi.files().items():
        committed = (DOCS / name).read_text(encoding="utf-8")
        assert committed == text, f"docs/{name} is out of date: run ./deskless openapi and commit it"


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(DOCUMENT)

    assert DOCUMENT["openapi"] == "3.1.0"


def test_every_catalog_route_is_one_operation_and_nothing_else_is() -> None:
    described = {(method.upper(), path) for path, item in DOCUMENT["paths"].items() for method in item}

    assert described == {(route.method, route.path) for route in HTTP_ROUTES}
    ids = [op["operationId"] for item in DOCUMENT["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("route", HTTP_ROUTES, ids=HTTP_ROUTE_IDS)
def test_each_operation_says_who_may_call_it_as_the_catalog_does(route: HttpRoute) -> None:
    described = operation(route)

    assert described["x-deskless-callers"] == [caller.value for caller in Caller if caller in route.allow]
    assert described["tags"] == [route.function]
    if route.allow == PUBLIC:
        assert described["security"] == []
        assert "**Who may call:** anyone." in described["description"]
    elif route.allow == {Caller.API_KEY}:
        assert described["security"] == [{"apiKey": []}]
    else:
        roles = [caller.value for caller in Caller if caller in route.allow]
        scheme = "session" if route.auth == Auth.COOKIE else "bearer"
        assert described["security"] == [{scheme: roles}]


@pytest.mark.parametrize("route", HTTP_ROUTES, ids=HTTP_ROUTE_IDS)
def test_the_gate_refusals_are_described_where_the_gate_refuses(route: HttpRoute) -> None:
    responses = operation(route)["responses"]

    if route.auth == Auth.TOKEN:
        # the plumbing's refusals, and API Gateway's own (no code) before it
        assert "unauthorized" in codes(responses["401"])
        assert "forbidden" in codes(responses["403"])
        for status in ("401", "403"):
            assert {"$ref": "#/components/schemas/GatewayRefusal"} in (
                responses[status]["content"]["application/json"]["schema"]["anyOf"]
            )
    elif route.auth == Auth.COOKIE and "application/json" in responses["401"]["content"]:
        # the function's own gate: the session cookie, the CSRF token, a new password owed
        assert "unauthorized" in codes(responses["401"])
        assert {"forbidden", "password_change_required"} <= codes(responses["403"])
    elif route.auth == Auth.COOKIE:  # a page: the same refusals, said as pages
        assert "`unauthorized`" in responses["401"]["description"]
        assert {"text/html"} <= set(responses["403"]["content"])
        assert "`password_change_required`" in responses["403"]["description"]
    elif Caller.API_KEY in route.allow:
        assert codes(responses["401"]) == {InvalidApiKey.code}
    else:  # a public route: a 401 only if its own logic gives one (a wrong password)
        declared = {error.code for error in openapi.api_of(route.function).errors[route.route_key]}
        if "401" in responses and "application/json" in responses["401"].get("content", {}):
            assert codes(responses["401"]) <= declared
        elif "401" in responses:  # a page that says it itself (the sign-in form again)
            assert set(responses["401"]["content"]) == {"text/html"}


@pytest.mark.parametrize("route", HTTP_ROUTES, ids=HTTP_ROUTE_IDS)
def test_each_declared_error_is_described_at_its_status_with_its_code(route: HttpRoute) -> None:
    api = openapi.api_of(route.function)
    responses = operation(route)["responses"]

    for error in api.errors[route.route_key]:
        response = responses[str(error.status)]
        answered = min(s for s in responses if s[0] in "23")  # a success, or the redirect that is one
        media_type = next(iter(responses[answered].get("content", {})), None)
        if media_type in (None, "application/json"):
            assert error.code in codes(response), (route.route_key, error)
        else:  # a page: the error is the page
            assert media_type in response["content"], (route.route_key, error)
        assert f"`{error.code}`" in response["description"]


def test_a_route_that_takes_input_describes_the_400_of_a_request_that_does_not_validate() -> None:
    created = operation(next(r for r in HTTP_ROUTES if r.route_key == "POST /api/codes"))["responses"]
    health = operation(next(r for r in HTTP_ROUTES if r.route_key == "GET /api/health"))["responses"]

    assert codes(created["400"]) == {"invalid_request", "unknown_portal"}
    assert "422" not in created
    assert set(health) == {"200"}
    assert {"HTTPValidationError", "ValidationError"}.isdisjoint(DOCUMENT["components"]["schemas"])


def test_a_page_describes_its_errors_as_pages() -> None:
    home = operation(next(r for r in HTTP_ROUTES if r.route_key == "GET /"))["responses"]

    assert home["200"]["content"] == {"text/html": {"schema": {"type": "string"}}}
    for error in (NotFound, PortalUnavailable):
        assert home[str(error.status)]["content"] == {"text/html": {"schema": {"type": "string"}}}
    assert "302" in home  # the console's host: to the console


def test_too_many_requests_describes_when_to_try_again() -> None:
    join = operation(next(r for r in HTTP_ROUTES if r.route_key == "POST /api/join"))["responses"]

    assert codes(join["429"]) == {"too_many_attempts"}
    assert join["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}


def test_what_the_plumbing_answers_is_the_error_body_it_describes() -> None:
    answers: list[tuple[int, str, dict[str, Any]]] = [
        (409, "code_limit_reached", {}),
        (400, "invalid_request", {"details": []}),
    ]
    for status, code, extra in answers:
        body = json.loads(bytes(error_response(status, code, "Text", **extra).body))

        assert TypeAdapter(ErrorBody).validate_python(body).error == code


def test_a_schema_name_two_functions_mean_differently_is_named_after_each() -> None:
    # Given two functions with an Invitation each, unlike, and a Session each, alike
    invitation = {"type": "object", "properties": {"token": {"type": "string"}}}
    schemas: dict[str, dict[str, Any]] = {
        "codes": {"Invitation": {"type": "object"}, "Session": {"$ref": "#/components/schemas/Invitation"}},
        "invitations": {"Invitation": invitation, "Session": {"$ref": "#/components/schemas/Invitation"}},
        "meta": {"Session": {"$ref": "#/components/schemas/Invitation"}},
    }

    # When their names in the one document are chosen
    names = openapi.component_names(schemas)

    # Then each Invitation is its function's, and so is each Session that refers to a different one
    assert names["codes"] == {"Invitation": "CodesInvitation", "Session": "CodesSession"}
    assert names["invitations"] == {"Invitation": "InvitationsInvitation", "Session": "InvitationsSession"}
    assert names["meta"] == {"Session": "MetaSession"}


def test_an_endpoint_names_only_domain_errors() -> None:
    api = Api("codes")

    with pytest.raises(TypeError, match="domain errors"):
        api.route("POST /api/codes", errors=[ValueError])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="domain errors"):
        api.route("POST /api/codes", errors=[DesklessError])
    api.route("POST /api/codes", errors=[CodeLimitReached, InvalidSubdomain])(lambda: None)
    assert api.errors["POST /api/codes"] == (CodeLimitReached, InvalidSubdomain)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.tags: set[str] = set()
        self.inline_styles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        found = dict(attrs)
        self.ids |= {found["id"] or ""} if "id" in found else set()
        self.inline_styles += "style" in found


def test_the_reference_page_shows_every_operation_with_no_script_or_inline_style() -> None:
    page = _Page()
    page.feed(reference_page(DOCUMENT))

    for item in DOCUMENT["paths"].values():
        for described in item.values():
            assert f"op-{described['operationId']}" in page.ids
    assert {f"schema-{name}" for name in DOCUMENT["components"]["schemas"]} <= page.ids
    assert page.tags.isdisjoint({"script", "style"})
    assert page.inline_styles == 0


def test_the_reference_page_escapes_what_the_document_says() -> None:
    hostile = json.loads(json.dumps(DOCUMENT))
    hostile["info"]["title"] = "<script>alert(1)</script>"
    hostile["tags"][0]["description"] = "`<img src=x onerror=alert(1)>` **<b>**"

    page = reference_page(hostile)

    assert [tag for tag in ("<script>", "<img", "<b>") if tag in page] == []
    assert "&lt;script&gt;" in page
