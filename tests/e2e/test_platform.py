"""`deskless dev` as a newcomer and the console use it: over HTTP, WebSocket and SMTP."""

from __future__ import annotations

import json
import smtplib
import uuid
from email.message import EmailMessage
from typing import Any

import pytest
from botocore.exceptions import ClientError
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from deskless.edge import EDGE_HEADERS
from local.seed import DEMO_STAFF, DEMO_SUBDOMAIN
from local.services import local_client
from tests.e2e.conftest import Platform, bearer, wait_for


def connection_items(platform: Platform, user_id: str) -> list[dict[str, Any]]:
    response = platform.aws("dynamodb").query(
        TableName=platform.names.table,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"CONNS#{user_id}"}},
    )
    return list(response["Items"])


def test_health_and_public_config(platform: Platform) -> None:
    with platform.http() as client:
        assert client.get("/api/health").json() == {"status": "ok"}
        config = client.get("/api/config").json()
    assert config["websocket_url"] == f"ws://localhost:{platform.port}/ws"
    assert config["languages"] == ["en", "es", "de", "cs"]


def test_every_answer_carries_the_headers_cloudfront_adds(platform: Platform) -> None:
    with platform.http() as client:
        answers = [client.get(path) for path in ("/api/health", "/api/me", "/static/console/", "/_local/outbox")]
    with platform.http(host=f"{DEMO_SUBDOMAIN}.localhost") as portal:
        answers += [portal.get("/"), portal.get("/api/portal")]

    assert [answer.status_code for answer in answers] == [200, 401, 200, 200, 200, 200]
    for answer in answers:
        for name, value in EDGE_HEADERS.items():
            assert answer.headers[name] == value, answer.url


def test_demo_admin_signs_in_and_sees_themself(platform: Platform, admin_token: str) -> None:
    with platform.http() as client:
        me = client.get("/api/me", headers=bearer(admin_token)).json()
    assert (me["email"], me["role"]) == (DEMO_STAFF[0].email, "admin")
    assert "password_hash" not in me


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(platform: Platform) -> None:
    with platform.http() as client:
        wrong_password = client.post("/api/auth/login", json={"email": DEMO_STAFF[0].email, "password": "nope"})
        unknown_user = client.post("/api/auth/login", json={"email": "nobody@example.com", "password": "nope"})
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json()
    assert wrong_password.json()["error"] == "invalid_credentials"


def test_protected_routes_need_a_valid_token(platform: Platform) -> None:
    with platform.http() as client:
        assert client.get("/api/me").status_code == 401
        assert client.get("/api/me", headers=bearer("not.a.token")).status_code == 403


def test_admin_creates_a_technician_who_can_then_sign_in(platform: Platform, admin_token: str) -> None:
    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    with platform.http() as client:
        created = client.post(
            "/api/staff",
            headers=bearer(admin_token),
            json={"email": email, "name": "Nia New", "role": "technician", "password": "a-long-password"},
        )
        listed = client.get("/api/staff", headers=bearer(admin_token)).json()
    assert created.status_code == 201
    assert email in [user["email"] for user in listed]
    assert platform.login(email, "a-long-password")


def test_a_technician_may_not_create_or_list_staff(platform: Platform, technician_token: str) -> None:
    with platform.http() as client:
        create = client.post(
            "/api/staff",
            headers=bearer(technician_token),
            json={"email": "x@example.com", "name": "X", "role": "admin", "password": "a-long-password"},
        )
        listing = client.get("/api/staff", headers=bearer(technician_token))
    assert (create.status_code, create.json()["error"]) == (403, "forbidden")
    assert listing.status_code == 403


def test_unknown_route_is_a_404(platform: Platform) -> None:
    with platform.http() as client:
        assert client.get("/api/no-such-thing").status_code == 404


def test_portal_subdomain_reaches_the_portal_function(platform: Platform) -> None:
    with platform.http(host="acme.localhost") as client:
        page = client.get("/")
    assert page.status_code == 200
    assert "Acme support" in page.text
    with platform.http(host="nobody.localhost") as client:
        assert client.get("/").status_code == 404


def test_console_websocket_is_refused_without_or_with_a_bad_token(platform: Platform) -> None:
    for url, status in ((platform.websocket_url(), 401), (platform.websocket_url("forged.token.value"), 403)):
        with pytest.raises(InvalidStatus) as refused:
            connect(url).close()
        assert refused.value.response.status_code == status


def test_console_connects_is_stored_and_heartbeat_is_answered(platform: Platform, technician_token: str) -> None:
    with platform.http() as client:
        me = client.get("/api/me", headers=bearer(technician_token)).json()
    with connect(platform.websocket_url(technician_token)) as socket:
        socket.send(json.dumps({"action": "ping", "id": 7}))
        pong = json.loads(socket.recv(timeout=5))
        assert (pong["type"], pong["echo"]) == ("pong", 7)
        assert connection_items(platform, me["id"])
    wait_for(lambda: not connection_items(platform, me["id"]))


def test_unknown_action_gets_an_error_reply(platform: Platform, technician_token: str) -> None:
    with connect(platform.websocket_url(technician_token)) as socket:
        socket.send(json.dumps({"action": "dance"}))
        assert json.loads(socket.recv(timeout=5))["error"] == "invalid_request"


