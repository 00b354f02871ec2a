"""The API against its own description: Schemathesis generates requests from docs/openapi.json,
valid ones and invalid ones, for every operation, sends them to `deskless dev` as each kind of
caller (tests/e2e/callers.py), and checks every answer: no 5xx, and a status, content type,
headers and body that the document describes for that operation.

It runs on a platform of its own: fuzzing as an admin changes the settings and makes staff, and
the fuzz's failed sign-ins and redemptions throttle 127.0.0.1, which would disturb the other test
files on the shared one. Each operation gets DESKLESS_FUZZ_EXAMPLES examples (default 3) per
caller and per kind (valid, invalid), drawn the same way on every run (derandomized). A longer
fuzz: DESKLESS_FUZZ_EXAMPLES=200 ./deskless test tests/e2e/test_fuzz.py; of some routes only, those
whose "METHOD /path" DESKLESS_FUZZ_ONLY (a regular expression) finds:
DESKLESS_FUZZ_ONLY='^POST /help/' DESKLESS_FUZZ_EXAMPLES=12 ./deskless test tests/e2e/test_fuzz.py
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from deskless.catalog import HTTP_ROUTES, Caller, http_route
from infra.paths import DOCS
from local.openapi import DOCUMENT
from local.seed import DEMO_STAFF
from tests.e2e.callers import CALLERS, PORTAL_HOST, PORTAL_PATHS, Cast, Credentials, cast_of
from tests.e2e.conftest import Platform, started_platform

EXAMPLES = int(os.environ.get("DESKLESS_FUZZ_EXAMPLES", "3"))
ONLY = re.compile(os.environ.get("DESKLESS_FUZZ_ONLY", ""))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
Operation = APIOperation[Any, Any, Any, Any]
Example = Case[Operation]
SCHEMA = schemathesis.openapi.from_path(str(DOCS / DOCUMENT))
SCHEMA.config.generation.update(with_security_parameters=False)  # each caller's own credentials, none generated
OPERATIONS: list[Operation] = [result.ok() for result in SCHEMA.get_all_operations() if isinstance(result, Ok)]


def examples(operation: Operation, mode: GenerationMode) -> list[Example]:
    """EXAMPLES cases of the operation, the same ones on every run."""
    if mode == GenerationMode.NEGATIVE and not refuses_some_input(operation):
        return []
    found: list[Example] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def collect(case: Example) -> None:
        found.append(case)

    collect()
    return found


def refuses_some_input(operation: Operation) -> bool:
    """Whether an invalid request can be made: it takes a body, a query or a header, or a path
    parameter that is more than any string (a path takes any string, so none is invalid)."""
    described = operation.definition.raw
    return "requestBody" in described or any(
        parameter["in"] != "path" or set(parameter["schema"]) - {"type", "title"}
        for parameter in described.get("parameters", [])
    )


@pytest.fixture(scope="module")
def cases() -> dict[str, list[Example]]:
    """Each operation's cases, valid then invalid, made once for every caller: every route of the catalog."""
    assert {operation.label for operation in OPERATIONS} == {route.route_key for route in HTTP_ROUTES}
    return {
        operation.label: [case for mode in GenerationMode for case in examples(operation, mode)]
        for operation in OPERATIONS
    }


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, Cast]]:
    with started_platform(tmp_path_factory.mktemp("fuzzed")) as platform:
        admin = DEMO_STAFF[0]
        yield platform, cast_of(platform, platform.login(admin.email, admin.password))


def identity_counts(operation: Operation, who: Credentials) -> bool:
    """Whether who calls may change the answer: a caller the operation names, or anyone on a public
    one without credentials. Others are refused by the gate (or ignored) before anything else."""
    allow = http_route(f"{operation.method.upper()} {operation.path}").allow
    return who.caller in allow if who.caller is not None else Caller.PUBLIC in allow


@pytest.mark.parametrize("who", CALLERS)
def test_every_answer_to_every_operation_is_one_the_document_describes(
    cases: dict[str, list[Example]], fuzzed: tuple[Platform, Cast], who: str
) -> None:
    # Given each operation's cases, all of them where who calls may change the answer, one elsewhere
    platform, cast = fuzzed
    credentials = cast.credentials[who]
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    for operation in OPERATIONS:
        if not ONLY.search(operation.label):
            continue
        chosen = cases[operation.label] if identity_counts(operation, credentials) else cases[operation.label][:1]
        host = {"host": f"{PORTAL_HOST}:{platform.port}"} if PORTAL_PATHS.match(operation.path) else {}
        for case in chosen:
            # When each is sent as this caller
            try:
                response = case.call_and_validate(
                    base_url=platform.base, headers={**credentials.headers, **host}, checks=CHECKS, timeout=30
                )
                statuses[response.status_code] += 1
            except (Failure, FailureGroup) as failure:
                failures.append(f"{operation.label} as {who}: {failure}\n  {case.as_curl_command()}")

    # Then no answer is a server error, or one the document does not describe
    assert failures == [], "\n\n".join(failures)
    assert sum(statuses.values()) > 0
