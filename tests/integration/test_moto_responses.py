"""DynamoDB's responses in local mode (local.moto_responses): item values written directly give the
bytes moto's walk of the model gives, value for value and response for response."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.core.serialize import JSONSerializer, XFormedAttributePicker
from moto.core.utils import get_service_model

from local import moto_responses
from local.services import table_request
from tests.conftest import LocalAws

S = dict[str, Any]

VALUES: list[Any] = [
    {"S": "text"},
    {"S": ""},
    {"S": 'ünïcødé "quoted" \\ / \n'},
    {"N": "42"},
    {"N": "-0.000123"},
    {"B": b"\x00\x01binary\xff"},
    {"B": "c3RyaW5n"},  # a base64 string, as stream records carry them
    {"SS": ["a", "b", ""]},
    {"NS": ["1", "2.5"]},
    {"BS": [b"\x00", b"\xff\xfe", "c3Ry"]},
    {"M": {"name": {"S": "x"}, "inner": {"M": {"deep": {"L": [{"N": "1"}, {"NULL": True}]}}}}},
    {"M": {}},
    {"L": [{"S": "a"}, {"BOOL": False}, {"M": {"k": {"B": b"\x01"}}}, {"SS": ["z"]}]},
    {"L": []},
    {"NULL": True},
    {"BOOL": True},
    {"BOOL": False},
    # values the direct path leaves to moto's walk
    {},
    {"S": "two", "N": "members"},
    {"S": None},
    {"X": "not in the model"},
    {"M": {"bad": {"S": "a", "N": "1"}}},
    {"L": [{"S": "a"}, None]},
    {"M": {"gone": None}},
    "not a dict",
]


def serialized(serializer: type[JSONSerializer], service: str, operation: str, result: Any) -> Any:
    """The response moto's ActionResult writes for `result`, with this serializer class."""
    model = get_service_model(service).operation_model(operation)
    return serializer(operation_model=model, value_picker=XFormedAttributePicker()).serialize(result)


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_value_is_written_as_motos_walk_writes_it(value: Any) -> None:
    for service, operation, result in (
        ("dynamodb", "GetItem", {"Item": {"pk": {"S": "A"}, "value": value}}),
        ("dynamodb", "Query", {"Items": [{"value": value}, {"other": value}], "Count": 2, "ScannedCount": 2}),
        (
            "dynamodbstreams",
            "GetRecords",
            {"Records": [{"eventName": "MODIFY", "dynamodb": {"NewImage": {"v": value}}}]},
        ),
    ):
        assert serialized(moto_responses.DirectAttributeValues, service, operation, result) == serialized(
            JSONSerializer, service, operation, result
        )


@pytest.fixture
def moto_response() -> Iterator[Callable[[moto_responses.Mode], None]]:
    """Switches how moto writes DynamoDB's responses for one test; back to local mode's default after it."""
    yield moto_responses.use
    moto_responses.use("direct")


def answers(aws: LocalAws, table: str) -> list[Any]:
    """What the item-carrying operations answer on a new table, and its stream's records."""
    dynamodb = aws.client("dynamodb")
    dynamodb.create_table(**table_request(table))
    item = {
        "pk": {"S": "A"},
        "sk": {"S": "ITEM"},
        "gsi1pk": {"S": "G"},
        "gsi1sk": {"S": "1"},
        "number": {"N": "12.5"},
        "blob": {"B": b"\x00\xff"},
        "tags": {"SS": ["x", "y"]},
        "nested": {"M": {"list": {"L": [{"S": "a"}, {"N": "1"}, {"NULL": True}, {"BOOL": False}]}}},
    }
    key = {"pk": {"S": "A"}, "sk": {"S": "ITEM"}}
    calls: list[tuple[str, S]] = [
        ("put_item", {"Item": item}),
        ("put_item", {"Item": item | {"number": {"N": "13"}}, "ReturnValues": "ALL_OLD"}),
        ("get_item", {"Key": key}),
        ("get_item", {"Key": key, "ProjectionExpression": "nested.list[0], tags"}),
        ("query", {"KeyConditionExpression": "pk = :a", "ExpressionAttributeValues": {":a": {"S": "A"}}}),
        (
            "query",
            {
                "IndexName": "gsi1",
                "KeyConditionExpression": "gsi1pk = :g",
                "ExpressionAttributeValues": {":g": {"S": "G"}},
            },
        ),
        ("scan", {}),
        (
            "update_item",
            {
                "Key": key,
                "UpdateExpression": "SET extra = :e",
                "ExpressionAttributeValues": {":e": {"BS": [b"\x01"]}},
                "ReturnValues": "ALL_NEW",
            },
        ),
        (
            "transact_write_items",
            {
                "TransactItems": [
                    {
                        "ConditionCheck": {
                            "TableName": table,
                            "Key": key,
                            "ConditionExpression": "attribute_not_exists(pk)",
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    }
                ]
            },
        ),
        ("delete_item", {"Key": key, "ReturnValues": "ALL_OLD"}),
        ("get_item", {"Key": key}),
    ]
    found: list[Any] = []
    for operation, request in calls:
        arguments = request if operation == "transact_write_items" else {"TableName": table, **request}
        try:
            response = getattr(dynamodb, operation)(**arguments)
        except ClientError as error:
            response = error.response
        response.pop("ResponseMetadata")
        found.append(response)
    found.append(
        dynamodb.batch_get_item(RequestItems={table: {"Keys": [key, {"pk": {"S": "B"}, "sk": {"S": "X"}}]}})[
            "Responses"
        ]
    )
    streams = aws.client("dynamodbstreams")
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    for record in streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]:
        found.append({k: v for k, v in record["dynamodb"].items() if k not in VARYING})
    dynamodb.delete_table(TableName=table)
    return found


VARYING = ("ApproximateCreationDateTime", "SizeBytes", "SequenceNumber")  # of a stream record


def test_the_item_carrying_operations_answer_alike(aws: LocalAws, moto_response: Any) -> None:
    results = {}
    for mode in ("moto", "direct"):
        moto_response(mode)
        results[mode] = answers(aws, "items")

    assert results["direct"] == results["moto"]
    assert len(results["direct"]) == 12 + 4  # every call, and the four stream records
