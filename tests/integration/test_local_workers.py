"""`deskless dev` runs the functions in worker processes (local.workers), as Lambda runs them in
environments of their own: the same handlers, the same answers, and a worker that dies is replaced."""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pytest

from deskless.edge import ORIGIN_VERIFY_HEADER
from local.functions import FunctionRegistry
from local.workers import FunctionWorkers
from tests.conftest import EVENTS, LocalAws


@pytest.fixture
def login_event(aws: LocalAws) -> Callable[[], dict[str, Any]]:
    """A sign-in with a wrong password, through CloudFront (its origin secret)."""
    event = json.loads((EVENTS / "http_login.json").read_text())
    event["headers"][ORIGIN_VERIFY_HEADER] = aws.origin_secret
    return lambda: copy.deepcopy(event)


@pytest.fixture
def workers(aws: LocalAws) -> Iterator[FunctionWorkers]:
    """Two workers, started once the functions' environment points at this test's local AWS."""
    functions = FunctionWorkers(count=2, reload=False, log_level="WARNING")
    yield functions
    functions.stop()


def worker_pids() -> set[int]:
    return {child.pid for child in multiprocessing.active_children() if child.pid is not None}


def test_a_function_answers_from_a_worker_as_it_answers_in_this_process(
    workers: FunctionWorkers, login_event: Callable[[], dict[str, Any]]
) -> None:
    here = FunctionRegistry(reload=False).invoke("auth", login_event())

    there = workers.invoke("auth", login_event())

    assert here["statusCode"] == 401
    assert there["statusCode"] == 401
    assert (
        json.loads(there["body"])
        == json.loads(here["body"])
        == {
            "error": "invalid_credentials",
            "message": "The email or password is not right.",
        }
    )
    assert len(worker_pids() - {os.getpid()}) >= 2  # both workers started at once, each a process


def test_a_functions_error_reaches_the_caller(workers: FunctionWorkers) -> None:
    with pytest.raises(KeyError):
        workers.invoke("no-such-function", {})


def test_a_worker_that_dies_is_replaced(workers: FunctionWorkers, login_event: Callable[[], dict[str, Any]]) -> None:
    workers.invoke("auth", login_event())
    for pid in worker_pids():
        os.kill(pid, signal.SIGKILL)

    with pytest.raises(BrokenProcessPool):
        workers.invoke("auth", login_event())

    assert workers.invoke("auth", login_event())["statusCode"] == 401


def test_the_catalog_is_the_functions(workers: FunctionWorkers) -> None:
    assert workers.catalog().function("auth").name == "auth"
