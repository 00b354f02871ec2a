"""The local TTL reaper: it deletes what DynamoDB's TTL would delete, and the stream poller marks
those REMOVE records with TTL's identity, up to the real events function."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import DynamoDBStreamModel

from deskless.auth import Principal, Role
from deskless.catalog import STREAM_SUBSCRIPTIONS, StreamSubscription
from deskless.realtime import MAX_CONNECTION_SECONDS, RECORD_MARGIN_SECONDS, save_connection
from local.functions import FunctionRegistry
from local.streams import StreamPoller, TtlLedger
from local.ttl import IGNORED_AFTER_S, TtlReaper
from tests.helpers import ConnectionsStub

TECHNICIAN = Principal(user_id="7e7e7e7e7e7e7e7e", role=Role.TECHNICIAN, name="Ted Tech", email="ted@example.com")
REMOVALS = StreamSubscription("recorder", filters=({"eventName": ["REMOVE"]},))


@pytest.fixture
def ledger() -> TtlLedger:
    return TtlLedger()


@pytest.fixture
def reaper(aws, ledger) -> Iterator[TtlReaper]:
    reaper = TtlReaper(endpoint_url=aws.url, table_name=aws.names.table, ledger=ledger)
    yield reaper
    reaper.stop()


@pytest.fixture
def table(aws) -> Any:
    class Table:
        client = aws.client("dynamodb")

        def put(self, pk: str, expires_at: Any = None) -> None:
            item: dict[str, Any] = {"pk": {"S": pk}, "sk": {"S": "ITEM"}}
            if isinstance(expires_at, str):
                item["expires_at"] = {"S": expires_at}
            elif expires_at is not None:
                item["expires_at"] = {"N": str(int(expires_at))}
            self.client.put_item(TableName=aws.names.table, Item=item)

        def delete(self, pk: str) -> None:
            self.client.delete_item(TableName=aws.names.table, Key={"pk": {"S": pk}, "sk": {"S": "ITEM"}})

        def pks(self) -> set[str]:
            items = self.client.scan(TableName=aws.names.table)["Items"]
            return {item["pk"]["S"] for item in items}

    return Table()


class Removals:
    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def __call__(self, function: str, event: dict[str, Any]) -> dict[str, Any]:
        DynamoDBStreamModel.model_validate(event)
        self.records += event["Records"]
        return {"batchItemFailures": []}

    def of(self, pk: str) -> dict[str, Any]:
        (record,) = [r for r in self.records if r["dynamodb"]["Keys"]["pk"]["S"] == pk]
        return record


def test_a_sweep_deletes_only_expired_items(table, reaper):
    # Given items expired, expiring later, without expiry, with a non-number expiry, and expired too long ago
    now = time.time()
    table.put("expired", now - 10)
    table.put("just-now", now - 1)
    table.put("later", now + 3600)
    table.put("forever")
    table.put("not-a-number", "0")
    table.put("ancient", now - IGNORED_AFTER_S - 86400)
    # When the reaper sweeps
    deleted = reaper.sweep()
    # Then the expired ones are gone, and the rest stay (DynamoDB's TTL ignores the last two as well)
    assert deleted == 2
    assert table.pks() == {"later", "forever", "not-a-number", "ancient"}
    assert reaper.sweep() == 0


def test_advancing_the_clock_makes_future_items_expire(table, reaper):
    table.put("in-an-hour", time.time() + 3600)
    table.put("tomorrow", time.time() + 86400)
    assert reaper.sweep() == 0
    reaper.advance(3601)
    assert reaper.now() == pytest.approx(time.time() + 3601, abs=1)
    assert reaper.sweep() == 1
    assert table.pks() == {"tomorrow"}


def test_a_ttl_removal_carries_ttls_identity_and_a_callers_delete_does_not(aws, table, reaper, ledger):
    # Given a poller sharing the reaper's ledger
    removals = Removals()
    poller = StreamPoller(
        endpoint_url=aws.url, table_name=aws.names.table, invoke=removals, ledger=ledger, subscriptions=(REMOVALS,)
    )
    table.put("expired", time.time() - 5)
    table.put("deleted-by-a-caller", time.time() - 5)  # expired, but a caller deletes it first
    # When a caller deletes one item and the reaper the other
    table.delete("deleted-by-a-caller")
    assert reaper.sweep() == 1
    assert poller.poll_once() == 2
    # Then only the reaper's REMOVE says it came from DynamoDB's TTL
    assert removals.of("expired")["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    assert "userIdentity" not in removals.of("deleted-by-a-caller")
    assert removals.of("expired")["dynamodb"]["OldImage"]["pk"] == {"S": "expired"}
    assert len(ledger) == 0


def test_the_background_reaper_sweeps_on_its_own(table, aws, ledger):
    reaper = TtlReaper(endpoint_url=aws.url, table_name=aws.names.table, ledger=ledger, interval_s=0.05)
    table.put("expired", time.time() - 5)
    reaper.start()
    try:
        deadline = time.monotonic() + 5
        while "expired" in table.pks() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        reaper.stop()
    assert table.pks() == set()


# The real events function, fed by the poller


@pytest.fixture
def connections(monkeypatch) -> Iterator[ConnectionsStub]:
    with ConnectionsStub().running() as stub:
        stub.serve_functions(monkeypatch)
        yield stub


def expire_a_connection(reaper: TtlReaper, connection_id: str) -> None:
    save_connection(connection_id, TECHNICIAN, now=time.time() - 60)
    reaper.advance(MAX_CONNECTION_SECONDS + RECORD_MARGIN_SECONDS)
    assert reaper.sweep() == 1


@pytest.mark.parametrize("already_closed", [False, True])
def test_the_events_function_closes_a_connection_that_ttl_removed(aws, reaper, ledger, connections, already_closed):
    # Given the platform's poller with the catalog's subscriptions and the real functions
    registry = FunctionRegistry(reload=False)
    poller = StreamPoller(endpoint_url=aws.url, table_name=aws.names.table, invoke=registry.invoke, ledger=ledger)
    if already_closed:
        connections.gone.add("conn-1")  # API Gateway answers 410: the socket is already closed
    # When a connection record outlives its socket and TTL removes it
    expire_a_connection(reaper, "conn-1")
    delivered = poller.poll_once()
    # Then the events function got it and asked API Gateway to close the socket
    assert delivered == 1
    assert connections.deletes == ["conn-1"]
    assert poller.dead_letters == []


def test_a_connection_removed_by_a_caller_is_filtered_in_but_left_alone(aws, ledger, connections):
    from deskless.realtime import remove_connection

    registry = FunctionRegistry(reload=False)
    poller = StreamPoller(endpoint_url=aws.url, table_name=aws.names.table, invoke=registry.invoke, ledger=ledger)
    save_connection("conn-2", TECHNICIAN)
    remove_connection("conn-2")  # $disconnect
    assert poller.poll_once() == 1  # the filter cannot tell TTL from a caller: the function does
    assert connections.deletes == []


@pytest.fixture
def refusing_api(monkeypatch) -> Iterator[list[str]]:
    """An @connections endpoint that refuses every call (403), as with a wrong role or URL."""
    from deskless import aws, settings

    calls: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_DELETE(self) -> None:
            calls.append(self.path)
            body = json.dumps({"message": "Forbidden"}).encode()
            self.send_response(403)
            self.send_header("x-amzn-ErrorType", "ForbiddenException")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("DESKLESS_WEBSOCKET_CALLBACK_URL", f"http://127.0.0.1:{server.server_address[1]}")
    settings.get_settings.cache_clear()
    aws.connections_client.cache_clear()
    yield calls
    server.shutdown()
    server.server_close()
    thread.join()


def test_when_the_events_function_keeps_failing_the_record_is_dead_lettered(aws, reaper, ledger, refusing_api):
    # Given the events function's subscription with one retry, and an API that refuses to close sockets
    (events,) = [s for s in STREAM_SUBSCRIPTIONS if s.mapping == "events"]
    once = StreamSubscription(events.function, events.filters, batch_size=events.batch_size, retry_attempts=1)
    registry = FunctionRegistry(reload=False)
    poller = StreamPoller(
        endpoint_url=aws.url, table_name=aws.names.table, invoke=registry.invoke, ledger=ledger, subscriptions=(once,)
    )
    # When TTL removes a connection
    expire_a_connection(reaper, "conn-3")
    delivered = poller.poll_once()
    # Then the function was tried, retried once, and the record set aside as Lambda would
    assert delivered == 0
    assert refusing_api == ["/@connections/conn-3", "/@connections/conn-3"]
    (letter,) = poller.dead_letters
    assert letter["requestContext"]["functionArn"].endswith(":function:deskless-events")
    assert letter["requestContext"]["approximateInvokeCount"] == 2
