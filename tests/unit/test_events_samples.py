"""The sample events under events/ are what AWS sends: each parses with the matching
Powertools model, routes exist in the catalog, and stream images are this app's items as its
own code writes them. Integration tests and `deskless invoke` load these files."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    ApiGatewayAuthorizerRequestV2,
    APIGatewayProxyEventV2Model,
    APIGatewayWebSocketConnectEventModel,
    APIGatewayWebSocketDisconnectEventModel,
    APIGatewayWebSocketMessageEventModel,
    DynamoDBStreamModel,
    SesModel,
)
from pydantic import BaseModel

from deskless import chat_requests, companies, contacts, realtime
from deskless.auth import Principal, bearer_token
from deskless.catalog import (
    HTTP_ROUTES,
    INBOUND_MAIL_PREFIX,
    STREAM_SUBSCRIPTIONS,
    WEBSOCKET_ROUTES,
    WEBSOCKET_TOKEN_PARAMETER,
    Auth,
)
from deskless.companies import Company, Portal, PortalStatus
from deskless.data import Action, deserialize
from deskless.edge import ORIGIN_VERIFY_HEADER, PORTAL_HOST_HEADER
from deskless.streams import TTL_PRINCIPAL
from deskless.table import Entity
from functions.automation.schedules import Moment
from functions.realtime.actions import ScreenSignal
from local.streams import matches_any
from tests.helpers import EVENTS, load_event

MODELS: dict[str, type[BaseModel]] = {
    "http_login": APIGatewayProxyEventV2Model,
    "http_me": APIGatewayProxyEventV2Model,
    "http_staff_list": APIGatewayProxyEventV2Model,
    "http_staff_create": APIGatewayProxyEventV2Model,
    "http_email_template_preview": APIGatewayProxyEventV2Model,
    "http_portal_home": APIGatewayProxyEventV2Model,
    "authorizer_http": ApiGatewayAuthorizerRequestV2,
    "websocket_connect": APIGatewayWebSocketConnectEventModel,
    "websocket_ping": APIGatewayWebSocketMessageEventModel,
    "websocket_chat_accept": APIGatewayWebSocketMessageEventModel,
    "websocket_screen_signal": APIGatewayWebSocketMessageEventModel,
    "websocket_disconnect": APIGatewayWebSocketDisconnectEventModel,
    "stream_insert": DynamoDBStreamModel,
    "stream_modify": DynamoDBStreamModel,
    "stream_ttl_remove": DynamoDBStreamModel,
    "stream_chat_request_insert": DynamoDBStreamModel,
    "stream_contact_insert": DynamoDBStreamModel,
    "stream_ticket_insert": DynamoDBStreamModel,
    "scheduler_automation_moment": Moment,
    "ses_receipt": SesModel,
}
HTTP_SAMPLES = [name for name, model in MODELS.items() if model is APIGatewayProxyEventV2Model]
ROUTES = {route.route_key: route for route in HTTP_ROUTES}


def test_every_sample_file_is_checked_here() -> None:
    assert {path.stem for path in EVENTS.glob("*.json")} == {*MODELS, "authorizer_websocket"}


@pytest.mark.parametrize("name", list(MODELS))
def test_each_sample_parses_with_its_powertools_model(name: str) -> None:
    MODELS[name].model_validate(load_event(name))


# --- HTTP API --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", HTTP_SAMPLES)
def test_each_http_sample_is_a_payload_v2_request_for_a_catalog_route(name: str) -> None:
    event = load_event(name)
    context = event["requestContext"]

    assert event["version"] == "2.0"
    assert event["routeKey"] in ROUTES
    assert event["routeKey"] == context["routeKey"] == f"{context['http']['method']} {event['rawPath']}"
    assert context["http"]["path"] == event["rawPath"]
    assert all(header == header.lower() for header in event["headers"]), "HTTP APIs lowercase header names"
    assert "cookie" not in event["headers"], "HTTP APIs move cookies into `cookies`"
    assert ORIGIN_VERIFY_HEADER in event["headers"], "the CDN adds the origin secret to every request"
    assert PORTAL_HOST_HEADER in event["headers"], "the CDN passes the viewer's host"


@pytest.mark.parametrize("name", HTTP_SAMPLES)
def test_http_samples_carry_an_authorizer_context_exactly_when_their_route_has_an_authorizer(name: str) -> None:
    event = load_event(name)
    authorizer = event["requestContext"].get("authorizer")

    if ROUTES[event["routeKey"]].auth == Auth.TOKEN:
        assert Principal.from_context(authorizer["lambda"])
        assert bearer_token(event["headers"].get("authorization"))
    else:
        assert authorizer is None


@pytest.mark.parametrize("name", HTTP_SAMPLES)
def test_http_sample_bodies_are_the_json_their_content_length_says(name: str) -> None:
    event = load_event(name)

    assert event["isBase64Encoded"] is False
    if "body" in event:
        assert isinstance(json.loads(event["body"]), dict)
        assert event["headers"]["content-length"] == str(len(event["body"].encode()))


def test_the_http_authorizer_sample_asks_about_a_route_that_has_the_authorizer() -> None:
    event = load_event("authorizer_http")

    assert ROUTES[event["routeKey"]].auth == Auth.TOKEN
    assert event["routeArn"].endswith("/" + event["routeKey"].replace(" ", ""))
    assert event["identitySource"] == [event["headers"]["authorization"]]
    assert "body" not in event


# --- WebSocket -------------------------------------------------------------------------------


def test_the_websocket_authorizer_sample_has_what_a_request_authorizer_is_given() -> None:
    # Powertools has no model for this one: check the fields API Gateway documents by hand
    event = load_event("authorizer_websocket")
    context = event["requestContext"]

    assert event["type"] == "REQUEST"
    assert event["methodArn"].startswith("arn:aws:execute-api:")
    assert event["methodArn"].endswith(f"/{context['stage']}/$connect")
    assert isinstance(event["headers"], dict)
    assert isinstance(event["multiValueHeaders"], dict)
    assert event["queryStringParameters"][WEBSOCKET_TOKEN_PARAMETER]
    assert event["multiValueQueryStringParameters"][WEBSOCKET_TOKEN_PARAMETER] == [
        event["queryStringParameters"][WEBSOCKET_TOKEN_PARAMETER]
    ]
    assert context["routeKey"] == "$connect"
    assert context["eventType"] == "CONNECT"
    for field in ("connectionId", "requestId", "apiId", "domainName", "stage", "connectedAt", "identity"):
        assert context[field], field
    assert "authorizer" not in context, "the authorizer is what decides; it is not given its own answer"


def test_the_connect_sample_carries_what_the_authorizer_answered() -> None:
    event = load_event("websocket_connect")
    authorizer = event["requestContext"]["authorizer"]

    principal = Principal.from_context(authorizer)
    assert authorizer["principalId"] == principal.user_id
    assert event["queryStringParameters"][WEBSOCKET_TOKEN_PARAMETER]


@pytest.mark.parametrize("name", ["websocket_ping", "websocket_chat_accept", "websocket_disconnect"])
def test_the_connections_later_events_carry_what_the_authorizer_answered_at_connect(name: str) -> None:
    authorizer = load_event(name)["requestContext"]["authorizer"]
    connected = load_event("websocket_connect")["requestContext"]["authorizer"]

    assert Principal.from_context(authorizer) == Principal.from_context(connected)
    assert authorizer["principalId"] == connected["principalId"]


def test_the_message_sample_is_routed_by_its_action() -> None:
    event = load_event("websocket_ping")
    action = json.loads(event["body"])["action"]

    assert action == "ping" == event["requestContext"]["routeKey"]
    assert action in {route.route_key for route in WEBSOCKET_ROUTES}


def test_the_chat_accept_sample_is_routed_by_its_action_and_names_a_request() -> None:
    event = load_event("websocket_chat_accept")
    body = json.loads(event["body"])

    assert body["action"] == "chat.accept" == event["requestContext"]["routeKey"]
    assert body["action"] in {route.route_key for route in WEBSOCKET_ROUTES}
    assert body["request"]


def test_the_screen_signal_sample_is_a_visitors_candidate_for_their_own_session() -> None:
    event = load_event("websocket_screen_signal")
    body = json.loads(event["body"])
    caller = event["requestContext"]["authorizer"]

    assert body["action"] == "screen.signal" == event["requestContext"]["routeKey"]
    assert body["action"] in {route.route_key for route in WEBSOCKET_ROUTES}
    assert (caller["role"], caller["scope"]) == ("visitor", f"session:{body['session']}")
    assert ScreenSignal.model_validate(body).relayed() == {"candidate": body["candidate"]}


def test_websocket_samples_are_one_connection() -> None:
    names = [
        "authorizer_websocket",
        "websocket_connect",
        "websocket_ping",
        "websocket_chat_accept",
        "websocket_disconnect",
    ]
    ids = {load_event(name)["requestContext"]["connectionId"] for name in names}

    assert len(ids) == 1


# --- DynamoDB streams ------------------------------------------------------------------------


class CapturingTable:
    """A fake table that keeps what the code under test writes."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def put(self, item: dict[str, Any], **_: Any) -> None:
        self.items.append(dict(item))

    def transact(self, actions: list[Action]) -> None:
        self.items.extend(deserialize(action.request["Item"]) for action in actions if action.kind == "Put")


