"""`deskless openapi`: one OpenAPI 3.1 document for the whole HTTP API (docs/openapi.json) and the
API reference page made from it (docs/api.html); the CDN serves both, and so does the local gateway,
at deskless.edge.API_REFERENCE's paths.

Nothing in it is written by hand. Each HTTP function's FastAPI app describes its operations
(parameters, bodies and answers, from the endpoints' types); the catalog says who may call each,
which becomes its security requirement; each endpoint's `errors=` names the domain errors its logic
may answer (deskless.http.Api.route), and the plumbing's own refusals are added here from the
catalog's callers (the gate's 401 and 403) and from FastAPI's reading of the endpoint (the 400 of a
request that does not validate, where it takes input). A schema name used by two functions is one
component where both mean the same schema, and is named after its function where they do not.

`deskless openapi --check` fails when the committed files are not what the code describes
(tests/unit/test_openapi.py does the same).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from deskless.catalog import FUNCTIONS, Auth, Caller, HttpRoute, Trigger, http_route, in_words
from deskless.credentials import SESSION_COOKIE
from deskless.edge import API_DOCS_PATH, API_REFERENCE, OPENAPI_PATH
from deskless.errors import (
    DesklessError,
    Forbidden,
    InvalidApiKey,
    InvalidRequest,
    PasswordChangeRequired,
    TooManyRequests,
    Unauthorized,
)
from deskless.http import API_KEY_HEADER, CSRF_FIELD, CSRF_HEADER, Api, ErrorBody
from infra.paths import DOCS
from local.api_reference import reference_page
from local.routes import entry_of

DOCUMENT, PAGE = API_REFERENCE[OPENAPI_PATH], API_REFERENCE[API_DOCS_PATH]  # the files, in docs/
JSON = "application/json"
REFS = "#/components/schemas/"
BEARER, API_KEY, SESSION = "bearer", "apiKey", "session"  # the security schemes' names
FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")  # what FastAPI's 422 refers to: not ours


class GatewayRefusal(BaseModel):
    """API Gateway's own refusal, before any function runs: a message, no code."""

    model_config = ConfigDict(extra="forbid")

    message: str = Field(examples=["Unauthorized", "Forbidden"])


# What API Gateway's authorizer refuses, and why (local/gateway.py answers the same).
GATEWAY_REFUSALS = {
    Unauthorized.status: '`{"message": "Unauthorized"}`: API Gateway\'s answer to a request without an '
    "Authorization header.",
    Forbidden.status: '`{"message": "Forbidden"}`: API Gateway\'s answer when its authorizer refused the token: '
    "not valid, expired, or a deactivated staff user's.",
}


def http_functions() -> list[str]:
    return [function.name for function in FUNCTIONS if function.trigger == Trigger.HTTP]


def api_of(function: str) -> Api:
    api = entry_of(function).api
    assert api is not None, f"{function} has no HTTP API"
    return api


# --- one function's operations ----------------------------------------------------------------


def function_document(function: str) -> dict[str, Any]:
    """The function's operations (paths) and the schemas they name (components), as the document has them."""
    api = api_of(function)
    described = get_openapi(title=function, version="0", openapi_version="3.1.0", routes=api.app.routes)
    paths: dict[str, dict[str, Any]] = {}
    for route_key, endpoint in api.routes.items():
        route = http_route(route_key)
        operation = described["paths"][route.path][route.method.lower()]
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(
            function, endpoint.__name__, route, operation, api.errors[route_key]
        )
    schemas = {
        name: schema
        for name, schema in described.get("components", {}).get("schemas", {}).items()
        if name not in FASTAPI_VALIDATION
    }
    return {"paths": paths, "schemas": schemas}


@dataclass(frozen=True)
class Refusal:
    """An error an operation may answer, in the media type it answers it in."""

    error: type[DesklessError]
    media_type: str = JSON
    by_gateway_too: bool = False  # API Gateway's authorizer gives this status too, in its own shape


def _operation(
    function: str, name: str, route: HttpRoute, operation: dict[str, Any], errors: Sequence[type[DesklessError]]
) -> dict[str, Any]:
    takes_input = operation["responses"].pop("422", None) is not None  # FastAPI's reading; ours answers 400
    parameters = [p for p in operation.get("parameters", []) if p["name"].lower() != API_KEY_HEADER]
    who = f"**Who may call:** {in_words(route.allow)}."
    described = {
        **{key: value for key, value in operation.items() if key != "parameters"},
        **({"parameters": parameters} if parameters else {}),
        "operationId": f"{function}.{name}",
        "tags": [function],
        "description": "\n\n".join(part for part in (operation.get("description", ""), who) if part),
        "security": _security(route),
        "x-deskless-callers": [caller.value for caller in Caller if caller in route.allow],
    }
    media_type = _media_type(operation)
    refusals = [*_plumbing(route, takes_input, media_type), *(Refusal(error, media_type) for error in errors)]
    described["responses"] = _merged(operation["responses"], _error_responses(refusals))
    return described


