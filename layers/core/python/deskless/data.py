"""Single-table data access: the only module that talks to DynamoDB.

Items go in and come out as plain dicts (numbers as int or float). Reads hide items whose
`expires_at` has passed, because DynamoDB's TTL deletes them only eventually.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from .aws import client
from .settings import get_settings
from .table import TABLE, TTL_ATTRIBUTE, Key

Item = dict[str, Any]
BATCH_GET_KEYS = 100  # DynamoDB's limit per BatchGetItem
BATCH_WRITES = 25  # DynamoDB's limit per BatchWriteItem

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class ConditionFailed(Exception):
    """A conditional write found the item not in the state it required."""


class TransactionCanceled(Exception):
    """A transaction was refused; `reasons` holds each action's cancellation code ("None" if it passed),
    `items` each action's item as its condition found it, for an action that asked (`old_if_refused`)
    and whose condition failed on an item that exists (None else)."""

    def __init__(self, reasons: list[str], items: list[Item | None] | None = None) -> None:
        super().__init__(", ".join(reasons))
        self.reasons = reasons
        self.items = [None] * len(reasons) if items is None else items


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(_storable(value)) for name, value in item.items() if value is not None}


def deserialize(image: Mapping[str, Any]) -> Item:
    return {name: _plain(_deserializer.deserialize(value)) for name, value in image.items()}


def _storable(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    if isinstance(value, set | frozenset):
        return {_storable(v) for v in value}
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return {_plain(v) for v in value}
    return value


def is_live(item: Mapping[str, Any], now: float | None = None) -> bool:
    expires_at = item.get(TTL_ATTRIBUTE)
    return expires_at is None or expires_at > (time.time() if now is None else now)


class Table:
    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def _client(self) -> Any:
        return client("dynamodb")

    def get(self, key: Key, *, consistent: bool = False) -> Item | None:
        response = self._client.get_item(TableName=self.name, Key=serialize(key), ConsistentRead=consistent)
        item = deserialize(response["Item"]) if "Item" in response else None
        return item if item is not None and is_live(item) else None

    def get_many(self, keys: Sequence[Key], *, consistent: bool = False) -> list[Item | None]:
        """Several items, in the order of `keys`: one BatchGetItem per hundred keys (its limit)."""
        wanted = [serialize(key) for key in keys]
        found: list[dict[str, Any]] = []
        for start in range(0, len(wanted), BATCH_GET_KEYS):
            chunk = wanted[start : start + BATCH_GET_KEYS]
            request: dict[str, Any] = {self.name: {"Keys": chunk, "ConsistentRead": consistent}}
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                found += response.get("Responses", {}).get(self.name, [])
                request = response.get("UnprocessedKeys") or {}
        items = [deserialize(raw) for raw in found]
        by_key = {_key_of(item): item for item in items if is_live(item)}
        return [by_key.get(_key_of(deserialize(key))) for key in wanted]

    def put(self, item: Mapping[str, Any], *, condition: Condition | None = None) -> None:
        self._write("put_item", {"Item": serialize(item)}, condition)

    def delete(self, key: Key, *, condition: Condition | None = None) -> None:
        self._write("delete_item", {"Key": serialize(key)}, condition)

    def update(
        self,
        key: Key,
        *,
        set_values: Mapping[str, Any] | None = None,
        add: Mapping[str, Any] | None = None,
        discard: Mapping[str, Any] | None = None,
        remove: Sequence[str] = (),
        condition: Condition | None = None,
        set_missing: Mapping[str, Any] | None = None,
    ) -> Item:
        """Change one item (created if missing), if the condition holds; the new item.

        `set_values` SETs attributes, `set_missing` SETs those the item does not have yet, `add`
        ADDs to numbers and sets, `discard` DELETEs elements from sets (a set left empty
        disappears), `remove` REMOVEs attributes."""
        return self._update(key, "ALL_NEW", set_values, add, discard, remove, condition, set_missing)

    def update_returning_old(
        self,
        key: Key,
        *,
        set_values: Mapping[str, Any] | None = None,
        add: Mapping[str, Any] | None = None,
        condition: Condition | None = None,
        set_missing: Mapping[str, Any] | None = None,
    ) -> Item:
        """Change one item as `update` does, and return what it held before ({} if it was created):
        for a caller that must know what its own change added, exactly, under concurrency."""
        return self._update(key, "ALL_OLD", set_values, add, None, (), condition, set_missing)

    def _update(
        self,
        key: Key,
        returning: str,
        set_values: Mapping[str, Any] | None,
        add: Mapping[str, Any] | None,
        discard: Mapping[str, Any] | None,
        remove: Sequence[str],
        condition: Condition | None,
        set_missing: Mapping[str, Any] | None,
    ) -> Item:
        changes = _update_expression(set_values, add, discard, remove, set_missing)
        request = {"Key": serialize(key), "ReturnValues": returning, **changes}
        return deserialize(self._write("update_item", request, condition).get("Attributes", {}))

    def _write(self, operation: str, request: dict[str, Any], condition: Condition | None) -> dict[str, Any]:
        try:
            return dict(getattr(self._client, operation)(TableName=self.name, **_with(request, condition)))
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConditionFailed(str(error)) from error
            raise

    def query(
        self,
        partition: str,
        *,
        index: str | None = None,
        sort_prefix: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        consistent: bool = False,
        after: str | None = None,
    ) -> list[Item]:
        """Items of one partition (of the table or an index), by sort key; strongly consistent
        reads are for the table only. `after` starts past that sort key (a page's end) in the
        order read, in place of a prefix."""
        if after is not None and sort_prefix is not None:
            raise ValueError("a query takes a sort-key prefix or a start, not both")
        return list(self._query(partition, index, sort_prefix, limit, newest_first, consistent, after))

    def _query(
        self,
        partition: str,
        index: str | None,
        sort_prefix: str | None,
        limit: int | None,
        newest_first: bool,
        consistent: bool,
        after: str | None = None,
    ) -> Iterator[Item]:
        pk, sk = (TABLE.partition_key, TABLE.sort_key) if index is None else _index_keys(index)
        past = " AND #sk < :sk" if newest_first else " AND #sk > :sk"  # `after` in the order read
        on_sort = " AND begins_with(#sk, :sk)" if sort_prefix else past if after is not None else ""
        request: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": "#pk = :pk" + on_sort,
            "ExpressionAttributeNames": {"#pk": pk, **({"#sk": sk} if on_sort else {})},
            "ExpressionAttributeValues": serialize({":pk": partition, ":sk": sort_prefix or after}),
            "ScanIndexForward": not newest_first,
            "ConsistentRead": consistent,
        }
        if index is not None:
            request["IndexName"] = index
        yielded = 0
        while True:
            if limit is not None:
                request["Limit"] = limit - yielded
            response = self._client.query(**request)
            for raw in response.get("Items", []):
                item = deserialize(raw)
                if is_live(item):
                    yielded += 1
                    yield item
            if "LastEvaluatedKey" not in response or (limit is not None and yielded >= limit):
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def write_batch(self, puts: Sequence[Mapping[str, Any]] = (), deletes: Sequence[Key] = ()) -> None:
        """Put and delete items unconditionally, 25 to a BatchWriteItem (its limit), retrying what
        DynamoDB leaves unprocessed. For derived items only (projections): no condition, no order."""
        requests = [{"PutRequest": {"Item": serialize(item)}} for item in puts]
        requests += [{"DeleteRequest": {"Key": serialize(key)}} for key in deletes]
        for start in range(0, len(requests), BATCH_WRITES):
            pending: dict[str, Any] = {self.name: requests[start : start + BATCH_WRITES]}
            while pending:
                response = self._client.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}

    def count(self, partition: str) -> int:
        """How many items one partition holds (a Query that returns only the count; DynamoDB still
        reads them, a page of 1 MB at a time)."""
        request: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": TABLE.partition_key},
            "ExpressionAttributeValues": serialize({":pk": partition}),
            "Select": "COUNT",
        }
        total = 0
        while True:
            response = self._client.query(**request)
            total += int(response.get("Count", 0))
            if "LastEvaluatedKey" not in response:
                return total
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def transact(self, actions: Sequence[Action]) -> None:
        """Write all or nothing (one request); TransactionCanceled says which action refused."""
        try:
            self._client.transact_write_items(TransactItems=[self._action(a) for a in actions])
        except ClientError as error:
            if error.response["Error"]["Code"] == "TransactionCanceledException":
                cancelled = error.response.get("CancellationReasons", [])
                reasons = [r.get("Code", "None") for r in cancelled]
                items = [deserialize(r["Item"]) if "Item" in r else None for r in cancelled]
                raise TransactionCanceled(reasons, items) from error
            raise

    def _action(self, action: Action) -> dict[str, Any]:
        return {action.kind: _with({"TableName": self.name, **action.request}, action.condition)}


@dataclass(frozen=True)
class Condition:
    """A condition expression with its placeholders: names as #name, values as :value."""

    expression: str
    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)