def record(name: str) -> dict[str, Any]:
    records: list[dict[str, Any]] = load_event(name)["Records"]
    assert len(records) == 1
    return records[0]


def written_connection(monkeypatch: pytest.MonkeyPatch, image: dict[str, Any]) -> dict[str, Any]:
    """The item save_connection writes for the connection an image describes."""
    fake = CapturingTable()
    monkeypatch.setattr(realtime, "table", lambda: fake)
    principal = Principal(user_id=image["user_id"], role=image["role"], name="Any Name", scope=image["scope"])
    realtime.save_connection(image["connection_id"], principal, source_ip=image["source_ip"], now=image["connected_at"])
    return fake.items[0]


def test_the_insert_sample_is_a_connection_as_save_connection_writes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    new = deserialize(record("stream_insert")["dynamodb"]["NewImage"])

    assert new == written_connection(monkeypatch, new)


def test_the_ttl_remove_sample_is_dynamodb_deleting_an_expired_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    event = record("stream_ttl_remove")
    old = deserialize(event["dynamodb"]["OldImage"])

    assert event["eventName"] == "REMOVE"
    assert event["userIdentity"] == {"type": "Service", "principalId": TTL_PRINCIPAL}
    assert "NewImage" not in event["dynamodb"]
    assert old == written_connection(monkeypatch, old)
    assert old["expires_at"] < event["dynamodb"]["ApproximateCreationDateTime"], "TTL deletes after expiry"


