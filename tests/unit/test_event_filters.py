"""Lambda event filtering as the local stream poller applies it: the same patterns the CDK app
gives the event source mappings must let the same records through."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskless.catalog import STREAM_SUBSCRIPTIONS
from deskless.table import Entity
from functions.events import reactions
from functions.events import tickets as ticket_reactions
from local.streams import InvalidPattern, matches, matches_any, stream_record, validate_pattern

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/deskless/stream/2026-01-01T00:00:00.000"


def record(event_name: str = "INSERT", **fields: Any) -> dict[str, Any]:
    base = {"eventName": event_name, "dynamodb": {"NewImage": {"type": {"S": "connection"}}}}
    return base | fields


# Values and equality


@pytest.mark.parametrize(
    ("rules", "value", "expected"),
    [
        (["INSERT"], "INSERT", True),
        (["INSERT", "MODIFY"], "MODIFY", True),
        (["INSERT"], "REMOVE", False),
        (["insert"], "INSERT", False),  # equality is case-sensitive
        ([5], 5, True),
        ([5], 5.0, True),  # numbers compare as numbers
        ([5], "5", False),  # a string is not a number
        (["5"], 5, False),
        ([True], True, True),
        ([1], True, False),  # a boolean is not a number
        ([None], None, True),
        ([None], "", False),
        ([""], "", True),  # empty string
        ([""], None, False),
    ],
)
def test_values_match_by_type_and_equality(rules, value, expected):
    assert matches({"field": rules}, {"field": value}) is expected


def test_a_value_rule_does_not_match_a_missing_field():
    assert not matches({"field": [None]}, {})
    assert not matches({"field": ["x"]}, {"other": "x"})


def test_an_array_field_matches_if_any_element_matches():
    assert matches({"tags": ["b"]}, {"tags": ["a", "b"]})
    assert not matches({"tags": ["c"]}, {"tags": ["a", "b"]})


# Operators


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        ({"prefix": "CONN#"}, "CONN#abc", True),
        ({"prefix": "CONN#"}, "USER#abc", False),
        ({"prefix": "CONN#"}, 5, False),
        ({"prefix": {"equals-ignore-case": "conn#"}}, "CONN#abc", True),
        ({"suffix": ".png"}, "logo.png", True),
        ({"suffix": ".png"}, "logo.jpg", False),
        ({"suffix": {"equals-ignore-case": ".PNG"}}, "logo.png", True),
        ({"equals-ignore-case": "connection"}, "CONNECTION", True),
        ({"equals-ignore-case": "connection"}, "connections", False),
        ({"anything-but": ["REMOVE"]}, "INSERT", True),
        ({"anything-but": ["REMOVE"]}, "REMOVE", False),
        ({"anything-but": "REMOVE"}, "REMOVE", False),
        ({"anything-but": [1, 2]}, 3, True),
        ({"anything-but": [1, 2]}, 2.0, False),
        ({"anything-but": {"prefix": "CONN#"}}, "USER#1", True),
        ({"anything-but": {"prefix": "CONN#"}}, "CONN#1", False),
        ({"anything-but": {"suffix": "#x"}}, "a#x", False),
        ({"anything-but": {"equals-ignore-case": "remove"}}, "REMOVE", False),
        ({"numeric": [">", 0, "<=", 5]}, 5, True),
        ({"numeric": [">", 0, "<=", 5]}, 0, False),
        ({"numeric": [">", 0, "<=", 5]}, 5.5, False),
        ({"numeric": ["=", 100]}, 100.0, True),
        ({"numeric": [">=", 10]}, 10, True),
        ({"numeric": ["<", 10]}, "9", False),  # DynamoDB's "N" values are strings: no numeric match
    ],
)
def test_operators(rule, value, expected):
    assert matches({"field": [rule]}, {"field": value}) is expected


@pytest.mark.parametrize(
    ("exists", "event", "expected"),
    [
        (True, {"field": "x"}, True),
        (True, {"field": None}, True),
        (True, {}, False),
        (False, {}, True),
        (False, {"field": "x"}, False),
        (True, {"field": {"nested": 1}}, False),  # exists looks at leaves only
        (False, {"field": {"nested": 1}}, True),
    ],
)
def test_exists(exists, event, expected):
    assert matches({"field": [{"exists": exists}]}, event) is expected


def test_anything_but_needs_the_field():
    assert not matches({"field": [{"anything-but": ["x"]}]}, {})


def test_rules_of_one_field_are_alternatives():
    pattern = {"field": ["a", {"prefix": "b"}, {"exists": False}]}
    assert matches(pattern, {"field": "a"})
    assert matches(pattern, {"field": "bee"})
    assert matches(pattern, {})
    assert not matches(pattern, {"field": "c"})


# Structure: nesting, AND within a pattern, OR across filters


def test_nested_objects_match_nested_fields():
    pattern = {"dynamodb": {"NewImage": {"type": {"S": ["connection"]}}}}
    assert matches(pattern, record())
    assert not matches(pattern, {"dynamodb": {"NewImage": {"type": {"S": "user"}}}})
    assert not matches(pattern, {"dynamodb": {"OldImage": {"type": {"S": "connection"}}}})
    assert not matches(pattern, {"dynamodb": "not an object"})


def test_a_missing_parent_only_satisfies_does_not_exist():
    assert matches({"dynamodb": {"OldImage": [{"exists": False}]}}, {"eventName": "INSERT"})
    assert not matches({"dynamodb": {"OldImage": {"type": {"S": [{"exists": True}]}}}}, {"eventName": "INSERT"})


def test_every_key_of_a_pattern_must_match():
    pattern = {"eventName": ["REMOVE"], "dynamodb": {"NewImage": {"type": {"S": ["connection"]}}}}
    assert not matches(pattern, record("INSERT"))
    assert matches(pattern, record("REMOVE"))


def test_a_record_passes_if_any_filter_matches():
    filters = [{"eventName": ["INSERT"]}, {"eventName": ["REMOVE"]}]
    assert matches_any(filters, record("INSERT"))
    assert matches_any(filters, record("REMOVE"))
    assert not matches_any(filters, record("MODIFY"))


def test_no_filters_let_every_record_through():
    assert matches_any([], record("MODIFY"))


def test_user_identity_can_be_filtered_on():
    ttl = stream_record(
        "REMOVE",
        keys={"pk": {"S": "a"}},
        old_image={"pk": {"S": "a"}},
        sequence_number="1",
        stream_arn=ARN,
        ttl_delete=True,
    )
    normal = stream_record("REMOVE", keys={"pk": {"S": "a"}}, sequence_number="2", stream_arn=ARN)
    pattern = {"userIdentity": {"type": ["Service"], "principalId": ["dynamodb.amazonaws.com"]}}
    assert matches(pattern, ttl)
    assert not matches(pattern, normal)


def test_the_catalog_filters_pass_a_connection_removal_and_nothing_else():
    (events,) = [s for s in STREAM_SUBSCRIPTIONS if s.mapping == "events"]
    image = {"pk": {"S": "CONN#1"}, "sk": {"S": "CONNECTION"}, "type": {"S": "connection"}}
    keys = {"pk": image["pk"], "sk": image["sk"]}
    removed = stream_record("REMOVE", keys=keys, old_image=image, sequence_number="1", stream_arn=ARN)
    inserted = stream_record("INSERT", keys=keys, new_image=image, sequence_number="2", stream_arn=ARN)
    user = {**image, "type": {"S": "user"}}
    other = stream_record("REMOVE", keys=keys, old_image=user, sequence_number="3", stream_arn=ARN)
    assert matches_any(events.filters, removed)
    assert not matches_any(events.filters, inserted)
    assert not matches_any(events.filters, other)


# What each kind of record reaches: the events function's one mapping (five filters merging type
# lists), and the automation function's (every version of a ticket).


def _image(entity: Entity, **values: Any) -> dict[str, Any]:
    return {"pk": {"S": "X#1"}, "sk": {"S": "X"}, "type": {"S": entity.value}, **values}


def _change(event_name: str, entity: Entity, **values: Any) -> dict[str, Any]:
    image = _image(entity, **values)
    keys = {"pk": image["pk"], "sk": image["sk"]}
    if event_name == "REMOVE":
        return stream_record(event_name, keys=keys, sequence_number="1", stream_arn=ARN, old_image=image)
    return stream_record(event_name, keys=keys, sequence_number="1", stream_arn=ARN, new_image=image)


def readers_of(record: dict[str, Any]) -> set[str]:
    return {s.mapping for s in STREAM_SUBSCRIPTIONS if matches_any(s.filters, record)}


@pytest.mark.parametrize(
    ("record", "readers"),
    [
        (_change("REMOVE", Entity.CONNECTION), {"events"}),
        (_change("REMOVE", Entity.CODE), {"events"}),
        (_change("REMOVE", Entity.QUEUE_ENTRY), {"events"}),
        (_change("REMOVE", Entity.TICKET_TIMER), {"events"}),
        (_change("REMOVE", Entity.KB_DRAFT), {"events"}),
        (_change("REMOVE", Entity.ARTICLE_VARIANT), {"events"}),
        (_change("INSERT", Entity.ARTICLE_VARIANT), {"events"}),
        (_change("MODIFY", Entity.ARTICLE_VARIANT), {"events"}),
        (_change("INSERT", Entity.SESSION), {"events"}),
        (_change("INSERT", Entity.CHAT_REQUEST), {"events"}),
        (_change("MODIFY", Entity.CHAT_REQUEST, state={"S": "accepted"}), {"events"}),
        (_change("MODIFY", Entity.CHAT_REQUEST, state={"S": "waiting"}), set()),
        (_change("INSERT", Entity.CONTACT, welcome_requested={"BOOL": True}), {"events"}),
        (_change("INSERT", Entity.CONTACT, welcome_requested={"BOOL": False}), set()),
        (_change("INSERT", Entity.RESET_REQUEST, contact_id={"S": "c1"}), {"events"}),
        (_change("INSERT", Entity.RESET_REQUEST), {"events"}),  # the events code ignores it (below)
        (_change("INSERT", Entity.TICKET_ENTRY, kind={"S": "reply"}), {"events"}),
        (_change("INSERT", Entity.TICKET_ENTRY, kind={"S": "note"}), {"events"}),  # ignored by the code
        (_change("INSERT", Entity.TICKET), {"events", "automation"}),
        (_change("MODIFY", Entity.TICKET), {"events", "automation"}),
        (_change("REMOVE", Entity.TICKET), set()),
        (_change("INSERT", Entity.TICKET_LISTING), set()),
        (_change("INSERT", Entity.USER), set()),
        (_change("MODIFY", Entity.SESSION), set()),
    ],
    ids=lambda value: (
        f"{value['eventName']}-{value['dynamodb'].get('NewImage', value['dynamodb'].get('OldImage'))['type']['S']}"
        if isinstance(value, dict)
        else None
    ),
)
def test_each_kind_of_record_reaches_the_functions_that_react_to_it(record, readers):
    assert readers_of(record) == readers


def test_the_stream_has_two_readers_the_events_mapping_keeping_its_name():
    assert [s.mapping for s in STREAM_SUBSCRIPTIONS] == ["events", "automation"]


def test_a_reset_request_for_an_address_no_contact_has_sends_nothing(monkeypatch):
    sent: list[Any] = []

    def send(item: Any) -> bool:
        sent.append(item)
        return True

    monkeypatch.setattr(reactions, "send_requested_reset", send)

    reactions.reset_asked_for({"type": "reset_request", "pk": "RESET#1", "sk": "RESET"})
    reactions.reset_asked_for({"type": "reset_request", "pk": "RESET#2", "sk": "RESET", "contact_id": "c1"})

    assert [item["pk"] for item in sent] == ["RESET#2"]


@pytest.mark.parametrize("kind", ["note", "event"])
def test_a_ticket_entry_that_is_not_a_public_reply_tells_nobody(monkeypatch, kind):
    looked_up: list[int] = []
    monkeypatch.setattr(ticket_reactions, "ticket_of", lambda number: looked_up.append(number))
    entry = {
        "type": "ticket_entry",
        "number": 1001,
        "id": "e1",
        "at": 1,
        "kind": kind,
        "author": {"kind": "staff", "id": "u1", "name": "Ted"},
    }

    ticket_reactions.reply_added(entry)

    assert looked_up == []


# Patterns Lambda would refuse


@pytest.mark.parametrize(
    "pattern",
    [
        {},
        {"field": "INSERT"},  # a leaf is a list
        {"field": []},
        {"field": [{"prefix": 1}]},
        {"field": [{"exists": "yes"}]},
        {"field": [{"numeric": [">", "1"]}]},
        {"field": [{"numeric": ["<", 5, ">", 1]}]},
        {"field": [{"numeric": [">", 5, "<", 1]}]},
        {"field": [{"wildcard": "*"}]},
        {"field": [{"prefix": "a", "suffix": "b"}]},
        {"field": [{"anything-but": []}]},
        {"field": [{"anything-but": {"numeric": [">", 1]}}]},
        {"field": [["nested list"]]},
    ],
)
def test_invalid_patterns_are_refused(pattern):
    with pytest.raises(InvalidPattern):
        validate_pattern(pattern)


def test_the_catalog_patterns_are_valid():
    for subscription in STREAM_SUBSCRIPTIONS:
        for pattern in subscription.filters:
            validate_pattern(pattern)


# Properties

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=12),
)
names = st.text(alphabet="abcdefgh", min_size=1, max_size=4)
documents = st.recursive(
    scalars, lambda children: st.dictionaries(names, children, min_size=1, max_size=4), max_leaves=12
).filter(lambda d: isinstance(d, dict))


def pattern_of(document: dict[str, Any]) -> dict[str, Any]:
    """The pattern that asks for exactly this document's values."""
    return {k: pattern_of(v) if isinstance(v, dict) else [v] for k, v in document.items()}


