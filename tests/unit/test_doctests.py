"""The examples in the code's docstrings are run: each module with a `>>>` example, once."""

from __future__ import annotations

import doctest
import importlib

import pytest

from local.functions import ROOT

LAYER = ROOT / "layers" / "core" / "python"
FOLDERS = ((LAYER, LAYER / "deskless"), (ROOT, ROOT / "functions"), (ROOT, ROOT / "local"))  # (imported from, folder)


def _with_examples() -> list[str]:
    return [
        ".".join(path.relative_to(imported_from).with_suffix("").parts)
        for imported_from, folder in FOLDERS
        for path in sorted(folder.rglob("*.py"))
        if ">>> " in path.read_text(encoding="utf-8")
    ]


MODULES = _with_examples()


def test_the_examples_are_found() -> None:
    assert "deskless.sessions" in MODULES
    assert "functions.portals.suggestions" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_of_a_module_hold(name: str) -> None:
    results = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert results.attempted > 0
    assert results.failed == 0