NEW_ITEM = Condition("attribute_not_exists(pk)")
EXISTS = Condition("attribute_exists(pk)")


def free_or_expired(now: float) -> Condition:
    """The item is absent, or its TTL has passed (DynamoDB may not have deleted it yet)."""
    return Condition("attribute_not_exists(pk) OR expires_at <= :now", values={":now": int(now)})


@dataclass(frozen=True)
class Action:
    """One write of a transaction."""

    kind: str  # Put, Delete, Update or ConditionCheck
    request: dict[str, Any]
    condition: Condition | None = None


def put_action(item: Mapping[str, Any], condition: Condition | None = None) -> Action:
    return Action("Put", {"Item": serialize(item)}, condition)


def delete_action(key: Key, condition: Condition | None = None) -> Action:
    return Action("Delete", {"Key": serialize(key)}, condition)


def update_action(
    key: Key,
    *,
    set_values: Mapping[str, Any] | None = None,
    add: Mapping[str, Any] | None = None,
    discard: Mapping[str, Any] | None = None,
    remove: Sequence[str] = (),
    condition: Condition | None = None,
    set_missing: Mapping[str, Any] | None = None,
    old_if_refused: bool = False,
) -> Action:
    """An update; with `old_if_refused`, a refusal of its condition carries the item as the
    condition found it (TransactionCanceled.items), at no extra request."""
    changes = _update_expression(set_values, add, discard, remove, set_missing)
    refused = {"ReturnValuesOnConditionCheckFailure": "ALL_OLD"} if old_if_refused else {}
    return Action("Update", {"Key": serialize(key), **changes, **refused}, condition)


