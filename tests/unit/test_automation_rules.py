"""What a rule may say (deskless.automation_rules.problems, pure): each refused combination
names its condition or action and why; the presets are valid rules shipped inactive."""

from __future__ import annotations

from typing import Any

import pytest

from deskless.automation_rules import PRESETS, RuleContent, problems


def content(
    conditions: list[dict[str, Any]] | None = None,
    actions: list[dict[str, Any]] | None = None,
    trigger: dict[str, Any] | None = None,
    **more: Any,
) -> RuleContent:
    return RuleContent.model_validate(
        {
            "name": "A rule",
            "trigger": trigger or {"kind": "ticket_updated"},
            "conditions": conditions or [],
            "actions": actions or [{"kind": "add_note", "body": "x"}],
            **more,
        }
    )


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        (
            {"property": "title", "operator": "greater_than", "value": 3},
            "Condition 1: greater_than does not fit title (text)",
        ),
        ({"property": "status", "operator": "contains", "value": "o"}, "contains does not fit status (choice)"),
        ({"property": "tags", "operator": "changed_to", "value": "x"}, "changed_to does not fit tags (set)"),
        ({"property": "created_at", "operator": "equals", "value": "x"}, "equals does not fit created_at (time)"),
        ({"property": "title", "operator": "equals"}, "equals takes a value"),
        ({"property": "title", "operator": "equals", "value": "  "}, "equals takes a value"),
        ({"property": "title", "operator": "is_empty", "value": "x"}, "is_empty takes no value"),
        ({"property": "status", "operator": "any_of", "value": "open"}, "any_of takes a list of values"),
        ({"property": "status", "operator": "equals", "value": "opened"}, "opened is not a status"),
        ({"property": "priority", "operator": "greater_than", "value": 3}, "takes one of its levels"),
        ({"property": "impact", "operator": "less_than", "value": "huge"}, "huge is not a impact"),
        ({"property": "category_field", "operator": "greater_than", "value": "x", "field": "seats"}, "takes a number"),
        ({"property": "category_field", "operator": "equals", "value": "x"}, "category_field needs one"),
        ({"property": "title", "operator": "equals", "value": "x", "field": "seats"}, "category_field needs one"),
        ({"property": "created_at", "operator": "within_last_hours", "value": 0}, "a number of hours above 0"),
        ({"property": "title", "operator": "matches", "value": "(unclosed"}, "the pattern does not compile"),
        ({"property": "title", "operator": "matches", "value": "a" * 201}, "at most 200 characters"),
    ],
)
def test_a_condition_that_does_not_fit_is_refused_with_the_reason(condition: dict[str, Any], reason: str) -> None:
    [found] = problems(content([condition]))
    assert reason in found


@pytest.mark.parametrize("trigger", ["ticket_created", "no_public_reply", "pending_for", "due_passed"])
def test_changed_conditions_are_refused_for_triggers_that_change_nothing(trigger: str) -> None:
    numbers = {"no_public_reply": {"hours": 2}, "pending_for": {"days": 2}}.get(trigger, {})
    found = problems(content([{"property": "status", "operator": "changed"}], trigger={"kind": trigger, **numbers}))
    assert found == [f"Condition 1: changed needs a change, and the trigger {trigger} changes nothing"]


def test_a_condition_in_an_any_of_group_is_named_by_its_group() -> None:
    found = problems(
        content(
            any_groups=[
                [{"property": "title", "operator": "is_empty"}],
                [{"property": "title", "operator": "less_than", "value": 1}],
            ]
        )
    )
    assert found[0].startswith("Any-of group 2, condition 1: less_than does not fit title")


