"""The automation runtime's pure parts: how a webhook is signed (what a receiver checks), which
addresses a webhook may call, the schedules' names and `at(...)` expressions, and how the local
scheduler reads them back."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

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
