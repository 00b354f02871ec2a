"""Testing a rule against a ticket (the dry run): the engine's own evaluation of the rule, as if
its trigger fired on the ticket as it is now, with every action it would take marked `dry_run`.
Nothing is sent or changed: the engine is pure, and nothing here writes."""

from __future__ import annotations

import time

from pydantic import BaseModel, ConfigDict, Field

from deskless.automation_engine import ActionOutcome, Change, Evaluation, compile_rules, evaluate
from deskless.automation_rules import Rule, RuleContent, check_rule
from deskless.tickets import ticket_of


class RuleTest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: RuleContent = Field(description="The rule as the editor holds it (saved or not).")
    ticket: int = Field(ge=1, le=10**12, description="The number of the ticket to test it on.")


def dry_run(test: RuleTest, *, now_ms: int | None = None) -> Evaluation:
    """What the rule would do to the ticket (a GetItem of the ticket; no write)."""
    check_rule(test.rule)
    ticket = ticket_of(test.ticket).model_dump(mode="json", exclude_none=True)
    at = int(time.time() * 1000) if now_ms is None else now_ms
    rule = Rule(id="dry-run", revision=0, position=0, created_at=at, updated_at=at, **test.rule.model_dump())
    rule = rule.model_copy(update={"active": True})  # an inactive rule is tested as if it were on
    change = Change(f"dry-run:{test.ticket}", ticket, ticket, at, fired=rule.trigger.kind, only_rule=rule.id)
    evaluation = evaluate(compile_rules([rule]), change, now_ms=at)
    for result in evaluation.rules:
        for action in result.actions:
            if action.outcome is ActionOutcome.PLANNED:
                action.outcome = ActionOutcome.DRY_RUN
    return evaluation
