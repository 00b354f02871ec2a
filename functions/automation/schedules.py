"""Time-based rules (no public reply for N hours, pending for N days, due date passed) fire on time,
not by a sweep: each moment a ticket is due for a rule is a one-time EventBridge Scheduler schedule
(`at(...)` in UTC, no flexible window, deleted by Scheduler once it ran), in the automation group,
named `t<number>-<rule id>`, whose target is the automation function with the moment
({number, rule_id, basis, due}).

After every version of a ticket (a rule's own too), `follow` compares the moments the engine
computes (`due_moments`) with those stored for the ticket (AUTOSCHEDULE#<number>: rule id -> due
and basis) and creates or moves the schedules whose moment changed and deletes those no longer due.
When a schedule fires (`fire`), the ticket and the rule are read again and the moment computed
again: only if its basis is still the one scheduled (the ticket is still pending since then, still
unanswered since that reply, still due then) is the rule evaluated, as if its trigger fired. So a
stale schedule (a ticket that left pending just before) does nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from deskless.automation_engine import Change, CompiledRules, Due, compile_rules, due_moments, evaluate
from deskless.automation_rules import TIME_BASED, Rule, rule_of
from deskless.automation_traces import record_trace
from deskless.aws import client
from deskless.data import table
from deskless.errors import NotFound
from deskless.observability import logger
from deskless.settings import get_settings
from deskless.table import Entity, automation_schedule_key, stamped
from deskless.tickets import ticket_of

from .actions import apply


class Moment(BaseModel):
    """What a schedule hands the automation function when it fires."""

    number: int = Field(ge=1)
    rule_id: str = Field(min_length=1, max_length=64)
    basis: int = Field(description="What the moment was computed from (ms): it must still be so.")
    due: int = Field(description="When it was due (ms).")


def schedule_name(number: int, rule_id: str) -> str:
    return f"t{number}-{rule_id}"[:64]


def at_expression(due_ms: int, *, now: float | None = None) -> str:
    """Scheduler's one-time expression in UTC; a moment already past is asked for now."""
    moment = max(due_ms / 1000, time.time() if now is None else now)
    return f"at({datetime.fromtimestamp(int(moment) + (moment % 1 > 0), UTC).strftime('%Y-%m-%dT%H:%M:%S')})"


def time_based(rules: Sequence[Rule]) -> bool:
    return any(rule.trigger.kind in TIME_BASED for rule in rules)


def follow(ticket: Mapping[str, Any], rules: Sequence[Rule], compiled: CompiledRules, target_arn: str) -> int:
    """Bring the ticket's schedules in line with its moments now; how many schedules changed. With
    no time-based rule active, nothing is read (a schedule left from a rule made inactive fires once
    and does nothing: the rule is read again then)."""
    if not time_based(rules):
        return 0
    number = int(ticket["number"])
    wanted = {rule_id: {"due": due.due, "basis": due.basis} for rule_id, due in due_moments(compiled, ticket).items()}
    stored_item = table().get(automation_schedule_key(number), consistent=True)
    stored: dict[str, Any] = dict(stored_item.get("moments", {})) if stored_item else {}
    if wanted == stored:
        return 0
    changed = 0
    for rule_id, moment in wanted.items():
        if stored.get(rule_id) != moment:
            _put_schedule(number, rule_id, moment, target_arn)
            changed += 1
    for rule_id in set(stored) - set(wanted):
        _delete_schedule(number, rule_id)
        changed += 1
    if wanted:
        table().put(stamped(Entity.AUTOMATION_SCHEDULE, automation_schedule_key(number), number=number, moments=wanted))
    else:
        table().delete(automation_schedule_key(number))
    logger.info("automation schedules", extra={"number": number, "due": sorted(wanted), "changed": changed})
    return changed


def _put_schedule(number: int, rule_id: str, moment: Mapping[str, int], target_arn: str) -> None:
    settings = get_settings()
    request: dict[str, Any] = {
        "Name": schedule_name(number, rule_id),
        "GroupName": settings.automation_schedule_group,
        "ScheduleExpression": at_expression(moment["due"]),
        "ScheduleExpressionTimezone": "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "ActionAfterCompletion": "DELETE",
        "Target": {
            "Arn": target_arn,
            "RoleArn": settings.automation_scheduler_role_arn,
            "Input": json.dumps({"number": number, "rule_id": rule_id, **moment}),
            "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 10},
        },
    }
    if settings.automation_moments_failures_arn:  # never dropped: parked, with an alarm (not locally)
        request["Target"]["DeadLetterConfig"] = {"Arn": settings.automation_moments_failures_arn}
    scheduler = client("scheduler")
    try:
        scheduler.create_schedule(**request)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConflictException":
            raise
        scheduler.update_schedule(**request)


def _delete_schedule(number: int, rule_id: str) -> None:
    try:
        client("scheduler").delete_schedule(
            Name=schedule_name(number, rule_id), GroupName=get_settings().automation_schedule_group
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise  # a schedule that ran is gone already (ActionAfterCompletion DELETE)


def fire(moment: Moment, *, now: float | None = None) -> bool:
    """A schedule's moment came: evaluate its rule if the moment still holds; whether it did."""
    try:
        ticket = ticket_of(moment.number)
        rule = rule_of(moment.rule_id)
    except NotFound:
        return False
    compiled = compile_rules([rule])
    item = ticket.model_dump(mode="json")
    due: Due | None = due_moments(compiled, item).get(rule.id)
    if due is None or due.basis != moment.basis:
        logger.info("stale automation moment", extra={"number": moment.number, "rule": rule.id})
        return False
    change_id = f"schedule:{moment.number}:{rule.id}:{moment.basis}"
    at = max(int((time.time() if now is None else now) * 1000), due.due)  # the local clock may run ahead
    change = Change(change_id=change_id, old=item, new=item, at=due.due, fired=due.trigger, only_rule=rule.id)
    evaluation = evaluate(compiled, change, now_ms=at)
    if evaluation.rules:
        payload = {"id": change_id, "at": due.due, "triggers": [due.trigger.value]}
        record_trace(apply(evaluation, ticket, payload))
    return True