def test_the_ttl_remove_sample_passes_the_events_subscription_filter() -> None:
    event = record("stream_ttl_remove")
    (subscription,) = [s for s in STREAM_SUBSCRIPTIONS if s.mapping == "events"]

    assert matches_any(subscription.filters, event)
    assert event["dynamodb"]["OldImage"]["type"]["S"] == Entity.CONNECTION


def test_the_modify_sample_is_a_portal_going_inactive_as_create_portal_writes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = record("stream_modify")
    old = deserialize(event["dynamodb"]["OldImage"])
    new = deserialize(event["dynamodb"]["NewImage"])
    fake = CapturingTable()
    monkeypatch.setattr(companies, "table", lambda: fake)

    companies.create_portal(
        Company(id=old["company_id"], name=old["company_name"], created_at=0),
        old["subdomain"],
        language=old["language"],
    )

    assert old == fake.items[0]
    assert new == {**old, "status": PortalStatus.INACTIVE.value}


def test_the_chat_request_sample_is_a_request_as_create_chat_request_writes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = record("stream_chat_request_insert")
    new = deserialize(event["dynamodb"]["NewImage"])
    fake = CapturingTable()
    monkeypatch.setattr(chat_requests, "table", lambda: fake)
    monkeypatch.setattr(secrets, "token_urlsafe", lambda _: new["request_id"])  # the id chat_requests draws
    company = Company(id=new["company_id"], name=new["company_name"], created_at=0)
    portal = Portal(
        company_id=company.id,
        company_name=company.name,
        subdomain=new["subdomain"],
        status=PortalStatus.ACTIVE,
        language=new["language"],
    )

    chat_requests.create_chat_request(
        company,
        portal,
        name=new["name"],
        email=new["email"],
        question=new["question"],
        language=new["language"],
        wait_seconds=new["accept_until"] - new["queued_ms"] // 1000,
        now=new["queued_ms"] / 1000,
    )

    assert event["eventName"] == "INSERT"
    assert new == fake.items[0]
    (subscription,) = [s for s in STREAM_SUBSCRIPTIONS if s.mapping == "events"]
    assert matches_any(subscription.filters, event)


