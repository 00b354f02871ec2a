"""The local EventBridge Scheduler: fires the one-time schedules of the automation group (moto
stores them; it never fires anything) when they are due by the platform's clock, by invoking their
target function as Scheduler invokes Lambda (the schedule's Input as the event), then deletes those
whose ActionAfterCompletion is DELETE, as Scheduler does.

The platform's clock is real time plus an offset that `advance` moves forward (`POST /_local/clock`
{"advance_seconds": n}), so a test or a person can see a "pending for 1 day" rule fire without
waiting a day. It checks every `interval_s` (a second), and a check can be asked for at any time
(`fire_due`). A target that fails is tried again at the next checks, as Scheduler retries; after
`attempts` failures the schedule is dropped into `dead_letters`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from local.clocked import Clocked
from local.services import local_client

log = logging.getLogger(__name__)

FUNCTION_PREFIX = "deskless-"  # local functions' names (local.functions.LambdaContext)


def due_at(expression: str) -> float | None:
    """The epoch seconds of a one-time `at(YYYY-MM-DDTHH:MM:SS)` expression (UTC); None for others.

    >>> due_at("at(2026-12-07T10:00:00)")
    1796637600.0
    >>> due_at("rate(5 minutes)") is None
    True
    """
    if not (expression.startswith("at(") and expression.endswith(")")):
        return None
    return datetime.strptime(expression[3:-1], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC).timestamp()


def function_of(arn: str) -> str:
    """The catalog function a target ARN names (local functions are deskless-<name>)."""
    return arn.rsplit(":function:", 1)[-1].split(":", 1)[0].removeprefix(FUNCTION_PREFIX)


class LocalScheduler(Clocked):
    name = "scheduler"

    def __init__(
        self,
        *,
        endpoint_url: str,
        group: str,
        invoke: Callable[[str, dict[str, Any]], Any],
        interval_s: float = 1.0,
        attempts: int = 3,
    ) -> None:
        super().__init__(interval_s=interval_s)
        self._client = local_client("scheduler", endpoint_url)
        self._group = group
        self._invoke = invoke
        self._attempts = attempts
        self._failures: dict[str, int] = {}
        self.fired: list[dict[str, Any]] = []  # what was invoked, oldest first
        self.dead_letters: list[dict[str, Any]] = []

    def fire_due(self) -> int:
        """Invoke every schedule of the group due by now; how many ran."""
        with self._lock:
            now = self.now()
            ran = 0
            for name in self._names():
                try:
                    schedule = self._client.get_schedule(Name=name, GroupName=self._group)
                except self._client.exceptions.ResourceNotFoundException:
                    continue
                moment = due_at(schedule.get("ScheduleExpression", ""))
                if moment is None or moment > now or schedule.get("State") == "DISABLED":
                    continue
                ran += self._run(schedule)
            return ran

    def _names(self) -> list[str]:
        names: list[str] = []
        for page in self._client.get_paginator("list_schedules").paginate(GroupName=self._group):
            names += [summary["Name"] for summary in page.get("Schedules", [])]
        return names

    def _run(self, schedule: dict[str, Any]) -> int:
        name, target = schedule["Name"], schedule["Target"]
        event = json.loads(target.get("Input") or "{}")
        try:
            self._invoke(function_of(target["Arn"]), event)
        except Exception as error:
            self._failures[name] = self._failures.get(name, 0) + 1
            log.warning("local scheduler: %s failed (%d): %s", name, self._failures[name], error)
            if self._failures[name] < self._attempts:
                return 0
            self.dead_letters.append({"schedule": name, "input": event, "error": str(error)})
        else:
            self.fired.append({"schedule": name, "input": event})
        self._failures.pop(name, None)
        if schedule.get("ActionAfterCompletion") == "DELETE":
            self._client.delete_schedule(Name=name, GroupName=self._group)
        return 1

    def pass_once(self) -> None:
        self.fire_due()
