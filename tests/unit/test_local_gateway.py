"""The local gateway's events are the shapes API Gateway sends (validated by Powertools' models),
it routes as API Gateway does, and its answers carry the headers CloudFront adds."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.parser.models import (
    ApiGatewayAuthorizerRequestV2,
    APIGatewayProxyEventV2Model,
    APIGatewayWebSocketConnectEventModel,
    APIGatewayWebSocketDisconnectEventModel,
    APIGatewayWebSocketMessageEventModel,
)

from deskless import catalog
from deskless.catalog import ADMIN, STAFF, HttpRoute
from deskless.edge import EDGE_HEADERS
from local import apigateway as agw
from local.functions import FunctionRegistry
from local.gateway import Gateway, _match, at_the_edge, lambda_response
from tests.helpers import call_gateway


def request(**overrides: object) -> agw.Request:
    values: dict[str, object] = {
        "method": "POST",
        "path": "/api/staff",
        "raw_query": "a=1&a=2&b=",
        "headers": [
            ("Host", "acme.localhost:8000"),
            ("Content-Type", "application/json"),
            ("Cookie", "x=1; y=2"),
            ("Accept", "a"),
            ("Accept", "b"),
        ],
        "source_ip": "127.0.0.1",
        "body": b'{"name": "Ann"}',
    }
    values.update(overrides)
    return agw.Request(**values)  # type: ignore[arg-type]


def test_http_event_is_payload_v2_with_everything_api_gateway_sends() -> None:
    event = agw.http_event(request(), "POST /api/staff", {"id": "7"}, {"user_id": "u1", "role": "admin"})
    model = APIGatewayProxyEventV2Model.model_validate(event)
    assert model.cookies == ["x=1", "y=2"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["accept"] == "a,b"
    assert model.queryStringParameters == {"a": "1,2", "b": ""}
    assert model.pathParameters == {"id": "7"}
    assert model.requestContext.authorizer is not None
    assert model.requestContext.authorizer.lambda_value == {"user_id": "u1", "role": "admin"}
    assert (event["body"], event["isBase64Encoded"]) == ('{"name": "Ann"}', False)


def test_binary_bodies_are_base64_encoded() -> None:
    event = agw.http_event(request(headers=[("content-type", "image/png")], body=b"\x89PNG"), "POST /x", {}, None)
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x89PNG"


def test_http_authorizer_request_is_v2() -> None:
    event = agw.http_authorizer_event(request(), "POST /api/staff", {}, ["Bearer abc"])
    model = ApiGatewayAuthorizerRequestV2.model_validate(event)
    assert model.identitySource == ["Bearer abc"]
    assert event["routeArn"].endswith("/$default/POST/api/staff")


def test_websocket_events_match_powertools_models() -> None:
    handshake = request(method="GET", path="/ws", raw_query="token=abc", body=b"")
    connection = agw.Connection(
        connection_id=agw.new_connection_id(), handshake=handshake, authorizer={"user_id": "u1"}
    )
    connect = APIGatewayWebSocketConnectEventModel.model_validate(agw.websocket_connect_event(connection))
    message = APIGatewayWebSocketMessageEventModel.model_validate(
        agw.websocket_message_event(connection, "ping", '{"action":"ping"}')
    )
    disconnect = APIGatewayWebSocketDisconnectEventModel.model_validate(
        agw.websocket_disconnect_event(connection, 1000, "bye")
    )
    assert connect.request_context.route_key == "$connect"
    assert message.request_context.connection_id == connection.connection_id
    assert disconnect.request_context.disconnect_status_code == 1000
    authorizer = agw.websocket_authorizer_event(connection)
    assert authorizer["type"] == "REQUEST"
    assert authorizer["queryStringParameters"] == {"token": "abc"}
    assert authorizer["methodArn"].endswith("/live/$connect")


def test_connection_ids_look_like_api_gateways() -> None:
    ids = {agw.new_connection_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) == 16 and i.endswith("=") for i in ids)


ROUTES = (
    HttpRoute("GET /api/staff", "staff", ADMIN),
    HttpRoute("GET /api/staff/{user_id}", "staff", ADMIN),
    HttpRoute("GET /api/staff/me", "auth", STAFF),
)


def test_the_most_specific_route_wins_and_parameters_are_extracted() -> None:
    assert _match(ROUTES, "GET", "/api/staff/me") == (ROUTES[2], {})
    assert _match(ROUTES, "GET", "/api/staff/42") == (ROUTES[1], {"user_id": "42"})
    assert _match(ROUTES, "POST", "/api/staff") is None
    assert _match(ROUTES, "GET", "/api/staff/42/extra") is None


def test_lambda_results_become_responses_as_the_http_api_reads_them() -> None:
    assert lambda_response({"statusCode": 201, "headers": {"x": "1"}, "body": "hi", "cookies": ["a=1"]}) == (
        201,
        {"x": "1"},
        ["a=1"],
        b"hi",
    )
    assert (
        lambda_response({"statusCode": 200, "body": base64.b64encode(b"\x00").decode(), "isBase64Encoded": True})[3]
        == b"\x00"
    )
    assert lambda_response({"ok": True}) == (200, {"content-type": "application/json"}, [], b'{"ok": true}')


# --- the edge's headers, as CloudFront adds them ---------------------------------------------


async def _tools(method: str, path: str, body: bytes) -> tuple[int, str, bytes] | None:
    return (200, "application/json", b"[]") if (method, path) == ("GET", "/_local/outbox") else None


def test_every_answer_served_as_the_cdn_serves_it_carries_the_edge_headers(tmp_path: Path) -> None:
    # Given a gateway with a web root and local tools
    (tmp_path / "console").mkdir()
    (tmp_path / "console" / "index.html").write_text("<title>Console</title>")
    gateway = Gateway(FunctionRegistry(reload=False), origin_secret="s", tools=_tools, web_root=tmp_path)
    # When it answers a static file, a missing one, a local tool, and a path no API route has
    answers = {
        path: call_gateway(gateway, "GET", path)
        for path in ("/static/console/", "/static/nothing.js", "/_local/outbox", "/api/no-such-route")
    }
    # Then each answer carries deskless.edge's headers (HSTS), as it would from CloudFront
    assert [answer.status for answer in answers.values()] == [200, 404, 200, 404]
    for path, answer in answers.items():
        for name, value in EDGE_HEADERS.items():
            assert answer.headers[name] == value, path
    assert EDGE_HEADERS["strict-transport-security"] == "max-age=63072000; includeSubDomains"


def test_the_connections_api_is_api_gateways_own_and_carries_no_edge_headers() -> None:
    gateway = Gateway(FunctionRegistry(reload=False), origin_secret="s")

    answer = call_gateway(gateway, "POST", "/@connections/gone-connection")

    assert answer.status == 410
    assert not set(EDGE_HEADERS) & set(answer.headers)


def test_the_edge_headers_replace_any_the_origin_set() -> None:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    start = {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", b"text/html"), (b"Strict-Transport-Security", b"max-age=0")],
    }

    async def respond() -> None:
        await at_the_edge(send)(start)

    asyncio.run(respond())

    (message,) = sent
    assert message["headers"] == [
        (b"content-type", b"text/html"),
        *((name.encode(), value.encode()) for name, value in EDGE_HEADERS.items()),
    ]


# --- the HTTP authorizer's verdicts, reused as API Gateway reuses them -----------------------


class Verdicts:
    """Functions whose authorizer says `verdict` (or fails), and whose other functions answer 200;
    what was invoked, in order."""

    def __init__(self) -> None:
        self.verdict: dict[str, Any] | None = {"isAuthorized": True, "context": {"user_id": "u1", "role": "admin"}}
        self.invoked: list[tuple[str, dict[str, Any]]] = []

    def catalog(self) -> Any:
        return catalog

    def invoke(self, name: str, event: dict[str, Any]) -> Any:
        self.invoked.append((name, event))
        if name != catalog.HTTP_AUTHORIZER:
            return {"statusCode": 200, "body": "{}"}
        if self.verdict is None:
            raise RuntimeError("the authorizer failed")
        return self.verdict

    def stop(self) -> None:
        pass

    def authorizer_calls(self) -> int:
        return sum(name == catalog.HTTP_AUTHORIZER for name, _ in self.invoked)


def signed_in(gateway: Gateway, path: str = "/api/settings", token: str = "Bearer one") -> int:
    return call_gateway(gateway, "GET", path, {"authorization": token}).status


def test_a_verdict_on_a_token_is_reused_on_every_route_for_the_cache_s_seconds_then_asked_again() -> None:
    now = [1000.0]
    functions = Verdicts()
    gateway = Gateway(functions, origin_secret="s", clock=lambda: now[0])

    # Given a token the authorizer let in once
    assert signed_in(gateway) == 200
    # When it calls again, on another route, until the verdict's time is up
    now[0] += catalog.HTTP_AUTHORIZER_CACHE_SECONDS - 1
    assert signed_in(gateway, "/api/codes") == 200
    # Then the authorizer was asked once, and the function got the verdict's identity both times
    assert functions.authorizer_calls() == 1
    answered = [event for name, event in functions.invoked if name != catalog.HTTP_AUTHORIZER]
    assert [event["requestContext"]["authorizer"]["lambda"]["user_id"] for event in answered] == ["u1", "u1"]

    # When the time is up, the authorizer is asked again, and its new verdict holds
    now[0] += 1
    functions.verdict = {"isAuthorized": False}
    assert signed_in(gateway) == 403
    assert functions.authorizer_calls() == 2
    # and another token is a verdict of its own
    functions.verdict = {"isAuthorized": True, "context": {"user_id": "u2", "role": "technician"}}
    assert signed_in(gateway, token="Bearer two") == 200
    assert functions.authorizer_calls() == 3


def test_a_refusal_is_reused_too_but_a_failed_authorizer_is_asked_again() -> None:
    functions = Verdicts()
    gateway = Gateway(functions, origin_secret="s")

    functions.verdict = {"isAuthorized": False}
    assert [signed_in(gateway), signed_in(gateway)] == [403, 403]
    assert functions.authorizer_calls() == 1

    functions.verdict = None
    assert [signed_in(gateway, token="Bearer new"), signed_in(gateway, token="Bearer new")] == [500, 500]
    assert functions.authorizer_calls() == 3