def test_the_contact_sample_is_a_contact_from_email_as_create_contact_writes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = record("stream_contact_insert")
    new = deserialize(event["dynamodb"]["NewImage"])
    fake = CapturingTable()
    monkeypatch.setattr(contacts, "table", lambda: fake)

    contacts.create_contact(
        new["name"],
        new["emails"],
        created_via=contacts.CreatedVia.EMAIL,
        company_id=new["company_id"],
        welcome_requested=True,
        contact_id=new["contact_id"],
        now=new["created_at"],
    )

    assert event["eventName"] == "INSERT"
    assert new == fake.items[0]
    (subscription,) = [s for s in STREAM_SUBSCRIPTIONS if s.mapping == "events"]
    assert matches_any(subscription.filters, event)  # it asks for the welcome email


@pytest.mark.parametrize(
    "name",
    ["stream_insert", "stream_modify", "stream_ttl_remove", "stream_chat_request_insert", "stream_contact_insert"],
)
def test_stream_record_keys_are_the_keys_of_their_image(name: str) -> None:
    event = record(name)
    image = event["dynamodb"].get("NewImage") or event["dynamodb"]["OldImage"]

    assert event["dynamodb"]["Keys"] == {"pk": image["pk"], "sk": image["sk"]}
    assert event["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"


# --- SES -------------------------------------------------------------------------------------


def test_the_ses_sample_is_the_lambda_action_that_follows_the_s3_action() -> None:
    ses = record("ses_receipt")["ses"]
    mail = ses["mail"]

    assert ses["receipt"]["action"]["type"] == "Lambda"
    assert ses["receipt"]["action"]["invocationType"] == "Event"
    assert "content" not in mail, "the Lambda action carries headers only; the body is in S3"
    assert mail["messageId"]
    assert "/" not in mail["messageId"], f"stored in S3 at {INBOUND_MAIL_PREFIX}<messageId>"
    headers = {header["name"].lower(): header["value"] for header in mail["headers"]}
    assert headers["subject"] == mail["commonHeaders"]["subject"]
    assert mail["commonHeaders"]["from"] == [headers["from"]]
    assert ses["receipt"]["recipients"] == mail["destination"]


def test_the_ticket_sample_reaches_the_events_and_the_automation_functions() -> None:
    event = record("stream_ticket_insert")
    image = deserialize(event["dynamodb"]["NewImage"])

    assert image["type"] == Entity.TICKET
    assert image["title"] == "[Portal Credentials]"
    readers = {s.mapping for s in STREAM_SUBSCRIPTIONS if matches_any(s.filters, event)}
    assert readers == {"events", "automation"}


def test_the_scheduler_sample_is_a_moment_of_the_ticket_sample() -> None:
    moment = Moment.model_validate(load_event("scheduler_automation_moment"))
    ticket = deserialize(record("stream_ticket_insert")["dynamodb"]["NewImage"])

    assert moment.number == ticket["number"]
    assert moment.due - moment.basis == 86_400_000  # pending for a day
