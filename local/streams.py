"""The stream poller: DynamoDB stream records delivered to the stream functions as Lambda's event
source mappings deliver them in AWS.

What it reproduces, from deskless.catalog.STREAM_SUBSCRIPTIONS (the CDK app reads the same):

- the record shape Lambda sends (moto's records lack eventSourceARN and userIdentity: both are
  added here; userIdentity only on REMOVE records that the TTL reaper caused, see TtlLedger);
- event filtering: a record reaches a function if it matches any of its filters, with Lambda's
  pattern syntax (see `matches`); records that match none are dropped, as Lambda drops them;
- batches of at most `batch_size` matching records, in stream order, one invocation at a time
  per subscription, after waiting at most `max_batching_window_s` for a batch to fill;
- ReportBatchItemFailures: {"batchItemFailures": [{"itemIdentifier": <SequenceNumber>}]} makes the
  poller redeliver from the first failed record (that record and the rest of its batch);
- errors: a function that raises has its whole batch retried; after `retry_attempts` retries the
  batch is bisected (as BisectBatchOnFunctionError does) until a single record still fails, which
  goes to `dead_letters`, shaped like Lambda's on-failure destination record for DynamoDB.

Position: LATEST, taken when the poller is constructed (like the CDK mapping, whose position is
the stream's end when it is created), so every change made after construction is delivered and
the seed data written before it is not. A stream that appears later (the table did not exist yet,
or it was recreated, e.g. by a moto reset) is read from TRIM_HORIZON: all of it is new.
Retries happen at once, without Lambda's backoff, to keep local mode and tests quick.
"""

from __future__ import annotations

import base64
import copy
import json
import logging
import math
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import boto3
import httpx
from boto3.dynamodb.types import Binary
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from deskless.catalog import STREAM_SUBSCRIPTIONS, StreamSubscription
from deskless.table import TABLE
from local.moto_app import RELEASE_ITERATORS_PATH
from local.services import ACCOUNT, REGION

log = logging.getLogger(__name__)

TTL_IDENTITY: dict[str, str] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
EVENT_VERSION = "1.1"
EVENT_SOURCE = "aws:dynamodb"


# --- Lambda event filtering -----------------------------------------------------------------------
#
# A pattern is a JSON object whose keys name fields of the record. A key maps either to an object
# (the pattern for the nested field) or to a list of rules, any of which may match the field's
# value. A rule is a value (string, number, boolean, null: equality; numbers compare as numbers)
# or an object with one operator: prefix, suffix, equals-ignore-case, anything-but, numeric,
# exists. Every key of a pattern must match; a record passes a mapping if it matches any filter.
# If the field holds an array, a rule matches if it matches any element. `exists` works on leaf
# values only: a field holding an object "does not exist" for it, as AWS documents.


class InvalidPattern(ValueError):
    """A filter pattern that Lambda would refuse."""


_MISSING: Any = object()
_NUMERIC_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_string(value: Any) -> bool:
    return isinstance(value, str)


def validate_pattern(pattern: Any) -> None:
    """Raise InvalidPattern if Lambda would not accept this filter pattern."""
    if not isinstance(pattern, Mapping) or not pattern:
        raise InvalidPattern(f"a pattern is a non-empty object, not {pattern!r}")
    for key, rules in pattern.items():
        if isinstance(rules, Mapping):
            validate_pattern(rules)
        elif isinstance(rules, list) and rules:
            for rule in rules:
                _validate_rule(rule, key)
        else:
            raise InvalidPattern(f"{key!r}: expected an object or a non-empty list of rules, got {rules!r}")


