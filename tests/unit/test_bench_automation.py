"""The automation benchmark measures what it says: 50 active rules that the API would accept, of
every event trigger, and at least 10,000 changes of realistic ticket histories."""

from __future__ import annotations

from collections import Counter

from bench.automation import RULES, changes, rules
from deskless.automation_engine import triggers_of
from deskless.automation_rules import TriggerKind, problems


def test_the_rules_are_fifty_active_valid_rules_of_every_event_trigger() -> None:
    made = rules()
    assert len(made) == RULES == 50
    assert all(rule.active for rule in made)
    assert [problem for rule in made for problem in problems(rule)] == []
    assert {rule.trigger.kind.value for rule in made} == {
        "ticket_created",
        "status_changed",
        "closed_or_resolved",
        "assignee_changed",
        "team_changed",
        "customer_responded",
        "ticket_updated",
    }


def test_the_changes_are_ticket_histories_that_fire_every_event_trigger() -> None:
    history = changes(10_000)
    assert len(history) == 10_000
    fired = Counter(trigger for change in history for trigger in triggers_of(change.old, change.new))
    assert set(fired) == {
        "ticket_created",
        "status_changed",
        "closed_or_resolved",
        "assignee_changed",
        "team_changed",
        "customer_responded",
        "ticket_updated",
    }
    assert fired[TriggerKind.TICKET_CREATED] > 500
