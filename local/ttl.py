"""The TTL reaper: deletes items whose `expires_at` has passed, as DynamoDB's TTL process does
(moto never does), so their REMOVE records reach the stream functions with TTL's identity.

It plays DynamoDB's internal process, not a request path, so it may Scan. As in AWS, an item is
expired when its TTL attribute is a number of epoch seconds no later than now and no more than
five years in the past (DynamoDB ignores older values); each delete is conditional on the value it
saw, so an item whose expiry was just extended survives. Its clock can be moved forward, and a
sweep can be asked for at any time, so tests and people need not wait.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from deskless.table import TABLE
from local.clocked import Clocked
from local.services import local_client
from local.streams import TtlLedger

log = logging.getLogger(__name__)

# DynamoDB's TTL leaves alone items whose expiry is more than five years in the past.
IGNORED_AFTER_S = 5 * 365 * 24 * 3600


class TtlReaper(Clocked):
    name = "ttl-reaper"

    def __init__(self, *, endpoint_url: str, table_name: str, ledger: TtlLedger, interval_s: float = 5.0) -> None:
        super().__init__(interval_s=interval_s)
        self._table_name = table_name
        self._ledger = ledger
        self._client = local_client("dynamodb", endpoint_url)

    def sweep(self) -> int:
        """Delete every expired item now; returns how many were deleted."""
        with self._lock:
            now = int(self.now())
            deleted = 0
            for keys, expires_at in self._expired(now):
                deleted += self._delete(keys, expires_at)
            return deleted

    def pass_once(self) -> None:
        deleted = self.sweep()
        if deleted:
            log.info("TTL reaper: deleted %d expired items", deleted)

    def _expired(self, now: int) -> Iterator[tuple[dict[str, Any], str]]:
        """Keys (DynamoDB JSON) and TTL value of the expired items."""
        names = {"#pk": TABLE.partition_key, "#sk": TABLE.sort_key, "#ttl": TABLE.ttl_attribute}
        request: dict[str, Any] = {
            "TableName": self._table_name,
            "ProjectionExpression": "#pk, #sk, #ttl",
            # TTL ignores values that are not numbers (and moto fails comparing them to numbers).
            "FilterExpression": "attribute_type(#ttl, :number) AND #ttl BETWEEN :oldest AND :now",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {
                ":number": {"S": "N"},
                ":oldest": {"N": str(now - IGNORED_AFTER_S)},
                ":now": {"N": str(now)},
            },
        }
        while True:
            page = self._client.scan(**request)
            for item in page.get("Items", []):
                expires_at = item.get(TABLE.ttl_attribute, {})
                if "N" in expires_at:
                    keys = {name: item[name] for name in (TABLE.partition_key, TABLE.sort_key)}
                    yield keys, expires_at["N"]
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _delete(self, keys: dict[str, Any], expires_at: str) -> int:
        self._ledger.record(keys)  # before the delete: the poller may see the REMOVE at once
        try:
            self._client.delete_item(
                TableName=self._table_name,
                Key=keys,
                ConditionExpression="#ttl = :seen",
                ExpressionAttributeNames={"#ttl": TABLE.ttl_attribute},
                ExpressionAttributeValues={":seen": {"N": expires_at}},
            )
        except (ClientError, BotoCoreError) as error:
            self._ledger.claim(keys)  # no REMOVE of ours will come
            if not (
                isinstance(error, ClientError) and error.response["Error"]["Code"] == "ConditionalCheckFailedException"
            ):
                log.warning("TTL reaper: could not delete %s: %s", keys, error)
            return 0
        return 1
