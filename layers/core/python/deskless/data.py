"""Single-table data access: the only module that talks to DynamoDB.

Items go in and come out as plain dicts (numbers as int or float). Reads hide items whose
`expires_at` has passed, because DynamoDB's TTL deletes them only eventually.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from functools import cache
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from .aws import client
from .settings import get_settings
from .table import GSI1, TABLE, TTL_ATTRIBUTE, Key

Item = dict[str, Any]

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class ConditionFailed(Exception):
    """A conditional write found the item not in the state it required."""


class TransactionCanceled(Exception):
    """A transaction was refused; `reasons` holds each action's cancellation code ("None" if it passed)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(", ".join(reasons))
        self.reasons = reasons


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

    def put(
        self, item: Mapping[str, Any], *, condition: str | None = None, values: Mapping[str, Any] | None = None
    ) -> None:
        request: dict[str, Any] = {"TableName": self.name, "Item": serialize(item)}
        _add_condition(request, condition, values)
        try:
            self._client.put_item(**request)
        except ClientError as error:
            raise _translated(error) from error

    def delete(self, key: Key, *, condition: str | None = None, values: Mapping[str, Any] | None = None) -> None:
        request: dict[str, Any] = {"TableName": self.name, "Key": serialize(key)}
        _add_condition(request, condition, values)
        try:
            self._client.delete_item(**request)
        except ClientError as error:
            raise _translated(error) from error

    def query(
        self,
        partition: str,
        *,
        index: str | None = None,
        sort_prefix: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[Item]:
        return list(self._query(partition, index, sort_prefix, limit, newest_first))

    def _query(
        self, partition: str, index: str | None, sort_prefix: str | None, limit: int | None, newest_first: bool
    ) -> Iterator[Item]:
        pk, sk = (TABLE.partition_key, TABLE.sort_key) if index is None else _index_keys(index)
        request: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": "#pk = :pk" + (" AND begins_with(#sk, :sk)" if sort_prefix else ""),
            "ExpressionAttributeNames": {"#pk": pk, **({"#sk": sk} if sort_prefix else {})},
            "ExpressionAttributeValues": serialize({":pk": partition, ":sk": sort_prefix}),
            "ScanIndexForward": not newest_first,
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

    def transact(self, actions: Sequence[Mapping[str, Any]]) -> None:
        """Write all or nothing. Each action is one of put/delete/condition, see the helpers below."""
        try:
            self._client.transact_write_items(TransactItems=[self._action(a) for a in actions])
        except ClientError as error:
            if error.response["Error"]["Code"] == "TransactionCanceledException":
                reasons = [r.get("Code", "None") for r in error.response.get("CancellationReasons", [])]
                raise TransactionCanceled(reasons) from error
            raise

    def _action(self, action: Mapping[str, Any]) -> dict[str, Any]:
        kind, body = next(iter(action.items()))
        request: dict[str, Any] = {"TableName": self.name}
        if kind == "Put":
            request["Item"] = serialize(body["item"])
        else:
            request["Key"] = serialize(body["key"])
        _add_condition(request, body.get("condition"), body.get("values"))
        return {kind: request}


def put_action(
    item: Mapping[str, Any], condition: str | None = None, values: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    return {"Put": {"item": item, "condition": condition, "values": values}}


def delete_action(key: Key, condition: str | None = None, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"Delete": {"key": key, "condition": condition, "values": values}}


NEW_ITEM = "attribute_not_exists(pk)"


def _add_condition(request: dict[str, Any], condition: str | None, values: Mapping[str, Any] | None) -> None:
    if condition:
        request["ConditionExpression"] = condition
        if values:
            request["ExpressionAttributeValues"] = serialize(values)


def _translated(error: ClientError) -> Exception:
    if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
        return ConditionFailed(str(error))
    return error  # type: ignore[no-any-return]  # botocore is untyped


def _index_keys(index: str) -> tuple[str, str]:
    for candidate in TABLE.indexes:
        if candidate.name == index:
            return candidate.partition_key, candidate.sort_key
    raise KeyError(index)


@cache
def table() -> Table:
    return Table(get_settings().table_name)


__all__ = ["GSI1", "ConditionFailed", "Item", "Table", "TransactionCanceled", "table"]
