"""One invocation of the automation function on a batch of the stream's ticket records.

Per record: the triggers of the change (`triggers_of` of the old and new versions: none for a
version a rule made); if any, the active rules (one Query, and compiled once, for the whole
batch) evaluated; the planned actions done once each (actions.py); the trace written after them
(deskless.automation_traces); then the ticket's schedules brought in line (schedules.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from deskless.automation_engine import Change, CompiledRules, compile_rules, evaluate, triggers_of
from deskless.automation_rules import Rule, active_rules
from deskless.automation_traces import record_trace
from deskless.observability import logger
from deskless.streams import new_image, old_image
from deskless.tickets import ticket_from_item

from . import schedules
from .actions import apply


class Invocation:
    """What one invocation knows: where schedules target it, and the batch's rules once read."""

    def __init__(self, target_arn: str) -> None:
        self.target_arn = target_arn
        self._rules: tuple[Sequence[Rule], CompiledRules] | None = None

    def rules(self) -> tuple[Sequence[Rule], CompiledRules]:
        if self._rules is None:
            rules = active_rules()
            self._rules = (rules, compile_rules(rules))
        return self._rules

    def start_batch(self, records: list[DynamoDBRecord]) -> None:
        self._rules = None  # read again for each batch: an admin's change applies from the next one

    def on_record(self, record: DynamoDBRecord) -> None:
        old, new = old_image(record) or None, new_image(record)
        triggers = triggers_of(old, new)
        rules, compiled = self.rules()
        if triggers and rules:
            change = Change(change_id=str(record.event_id), old=old, new=new, at=int(new["updated_at"]))
            evaluation = evaluate(compiled, change)
            if evaluation.rules:
                payload = {"id": change.change_id, "at": change.at, "triggers": sorted(t.value for t in triggers)}
                traced = apply(evaluation, ticket_from_item(new), payload)
                record_trace(traced)
                logger.info("automation", extra={"number": new["number"], "rules": len(traced.rules)})
        schedules.follow(new, rules, compiled, self.target_arn)
