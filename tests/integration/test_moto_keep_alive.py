"""moto's server in local mode (local.moto_keep_alive) keeps botocore's connections open, and answers
every request as Werkzeug's handler answers it."""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from local.moto_isolation import OneRequestAtATime
from local.moto_keep_alive import KeepAliveRequestHandler
from local.services import local_client
from tests.conftest import LocalAws

VARYING = {"date", "server", "connection", "x-amzn-requestid", "x-amz-request-id", "x-amz-id-2", "x-amz-crc32"}


@pytest.fixture
def closing_url(aws: LocalAws) -> Iterator[str]:
    """The same moto (its backends are the process's), behind Werkzeug's own handler."""
    app = OneRequestAtATime(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.port}"
    server.shutdown()
    server.server_close()


def exchange(address: str, method: str, path: str, body: bytes | None = None, **headers: str) -> dict[str, Any]:
    """One request on a new connection: the answer, without what varies by time or request."""
    host, port = address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        answer = {
            "status": response.status,
            "headers": {k.lower(): v for k, v in response.getheaders() if k.lower() not in VARYING},
            "body": re.sub(rb"<RequestId>[^<]*</RequestId>", b"", payload),  # S3's error bodies name the request
        }
        return answer
    finally:
        connection.close()


def dynamodb(target: str) -> dict[str, str]:
    return {
        "X-Amz-Target": f"DynamoDB_20120810.{target}",
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host, Signature=0",
    }


def test_botocore_sends_its_requests_on_one_connection(aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> None:
    connections: list[Any] = []
    setup = KeepAliveRequestHandler.setup

    def counted(handler: KeepAliveRequestHandler) -> None:
        connections.append(handler.client_address)
        setup(handler)

    monkeypatch.setattr(KeepAliveRequestHandler, "setup", counted)
    client = local_client.__wrapped__("dynamodb", aws.url)  # a new client: no connection open yet

    for _ in range(10):
        client.describe_table(TableName=aws.names.table)

    assert len(connections) == 1


def test_answers_are_werkzeugs_own(aws: LocalAws, closing_url: str) -> None:
    # Given an item, and moto behind both handlers
    kept = aws.url.removeprefix("http://")
    table = aws.names.table
    aws.client("dynamodb").put_item(TableName=table, Item={"pk": {"S": "A"}, "sk": {"S": "B"}, "n": {"N": "1"}})
    key = json.dumps({"TableName": table, "Key": {"pk": {"S": "A"}, "sk": {"S": "B"}}}).encode()
    missing = json.dumps({"TableName": "nothing", "Key": {"pk": {"S": "A"}}}).encode()
    requests: list[tuple[str, str, bytes | None, dict[str, str]]] = [
        ("POST", "/", key, dynamodb("GetItem")),
        ("POST", "/", missing, dynamodb("GetItem")),  # an error answer
        ("GET", f"/{aws.names.inbound_bucket}", None, {}),  # S3 over REST
        ("HEAD", f"/{aws.names.inbound_bucket}", None, {}),
        ("GET", "/no-such-bucket", None, {}),
        ("GET", "/moto-api/data.json", None, {}),
    ]
    # When each is sent to both
    for method, path, body, headers in requests:
        # Then the answers are the same, but for what varies by time and request
        assert exchange(kept, method, path, body, **headers) == exchange(closing_url, method, path, body, **headers)


def test_a_request_with_a_chunked_body_is_answered_and_its_connection_closed(aws: LocalAws) -> None:
    host, port = aws.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(
            "PUT", f"/{aws.names.inbound_bucket}/chunked", body=iter([b"hello ", b"world"]), encode_chunked=True
        )
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()

    assert response.status == 200
    assert response.getheader("Connection") == "close"
    stored = aws.client("s3").get_object(Bucket=aws.names.inbound_bucket, Key="chunked")["Body"].read()
    assert stored == b"hello world"
