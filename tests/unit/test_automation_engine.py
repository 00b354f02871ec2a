"""The automation engine (deskless.automation_engine), pure: which triggers a change fires, every
operator held and not held (empty and missing values too, a pattern that times out), the order of
rules with conflicts, "Ignore flow" and "stop processing", when time-based rules fall due, and that
a change's result does not depend on the batch it arrives in."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskless import automation_engine
from deskless.automation_engine import (
    ActionOutcome,
    Change,
    Due,
    RuleOutcome,
    SkipReason,
    compile_rules,
    due_moments,
    evaluate,
    planned,
    triggers_of,
)
from deskless.automation_rules import Rule, TriggerKind

HOUR = 3_600_000
NOW = 1_765_000_000_000


def ticket(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "number": 1001,
        "title": "[Portal Credentials]",
        "description": "I cannot sign in",
        "requester": {"kind": "contact", "id": "c1", "name": "Carla", "email": "Carla@Acme.Example.com"},
        "company_id": "acme",
        "source": "portal",
        "fields": {"seats": 12, "os": "linux"},
        "product_areas": ["billing"],
        "impact": "medium",
        "urgency": "high",
        "priority": "high",
        "status": "new",
        "created_at": (NOW - 2 * HOUR) // 1000,
        "updated_at": NOW - HOUR,
        "status_since": NOW - 2 * HOUR,
        "tags": ["vip"],
        "revision": 1,
    }
    return {**base, **changes}


def rule(
    conditions: list[dict[str, Any]] | None = None,
    actions: list[dict[str, Any]] | None = None,
    *,
    trigger: str = "ticket_updated",
    position: int = 0,
    rule_id: str | None = None,
    **more: Any,
) -> Rule:
    return Rule.model_validate(
        {
            "id": rule_id or f"r{position}",
            "name": f"Rule {position}",
            "trigger": {"kind": trigger, **({"hours": 4} if trigger == "no_public_reply" else {})}
            | ({"days": 3} if trigger == "pending_for" else {}),
            "active": True,
            "conditions": conditions or [],
            "actions": actions or [{"kind": "add_note", "body": "x"}],
            "revision": 1,
            "position": position,
            "created_at": 0,
            "updated_at": 0,
            **more,
        }
    )


def holds(condition: dict[str, Any], new: dict[str, Any], old: dict[str, Any] | None = None) -> bool:
    """Whether one condition holds for a change from `old` (default: the same ticket) to `new`."""
    compiled = compile_rules([rule([condition])])
    change = Change("e1", old if old is not None else new, new, NOW, fired=TriggerKind.TICKET_UPDATED, only_rule="r0")
    return evaluate(compiled, change).rules[0].outcome is RuleOutcome.MATCHED


# --- operators --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "held_on", "not_held_on"),
    [
        ({"property": "title", "operator": "equals", "value": " [portal CREDENTIALS] "}, {}, {"title": "Other"}),
        ({"property": "title", "operator": "not_equals", "value": "Other"}, {}, {"title": "other "}),
        ({"property": "description", "operator": "contains", "value": "SIGN IN"}, {}, {"description": "hello"}),
        ({"property": "description", "operator": "not_contains", "value": "printer"}, {}, {"description": "Printer"}),
        ({"property": "title", "operator": "starts_with", "value": "[portal"}, {}, {"title": "Re: [Portal"}),
        ({"property": "title", "operator": "ends_with", "value": "credentials]"}, {}, {"title": "[Portal] x"}),
        ({"property": "status", "operator": "any_of", "value": ["new", "open"]}, {}, {"status": "pending"}),
        ({"property": "status", "operator": "none_of", "value": ["pending"]}, {}, {"status": "pending"}),
        ({"property": "title", "operator": "matches", "value": r"^\[portal \w+\]$"}, {}, {"title": "x [Portal a]"}),
        (
            {"property": "assignee", "operator": "is_empty"},
            {},
            {"assignee": {"kind": "staff", "id": "u1", "name": "T"}},
        ),
        ({"property": "team", "operator": "is_not_empty"}, {"team_id": "t1"}, {}),
        ({"property": "priority", "operator": "greater_than", "value": "medium"}, {}, {"priority": "medium"}),
        ({"property": "impact", "operator": "less_than", "value": "high"}, {}, {"impact": "very_high"}),
        ({"property": "requester", "operator": "equals", "value": "carla@acme.example.com"}, {}, {"requester": {}}),
        ({"property": "requester_domain", "operator": "equals", "value": "ACME.example.com"}, {}, {"requester": {}}),
        ({"property": "requester_domain", "operator": "ends_with", "value": "example.com"}, {}, {"requester": {}}),
        ({"property": "destination", "operator": "equals", "value": "help@x.com"}, {"destination": "Help@X.com"}, {}),
        ({"property": "source", "operator": "equals", "value": "portal"}, {}, {"source": "email"}),
        ({"property": "category", "operator": "equals", "value": "cat1"}, {"category_id": "cat1"}, {}),
        ({"property": "company", "operator": "not_equals", "value": "other"}, {}, {"company_id": "other"}),
        ({"property": "tags", "operator": "contains", "value": " VIP "}, {}, {"tags": []}),
        ({"property": "tags", "operator": "not_contains", "value": "vip"}, {"tags": ["x"]}, {}),
        ({"property": "tags", "operator": "any_of", "value": ["a", "vip"]}, {}, {"tags": ["b"]}),
        ({"property": "tags", "operator": "none_of", "value": ["a", "b"]}, {}, {"tags": ["b"]}),
        ({"property": "tags", "operator": "is_empty"}, {"tags": []}, {}),
        ({"property": "product_areas", "operator": "is_not_empty"}, {}, {"product_areas": []}),
        ({"property": "category_field", "field": "seats", "operator": "greater_than", "value": 10}, {}, {"fields": {}}),
        (
            {"property": "category_field", "field": "seats", "operator": "less_than", "value": 20},
            {},
            {"fields": {"seats": "x"}},
        ),
        (
            {"property": "category_field", "field": "seats", "operator": "equals", "value": 12.0},
            {},
            {"fields": {"seats": 13}},
        ),
        (
            {"property": "category_field", "field": "os", "operator": "equals", "value": "Linux"},
            {},
            {"fields": {"os": "mac"}},
        ),
        ({"property": "category_field", "field": "os", "operator": "is_empty"}, {"fields": {}}, {}),
        (
            {"property": "created_at", "operator": "within_last_hours", "value": 3},
            {},
            {"created_at": (NOW - 4 * HOUR) // 1000},
        ),
        ({"property": "updated_at", "operator": "older_than_hours", "value": 0.5}, {}, {"updated_at": NOW}),
        ({"property": "updated_at", "operator": "within_last_hours", "value": 1}, {}, {"updated_at": None}),
    ],
)
def test_each_operator_holds_or_not_on_the_ticket_as_the_change_left_it(
    condition: dict[str, Any], held_on: dict[str, Any], not_held_on: dict[str, Any]
) -> None:
    assert holds(condition, ticket(**held_on))
    assert not holds(condition, ticket(**not_held_on))


@pytest.mark.parametrize(
    ("condition", "old", "new", "held"),
    [
        ({"property": "status", "operator": "changed"}, {"status": "new"}, {"status": "open"}, True),
        ({"property": "status", "operator": "changed"}, {}, {"title": "edited"}, False),
        ({"property": "status", "operator": "changed_from", "value": "new"}, {}, {"status": "open"}, True),
        ({"property": "status", "operator": "changed_from", "value": "open"}, {}, {"status": "pending"}, False),
        ({"property": "status", "operator": "changed_to", "value": "Pending"}, {}, {"status": "pending"}, True),
        ({"property": "status", "operator": "changed_to", "value": "pending"}, {"status": "pending"}, {}, False),
        ({"property": "status", "operator": "changed_to", "value": "new"}, {}, {}, False),  # no change: not "to"
        ({"property": "tags", "operator": "changed"}, {}, {"tags": ["vip", "billing"]}, True),
        ({"property": "assignee", "operator": "changed_to", "value": "u1"}, {}, {"assignee": {"id": "u1"}}, True),
        ({"property": "title", "operator": "changed"}, {}, {"title": "  [PORTAL credentials] "}, False),  # same, folded
    ],
)
def test_changed_conditions_compare_the_versions_before_and_after(
    condition: dict[str, Any], old: dict[str, Any], new: dict[str, Any], held: bool
) -> None:
    assert holds(condition, ticket(**new), ticket(**old)) is held


def test_a_pattern_that_takes_too_long_does_not_hold_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a pattern that backtracks without end on a long text
    monkeypatch.setattr(automation_engine, "PATTERN_TIMEOUT_S", 0.01)
    compiled = compile_rules([rule([{"property": "description", "operator": "matches", "value": r"(a|aa)+$"}])])
    new = ticket(description="a" * 5000 + "b")
    # When it is evaluated
    result = evaluate(compiled, Change("e1", ticket(), new, NOW)).rules[0]
    # Then the condition does not hold, and the trace says the pattern took too long
    assert result.outcome is RuleOutcome.NOT_MATCHED
    assert not result.conditions[0].held
    assert "took too long" in result.conditions[0].detail


def test_a_pattern_searches_at_most_ten_thousand_characters() -> None:
    condition = {"property": "description", "operator": "matches", "value": "needle"}
    assert holds(condition, ticket(description="x" * 9_000 + "needle"))
    assert not holds(condition, ticket(description="x" * 10_000 + "needle"))


def test_any_of_groups_each_need_one_condition_that_holds() -> None:
    group_a = [
        {"property": "status", "operator": "equals", "value": "open"},
        {"property": "tags", "operator": "contains", "value": "vip"},
    ]
    group_b = [{"property": "priority", "operator": "equals", "value": "low"}]
    compiled = compile_rules([rule(any_groups=[group_a, group_b])])
    result = evaluate(compiled, Change("e1", ticket(), ticket(title="x"), NOW)).rules[0]
    assert result.outcome is RuleOutcome.NOT_MATCHED
    assert "any-of group 2" in result.detail
    compiled = compile_rules([rule(any_groups=[group_a])])
    assert evaluate(compiled, Change("e1", ticket(), ticket(title="x"), NOW)).rules[0].outcome is RuleOutcome.MATCHED


# --- triggers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "fired"),
    [
        (None, {}, {"ticket_created"}),
        ({"status": "new"}, {"status": "open"}, {"status_changed", "ticket_updated"}),
        ({"status": "open"}, {"status": "resolved"}, {"status_changed", "closed_or_resolved", "ticket_updated"}),
        ({"status": "pending"}, {"status": "closed"}, {"status_changed", "closed_or_resolved", "ticket_updated"}),
        ({"status": "resolved"}, {"status": "closed"}, {"status_changed", "ticket_updated"}),
        (
            {"status": "resolved"},
            {"status": "resolved", "title": "edited"},
            {"ticket_updated"},
        ),  # an edit, not a transition
        ({}, {"assignee": {"kind": "staff", "id": "u1", "name": "T"}}, {"assignee_changed", "ticket_updated"}),
        ({}, {"team_id": "t1"}, {"team_changed", "ticket_updated"}),
        ({}, {"last_customer_reply_at": NOW}, {"customer_responded"}),
        ({}, {"last_staff_reply_at": NOW}, set()),  # a staff reply alone changes no property a rule watches
        ({}, {"tags": ["vip", "x"]}, {"ticket_updated"}),
        ({}, {"revision": 2, "updated_at": NOW}, set()),
    ],
)
def test_each_trigger_fires_on_the_change_that_makes_it(
    old: dict[str, Any] | None, new: dict[str, Any], fired: set[str]
) -> None:
    assert triggers_of(ticket(**old) if old is not None else None, ticket(**new)) == fired


def test_a_write_made_by_a_rule_fires_nothing() -> None:
    old, new = ticket(status="pending"), ticket(status="open", changed_by_rule="r1")
    assert triggers_of(old, new) == frozenset()
    compiled = compile_rules([rule(trigger="status_changed")])
    assert evaluate(compiled, Change("e1", old, new, NOW)).rules == []


def test_only_the_fired_triggers_rules_are_evaluated_and_inactive_ones_never() -> None:
    rules = [
        rule(trigger="ticket_created", position=0),
        rule(trigger="status_changed", position=1),
        rule(trigger="status_changed", position=2, active=False),
        rule(trigger="team_changed", position=3),
    ]
    evaluation = evaluate(compile_rules(rules), Change("e1", ticket(status="new"), ticket(status="open"), NOW))
    assert [result.rule_id for result in evaluation.rules] == ["r1"]
    assert evaluation.triggers == ["status_changed", "ticket_updated"]


# --- order, conflicts, "Ignore flow", stop processing ----------------------------------------------------


def status_rule(position: int, value: str, **more: Any) -> Rule:
    return rule(
        actions=[{"kind": "set_status", "value": value}, {"kind": "add_note", "body": "n"}], position=position, **more
    )


def outcomes(rules: list[Rule]) -> list[tuple[str, list[tuple[str, str]]]]:
    evaluation = evaluate(compile_rules(rules), Change("e1", ticket(), ticket(title="edited"), NOW))
    return [(r.outcome.value, [(a.outcome.value, a.reason.value) for a in r.actions]) for r in evaluation.rules]


def test_the_earlier_rule_in_order_sets_a_property_and_a_later_conflicting_action_is_skipped() -> None:
    rules = [status_rule(1, "pending"), status_rule(0, "open")]  # positions, not the list, give the order
    evaluation = evaluate(compile_rules(rules), Change("e1", ticket(), ticket(title="edited"), NOW))
    first, second = evaluation.rules
    assert (first.rule_id, second.rule_id) == ("r0", "r1")
    assert [a.outcome for a in first.actions] == [ActionOutcome.PLANNED, ActionOutcome.PLANNED]
    assert (second.actions[0].outcome, second.actions[0].reason) == (ActionOutcome.SKIPPED, SkipReason.CONFLICT)
    assert "Rule 0" in second.actions[0].detail
    assert second.actions[1].outcome is ActionOutcome.PLANNED  # a note sets nothing: never a conflict
    assert [(r.name, i, a.value) for r, i, a in planned(evaluation)] == [
        ("Rule 0", 0, "open"),
        ("Rule 0", 1, None),
        ("Rule 1", 1, None),
    ]


def test_ignore_flow_applies_a_later_rules_action_regardless_and_the_later_wins() -> None:
    rules = [
        status_rule(0, "open"),
        status_rule(1, "pending", ignore_flow=True),
        status_rule(2, "resolved", ignore_flow=True),
    ]
    evaluation = evaluate(compile_rules(rules), Change("e1", ticket(), ticket(title="edited"), NOW))
    statuses = [action.value for _, _, action in planned(evaluation) if action.kind == "set_status"]
    assert statuses == ["open", "pending", "resolved"]  # applied in order: the last ignore-flow rule's value stands


def test_tags_conflict_per_tag() -> None:
    rules = [
        rule(actions=[{"kind": "add_tags", "tags": ["VIP"]}], position=0),
        rule(actions=[{"kind": "remove_tags", "tags": ["vip"]}], position=1),
        rule(actions=[{"kind": "remove_tags", "tags": ["billing"]}], position=2),
    ]
    assert outcomes(rules) == [
        ("matched", [("planned", "")]),
        ("matched", [("skipped", "conflict")]),
        ("matched", [("planned", "")]),
    ]


def test_a_rule_that_does_not_hold_sets_nothing_and_conflicts_with_nothing() -> None:
    rules = [
        status_rule(0, "open", conditions=[{"property": "status", "operator": "equals", "value": "closed"}]),
        status_rule(1, "pending"),
    ]
    assert outcomes(rules) == [("not_matched", []), ("matched", [("planned", ""), ("planned", "")])]


def test_stop_processing_on_a_holding_rule_stops_the_rules_after_it() -> None:
    never = [{"property": "status", "operator": "equals", "value": "closed"}]
    rules = [
        status_rule(0, "open", conditions=never, stop_processing=True),  # does not hold: does not stop
        status_rule(1, "pending", stop_processing=True),
        status_rule(2, "resolved", ignore_flow=True),
    ]
    evaluation = evaluate(compile_rules(rules), Change("e1", ticket(), ticket(title="edited"), NOW))
    assert [r.outcome for r in evaluation.rules] == [RuleOutcome.NOT_MATCHED, RuleOutcome.MATCHED, RuleOutcome.STOPPED]
    stopped = evaluation.rules[2]
    assert "Rule 1" in stopped.detail
    assert stopped.conditions == []
    assert {(a.outcome, a.reason) for a in stopped.actions} == {(ActionOutcome.SKIPPED, SkipReason.STOPPED)}


def test_a_time_based_firing_evaluates_only_its_rule() -> None:
    rules = [rule(trigger="no_public_reply", position=0), rule(trigger="no_public_reply", position=1)]
    change = Change("schedule:1001:r1:5", ticket(), ticket(), NOW, fired=TriggerKind.NO_PUBLIC_REPLY, only_rule="r1")
    assert [r.rule_id for r in evaluate(compile_rules(rules), change).rules] == ["r1"]


def test_an_evaluation_serializes_without_the_rules_themselves() -> None:
    from deskless.automation_engine import as_json

    evaluation = evaluate(compile_rules([status_rule(0, "open")]), Change("e1", ticket(), ticket(title="e"), NOW))
    shape = as_json(evaluation)
    assert shape["rules"][0]["actions"][0] == {
        "index": 0,
        "kind": "set_status",
        "outcome": "planned",
        "reason": "",
        "detail": "",
    }
    assert "rule" not in shape["rules"][0]


# --- due moments --------------------------------------------------------------------------------------


def test_no_public_reply_counts_from_the_later_of_creation_and_the_customers_reply() -> None:
    compiled = compile_rules([rule(trigger="no_public_reply", rule_id="quiet")])
    created = ticket()["created_at"] * 1000
    assert due_moments(compiled, ticket()) == {"quiet": Due(created + 4 * HOUR, created, TriggerKind.NO_PUBLIC_REPLY)}
    replied = ticket(status="open", last_customer_reply_at=NOW, last_staff_reply_at=NOW - HOUR)
    assert due_moments(compiled, replied)["quiet"].basis == NOW
    assert due_moments(compiled, ticket(last_staff_reply_at=created + 1)) == {}  # answered since
    assert due_moments(compiled, ticket(status="pending")) == {}


def test_pending_for_counts_from_the_status_change_and_due_passed_from_the_due_time() -> None:
    compiled = compile_rules(
        [rule(trigger="pending_for", rule_id="p"), rule(trigger="due_passed", rule_id="d", position=1)]
    )
    pending = ticket(status="pending", status_since=NOW, due_at=NOW + HOUR)
    assert due_moments(compiled, pending) == {
        "p": Due(NOW + 3 * 86_400_000, NOW, TriggerKind.PENDING_FOR),
        "d": Due(NOW + HOUR, NOW + HOUR, TriggerKind.DUE_PASSED),
    }
    assert due_moments(compiled, ticket(status="resolved", due_at=NOW)) == {}
    assert due_moments(compiled, ticket(status="open")) == {}


def test_inactive_time_based_rules_are_never_due() -> None:
    assert due_moments(compile_rules([rule(trigger="pending_for", active=False)]), ticket(status="pending")) == {}


# --- a change's result does not depend on its batch --------------------------------------------------------

_RULES = [
    status_rule(
        0,
        "open",
        trigger="status_changed",
        conditions=[{"property": "status", "operator": "changed_to", "value": "pending"}],
    ),
    rule(
        [{"property": "tags", "operator": "contains", "value": "vip"}],
        [{"kind": "add_tags", "tags": ["seen"]}],
        position=1,
    ),
    rule(
        [{"property": "priority", "operator": "greater_than", "value": "medium"}],
        [{"kind": "set_status", "value": "pending"}],
        position=2,
        stop_processing=True,
    ),
    rule(actions=[{"kind": "remove_tags", "tags": ["seen"]}], position=3, ignore_flow=True),
    rule(trigger="ticket_created", position=4, actions=[{"kind": "set_assignee", "value": "round_robin"}]),
    rule(trigger="customer_responded", position=5, actions=[{"kind": "set_status", "value": "open"}]),
]

_moves = st.sampled_from(
    [
        {"status": "open"},
        {"status": "pending"},
        {"status": "resolved"},
        {"priority": "very_high"},
        {"priority": "low"},
        {"tags": ["vip"]},
        {"tags": []},
        {"last_customer_reply_at": 1},
        {"assignee": {"kind": "staff", "id": "u1", "name": "T"}},
        {"changed_by_rule": "r0"},
    ]
)


def _history(moves: list[dict[str, Any]]) -> list[Change]:
    current = ticket(status="new")
    made = [Change("e0", None, current, NOW)]
    for index, move in enumerate(moves, start=1):
        following = {**current, "changed_by_rule": None, **move}
        if "last_customer_reply_at" in move:
            following["last_customer_reply_at"] = index
        made.append(Change(f"e{index}", current, following, NOW + index))
        current = following
    return made


@settings(max_examples=60, deadline=None)
@given(moves=st.lists(_moves, max_size=25), cuts=st.lists(st.integers(min_value=1, max_value=26), max_size=6))
def test_a_changes_result_is_the_same_whatever_batch_it_arrives_in(
    moves: list[dict[str, Any]], cuts: list[int]
) -> None:
    history = _history(moves)
    once = compile_rules(_RULES)
    alone = [evaluate(once, change) for change in history]
    # cut the same changes into batches, the rules compiled again for each batch
    batches, start = [], 0
    for cut in sorted(set(cuts)):
        batches.append(history[start:cut])
        start = cut
    batches.append(history[start:])
    batched = []
    for batch in batches:
        compiled = compile_rules(_RULES)
        batched += [evaluate(compiled, change) for change in batch]
    assert batched == alone
    assert [planned(e) for e in batched] == [planned(e) for e in alone]
