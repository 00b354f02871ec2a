"""The local platform runs the catalog's handlers in-process and picks up code changes."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator

import pytest

from local.functions import ROOT, FunctionRegistry, LambdaContext


@pytest.fixture(autouse=True)
def modules_restored() -> Iterator[None]:
    """A reload replaces deskless.* and functions.* in sys.modules; other tests keep the originals."""
    saved = dict(sys.modules)
    yield
    sys.modules.clear()
    sys.modules.update(saved)


def test_handlers_are_imported_once_and_reloaded_when_code_changes() -> None:
    registry = FunctionRegistry(reload=True, check_every_s=0)
    first = registry.handler("meta")
    assert registry.handler("meta") is first
    source = ROOT / (registry.catalog().function("meta").module.replace(".", "/") + ".py")
    stat = os.stat(source)
    try:
        os.utime(source, (stat.st_atime, stat.st_mtime + 5))
        assert registry.handler("meta") is not first
    finally:
        os.utime(source, (stat.st_atime, stat.st_mtime))


def test_without_reload_the_handler_stays() -> None:
    registry = FunctionRegistry(reload=False)
    assert registry.handler("auth") is registry.handler("auth")


def test_the_context_counts_down_from_the_functions_timeout() -> None:
    context = LambdaContext(function_name="deskless-meta", timeout_s=10)
    time.sleep(0.01)
    assert 9000 < context.get_remaining_time_in_millis() < 10000
    assert context.invoked_function_arn.endswith(":function:deskless-meta")