@given(documents)
@settings(suppress_health_check=[HealthCheck.too_slow])  # generation speed is the machine's, not the filter's
def test_a_document_matches_the_pattern_made_of_its_own_values(document):
    assert matches(pattern_of(document), document)


@given(documents, names, scalars)
def test_a_pattern_asking_for_a_field_the_document_lacks_does_not_match(document, name, value):
    if name in document:
        return
    assert not matches({**pattern_of(document), name: [value]}, document)
    assert matches({**pattern_of(document), name: [{"exists": False}]}, document)


@given(scalars)
def test_anything_but_a_value_never_matches_that_value(value):
    if value is None or isinstance(value, bool):
        return  # anything-but takes strings and numbers
    assert not matches({"f": [{"anything-but": [value]}]}, {"f": value})


@given(st.text(max_size=8), st.text(max_size=8))
def test_prefix_and_suffix_agree_with_python(start, rest):
    assert matches({"f": [{"prefix": start}]}, {"f": start + rest})
    assert matches({"f": [{"suffix": rest}]}, {"f": start + rest})
    assert matches({"f": [{"prefix": rest}]}, {"f": start}) is start.startswith(rest)


@given(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=False, allow_infinity=False),
)
def test_numeric_ranges_agree_with_python(value, low, high):
    if not low < high:
        return
    assert matches({"f": [{"numeric": [">", low, "<=", high]}]}, {"f": value}) is (low < value <= high)
    assert matches({"f": [{"numeric": [">=", low, "<", high]}]}, {"f": value}) is (low <= value < high)


@given(
    st.lists(st.sampled_from(["INSERT", "MODIFY", "REMOVE"]), max_size=3),
    st.sampled_from(["INSERT", "MODIFY", "REMOVE"]),
)
def test_filters_are_alternatives(allowed, event_name):
    filters = [{"eventName": [name]} for name in allowed]
    expected = not allowed or event_name in allowed
    assert matches_any(filters, {"eventName": event_name}) is expected
