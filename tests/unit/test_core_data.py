"""deskless.data: how items become DynamoDB attribute values and back, and when an item counts
as gone (TTL deletes lag, so reads hide items past `expires_at`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskless.data import deserialize, is_live, serialize


def test_a_typical_item_serializes_to_dynamodb_attribute_values() -> None:
    item = {"pk": "USER#1", "count": 3, "ratio": 0.25, "active": True, "tags": ["a", "b"], "meta": {"n": 1}}

    assert serialize(item) == {
        "pk": {"S": "USER#1"},
        "count": {"N": "3"},
        "ratio": {"N": "0.25"},
        "active": {"BOOL": True},
        "tags": {"L": [{"S": "a"}, {"S": "b"}]},
        "meta": {"M": {"n": {"N": "1"}}},
    }


def test_top_level_none_attributes_are_left_out_rather_than_stored_as_null() -> None:
    assert serialize({"pk": "X", "email": None}) == {"pk": {"S": "X"}}


def test_floats_are_stored_exactly_as_written_not_as_binary_approximations() -> None:
    assert serialize({"price": 0.1})["price"] == {"N": "0.1"}
    assert deserialize({"price": {"N": "0.1"}})["price"] == 0.1


def test_numbers_come_back_as_int_when_whole_and_float_otherwise() -> None:
    item = deserialize({"a": {"N": "42"}, "b": {"N": "2.5"}, "c": {"N": "1.0"}, "d": {"N": "-7"}})

    assert item == {"a": 42, "b": 2.5, "c": 1, "d": -7}
    assert type(item["a"]) is int
    assert type(item["b"]) is float
    assert type(item["c"]) is int


def test_nested_maps_and_lists_round_trip_with_plain_numbers() -> None:
    item = {"pk": "X", "fields": {"impact": 2, "weights": [0.5, 1.5, {"deep": 3}]}}

    assert deserialize(serialize(item)) == item
    assert not _contains_decimal(deserialize(serialize(item)))


def test_sets_round_trip_as_sets() -> None:
    item = {"cc": {"a@example.com", "b@example.com"}, "ids": {1, 2, 3}}

    stored = serialize(item)
    assert stored["cc"]["SS"]
    assert stored["ids"]["NS"]
    assert deserialize(stored) == item


def test_a_set_of_floats_round_trips() -> None:
    item = {"scores": {0.5, 1.5}}

    assert deserialize(serialize(item)) == item


def _contains_decimal(value: Any) -> bool:
    if isinstance(value, Decimal):
        return True
    if isinstance(value, dict):
        return any(_contains_decimal(v) for v in value.values())
    if isinstance(value, list | set | tuple):
        return any(_contains_decimal(v) for v in value)
    return False


json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.text(max_size=20)
    | st.integers(min_value=-(10**15), max_value=10**15)
    | st.floats(allow_nan=False, allow_infinity=False, width=32).filter(lambda f: f != int(f)),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.text(min_size=1, max_size=10), json_like, max_size=6))
def test_any_json_like_item_round_trips_except_top_level_nones(item: dict[str, Any]) -> None:
    expected = {name: value for name, value in item.items() if value is not None}

    assert deserialize(serialize(item)) == expected


NOW = 1_773_342_238


@pytest.mark.parametrize(
    ("item", "live"),
    [
        ({"pk": "X"}, True),  # never expires
        ({"pk": "X", "expires_at": NOW + 1}, True),
        ({"pk": "X", "expires_at": NOW}, False),  # the second it expires it is gone
        ({"pk": "X", "expires_at": NOW - 86_400}, False),  # past, but TTL has not deleted it yet
    ],
)
def test_an_item_is_live_until_its_expiry(item: dict[str, Any], live: bool) -> None:
    assert is_live(item, now=NOW) is live
