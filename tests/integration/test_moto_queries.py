"""Query in local mode (local.moto_queries): the same queries under moto's own Query and under the
partition read give the same answers, page for page, and a table query no longer lists the
whole table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

from local import moto_queries
from local.services import ACCOUNT, REGION, table_request
from tests.conftest import LocalAws

S = dict[str, Any]


@pytest.fixture
def moto_query() -> Iterator[Callable[[moto_queries.Mode], None]]:
    """Switches how moto answers Query (local.moto_queries) for one test; back to the partition
    read, local mode's default, after it."""
    yield moto_queries.use
    moto_queries.use("partition")


def seed(dynamodb: Any, table: str) -> None:
    """Partitions of several items; GSI entries that tie on their sort key, and items with only half
    an index key (not in the index); written out of order."""
    rows: list[tuple[str, str, S]] = [
        ("TECH#2", "CODE#200", {"gsi1pk": "CODES", "gsi1sk": "2026-01-02"}),
        ("TECH#1", "PROFILE", {"gsi1pk": "STAFF", "gsi1sk": "Alice"}),
        ("TECH#1", "CODE#101", {"gsi1pk": "CODES", "gsi1sk": "2026-01-01"}),
        ("TECH#1", "CODE#100", {"gsi1pk": "CODES", "gsi1sk": "2026-01-02"}),
        ("TECH#1", "MSG#0003", {"text": "third", "seen": "yes"}),
        ("TECH#1", "MSG#0001", {"text": "first", "seen": "no"}),
        ("TECH#1", "MSG#0002", {"text": "second", "seen": "yes"}),
        ("TECH#1", "PART#visitor", {"gsi1pk": "CODES"}),  # no gsi1sk: not in the index
        ("TECH#2", "PROFILE", {"gsi1pk": "STAFF", "gsi1sk": "Bob"}),
        ("TECH#3", "PROFILE", {"gsi1pk": "STAFF", "gsi1sk": "Alice"}),  # ties with TECH#1's
        ("COUNTER", "ITEM", {"n": "7"}),
    ]
    for n in range(12):
        rows.append(("SESSION#1", f"MSG#{n:04}", {"text": f"message {n}", "gsi1pk": "SESSIONS", "gsi1sk": f"{n % 4}"}))
    for pk, sk, extra in rows:
        attributes = {name: ({"N": value} if name == "n" else {"S": value}) for name, value in extra.items()}
        dynamodb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": sk}, **attributes})


def partition(pk: str, *, prefix: str | None = None, index: str | None = None, **request: Any) -> S:
    """A Query of one partition (of the table or GSI1), as deskless.data writes one."""
    keys = ("gsi1pk", "gsi1sk") if index else ("pk", "sk")
    condition = "#pk = :pk" + (" AND begins_with(#sk, :sk)" if prefix is not None else "")
    values: S = {":pk": {"S": pk}} | ({":sk": {"S": prefix}} if prefix is not None else {})
    query: S = {
        "KeyConditionExpression": condition,
        "ExpressionAttributeNames": {"#pk": keys[0]} | ({"#sk": keys[1]} if prefix is not None else {}),
        "ExpressionAttributeValues": values,
    }
    if index:
        query["IndexName"] = index
    return query | request


QUERIES: list[S] = [
    partition("TECH#1"),
    partition("TECH#1", ConsistentRead=True),
    partition("TECH#1", prefix="MSG#"),
    partition("TECH#1", prefix="MSG#", ScanIndexForward=False),
    partition("TECH#1", prefix="MSG#", Limit=2),
    partition("TECH#1", prefix="MSG#", Limit=2, ScanIndexForward=False),
    partition("TECH#1", prefix="NOTHING#"),
    partition("TECH#9"),
    partition("SESSION#1", prefix="MSG#", Limit=5),
    partition("SESSION#1", prefix="MSG#", Limit=5, ScanIndexForward=False, ProjectionExpression="sk, #t")
    | {"ExpressionAttributeNames": {"#pk": "pk", "#sk": "sk", "#t": "text"}},
    partition("TECH#1", FilterExpression="seen = :yes", Limit=2)
    | {"ExpressionAttributeValues": {":pk": {"S": "TECH#1"}, ":yes": {"S": "yes"}}},
    partition("TECH#1", Select="COUNT"),
    {
        "KeyConditionExpression": "pk = :pk AND sk BETWEEN :a AND :b",
        "ExpressionAttributeValues": {":pk": {"S": "TECH#1"}, ":a": {"S": "CODE#100"}, ":b": {"S": "MSG#0002"}},
    },
    {
        "KeyConditionExpression": "pk = :pk AND sk > :a",
        "ExpressionAttributeValues": {":pk": {"S": "TECH#1"}, ":a": {"S": "MSG#0001"}},
        "Limit": 1,
    },
    partition("COUNTER"),
    partition("STAFF", index="gsi1"),
    partition("STAFF", index="gsi1", ScanIndexForward=False),
    partition("STAFF", index="gsi1", Limit=1),
    partition("STAFF", index="gsi1", prefix="Ali"),
    partition("CODES", index="gsi1", Limit=1, ScanIndexForward=False),
    partition("SESSIONS", index="gsi1", Limit=5),
    partition("SESSIONS", index="gsi1", Limit=3, ScanIndexForward=False),
    partition("SESSIONS", index="gsi1", FilterExpression="begins_with(#t, :m)", Limit=4)
    | {
        "ExpressionAttributeNames": {"#pk": "gsi1pk", "#t": "text"},
        "ExpressionAttributeValues": {":pk": {"S": "SESSIONS"}, ":m": {"S": "message 1"}},
    },
    partition("NOBODY", index="gsi1"),
    partition("STAFF", index="gsi1", ConsistentRead=True),  # refused on a GSI
    partition("STAFF", index="gsi9"),  # no such index
]