def test_connections_api_sends_answers_info_and_is_gone_after_disconnect(
    platform: Platform, technician_token: str
) -> None:
    user_id = platform_user_id(platform, technician_token)
    management = local_client("apigatewaymanagementapi", platform.base)
    with connect(platform.websocket_url(technician_token)) as socket:
        connection_id = wait_for(lambda: [i["connection_id"]["S"] for i in connection_items(platform, user_id)])[0]
        management.post_to_connection(ConnectionId=connection_id, Data=b'{"type":"hello"}')
        assert json.loads(socket.recv(timeout=5)) == {"type": "hello"}
        info = management.get_connection(ConnectionId=connection_id)
        assert info["Identity"]["SourceIp"] == "127.0.0.1"
        with pytest.raises(ClientError) as too_big:
            management.post_to_connection(ConnectionId=connection_id, Data=b"x" * (128 * 1024 + 1))
        assert too_big.value.response["Error"]["Code"] == "PayloadTooLargeException"
    with pytest.raises(ClientError) as gone:
        wait_for(lambda: management.post_to_connection(ConnectionId=connection_id, Data=b"{}") and False, timeout=3)
    assert gone.value.response["Error"]["Code"] == "GoneException"


def test_server_side_disconnect_closes_the_socket(platform: Platform, technician_token: str) -> None:
    user_id = platform_user_id(platform, technician_token)
    management = local_client("apigatewaymanagementapi", platform.base)
    with connect(platform.websocket_url(technician_token)) as socket:
        connection_id = wait_for(lambda: [i["connection_id"]["S"] for i in connection_items(platform, user_id)])[0]
        management.delete_connection(ConnectionId=connection_id)
        with pytest.raises(ConnectionClosed):
            socket.recv(timeout=5)


def test_ttl_sweep_removes_an_expired_connection_and_the_events_function_closes_it(
    platform: Platform, technician_token: str
) -> None:
    user_id = platform_user_id(platform, technician_token)
    with connect(platform.websocket_url(technician_token)) as socket, platform.http() as client:
        wait_for(lambda: connection_items(platform, user_id))
        # When the TTL clock passes the connection record's two-hour lifetime and a sweep runs
        client.post("/_local/ttl/advance", json={"seconds": 3 * 3600})
        assert client.post("/_local/ttl/sweep").json()["deleted"] >= 1
        # Then the REMOVE (with DynamoDB's TTL identity) reaches the events function, which closes the socket
        with pytest.raises(ConnectionClosed):
            socket.recv(timeout=10)
    assert not connection_items(platform, user_id)


def test_mail_to_the_smtp_listener_reaches_the_inbound_function(platform: Platform) -> None:
    message = EmailMessage()
    message["From"] = "Carla Customer <carla@acme.example.com>"
    message["To"] = f"support@{platform.names.mail_domain}"
    message["Subject"] = f"Printer on fire {uuid.uuid4().hex[:6]}"
    message.set_content("It is on fire again.")
    host, port = platform.urls["smtp"].rsplit(":", 1)
    with smtplib.SMTP(host, int(port), timeout=10) as smtp:
        smtp.send_message(message)

    def stored() -> list[str]:
        scan = platform.aws("dynamodb").scan(TableName=platform.names.table)[
            "Items"
        ]  # test inspection, not a request path
        return [i["subject"]["S"] for i in scan if i.get("type", {}).get("S") == "inbound_mail"]

    assert message["Subject"] in wait_for(stored)


def test_the_widget_demo_page_embeds_the_demo_portals_widget_from_an_allowed_origin(
    platform: Platform, admin_token: str
) -> None:
    # The demo page is served by the platform itself, at the public URL's origin
    with platform.http(host="localhost") as client:
        page = client.get("/_local/widget-demo")
        companies = client.get("/api/companies", headers=bearer(admin_token)).json()
    assert page.status_code == 200
    assert f'<script src="http://{DEMO_SUBDOMAIN}.localhost:{platform.port}/widget.js" async></script>' in page.text
    # and the demo portal lets that origin embed its widget
    (acme,) = [
        company for company in companies if company["portal"] and company["portal"]["subdomain"] == DEMO_SUBDOMAIN
    ]
    assert f"http://localhost:{platform.port}" in acme["portal"]["allowed_origins"]


def test_outbox_captures_email_sent_through_ses(platform: Platform) -> None:
    # an address of its own: other tests' notices (tickets' receipts) reach the outbox from the stream
    address = f"carla-{uuid.uuid4().hex[:8]}@acme.example.com"
    with platform.http() as client:
        client.delete("/_local/outbox")
        platform.aws("sesv2").send_email(
            FromEmailAddress=platform.names.mail_from,
            Destination={"ToAddresses": [address]},
            Content={
                "Simple": {
                    "Subject": {"Data": "Your ticket"},
                    "Body": {"Text": {"Data": "We are on it."}, "Html": {"Data": "<p>We are on it.</p>"}},
                }
            },
        )
        sent = client.get("/_local/outbox").json()
        page = client.get("/_local/outbox/page")
    mine = [m for m in sent if m["to"] == [address]]
    assert [m["subject"] for m in mine] == ["Your ticket"]
    assert "We are on it." in mine[0]["text"]
    assert "Your ticket" in page.text


def platform_user_id(platform: Platform, token: str) -> str:
    with platform.http() as client:
        return str(client.get("/api/me", headers=bearer(token)).json()["id"])


def test_every_catalog_route_is_reachable_locally(platform: Platform, admin_token: str) -> None:
    from deskless.catalog import HTTP_ROUTES

    with platform.http() as client:
        for route in HTTP_ROUTES:
            path = route.path.replace("{", "").replace("}", "")  # any value for a path parameter
            response = client.request(route.method, path, headers=bearer(admin_token), json={})
            # the gateway answers an unrouted request itself with this 404; a routed one reaches its function
            assert (response.status_code, response.text) != (404, '{"message": "Not Found"}'), route.route_key