def _validate_rule(rule: Any, key: str) -> None:
    if rule is None or isinstance(rule, str | bool) or _is_number(rule):
        return
    if not isinstance(rule, Mapping) or len(rule) != 1:
        raise InvalidPattern(f"{key!r}: a rule is a value or an object with one operator, got {rule!r}")
    ((operator, argument),) = rule.items()
    if operator in ("prefix", "suffix"):
        if not (_is_string(argument) or _is_ignore_case(argument)):
            raise InvalidPattern(f"{key!r}: {operator} takes a string, got {argument!r}")
    elif operator == "equals-ignore-case":
        if not _is_string(argument):
            raise InvalidPattern(f"{key!r}: equals-ignore-case takes a string, got {argument!r}")
    elif operator == "exists":
        if not isinstance(argument, bool):
            raise InvalidPattern(f"{key!r}: exists takes true or false, got {argument!r}")
    elif operator == "numeric":
        _validate_numeric(argument, key)
    elif operator == "anything-but":
        _validate_anything_but(argument, key)
    else:
        raise InvalidPattern(f"{key!r}: unknown operator {operator!r}")


def _is_ignore_case(argument: Any) -> bool:
    return (
        isinstance(argument, Mapping)
        and set(argument) == {"equals-ignore-case"}
        and _is_string(argument["equals-ignore-case"])
    )


def _validate_numeric(argument: Any, key: str) -> None:
    if not isinstance(argument, list) or len(argument) not in (2, 4):
        raise InvalidPattern(f"{key!r}: numeric takes [op, n] or [op, n, op, n], got {argument!r}")
    operators, bounds = argument[0::2], argument[1::2]
    if not all(op in _NUMERIC_OPERATORS for op in operators) or not all(_is_number(n) for n in bounds):
        raise InvalidPattern(f"{key!r}: numeric takes operators {sorted(_NUMERIC_OPERATORS)} and numbers")
    if len(argument) == 4 and (
        operators[0] not in (">", ">=") or operators[1] not in ("<", "<=") or bounds[0] >= bounds[1]
    ):
        raise InvalidPattern(f"{key!r}: a numeric range is [>|>=, low, <|<=, high] with low < high")


def _validate_anything_but(argument: Any, key: str) -> None:
    if isinstance(argument, Mapping):
        if len(argument) != 1 or next(iter(argument)) not in ("prefix", "suffix", "equals-ignore-case"):
            raise InvalidPattern(f"{key!r}: anything-but takes values, or prefix, suffix or equals-ignore-case")
        if not _is_string(next(iter(argument.values()))):
            raise InvalidPattern(f"{key!r}: anything-but's {next(iter(argument))} takes a string")
        return
    values = argument if isinstance(argument, list) else [argument]
    if not values or not all(_is_string(v) or _is_number(v) for v in values):
        raise InvalidPattern(f"{key!r}: anything-but takes strings or numbers, got {argument!r}")


def matches(pattern: Mapping[str, Any], record: Any) -> bool:
    """Whether one filter pattern matches a record (a JSON object)."""
    fields = record if isinstance(record, Mapping) else {}
    for key, rules in pattern.items():
        value = fields.get(key, _MISSING)
        if isinstance(rules, Mapping):
            if not matches(rules, value if isinstance(value, Mapping) else {}):
                return False
        elif not _leaf_matches(rules, value):
            return False
    return True


def matches_any(filters: Sequence[Mapping[str, Any]], record: Any) -> bool:
    """Whether a record passes an event source mapping's filters (no filter: every record passes)."""
    return not filters or any(matches(pattern, record) for pattern in filters)


def _leaf_matches(rules: Sequence[Any], value: Any) -> bool:
    exists = value is not _MISSING and not isinstance(value, Mapping) and value != []
    values = value if isinstance(value, list) else [value]
    for rule in rules:
        if isinstance(rule, Mapping) and "exists" in rule:
            if rule["exists"] is exists:
                return True
        elif value is not _MISSING and any(_rule_matches(rule, v) for v in values):
            return True
    return False


