"""The functions of the catalog, run in this process as Lambda would run them, and reloaded
when their code (or the core package) changes on disk."""

from __future__ import annotations

import importlib
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
WATCHED = (ROOT / "functions", ROOT / "layers" / "core" / "python" / "deskless")
RELOADED_PACKAGES = ("functions", "deskless")


@dataclass
class LambdaContext:
    """What Lambda passes as `context`, with the fields Powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 512
    timeout_s: int = 10
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_s - (time.monotonic() - self.started)) * 1000))


def forget_cold_start() -> None:
    """Drop what a Lambda environment caches after its cold start (settings, the table, secrets, the
    knowledge index it opened), as a new environment would: for runs in this process that point the
    functions somewhere else. boto3 clients are kept per endpoint (deskless.aws), so they need no forgetting."""
    from aws_lambda_powertools.utilities import parameters

    from deskless import aws, data, preferences, search_index, settings

    settings.get_settings.cache_clear()
    preferences.forget_cached()
    search_index.forget_opened()
    aws.connections_client.cache_clear()
    data.table.cache_clear()
    parameters.clear_caches()  # type: ignore[no-untyped-call]  # Powertools leaves it unannotated


def _snapshot() -> dict[Path, float]:
    return {path: path.stat().st_mtime for folder in WATCHED for path in folder.rglob("*.py")}


class Functions(Protocol):
    """Where the platform's functions run: this process (FunctionRegistry) or worker processes
    (local.workers.FunctionWorkers)."""

    def catalog(self) -> Any: ...

    def invoke(self, name: str, event: dict[str, Any]) -> Any: ...

    def stop(self) -> None: ...


class FunctionRegistry:
    """Imports each function's handler once and reloads everything when code changes."""

    def __init__(self, *, reload: bool = True, check_every_s: float = 1.0) -> None:
        self._reload = reload
        self._check_every_s = check_every_s
        self._lock = threading.Lock()
        self._handlers: dict[str, Callable[[dict[str, Any], Any], Any]] = {}
        self._snapshot = _snapshot() if reload else {}
        self._checked = time.monotonic()

    def catalog(self) -> Any:
        return importlib.import_module("deskless.catalog")

    def refresh(self) -> None:
        """Forget every imported handler (and the packages' modules) if code changed on disk."""
        if not self._reload or time.monotonic() - self._checked < self._check_every_s:
            return
        with self._lock:
            self._checked = time.monotonic()
            snapshot = _snapshot()
            if snapshot == self._snapshot:
                return
            self._snapshot = snapshot
            for name in [m for m in sys.modules if m.split(".")[0] in RELOADED_PACKAGES]:
                del sys.modules[name]
            self._handlers.clear()

    def handler(self, name: str) -> Callable[[dict[str, Any], Any], Any]:
        self.refresh()
        with self._lock:
            if name not in self._handlers:
                spec = self.catalog().function(name)
                self._handlers[name] = getattr(importlib.import_module(spec.module), spec.attribute)
            return self._handlers[name]

    def stop(self) -> None:
        """Nothing to stop: the handlers run in their callers' threads."""

    def invoke(self, name: str, event: dict[str, Any]) -> Any:
        """Run one function with one event, as a Lambda invocation would."""
        handler = self.handler(name)
        spec = self.catalog().function(name)
        return handler(
            event,
            LambdaContext(
                function_name=f"deskless-{name}", memory_limit_in_mb=spec.memory_mb, timeout_s=spec.timeout_s
            ),
        )
