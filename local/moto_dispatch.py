"""moto's server finds the service of a request without listing its own package on every request,
and the method of an action without listing its handler class's members.

Written against moto 5.2.5 (pinned in pyproject.toml). Its server's DomainDispatcherApplication
(moto/moto_server/werkzeug_app.py, get_backend_for_host) asks, for every request, whether the
service it inferred is `in backends.list_of_moto_modules()`: a generator that lists moto's package
folder, sorts it, and stats each entry in turn until it meets the name (about 60 stats for
"dynamodb", half a millisecond, each stat a moment without the GIL in a process whose other
threads are waiting for it).

Then, for every request, BaseResponse.call_action (moto/core/responses.py) asks
`method_names_from_class` whether the handler class has a method for the action: a walk of all
the class's members with `inspect.getmembers` (about 5 % of moto's time for a DynamoDB request,
all of it while the request holds DynamoDB's turn: local.moto_isolation).

Here the list is read once, and each class's method names once: moto's package and classes do
not change while it runs. The answers are moto's own (`list_of_moto_modules` and
`method_names_from_class` still compute them); tests/integration/test_moto_dispatch.py checks
that, and that moto still asks. Switched per process by
local.moto_app.moto_app with the other local fast paths (`deskless dev --moto as-is` keeps moto's
own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Literal

from moto import backends
from moto.core import responses

Mode = Literal["once", "moto"]

_MOTO_LIST_OF_MOTO_MODULES = backends.list_of_moto_modules
# moto.core.utils' function, as moto.core.responses imported it
_MOTO_METHOD_NAMES_FROM_CLASS: Callable[[object], list[str]] = vars(responses)["method_names_from_class"]


@cache
def _moto_modules() -> frozenset[str]:
    return frozenset(_MOTO_LIST_OF_MOTO_MODULES())


def listed_once() -> Iterable[str]:
    """moto's list of its service modules, as read the first time it was asked for."""
    return _moto_modules()


@cache
def method_names_once(clazz: object) -> list[str]:
    """moto's method names of a handler class, as listed the first time they were asked for."""
    return _MOTO_METHOD_NAMES_FROM_CLASS(clazz)


def use(mode: Mode) -> None:
    """Make moto's server list its service modules and a handler's methods by `mode`: "once", or
    "moto" (every request)."""
    backends.list_of_moto_modules = listed_once if mode == "once" else _MOTO_LIST_OF_MOTO_MODULES
    responses.method_names_from_class = method_names_once if mode == "once" else _MOTO_METHOD_NAMES_FROM_CLASS  # type: ignore[attr-defined,assignment]