def test_a_trigger_takes_its_number_and_only_its_own() -> None:
    assert problems(content(trigger={"kind": "no_public_reply"})) == [
        "Trigger: hours are given with no_public_reply, and it needs them"
    ]
    assert problems(content(trigger={"kind": "ticket_created", "days": 2})) == [
        "Trigger: days are given with pending_for, and it needs them"
    ]


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ({"kind": "set_status"}, "Action 1: set_status needs value"),
        (
            {"kind": "set_status", "value": "merged"},
            "value of set_status is one of new, open, pending, resolved, closed",
        ),
        ({"kind": "set_priority", "value": "urgent"}, "value of set_priority is one of"),
        ({"kind": "set_status", "value": "open", "body": "x"}, "set_status takes value, not body"),
        ({"kind": "send_email", "to": "requester"}, "send_email needs template_id"),
        ({"kind": "send_email", "to": "boss", "template_id": "welcome"}, "to of send_email is one of"),
        (
            {"kind": "send_email", "to": "address", "template_id": "welcome"},
            "an address is given when sending to an address",
        ),
        ({"kind": "send_email", "to": "requester", "template_id": "welcome", "address": "a@b.co"}, "and only then"),
        (
            {"kind": "send_email", "to": "address", "template_id": "welcome", "address": "nobody"},
            "nobody is not an email",
        ),
        ({"kind": "add_tags", "tags": []}, "add_tags needs at least one tag"),
        ({"kind": "add_tags", "tags": ["a,b"]}, "no comma: a,b"),
        ({"kind": "add_note", "body": "   "}, "add_note needs some text"),
        ({"kind": "notify", "message": "hi"}, "notify needs to"),
        ({"kind": "notify", "message": "hi", "to": "requester"}, "to of notify is one of"),
        ({"kind": "webhook", "url": "http://hooks.example.com/x"}, "a webhook's address is https://"),
        ({"kind": "add_reply"}, "add_reply needs quick_reply_id"),
    ],
)
def test_an_action_without_its_parameters_or_with_others_is_refused_with_the_reason(
    action: dict[str, Any], reason: str
) -> None:
    [found] = problems(content(actions=[action]))
    assert reason in found


def test_every_reason_is_given_at_once() -> None:
    found = problems(
        content(
            [{"property": "title", "operator": "less_than", "value": 1}],
            [{"kind": "add_note", "body": "fine"}, {"kind": "set_team"}],
        )
    )
    assert [reason.split(":")[0] for reason in found] == ["Condition 1", "Action 2"]


def test_the_presets_are_valid_and_shipped_inactive() -> None:
    assert set(PRESETS) == {
        "portal-credentials",
        "reopen-on-customer-response",
        "ticket-received-email",
        "round-robin-assignment",
    }
    for preset in PRESETS.values():
        assert problems(preset) == []
        assert not preset.active
    credentials = PRESETS["portal-credentials"]
    assert credentials.trigger.kind == "ticket_created"
    assert credentials.conditions[0].model_dump(exclude_none=True) == {
        "property": "title",
        "operator": "equals",
        "value": "[Portal Credentials]",
    }
    assert credentials.actions[0].model_dump(exclude_none=True) == {
        "kind": "send_email",
        "to": "requester",
        "template_id": "portal-credentials",
    }


def test_the_portal_credentials_template_carries_the_username_and_a_new_password() -> None:
    from deskless.template_defaults import BUILT_IN, PORTAL_CREDENTIALS

    for variant in BUILT_IN[PORTAL_CREDENTIALS].variants.values():
        assert "{[Portal Username]}" in variant.body
        assert "{[Portal Password]}" in variant.body


def test_each_refusal_knows_where_its_part_is_in_the_rule() -> None:
    found = problems(
        content(
            [{"property": "title", "operator": "greater_than", "value": 3}],
            any_groups=[
                [
                    {"property": "title", "operator": "equals", "value": "x"},
                    {"property": "status", "operator": "contains", "value": "o"},
                ]
            ],
            actions=[{"kind": "add_note", "body": "x"}, {"kind": "webhook", "url": "http://example.com/hook"}],
            trigger={"kind": "no_public_reply"},
        )
    )
    assert [refusal.field for refusal in found] == ["trigger.hours", "conditions.0", "any_groups.0.1", "actions.1"]
    assert found[2].startswith("Any-of group 1, condition 2: contains does not fit status")
