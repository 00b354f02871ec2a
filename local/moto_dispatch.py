"""moto's server finds the service of a request without listing its own package on every request.

Written against moto 5.2.5 (pinned in pyproject.toml). Its server's DomainDispatcherApplication
(moto/moto_server/werkzeug_app.py, get_backend_for_host) asks, for every request, whether the
service it inferred is `in backends.list_of_moto_modules()`: a generator that lists moto's package
folder, sorts it, and stats each entry in turn until it meets the name (about 60 stats for
"dynamodb", half a millisecond, each stat a moment without the GIL in a process whose other
threads are waiting for it).

Here the list is read once: moto's package does not change while it runs. The answer is moto's
own (`list_of_moto_modules` is still what computes it); tests/integration/test_moto_dispatch.py
checks that, and that moto's dispatcher still asks. Switched per process by
local.moto_app.moto_app with the other local fast paths (`deskless dev --moto as-is` keeps moto's
own).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Literal

from moto import backends

Mode = Literal["once", "moto"]

_MOTO_LIST_OF_MOTO_MODULES = backends.list_of_moto_modules


@cache
def _moto_modules() -> frozenset[str]:
    return frozenset(_MOTO_LIST_OF_MOTO_MODULES())


def listed_once() -> Iterable[str]:
    """moto's list of its service modules, as read the first time it was asked for."""
    return _moto_modules()


def use(mode: Mode) -> None:
    """Make moto's server list its service modules by `mode`: "once", or "moto" (every request)."""
    backends.list_of_moto_modules = listed_once if mode == "once" else _MOTO_LIST_OF_MOTO_MODULES