def _merged(own: dict[str, Any], errors: dict[str, Any]) -> dict[str, Any]:
    """The endpoint's own answers and its errors; where a page answers a status of its own (its form
    again, 400) that is also an error's (a body that is not JSON), the status has both media types."""
    responses = dict(own)
    for status, error in errors.items():
        page = own.get(status)
        if page and page.get("content"):
            error = {
                **error,
                "description": f"{page['description']}\n{error['description']}",
                "content": {**error["content"], **page["content"]},
            }
        responses[status] = error
    return responses


def _security(route: HttpRoute) -> list[dict[str, list[str]]]:
    """Who may call, as OpenAPI says it: none asked of the public; an API key; or a bearer token of one
    of the roles listed (OpenAPI 3.1 lets a requirement that is not OAuth's list roles)."""
    if Caller.PUBLIC in route.allow:
        return []
    requirements: list[dict[str, list[str]]] = []
    if Caller.API_KEY in route.allow:
        requirements.append({API_KEY: []})
    roles = [caller.value for caller in Caller if caller in route.allow and caller != Caller.API_KEY]
    if roles:
        requirements.append({SESSION if route.auth == Auth.COOKIE else BEARER: roles})
    return requirements


def _plumbing(route: HttpRoute, takes_input: bool, media_type: str = JSON) -> list[Refusal]:
    """The refusals of the shared plumbing (deskless.http), before the endpoint runs: a request
    that does not validate, and the gate's."""
    refusals = [Refusal(InvalidRequest)] if takes_input else []
    if route.auth == Auth.TOKEN:
        refusals += [Refusal(Unauthorized, by_gateway_too=True), Refusal(Forbidden, by_gateway_too=True)]
    if route.auth == Auth.COOKIE:  # no session here; a change without its CSRF token; a new password first
        # (a page answers them as pages: app.py of the portals function)
        refusals += [Refusal(error, media_type) for error in (Unauthorized, Forbidden, PasswordChangeRequired)]
    if Caller.API_KEY in route.allow:
        refusals.append(Refusal(InvalidApiKey))
    return refusals


def _media_type(operation: dict[str, Any]) -> str:
    """What the endpoint answers in when it succeeds (a page: text/html), and so answers its errors in."""
    for status, response in sorted(operation["responses"].items()):
        if status.startswith("2") and response.get("content"):
            return str(next(iter(response["content"])))
    return JSON


def _error_responses(refusals: Iterable[Refusal]) -> dict[str, Any]:
    by_status: dict[int, list[Refusal]] = {}
    for refusal in refusals:
        by_status.setdefault(refusal.error.status, []).append(refusal)
    return {str(status): _error_response(status, found) for status, found in sorted(by_status.items())}


def _error_response(status: int, refusals: list[Refusal]) -> dict[str, Any]:
    """One status's answer: each code it may carry, in the error body (JSON) or the endpoint's page."""
    explained = {refusal.error.code: _first_line(refusal.error) for refusal in refusals}
    lines = [f"- `{code}`: {text}" for code, text in sorted(explained.items())]
    gateway = any(refusal.by_gateway_too for refusal in refusals)
    if gateway:
        lines.append(f"- {GATEWAY_REFUSALS[status]}")
    content: dict[str, Any] = {}
    for media_type in sorted({refusal.media_type for refusal in refusals}):
        codes = sorted({refusal.error.code for refusal in refusals if refusal.media_type == media_type})
        content[media_type] = {"schema": _error_schema(codes, gateway) if media_type == JSON else {"type": "string"}}
    response: dict[str, Any] = {"description": "\n".join(lines), "content": content}
    if status == TooManyRequests.status:
        response["headers"] = {
            "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}
        }
    return response


def _error_schema(codes: list[str], gateway: bool) -> dict[str, Any]:
    ours = {"allOf": [{"$ref": f"{REFS}{ErrorBody.__name__}"}], "properties": {"error": {"enum": codes}}}
    return {"anyOf": [ours, {"$ref": f"{REFS}{GatewayRefusal.__name__}"}]} if gateway else ours


def _first_line(thing: type) -> str:
    """A class's docstring, as one line (its name, if it has none)."""
    return " ".join((thing.__doc__ or thing.__name__).split())


# --- the whole API ----------------------------------------------------------------------------


