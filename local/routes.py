"""`deskless routes`: every HTTP route and WebSocket action of the catalog, the function that
serves it, who may call it, and the file and line of its endpoint, read from each function's own
entry point (so what is printed is what Lambda runs)."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deskless.catalog import ROUTES, Allowed, function, in_words
from deskless.entry import Entry

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Row:
    route_key: str
    function: str
    allow: Allowed
    where: str  # file:line of the endpoint, relative to the repository


def entry_of(function_name: str) -> Entry:
    spec = function(function_name)
    entry: Any = getattr(importlib.import_module(spec.module), spec.attribute)
    assert isinstance(entry, Entry), f"{spec.module}.{spec.attribute} is not an API's entry"
    return entry


def where(endpoint: Callable[..., Any]) -> str:
    """file:line of the endpoint's first line (its route decorator, where it has one)."""
    target = inspect.unwrap(endpoint)
    path = Path(inspect.getsourcefile(target) or "?").resolve()
    line = inspect.getsourcelines(target)[1]
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return f"{shown}:{line}"


def rows() -> Iterator[Row]:
    for route in ROUTES:
        endpoint = entry_of(route.function).routes[route.route_key]
        yield Row(route.route_key, route.function, route.allow, where(endpoint))


def table(found: list[Row]) -> str:
    header = Row("ROUTE", "FUNCTION", frozenset(), "ENDPOINT")
    cells = [
        (r.route_key, r.function, in_words(r.allow) if r.allow else "WHO MAY CALL", r.where) for r in [header, *found]
    ]
    widths = [max(len(cell[i]) for cell in cells) for i in range(3)]
    return "\n".join("  ".join(cell[i].ljust(widths[i]) for i in range(3)) + "  " + cell[3] for cell in cells)


def main() -> int:
    print(table(list(rows())))
    return 0
