"""What a function's handler.py exports to Lambda for an API: the handler itself, and the endpoints
it serves by route key, so that `deskless routes`, `deskless openapi` and the tests can list them from
the function's own entry point (Lambda only ever calls it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .http import Api


@dataclass(frozen=True)
class Entry:
    run: Callable[[dict[str, Any], Any], dict[str, Any]]
    routes: Mapping[str, Callable[..., Any]]  # route key -> the endpoint that serves it
    api: Api | None = None  # an HTTP function's API, which the API's description is made from (local/openapi.py)

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return self.run(event, context)