def document() -> dict[str, Any]:
    """The OpenAPI document of every HTTP function's operations, in one."""
    functions = http_functions()
    parts = {function: function_document(function) for function in functions}
    names = component_names({function: part["schemas"] for function, part in parts.items()})
    schemas: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for function, part in parts.items():
        for name, schema in part["schemas"].items():
            schemas[names[function].get(name, name)] = with_refs(schema, names[function])
        for path, operations in part["paths"].items():
            paths.setdefault(path, {}).update(with_refs(operations, names[function]))
    shared = error_schemas()
    assert not shared.keys() & schemas.keys(), f"a function has a schema named as an error body: {shared.keys()}"
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Deskless HTTP API",
            "version": metadata.version("deskless"),
            "description": INTRODUCTION,
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "tags": [
            {"name": function.name, "description": function.description}
            for function in FUNCTIONS
            if function.name in functions
        ],
        "paths": paths,
        "components": {
            "schemas": {**schemas, **shared},
            "securitySchemes": {
                BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token: staff get theirs from POST /api/auth/login, a visitor from POST "
                    "/api/join, POST /api/invitations/{token}/accept or POST /api/portal/chat-requests. The "
                    "roles an operation lists are the callers it allows.",
                },
                API_KEY: {
                    "type": "apiKey",
                    "in": "header",
                    "name": API_KEY_HEADER,
                    "description": "An integration's API key (an admin makes one: POST /api/api-keys).",
                },
                SESSION: {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": SESSION_COOKIE,
                    "description": "A contact's session on their portal or the help centre (POST /help/sign-in "
                    "sets it; it is valid on that host only). Every change also sends the session's CSRF token, "
                    f"in the {CSRF_HEADER} header or a form's {CSRF_FIELD} field, from a page of the same origin.",
                },
            },
        },
    }


INTRODUCTION = (
    "Every HTTP operation of Deskless, generated from the functions that serve them (`deskless openapi`). "
    "Each says who may call it (its security requirement, `x-deskless-callers`) and every error it may "
    'answer: a JSON body `{"error": code, "message": text}`, with `details` when the request did not '
    "validate.\n\n"
    "A portal's pages and its own API (`/`, `/widget`, `/widget.js`, `/join`, `/invite/{token}`, "
    "`/api/portal...`, and `POST /api/join`) answer for the portal whose host the request came to: "
    "`https://<subdomain>.<support domain>/`. Everything else is at `https://<support domain>/`.\n\n"
    "Any operation may also meet the edge's own answers, which no function gives: 429 from the web ACL "
    "or the API's throttle, 5xx from CloudFront or API Gateway, and 403 for a call that bypasses the CDN."
)


def component_names(schemas: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Each function's schema names that must change in the merged document: a name two functions
    give different schemas (after their own renames) becomes <Function><Name> in each, shared by the
    functions whose schema is the same."""
    renamed: dict[str, dict[str, str]] = {function: {} for function in schemas}
    while True:
        meanings: dict[str, dict[str, list[str]]] = {}  # name in the document -> schema -> functions
        for function, named in schemas.items():
            for name, schema in named.items():
                text = json.dumps(with_refs(schema, renamed[function]), sort_keys=True)
                meanings.setdefault(renamed[function].get(name, name), {}).setdefault(text, []).append(function)
        clashes = {name: found for name, found in meanings.items() if len(found) > 1}
        if not clashes:
            return renamed
        for name, found in clashes.items():
            for functions in found.values():
                own = f"{functions[0].title().replace('_', '')}{name}"
                assert own not in meanings, f"{own} is taken: cannot rename {functions[0]}'s {name}"
                for function in functions:
                    renamed[function][name] = own


def with_refs(value: Any, names: Mapping[str, str]) -> Any:
    """`value` with each reference to a component renamed as `names` says."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith(REFS) and ref[len(REFS) :] in names:
            return {**value, "$ref": REFS + names[ref[len(REFS) :]]}
        return {key: with_refs(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [with_refs(item, names) for item in value]
    return value


def error_schemas() -> dict[str, Any]:
    """The error body (deskless.http.ErrorBody) and API Gateway's refusal, as components."""
    _, found = models_json_schema(
        [(ErrorBody, "serialization"), (GatewayRefusal, "serialization")], ref_template=REFS + "{model}"
    )
    schemas: dict[str, Any] = found["$defs"]
    return schemas


# --- the files ------------------------------------------------------------------------------------


def as_json(described: Mapping[str, Any]) -> str:
    return json.dumps(described, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def files() -> dict[str, str]:
    """docs/ file name -> its content, as the code describes the API now."""
    described = document()
    return {DOCUMENT: as_json(described), PAGE: reference_page(described)}


def main(*, check: bool = False) -> int:
    """Write the files that are out of date; with `check`, only name them (and fail)."""
    wanted = files()
    stale = [name for name, text in wanted.items() if _read(DOCS / name) != text]
    for name in stale:
        if check:
            print(f"docs/{name} is out of date: run ./deskless openapi", file=sys.stderr)
        else:
            (DOCS / name).write_text(wanted[name], encoding="utf-8")
            print(f"wrote docs/{name}")
    return 1 if check and stale else 0


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None
