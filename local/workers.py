"""The functions of the catalog run in worker processes, as Lambda runs them in environments of
their own.

In one process the functions take turns at one interpreter (the GIL): under load, one request's
function waits while the others' run, however many cores the machine has. `deskless dev --workers
N` hands each invocation to one of N worker processes instead. Each worker keeps the handlers it
imported (its own cold starts, like a Lambda environment's), reloads them when code changes, and
runs one invocation at a time. The platform's process keeps the gateway, the stream poller, the
scheduler and the SMTP listener, which hand events over and wait for the answers.

An event and its answer cross as pickles of plain JSON values. A worker that dies (a crash, a
kill) fails the invocations it held; the next invocation starts new workers, as Lambda replaces a
failed environment.

What each worker caches it keeps, as each Lambda environment does: a settings change an admin
makes through one worker reaches the others when their cached settings expire (30 s,
deskless.preferences), as it reaches other functions' containers in AWS. So `deskless dev` runs
the functions in its own process unless `--workers N` is given, and the tests run them there: a
change made there is seen by every function at once.
"""

from __future__ import annotations

import importlib
import multiprocessing
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from local.functions import FunctionRegistry
from local.logs import configure, log

SHARED_MODULES = ("deskless.http", "deskless.streams")
_registry: FunctionRegistry | None = None  # a worker's own, made when it starts


def _start_worker(reload: bool, log_level: str) -> None:
    """A worker's start: what every function's cold start begins with (the shared package's web
    and stream plumbing, about 1 s of CPU, and a DynamoDB client), so that a function's first
    invocation in this worker costs only its own module."""
    global _registry
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the platform, which stops its workers
    configure(log_level)
    _registry = FunctionRegistry(reload=reload)
    for module in SHARED_MODULES:
        importlib.import_module(module)
    importlib.import_module("deskless.aws").client("dynamodb")


def _started() -> None:
    """Nothing: submitted once per worker, it starts them all at once (they start on demand otherwise)."""


def _invoke(name: str, event: dict[str, Any]) -> Any:
    assert _registry is not None, "a worker's registry is made when it starts"
    return _registry.invoke(name, event)


class FunctionWorkers:
    """What FunctionRegistry offers the platform (the catalog, `invoke`), with every invocation
    run in one of `count` worker processes. Start it after the functions' environment is set:
    the workers inherit it."""

    def __init__(self, *, count: int, reload: bool, log_level: str) -> None:
        self._count = count
        self._reload = reload
        self._log_level = log_level
        self._registry = FunctionRegistry(reload=reload)  # the catalog, here; it notices code changes too
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn, not fork: the platform's process runs threads (a fork copies their locks held)
        pool = ProcessPoolExecutor(
            max_workers=self._count,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self._reload, self._log_level),
        )
        for _ in range(self._count):
            pool.submit(_started)  # each submission finds no idle worker, and starts one
        return pool

    def catalog(self) -> Any:
        self._registry.refresh()
        return self._registry.catalog()

    def invoke(self, name: str, event: dict[str, Any]) -> Any:
        """Run one function with one event in a worker, as a Lambda invocation would."""
        pool = self._pool
        try:
            return pool.submit(_invoke, name, event).result()
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    log.warning("a function worker stopped; new workers take the next invocations")
                    self._pool = self._new_pool()
                    pool.shutdown(wait=False, cancel_futures=True)  # its queues and its manager thread
            raise

    def stop(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
