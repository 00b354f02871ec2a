"""The automation runtime's pure parts: how a webhook is signed (what a receiver checks), which
addresses a webhook may call, the schedules' names and `at(...)` expressions, and how the local
scheduler reads them back."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from functions.automation import webhooks
from functions.automation.schedules import at_expression, schedule_name
from local.scheduler import due_at, function_of
from local.tools import LocalTools


def test_a_webhook_signature_is_the_hmac_of_the_time_and_the_body_as_a_receiver_checks_it():
    key, body = b"k" * 32, b'{"ticket":{"number":1001}}'

    header = webhooks.signature(body, 1796637600, key)

    stamp, digest = (part.split("=", 1)[1] for part in header.split(","))
    assert stamp == "1796637600"
    assert digest == hmac.new(key, b"1796637600." + body, hashlib.sha256).hexdigest()
    assert webhooks.signature(body + b" ", 1796637600, key) != header  # the body is signed
    assert webhooks.signature(body, 1796637601, key) != header  # and the time: no replay later


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",  # not https
        "https://127.0.0.1/hook",  # loopback
        "https://10.1.2.3/hook",  # private
        "https://169.254.169.254/latest/meta-data",  # link-local: the instance metadata service
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "ftp://example.com/hook",
        "https:///nohost",
    ],
)
def test_a_webhook_refuses_what_is_not_https_or_resolves_inside_the_network(monkeypatch, url):
    monkeypatch.setattr(webhooks, "_local", lambda: False)

    with pytest.raises(webhooks.WebhookRefused):
        webhooks.check_address(url)


def test_locally_plain_http_to_loopback_is_allowed_so_tests_can_receive(monkeypatch):
    monkeypatch.setattr(webhooks, "_local", lambda: True)

    webhooks.check_address("http://127.0.0.1:8123/hook")
    with pytest.raises(webhooks.WebhookRefused):
        webhooks.check_address("http://10.1.2.3/hook")  # still not inside anything else


class Receiver:
    """An HTTP receiver on loopback answering `status` (with a Location header); what it got."""

    def __init__(self, status: int) -> None:
        got: list[tuple[str, str, bytes]] = []  # (Host header, path, body)
        self.got = got

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                got.append((self.headers["Host"], self.path, body))
                self.send_response(status)
                self.send_header("Location", "http://10.1.2.3/inside")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def quick_local_webhooks(monkeypatch):
    monkeypatch.setattr(webhooks, "_local", lambda: True)
    monkeypatch.setattr(webhooks, "webhook_key", lambda: b"key")
    monkeypatch.setattr(webhooks, "TIMEOUT_S", 0.5)
    monkeypatch.setattr(webhooks, "BACKOFF_S", (0.0, 0.0))


def test_every_try_goes_to_the_address_checked_though_the_name_resolves_elsewhere_by_then(
    monkeypatch, quick_local_webhooks
):
    # Given a name that resolves to loopback once, then (DNS rebinding) somewhere it may not call
    receiver = Receiver(200)
    real = socket.getaddrinfo
    asked = []

    def rebinding(host, *args, **kwargs):
        if host != "hooks.example.test":
            return real(host, *args, **kwargs)
        asked.append(host)
        return real("127.0.0.1" if len(asked) == 1 else "10.1.2.3", *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    try:
        # When the webhook is called
        status = webhooks.call(f"http://hooks.example.test:{receiver.port}/hook?x=1", {"a": 1})
    finally:
        receiver.close()

    # Then the name was resolved once, and the address checked got the call, for the host named
    assert (status, asked) == (200, ["hooks.example.test"])
    assert receiver.got == [(f"hooks.example.test:{receiver.port}", "/hook?x=1", b'{"a":1}')]


def test_a_redirect_is_an_answer_that_fails_the_try_not_an_address_to_follow(quick_local_webhooks):
    receiver = Receiver(302)
    try:
        with pytest.raises(webhooks.WebhookFailed, match="it answered 302"):
            webhooks.call(f"http://127.0.0.1:{receiver.port}/hook", {"a": 1})
    finally:
        receiver.close()
    assert len(receiver.got) == webhooks.TRIES  # tried three times, never at the Location


def test_over_tls_the_socket_goes_to_an_address_checked_and_the_handshake_names_the_host(monkeypatch):
    sockets, handshakes = [], []

    def connect(address, timeout):
        sockets.append(address)
        if ":" in address[0]:
            raise OSError("Network is unreachable")  # no IPv6 route from here
        return "socket"

    monkeypatch.setattr(socket, "create_connection", connect)
    checked = ["2606:2800:21f:cb07:6820:80da:af6b:8b2c", "93.184.215.14"]
    connection = webhooks._PinnedHTTPS("hooks.example.com", 443, addresses=checked, timeout=1.0)
    monkeypatch.setattr(
        connection.tls, "wrap_socket", lambda plain, server_hostname: handshakes.append((plain, server_hostname))
    )

    connection.connect()

    assert sockets == [(checked[0], 443), (checked[1], 443)]  # each checked address in turn, as a name's are
    assert handshakes == [("socket", "hooks.example.com")]
    assert connection.tls.check_hostname
    assert connection.tls.verify_mode == ssl.CERT_REQUIRED


def test_a_schedule_is_named_after_its_ticket_and_rule_within_schedulers_64_characters():
    assert schedule_name(1001, "r1") == "t1001-r1"
    assert len(schedule_name(999_999_999, "x" * 80)) == 64


def test_a_moment_is_an_at_expression_in_utc_and_one_already_past_is_asked_for_now():
    assert at_expression(1796637600_000, now=0) == "at(2026-12-07T10:00:00)"
    assert at_expression(1796637600_500, now=0) == "at(2026-12-07T10:00:01)"  # never before it is due
    assert at_expression(0, now=1796637600) == "at(2026-12-07T10:00:00)"


def test_the_local_scheduler_reads_the_moment_and_the_function_back():
    assert due_at(at_expression(1796637600_000, now=0)) == 1796637600
    assert due_at("cron(0 10 * * ? *)") is None
    assert function_of("arn:aws:lambda:us-east-1:123456789012:function:deskless-automation") == "automation"
    assert function_of("arn:aws:lambda:us-east-1:123456789012:function:deskless-automation:live") == "automation"


class FakeScheduler:
    def __init__(self) -> None:
        self.moved = 0.0

    def advance(self, seconds: float) -> float:
        self.moved += seconds
        return 1796637600 + self.moved

    def fire_due(self) -> int:
        return 1


def test_the_local_clock_moves_forward_only_and_fires_what_came_due():
    scheduler = FakeScheduler()
    tools = LocalTools(outbox=None, reaper=None, poller=None, scheduler=scheduler)  # type: ignore[arg-type]

    moved = asyncio.run(tools("POST", "/_local/clock", b'{"advance_seconds": 86400}'))
    assert moved is not None
    assert (moved[0], json.loads(moved[2])) == (200, {"now": 1796724000, "fired": 1})
    for bad in (b'{"advance_seconds": -1}', b'{"seconds": 5}', b"not json"):
        answer = asyncio.run(tools("POST", "/_local/clock", bad))
        assert answer is not None
        assert answer[0] == 400
    assert scheduler.moved == 86400