def check_action(key: Key, condition: Condition) -> Action:
    return Action("ConditionCheck", {"Key": serialize(key)}, condition)


def _update_expression(
    set_values: Mapping[str, Any] | None,
    add: Mapping[str, Any] | None,
    discard: Mapping[str, Any] | None,
    remove: Sequence[str],
    set_missing: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    clauses = []
    missing = {name: (value, True) for name, value in (set_missing or {}).items()}
    setting = {**{name: (value, False) for name, value in (set_values or {}).items()}, **missing}
    verbs = (
        ("SET", setting, " = "),
        ("ADD", {name: (value, False) for name, value in (add or {}).items()}, " "),
        ("DELETE", {name: (value, False) for name, value in (discard or {}).items()}, " "),
    )
    for verb, pairs, joiner in verbs:
        parts = []
        for name, (value, only_if_missing) in pairs.items():
            placeholder = f"u{len(names)}"
            names[f"#{placeholder}"] = name
            values[f":{placeholder}"] = value
            if only_if_missing:
                parts.append(f"#{placeholder} = if_not_exists(#{placeholder}, :{placeholder})")
            else:
                parts.append(f"#{placeholder}{joiner}:{placeholder}")
        if parts:
            clauses.append(f"{verb} {', '.join(parts)}")
    removed = []
    for name in remove:
        placeholder = f"#u{len(names)}"
        names[placeholder] = name
        removed.append(placeholder)
    if removed:
        clauses.append(f"REMOVE {', '.join(removed)}")
    request: dict[str, Any] = {"UpdateExpression": " ".join(clauses), "ExpressionAttributeNames": names}
    if values:
        request["ExpressionAttributeValues"] = serialize(values)
    return request


def _with(request: dict[str, Any], condition: Condition | None) -> dict[str, Any]:
    """The request with the condition added, its placeholders merged with the request's own."""
    if condition is None:
        return request
    merged = {**request, "ConditionExpression": condition.expression}
    if condition.names:
        merged["ExpressionAttributeNames"] = {**request.get("ExpressionAttributeNames", {}), **condition.names}
    if condition.values:
        merged["ExpressionAttributeValues"] = {
            **request.get("ExpressionAttributeValues", {}),
            **serialize(condition.values),
        }
    return merged


def _key_of(item: Mapping[str, Any]) -> tuple[Any, Any]:
    return item[TABLE.partition_key], item[TABLE.sort_key]


def _index_keys(index: str) -> tuple[str, str]:
    for candidate in TABLE.indexes:
        if candidate.name == index:
            return candidate.partition_key, candidate.sort_key
    raise KeyError(index)


@cache
def table() -> Table:
    return Table(get_settings().table_name)
