"""The pieces of the local stream poller that need no AWS: the TTL ledger and the record builder."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.parser.models import DynamoDBStreamModel
from hypothesis import given
from hypothesis import strategies as st

from deskless.streams import is_ttl_delete
from local.streams import TtlLedger, stream_event, stream_record

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/deskless/stream/2026-01-01T00:00:00.000"
KEYS = {"pk": {"S": "CONN#1"}, "sk": {"S": "CONNECTION"}}


# The ledger


def test_a_recorded_key_is_claimed_once():
    ledger = TtlLedger()
    ledger.record(KEYS)
    assert ledger.claim(KEYS)
    assert not ledger.claim(KEYS)
    assert len(ledger) == 0


def test_keys_never_recorded_are_not_claimed():
    ledger = TtlLedger()
    ledger.record(KEYS)
    assert not ledger.claim({"pk": {"S": "CONN#2"}, "sk": {"S": "CONNECTION"}})
    assert len(ledger) == 1


def test_the_order_of_key_attributes_does_not_matter():
    ledger = TtlLedger()
    ledger.record({"sk": KEYS["sk"], "pk": KEYS["pk"]})
    assert ledger.claim(KEYS)


def test_binary_keys_compare_by_value():
    ledger = TtlLedger()
    ledger.record({"pk": {"B": b"\x00\x01"}})
    assert ledger.claim({"pk": {"B": b"\x00\x01"}})


def test_an_item_deleted_twice_by_ttl_is_claimed_twice():
    # (an item recreated and expired again before the poller caught up)
    ledger = TtlLedger()
    ledger.record(KEYS)
    ledger.record(KEYS)
    assert ledger.claim(KEYS)
    assert ledger.claim(KEYS)
    assert not ledger.claim(KEYS)


def test_entries_nobody_claims_are_forgotten():
    ledger = TtlLedger(keep_s=0)
    ledger.record(KEYS)
    assert not ledger.claim(KEYS)
    assert len(ledger) == 0


def test_the_ledger_is_safe_across_threads():
    ledger = TtlLedger()
    keys = [{"pk": {"S": f"K#{n}"}} for n in range(200)]

    def record_all(part: list[dict[str, Any]]) -> None:
        for k in part:
            ledger.record(k)

    threads = [threading.Thread(target=record_all, args=(part,)) for part in (keys[:100], keys[100:])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed: list[bool] = []
    claimers = [threading.Thread(target=lambda: claimed.extend(ledger.claim(k) for k in keys)) for _ in range(4)]
    for thread in claimers:
        thread.start()
    for thread in claimers:
        thread.join()
    assert claimed.count(True) == 200


@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=20), st.lists(st.sampled_from(["a", "b", "c"]), max_size=20))
def test_claims_never_exceed_records(recorded, claimed):
    ledger = TtlLedger()
    for pk in recorded:
        ledger.record({"pk": {"S": pk}})
    granted = [pk for pk in claimed if ledger.claim({"pk": {"S": pk}})]
    for pk in "abc":
        assert granted.count(pk) == min(recorded.count(pk), claimed.count(pk))


# The record builder (events/ and the tests build sample records with it)


def test_a_built_ttl_removal_validates_and_reads_as_a_ttl_delete():
    image = {**KEYS, "type": {"S": "connection"}, "connection_id": {"S": "1"}, "expires_at": {"N": "1700000000"}}
    record = stream_record("REMOVE", keys=KEYS, old_image=image, sequence_number="100", stream_arn=ARN, ttl_delete=True)
    event = stream_event([record])
    parsed = DynamoDBStreamModel.model_validate(event)
    assert parsed.Records[0].userIdentity is not None
    assert parsed.Records[0].dynamodb.OldImage == {
        "pk": "CONN#1",
        "sk": "CONNECTION",
        "type": "connection",
        "connection_id": "1",
        "expires_at": 1700000000,
    }
    assert is_ttl_delete(DynamoDBRecord(record))


def test_a_built_insert_has_no_identity_and_only_a_new_image():
    record = stream_record(
        "INSERT", keys=KEYS, new_image=KEYS, old_image=KEYS, sequence_number="1", stream_arn=ARN, created=5
    )
    DynamoDBStreamModel.model_validate(stream_event([record]))
    assert "userIdentity" not in record
    assert record["dynamodb"]["ApproximateCreationDateTime"] == 5
    assert record["dynamodb"]["OldImage"] == KEYS  # NEW_AND_OLD_IMAGES keeps what it is given
    assert not is_ttl_delete(DynamoDBRecord(record))


def test_the_view_type_decides_which_images_a_record_carries():
    record = stream_record(
        "MODIFY", keys=KEYS, new_image=KEYS, old_image=KEYS, sequence_number="1", stream_arn=ARN, view_type="KEYS_ONLY"
    )
    assert "NewImage" not in record["dynamodb"]
    assert "OldImage" not in record["dynamodb"]
    DynamoDBStreamModel.model_validate(stream_event([record]))


def test_binary_values_are_base64_as_lambda_sends_them():
    image = {**KEYS, "blob": {"B": b"\x00\xff"}, "blobs": {"BS": [b"a"]}, "list": {"L": [{"B": b"b"}]}}
    record = stream_record("INSERT", keys=KEYS, new_image=image, sequence_number="1", stream_arn=ARN)
    new = record["dynamodb"]["NewImage"]
    assert new["blob"] == {"B": "AP8="}
    assert new["blobs"] == {"BS": ["YQ=="]}
    assert new["list"] == {"L": [{"B": "Yg=="}]}


def test_only_a_removal_can_come_from_ttl():
    with pytest.raises(ValueError, match="REMOVE"):
        stream_record("INSERT", keys=KEYS, new_image=KEYS, sequence_number="1", stream_arn=ARN, ttl_delete=True)