def _rule_matches(rule: Any, value: Any) -> bool:
    if isinstance(value, Mapping):
        return False
    if rule is None or isinstance(rule, bool):
        return value is rule
    if isinstance(rule, str):
        return isinstance(value, str) and value == rule
    if _is_number(rule):
        return _is_number(value) and value == rule
    ((operator, argument),) = rule.items()
    if operator == "prefix":
        return _affix(argument, value, str.startswith)
    if operator == "suffix":
        return _affix(argument, value, str.endswith)
    if operator == "equals-ignore-case":
        return isinstance(value, str) and value.casefold() == str(argument).casefold()
    if operator == "numeric":
        return _is_number(value) and all(
            _NUMERIC_OPERATORS[op](value, bound) for op, bound in zip(argument[0::2], argument[1::2], strict=True)
        )
    if operator == "anything-but":
        if isinstance(argument, Mapping):
            return not _rule_matches(argument, value)
        excluded = argument if isinstance(argument, list) else [argument]
        return not any(_rule_matches(candidate, value) for candidate in excluded)
    raise InvalidPattern(f"unknown operator {operator!r}")


def _affix(argument: Any, value: Any, test: Callable[[str, str], bool]) -> bool:
    if not isinstance(value, str):
        return False
    if isinstance(argument, Mapping):
        return test(value.casefold(), str(argument["equals-ignore-case"]).casefold())
    return test(value, argument)


# --- Record shape ---------------------------------------------------------------------------------


def _lambda_json(value: Any) -> Any:
    """DynamoDB JSON as Lambda sends it: binary values base64-encoded."""
    if isinstance(value, Binary):
        value = value.value
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {k: _lambda_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_lambda_json(v) for v in value]
    return value


def _epoch(moment: datetime | float | None) -> int:
    if moment is None:
        return int(time.time())
    if isinstance(moment, datetime):
        return int(moment.timestamp())
    return int(moment)


def stream_record(
    event_name: str,
    *,
    keys: Mapping[str, Any],
    sequence_number: str,
    stream_arn: str,
    new_image: Mapping[str, Any] | None = None,
    old_image: Mapping[str, Any] | None = None,
    ttl_delete: bool = False,
    created: datetime | float | None = None,
    event_id: str | None = None,
    view_type: str = TABLE.stream_view,
    region: str = REGION,
    size_bytes: int | None = None,
) -> dict[str, Any]:
    """One DynamoDB stream record as Lambda delivers it (keys and images in DynamoDB JSON)."""
    change: dict[str, Any] = {"ApproximateCreationDateTime": _epoch(created), "Keys": _lambda_json(keys)}
    if new_image is not None and view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
        change["NewImage"] = _lambda_json(new_image)
    if old_image is not None and view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
        change["OldImage"] = _lambda_json(old_image)
    change["SequenceNumber"] = sequence_number
    change["SizeBytes"] = size_bytes if size_bytes is not None else _size(change)
    change["StreamViewType"] = view_type
    record: dict[str, Any] = {
        "eventID": event_id or uuid.uuid4().hex,
        "eventName": event_name,
        "eventVersion": EVENT_VERSION,
        "eventSource": EVENT_SOURCE,
        "awsRegion": region,
        "dynamodb": change,
        "eventSourceARN": stream_arn,
    }
    if ttl_delete:
        if event_name != "REMOVE":
            raise ValueError("only a REMOVE record can come from TTL")
        record["userIdentity"] = dict(TTL_IDENTITY)
    return record