def pages(dynamodb: Any, table: str, query: S) -> list[S]:
    """Every page of a query's answer (or its error), following LastEvaluatedKey to the end."""
    answers: list[S] = []
    request = {"TableName": table, **query}
    while True:
        try:
            response = dynamodb.query(**request)
        except ClientError as error:
            return [*answers, {"error": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}]
        response.pop("ResponseMetadata")
        answers.append(response)
        if "LastEvaluatedKey" not in response:
            return answers
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def test_the_partition_read_answers_what_motos_query_answers(aws: LocalAws, moto_query: Any) -> None:
    # The same queries on the same items, table and GSI, paged to the end: moto's own, then local mode's
    dynamodb = aws.client("dynamodb")
    seed(dynamodb, aws.names.table)
    answers = {}
    for mode in ("moto", "partition"):
        moto_query(mode)
        answers[mode] = [pages(dynamodb, aws.names.table, query) for query in QUERIES]

    assert answers["partition"] == answers["moto"]
    # and the script means what it says: several pages, items found, errors met
    flat = [page for answer in answers["partition"] for page in answer]
    assert sum("LastEvaluatedKey" in page for page in flat) >= 10
    assert sum(len(page.get("Items", [])) for page in flat) >= 60
    assert {page.get("error") for page in flat} >= {None, "ValidationException"}


def test_a_table_without_a_sort_key_answers_alike(aws: LocalAws, moto_query: Any) -> None:
    dynamodb = aws.client("dynamodb")
    request = table_request("plain")
    request["KeySchema"] = [{"AttributeName": "pk", "KeyType": "HASH"}]
    request["AttributeDefinitions"] = [a for a in request["AttributeDefinitions"] if a["AttributeName"] != "sk"]
    dynamodb.create_table(**request)
    for n in range(5):
        dynamodb.put_item(TableName="plain", Item={"pk": {"S": f"K{n}"}, "gsi1pk": {"S": "ALL"}, "gsi1sk": {"S": "x"}})
    queries = [partition("K3"), partition("K9"), partition("ALL", index="gsi1", Limit=2)]
    answers = {}
    for mode in ("moto", "partition"):
        moto_query(mode)
        answers[mode] = [pages(dynamodb, "plain", query) for query in queries]

    assert answers["partition"] == answers["moto"]
    assert [len(answer) for answer in answers["partition"]] == [1, 1, 3]


def test_a_table_query_reads_its_partition_not_the_whole_table(aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a table with several partitions, which moto could only list whole
    dynamodb = aws.client("dynamodb")
    seed(dynamodb, aws.names.table)
    monkeypatch.setattr(Table, "all_items", lambda self: pytest.fail("the whole table was listed"))
    # When one partition is queried, forward and back, then the index
    forward = pages(dynamodb, aws.names.table, partition("TECH#1", prefix="MSG#"))
    backward = pages(dynamodb, aws.names.table, partition("SESSION#1", Limit=5, ScanIndexForward=False))
    staff = pages(dynamodb, aws.names.table, partition("STAFF", index="gsi1"))
    # Then the answers came without it
    assert [item["sk"]["S"] for item in forward[0]["Items"]] == ["MSG#0001", "MSG#0002", "MSG#0003"]
    assert [item["sk"]["S"] for item in backward[0]["Items"]] == [f"MSG#{n:04}" for n in range(11, 6, -1)]
    assert [(item["gsi1sk"]["S"], item["pk"]["S"]) for item in staff[0]["Items"]] == [
        ("Alice", "TECH#1"),
        ("Alice", "TECH#3"),
        ("Bob", "TECH#2"),
    ]


def test_moto_still_reads_the_table_through_all_items(aws: LocalAws) -> None:
    """If this fails, moto's Table.query no longer starts from all_items(), which is what
    local.moto_queries narrows (it was written against moto 5.2.5): read moto's Table.query again."""
    dynamodb = aws.client("dynamodb")
    seed(dynamodb, aws.names.table)
    table = dynamodb_backends[ACCOUNT][REGION].tables[aws.names.table]

    def query(items: list[Any], **arguments: Any) -> list[Any]:
        request: dict[str, Any] = {"range_comparison": None, "range_objs": [], "limit": None}
        request |= {"exclusive_start_key": None, "scan_index_forward": True, "projection_expressions": None}
        request |= arguments
        found, _, _ = moto_queries._MOTO_QUERY(moto_queries._Narrowed(table, items), **request)
        return [item.attrs["sk"].value for item in found]

    tech, staff = DynamoType({"S": "TECH#1"}), [("gsi1pk", DynamoType({"S": "STAFF"}))]
    assert query([], hash_key=tech) == []
    assert query([], hash_key=None, index_name="gsi1", hash_key_conditions=staff) == []
    one = [table.items[tech][DynamoType({"S": "PROFILE"})]]
    assert query(one, hash_key=tech) == ["PROFILE"]
