"""TransactWriteItems in local mode (local.moto_transactions): a canceled transaction leaves the
items, the GSI and the stream exactly as they were, reports why per item, and the journal gives
what moto's own whole-table copy gives, transaction for transaction."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models import dynamodb_backends

from deskless.table import TABLE
from local.moto_transactions import Mode
from local.services import ACCOUNT, REGION, table_request
from tests.conftest import LocalAws

S = dict[str, Any]


def key(pk: str, sk: str = "ITEM") -> S:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def item(pk: str, sk: str = "ITEM", **attributes: str) -> S:
    return key(pk, sk) | {"type": {"S": "thing"}} | {name: {"S": value} for name, value in attributes.items()}


def put(table: str, pk: str, sk: str = "ITEM", **attributes: str) -> S:
    return {"Put": {"TableName": table, "Item": item(pk, sk, **attributes)}}


def update(table: str, pk: str, sk: str = "ITEM", **attributes: str) -> S:
    names = {f"#{n}": n for n in attributes}
    values = {f":{n}": {"S": v} for n, v in attributes.items()}
    expression = "SET " + ", ".join(f"#{n} = :{n}" for n in attributes)
    return {
        "Update": {
            "TableName": table,
            "Key": key(pk, sk),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def delete(table: str, pk: str, sk: str = "ITEM") -> S:
    return {"Delete": {"TableName": table, "Key": key(pk, sk)}}


def exists(table: str, pk: str, sk: str = "ITEM", *, return_item: bool = False) -> S:
    check = {"TableName": table, "Key": key(pk, sk), "ConditionExpression": "attribute_exists(pk)"}
    if return_item:
        check["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return {"ConditionCheck": check}


def absent(table: str, pk: str, sk: str = "ITEM") -> S:
    return {
        "ConditionCheck": {
            "TableName": table,
            "Key": key(pk, sk),
            "ConditionExpression": "attribute_not_exists(pk)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }


def seed(dynamodb: Any, table: str) -> None:
    """Two partitions of several items, some of them in the GSI."""
    for pk, sk, extra in (
        ("TECH#1", "PROFILE", {"gsi1pk": "TECHS", "gsi1sk": "Alice"}),
        ("TECH#1", "CODE#1", {"gsi1pk": "CODES", "gsi1sk": "111"}),
        ("TECH#1", "CODE#2", {"gsi1pk": "CODES", "gsi1sk": "222"}),
        ("TECH#2", "PROFILE", {"gsi1pk": "TECHS", "gsi1sk": "Bob"}),
        ("COUNTER", "ITEM", {"n": "1"}),
    ):
        dynamodb.put_item(TableName=table, Item=item(pk, sk, **extra))


def outcome(dynamodb: Any, transact_items: list[S]) -> S:
    """What a transaction answered: nothing, or its error code and CancellationReasons."""
    try:
        dynamodb.transact_write_items(TransactItems=transact_items)
    except ClientError as error:
        return {"error": error.response["Error"]["Code"], "reasons": error.response.get("CancellationReasons")}
    return {"error": None}


@dataclass
class Clients:
    dynamodb: Any
    streams: Any


@pytest.fixture
def clients(aws: LocalAws) -> Clients:
    return Clients(aws.client("dynamodb"), aws.client("dynamodbstreams"))


def state(clients: Clients, table: str) -> S:
    """Everything a client can see of the table: its items, its GSI and its stream's records
    (without their random eventID, their time, and moto's SizeBytes, which counts the time as
    printed, so its length varies)."""
    dynamodb = clients.dynamodb
    items = dynamodb.scan(TableName=table, ConsistentRead=True)["Items"]
    indexes = {index.name: dynamodb.scan(TableName=table, IndexName=index.name)["Items"] for index in TABLE.indexes}
    return {"items": items, "indexes": indexes, "stream": stream_records(clients, table)}


def stream_records(clients: Clients, table: str) -> list[S]:
    streams = clients.streams
    arn = clients.dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")
        for record in streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]:
            record.pop("eventID")
            for varying in ("ApproximateCreationDateTime", "SizeBytes"):
                record["dynamodb"].pop(varying)
            records.append(record)
    return records


def canceled_and_refused(table: str) -> list[list[S]]:
    """Transactions moto cancels or refuses, each writing several items before it fails: updates of
    items in the GSI, deletes, puts into an existing and a new partition, an update that would
    create an item; failing on the first item, in the middle or at the end."""
    return [
        [
            update(table, "TECH#1", "PROFILE", gsi1sk="Alicia"),
            delete(table, "TECH#1", "CODE#1"),
            put(table, "TECH#1", "CODE#3", gsi1pk="CODES", gsi1sk="333"),
            put(table, "TECH#3", "PROFILE", gsi1pk="TECHS", gsi1sk="Carol"),
            update(table, "NEW", "ITEM", colour="red"),
            exists(table, "NOBODY"),
        ],
        [
            absent(table, "COUNTER"),
            update(table, "TECH#2", "PROFILE", gsi1sk="Robert"),
            delete(table, "TECH#1", "CODE#2"),
        ],
        [
            put(table, "TECH#4", "PROFILE"),
            update(table, "TECH#1", "CODE#2", gsi1pk="GONE"),
            put(table, "TECH#1", "CODE#2"),  # the same item twice: refused, not canceled
        ],
    ]


def test_a_canceled_transaction_leaves_items_index_and_stream_as_they_were(aws: LocalAws, clients: Clients) -> None:
    table = aws.names.table
    dynamodb = clients.dynamodb
    seed(dynamodb, table)
    for transaction in canceled_and_refused(table):
        # Given the table as it is
        before = state(clients, table)
        # When a transaction writes several items and then fails
        answer = outcome(dynamodb, transaction)
        # Then it was refused, and nothing of it can be seen: items, GSI entries, stream records
        assert answer["error"] in ("TransactionCanceledException", "ValidationException")
        assert state(clients, table) == before


def test_each_item_of_a_canceled_transaction_says_why(aws: LocalAws, clients: Clients) -> None:
    table = aws.names.table
    dynamodb = clients.dynamodb
    seed(dynamodb, table)

    answer = outcome(
        dynamodb,
        [
            update(table, "TECH#1", "PROFILE", gsi1sk="Alicia"),
            absent(table, "COUNTER"),
            put(table, "TECH#5", "PROFILE"),
            exists(table, "NOBODY", return_item=True),
        ],
    )

    assert answer == {
        "error": "TransactionCanceledException",
        "reasons": [
            {"Code": "None"},
            {
                "Code": "ConditionalCheckFailed",
                "Message": "The conditional request failed",
                "Item": item("COUNTER", n="1"),
            },
            {"Code": "None"},
            {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
        ],
    }


def test_a_transaction_after_a_canceled_one_succeeds_and_its_records_follow_on(aws: LocalAws, clients: Clients) -> None:
    table = aws.names.table
    dynamodb = clients.dynamodb
    seed(dynamodb, table)
    outcome(dynamodb, canceled_and_refused(table)[0])

    answer = outcome(dynamodb, [put(table, "TECH#3", "PROFILE"), update(table, "COUNTER", n="2")])

    assert answer == {"error": None}
    records = stream_records(clients, table)
    assert [r["eventName"] for r in records[-2:]] == ["INSERT", "MODIFY"]
    sequence = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert sequence == list(range(sequence[0], sequence[0] + len(records)))


def test_fifty_clients_claiming_ten_slots_get_exactly_ten(aws: LocalAws, clients: Clients) -> None:
    """The invariant the code limit rests on, straight against moto: a conditional counter
    update and a put in one transaction, from fifty threads at once."""
    table = aws.names.table
    dynamodb = clients.dynamodb
    dynamodb.put_item(TableName=table, Item=key("SLOTS") | {"used": {"N": "0"}})

    def claim(n: int) -> Any:
        return outcome(
            dynamodb,
            [
                {
                    "Update": {
                        "TableName": table,
                        "Key": key("SLOTS"),
                        "UpdateExpression": "SET used = used + :one",
                        "ConditionExpression": "used < :limit",
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":limit": {"N": "10"}},
                    }
                },
                put(table, "SLOTS", f"CLAIM#{n:02}"),
            ],
        )["error"]

    with ThreadPoolExecutor(max_workers=50) as pool:
        errors = list(pool.map(claim, range(50)))

    assert errors.count(None) == 10
    assert set(errors) == {None, "TransactionCanceledException"}
    claims = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :claim)",
        ExpressionAttributeValues={":pk": {"S": "SLOTS"}, ":claim": {"S": "CLAIM#"}},
    )["Items"]
    assert len(claims) == 10
    assert dynamodb.get_item(TableName=table, Key=key("SLOTS"))["Item"]["used"] == {"N": "10"}


def test_the_journal_gives_what_motos_table_copy_gives(clients: Clients, moto_transactions: Any) -> None:
    # The same transactions, successful, canceled and refused, on two tables: one with moto's own
    # rollback, one with the journal
    dynamodb = clients.dynamodb
    answers, states = {}, {}
    for mode in ("copy", "journal"):
        moto_transactions(mode)
        table = f"deskless-{mode}"
        dynamodb.create_table(**table_request(table))
        seed(dynamodb, table)
        script = [
            [
                update(table, "TECH#1", "PROFILE", gsi1sk="Alicia"),
                put(table, "TECH#1", "CODE#3"),
                exists(table, "COUNTER"),
            ],
            *canceled_and_refused(table),
            [delete(table, "TECH#1", "CODE#1"), update(table, "BRAND NEW", colour="blue"), absent(table, "TECH#9")],
        ]
        answers[mode] = [outcome(dynamodb, transaction) for transaction in script]
        states[mode] = state(clients, table)

    assert answers["journal"] == answers["copy"]
    assert states["journal"] == states["copy"]
    assert [a["error"] for a in answers["journal"]] == [
        None,
        "TransactionCanceledException",
        "TransactionCanceledException",
        "ValidationException",
        None,
    ]


@pytest.mark.parametrize(("mode", "same_table"), [("journal", True), ("copy", False)])
def test_moto_still_makes_the_table_copy_that_the_journal_spares(
    aws: LocalAws, moto_transactions: Any, mode: Mode, same_table: bool
) -> None:
    """If this fails for the journal, moto no longer copies tables as local.moto_transactions
    expects (it was written against moto 5.2.5): read moto's transact_write_items again."""
    moto_transactions(mode)
    backend = dynamodb_backends[ACCOUNT][REGION]
    table = backend.tables[aws.names.table]

    outcome(aws.client("dynamodb"), [put(aws.names.table, "A"), exists(aws.names.table, "NOBODY")])

    assert (backend.tables[aws.names.table] is table) is same_table