def stream_event(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The event a stream function receives: a batch of records."""
    return {"Records": [dict(record) for record in records]}


def _size(change: Mapping[str, Any]) -> int:
    parts = [change.get(name, {}) for name in ("Keys", "NewImage", "OldImage")]
    return len(json.dumps(parts, separators=(",", ":")))


def from_stream_api(raw: Mapping[str, Any], *, stream_arn: str, ttl_delete: bool = False) -> dict[str, Any]:
    """A record as GetRecords returns it (through boto3), in Lambda's shape."""
    change = raw["dynamodb"]
    return stream_record(
        raw["eventName"],
        keys=change["Keys"],
        sequence_number=change["SequenceNumber"],
        stream_arn=stream_arn,
        new_image=change.get("NewImage"),
        old_image=change.get("OldImage"),
        ttl_delete=ttl_delete,
        created=change.get("ApproximateCreationDateTime"),
        event_id=raw.get("eventID"),
        view_type=change.get("StreamViewType", TABLE.stream_view),
        region=raw.get("awsRegion", REGION),
    )


# --- TTL deletes ----------------------------------------------------------------------------------


def _canonical(keys: Mapping[str, Any]) -> str:
    return json.dumps(_lambda_json(keys), sort_keys=True, separators=(",", ":"))


class TtlLedger:
    """The keys the TTL reaper deleted, so the poller can mark their REMOVE records as DynamoDB's
    TTL marks them. Shared by the reaper (record) and the poller (claim); thread-safe. Entries
    nobody claims (no poller running) are forgotten after `keep_s`."""

    def __init__(self, *, keep_s: float = 3600.0) -> None:
        self._keep_s = keep_s
        self._lock = threading.Lock()
        self._entries: dict[str, deque[float]] = defaultdict(deque)

    def record(self, keys: Mapping[str, Any]) -> None:
        """Note that the item with these keys (DynamoDB JSON) is about to be deleted by TTL."""
        with self._lock:
            self._entries[_canonical(keys)].append(time.monotonic())

    def claim(self, keys: Mapping[str, Any]) -> bool:
        """True, once per record(), if the item with these keys was deleted by TTL."""
        with self._lock:
            self._forget_stale()
            name = _canonical(keys)
            entries = self._entries.get(name)
            if not entries:
                return False
            entries.popleft()
            if not entries:
                del self._entries[name]
            return True

    def __len__(self) -> int:
        with self._lock:
            return sum(len(entries) for entries in self._entries.values())

    def _forget_stale(self) -> None:
        oldest = time.monotonic() - self._keep_s
        for name in [name for name, entries in self._entries.items() if entries[0] < oldest]:
            entries = self._entries[name]
            while entries and entries[0] < oldest:
                entries.popleft()
            if not entries:
                del self._entries[name]


# --- The poller -----------------------------------------------------------------------------------


class _StreamReplaced(Exception):
    """The stream asked about is no longer the table's: the table was deleted and created again."""


Invoke = Callable[[str, dict[str, Any]], Any]
_ALL_FAILED = -1


@dataclass
class _Shard:
    shard_id: str
    parent_id: str | None
    start: str  # LATEST or TRIM_HORIZON: where to begin before anything was read
    iterator: str | None = None
    checkpoint: str | None = None  # sequence number of the last record read
    finished: bool = False  # closed and read to its end


@dataclass
class _Mapping:
    """One event source mapping's state: the matching records not yet delivered, in order."""

    subscription: StreamSubscription
    queue: deque[tuple[str, dict[str, Any]]] = field(default_factory=deque)  # (shard id, record)
    sizes: deque[int] = field(default_factory=deque)  # sizes of the next batches, after a bisect
    attempts: int = 0  # failed invocations of the batch that starts at queue[0]
    waiting_since: float | None = None  # when the queue stopped being empty (batching window)


class StreamPoller:
    """Reads the table's stream from moto and invokes the stream functions of the catalog."""

    def __init__(
        self,
        *,
        endpoint_url: str,
        table_name: str,
        invoke: Invoke,
        ledger: TtlLedger,
        interval_s: float = 0.25,  # Lambda polls a stream's shards four times a second
        idle_interval_s: float = 0.5,
        subscriptions: Sequence[StreamSubscription] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._table_name = table_name
        self._invoke = invoke
        self._ledger = ledger
        self._interval_s = interval_s
        self._idle_interval_s = max(idle_interval_s, interval_s)
        self._read_last = 0  # records the last poll read
        self._clock = clock
        chosen = STREAM_SUBSCRIPTIONS if subscriptions is None else subscriptions
        for subscription in chosen:
            for pattern in subscription.filters:
                validate_pattern(pattern)
        self._mappings = [_Mapping(subscription) for subscription in chosen]
        # Each mapping reads the stream on its own in AWS: one's slow batch never holds up another's.
        self._deliveries: ThreadPoolExecutor | None = None  # made at the first poll, ended by stop()
        config = Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=2, read_timeout=10)
        session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name=REGION)
        self._dynamodb = session.client("dynamodb", endpoint_url=endpoint_url, config=config)
        self._streams = session.client("dynamodbstreams", endpoint_url=endpoint_url, config=config)
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._stream_arn: str | None = None
        self._latest_for: str | None = None  # the stream found at construction, read from LATEST
        self._shards: dict[str, _Shard] = {}
        self._used = _UsedIterators(endpoint_url)
        self._last_problem: tuple[str, float] = ("", 0.0)
        self.dead_letters: list[dict[str, Any]] = []
        self._position(initial=True)

    @property
    def stream_arn(self) -> str | None:
        return self._stream_arn

    # Lifecycle

    def start(self) -> None:
        """Poll in a daemon thread until stop(): interval_s after a poll that read records or left
        some to deliver; after polls that found nothing, twice as long each time, up to
        idle_interval_s (an idle platform then costs two polls a second)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="deskless-stream-poller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            if self._thread.is_alive():
                log.warning("the stream poller is still delivering a batch; leaving its thread behind")
                self._thread = None
                return
            self._thread = None
        with self._lock:  # no poll is delivering now: its mappings' threads end
            if self._deliveries is not None:
                self._deliveries.shutdown()
                self._deliveries = None

    def _run(self) -> None:
        wait = self._interval_s
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:
                log.exception("stream poller: unexpected error; polling goes on")
            busy = self._read_last or any(mapping.queue for mapping in self._mappings)
            wait = self._interval_s if busy else min(wait * 2, self._idle_interval_s)
            self._stop.wait(wait)

    # Polling

    def poll_once(self) -> int:
        """Read what is new on the stream and deliver it; returns how many records the functions
        accepted (records filtered out or sent to dead_letters are not counted)."""
        with self._lock:
            try:
                records = self._fetch()
            finally:
                self._used.release()
            self._read_last = len(records)
            now = self._clock()
            for mapping in self._mappings:
                matching = [(shard, r) for shard, r in records if matches_any(mapping.subscription.filters, r)]
                if matching and mapping.waiting_since is None:
                    mapping.waiting_since = now
                mapping.queue.extend(matching)
            stoppable = threading.current_thread() is self._thread
            if self._deliveries is None:
                self._deliveries = ThreadPoolExecutor(len(self._mappings), thread_name_prefix="deskless-stream-mapping")
            delivered = [self._deliveries.submit(self._deliver, mapping, stoppable) for mapping in self._mappings]
            return sum(delivery.result() for delivery in delivered)

    def _position(self, *, initial: bool) -> bool:
        """Find the table's current stream and its shards; True if there is one. The stream found
        when the poller is constructed is read from LATEST; any later one from TRIM_HORIZON. A
        failure leaves the current position as it was."""
        try:
            table = self._dynamodb.describe_table(TableName=self._table_name)["Table"]
            arn = table.get("LatestStreamArn")
            if not arn or not table.get("StreamSpecification", {}).get("StreamEnabled", True):
                self._problem(f"table {self._table_name} has no stream")
                return False
            if initial:
                self._latest_for = arn
            if arn != self._stream_arn:
                shards = self._discover(arn, {}, start="LATEST" if arn == self._latest_for else "TRIM_HORIZON")
                if self._stream_arn is not None:
                    log.info("stream poller: the table's stream changed to %s; reading it from the start", arn)
                self._stream_arn, self._shards = arn, shards
            return True
        except (ClientError, BotoCoreError) as error:
            self._problem(f"cannot find the stream of table {self._table_name}: {error}")
            return False

    def _discover(self, arn: str, known: dict[str, _Shard], *, start: str) -> dict[str, _Shard]:
        """The stream's shards: those known, and the new ones, to be read from `start`."""
        description = self._streams.describe_stream(StreamArn=arn)["StreamDescription"]
        if not arn.endswith(f"/stream/{description.get('StreamLabel', '')}"):
            # moto answers for the table of that name, whatever stream is asked about: the table
            # was recreated, and this is its new stream
            raise _StreamReplaced(arn)
        shards = dict(known)
        for shard in description.get("Shards", []):
            if shard["ShardId"] in shards:
                continue
            closed = "EndingSequenceNumber" in shard.get("SequenceNumberRange", {})
            new = _Shard(
                shard_id=shard["ShardId"],
                parent_id=shard.get("ParentShardId"),
                start=start,
                # A shard already closed when we start at LATEST has nothing new for us.
                finished=closed and start == "LATEST",
            )
            if start == "LATEST" and not new.finished:
                # Take the position now: what is written from here on is ours to deliver.
                new.checkpoint = self._last_sequence_number(arn, new.shard_id)
                new.start = "TRIM_HORIZON"  # if the shard is empty: all it will hold is new
            shards[new.shard_id] = new
        return shards

    def _last_sequence_number(self, arn: str, shard_id: str) -> str | None:
        """The sequence number of the shard's last record now (None if it has none): LATEST as a
        checkpoint, since no iterator is kept from one poll to the next (see _read)."""
        request = {"StreamArn": arn, "ShardId": shard_id, "ShardIteratorType": "TRIM_HORIZON"}
        iterator: str | None = self._streams.get_shard_iterator(**request)["ShardIterator"]
        last = None
        while iterator is not None:
            response = self._streams.get_records(ShardIterator=iterator, Limit=1000)
            self._used.add(iterator)
            batch = response.get("Records", [])
            last = batch[-1]["dynamodb"]["SequenceNumber"] if batch else last
            iterator = response.get("NextShardIterator")
            if iterator is not None and len(batch) < 1000:
                self._used.add(iterator)
                iterator = None
        return last

    def _fetch(self) -> list[tuple[str, dict[str, Any]]]:
        if self._stream_arn is None and not self._position(initial=False):
            return []
        assert self._stream_arn is not None
        try:
            # Shards that appear from now on are new: read them whole.
            self._shards = self._discover(self._stream_arn, self._shards, start="TRIM_HORIZON")
        except _StreamReplaced:
            self._position(initial=False)
            return []
        except (ClientError, BotoCoreError) as error:
            self._problem(f"cannot describe the stream: {error}")
            self._position(initial=False)
            return []
        records: list[tuple[str, dict[str, Any]]] = []
        for shard in self._readable_shards():
            try:
                self._read(shard, records)
            except (ClientError, BotoCoreError) as error:
                self._problem(f"cannot read shard {shard.shard_id}: {error}")
                shard.iterator = None  # ask for a new one next time, from the checkpoint
                self._position(initial=False)  # and notice a table that was recreated
                break
        return records

    def _readable_shards(self) -> list[_Shard]:
        shards = list(self._shards.values())
        return [
            s
            for s in shards
            if not s.finished and (s.parent_id not in self._shards or self._shards[s.parent_id].finished)
        ]

    def _iterator(self, arn: str, shard: _Shard) -> str:
        request: dict[str, Any] = {"StreamArn": arn, "ShardId": shard.shard_id}
        if shard.checkpoint is not None:
            request |= {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": shard.checkpoint}
        else:
            request["ShardIteratorType"] = shard.start
        return str(self._streams.get_shard_iterator(**request)["ShardIterator"])

    def _read(self, shard: _Shard, records: list[tuple[str, dict[str, Any]]]) -> None:
        """Append the shard's new records (with its id) to `records`, as far as reading goes."""
        if shard.iterator is None:
            assert self._stream_arn is not None
            shard.iterator = self._iterator(self._stream_arn, shard)
        while shard.iterator is not None:
            response = self._streams.get_records(ShardIterator=shard.iterator, Limit=1000)
            self._used.add(shard.iterator)
            shard.iterator = response.get("NextShardIterator")
            batch = response.get("Records", [])
            for raw in batch:
                records.append((shard.shard_id, self._lambda_record(raw)))
                shard.checkpoint = raw["dynamodb"]["SequenceNumber"]
            if shard.iterator is None:
                shard.finished = True
            if len(batch) < 1000:
                break
        # moto's own rollback of a canceled transaction (`deskless dev --moto as-is`,
        # see local.moto_transactions) puts a copy of the table, its stream shard with it, in
        # place of the one it changed: an iterator handed out before then goes on reading the
        # orphaned shard, which never sees another record. So none is kept from one poll to the
        # next; the next poll asks for one after the checkpoint, whichever rollback is in use.
        if shard.iterator is not None:
            self._used.add(shard.iterator)
            shard.iterator = None

    def _lambda_record(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        assert self._stream_arn is not None
        ttl = raw["eventName"] == "REMOVE" and self._ledger.claim(raw["dynamodb"]["Keys"])
        return from_stream_api(raw, stream_arn=self._stream_arn, ttl_delete=ttl)

    def _problem(self, message: str) -> None:
        """Log a problem, but the same one at most every 30 s (the poller runs several times a second)."""
        last, when = self._last_problem
        if message != last or time.monotonic() - when > 30:
            log.warning("stream poller: %s", message)
            self._last_problem = (message, time.monotonic())

    # Delivery

    def _deliver(self, mapping: _Mapping, stoppable: bool) -> int:
        """Deliver the mapping's queue, batch by batch (its mappings side by side, each in a thread
        of its own); `stoppable`: asked by the polling thread, which stop() may cut short."""
        subscription = mapping.subscription
        accepted = 0
        while mapping.queue and not (stoppable and self._stop.is_set()):
            size = mapping.sizes[0] if mapping.sizes else subscription.batch_size
            if not mapping.sizes and not mapping.attempts and len(mapping.queue) < size and self._window_open(mapping):
                break
            batch = [record for _, record in islice(mapping.queue, size)]
            failed_at, error = self._invoke_batch(subscription.function, batch)
            if failed_at is None:
                self._done(mapping, len(batch))
                accepted += len(batch)
                continue
            if failed_at > 0:
                # The records before the first failure succeeded; the failed one has failed once.
                self._done(mapping, failed_at, remaining=len(batch) - failed_at)
                accepted += failed_at
                mapping.attempts = 1
            else:
                mapping.attempts += 1
            if mapping.attempts > subscription.retry_attempts:
                self._exhausted(mapping, error)
        if not mapping.queue:
            mapping.waiting_since = None
        return accepted

    def _window_open(self, mapping: _Mapping) -> bool:
        window = mapping.subscription.max_batching_window_s
        since = mapping.waiting_since
        return window > 0 and since is not None and self._clock() - since < window

    def _invoke_batch(self, function: str, batch: list[dict[str, Any]]) -> tuple[int | None, str | None]:
        """Run the function on one batch: (index of the first failed record or None, error)."""
        try:
            response = self._invoke(function, copy.deepcopy(stream_event(batch)))
        except Exception as error:
            log.warning("stream poller: %s raised %s: %s", function, type(error).__name__, error)
            return 0, "Unhandled"
        failures = response.get("batchItemFailures") if isinstance(response, Mapping) else None
        if not failures:
            return None, None
        sequence = [record["dynamodb"]["SequenceNumber"] for record in batch]
        positions = []
        for failure in failures:
            identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
            if identifier not in sequence:
                # Lambda treats an unknown or empty identifier as the failure of the whole batch.
                log.warning("stream poller: %s reported an unknown item %r", function, identifier)
                return 0, None
            positions.append(sequence.index(identifier))
        return min(positions), None

    def _done(self, mapping: _Mapping, count: int, *, remaining: int = 0) -> None:
        for _ in range(count):
            mapping.queue.popleft()
        if mapping.sizes:
            mapping.sizes.popleft()
            if remaining:
                mapping.sizes.appendleft(remaining)
        elif remaining:
            mapping.sizes.appendleft(remaining)
        mapping.attempts = 0

    def _exhausted(self, mapping: _Mapping, error: str | None) -> None:
        size = mapping.sizes[0] if mapping.sizes else mapping.subscription.batch_size
        batch = list(islice(mapping.queue, size))
        attempts = mapping.attempts
        mapping.attempts = 0
        if mapping.sizes:
            mapping.sizes.popleft()
        if len(batch) > 1:
            half = math.ceil(len(batch) / 2)
            mapping.sizes.extendleft([len(batch) - half, half])
            log.warning(
                "stream poller: %s failed %d times on %d records; splitting the batch",
                mapping.subscription.function,
                attempts,
                len(batch),
            )
            return
        shard_id, record = mapping.queue.popleft()
        letter = _dead_letter(mapping.subscription.function, shard_id, [record], attempts, error)
        self.dead_letters.append(letter)
        log.error(
            "stream poller: %s could not process record %s (%s %s) after %d attempts; sent to dead_letters",
            mapping.subscription.function,
            record["dynamodb"]["SequenceNumber"],
            record["eventName"],
            json.dumps(record["dynamodb"]["Keys"]),
            attempts,
        )


def _dead_letter(
    function: str, shard_id: str, batch: list[dict[str, Any]], attempts: int, error: str | None
) -> dict[str, Any]:
    """What Lambda sends to an on-failure destination when it gives up on stream records."""
    first, last = batch[0], batch[-1]
    response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if error is not None:
        response["functionError"] = error
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:deskless-{function}",
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": attempts,
        },
        "responseContext": response,
        "version": "1.0",
        "timestamp": _iso(datetime.now(UTC)),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": first["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": last["dynamodb"]["SequenceNumber"],
            "approximateArrivalOfFirstRecord": _iso(first["dynamodb"]["ApproximateCreationDateTime"]),
            "approximateArrivalOfLastRecord": _iso(last["dynamodb"]["ApproximateCreationDateTime"]),
            "batchSize": len(batch),
            "streamArn": first["eventSourceARN"],
        },
    }


def _iso(moment: datetime | float) -> str:
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _UsedIterators:
    """Shard iterators the poller has used up, given back to moto at the end of each poll, in one
    request. moto keeps every iterator it hands out, forever: polling several times a second would
    otherwise grow its memory by tens of megabytes an hour. Local mode's moto forgets them when
    asked (POST /_deskless/shard-iterators/release, local.moto_app), wherever it runs; another
    endpoint does not answer that, which then costs memory only."""

    def __init__(self, endpoint_url: str) -> None:
        self._url = endpoint_url.rstrip("/") + RELEASE_ITERATORS_PATH
        self._used: list[str] = []
        self._http = httpx.Client(timeout=10)  # one connection, kept

    def add(self, iterator: str) -> None:
        self._used.append(iterator)

    def release(self) -> None:
        if not self._used:
            return
        used, self._used = self._used, []
        try:
            self._http.post(self._url, json=used).raise_for_status()
        except httpx.HTTPError as error:  # not local mode's moto, or it is stopping: it only costs memory
            log.debug("stream poller: shard iterators not released: %s", error)
