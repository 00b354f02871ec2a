"""The automation function against moto, from the table's stream: a rule's email sent once however
often its batch comes (0 duplicates); a failing webhook retried, then recorded on the ticket while
the rule's other actions ran; field changes made as one change that starts no new round;
round-robin assignment; the mail cap; time-based rules fired by the local scheduler when the
platform's clock is advanced (and a stale moment doing nothing); schedules deleted when no longer
due; the trace API; what a record that triggers nothing costs."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from deskless.auth import Principal, Role
from deskless.contacts import Contact
from deskless.data import table
from deskless.preferences import update_preferences
from deskless.realtime import save_connection
from deskless.table import ticket_key
from deskless.teams import NewTeam, create_team
from deskless.ticket_intake import Submission, submit
from deskless.tickets import (
    Author,
    AuthorKind,
    Changes,
    Source,
    Status,
    change_ticket,
    customer_timeline,
    ticket_of,
    ticket_with_timeline,
)
from deskless.users import Channel
from local.mail import Outbox
from local.metering import count_requests
from local.scheduler import LocalScheduler
from local.streams import StreamPoller, TtlLedger, stream_event
from tests.conftest import LocalAws
from tests.helpers import ConnectionsStub, add_staff, call_http, current, http_event, invoke
from tests.integration.conftest import technician
from tests.integration.test_events_sessions import record
from tests.integration.test_portal_accounts import contact

CARLA = "carla@acme.example.com"
DAY = 86400


class Recorded:
    """The stream, delivered through the catalog's mappings; the automation function's batches kept,
    so a test can deliver one again, as Lambda does after a failure."""

    def __init__(self, aws: LocalAws) -> None:
        self.batches: list[dict[str, Any]] = []
        self.poller = StreamPoller(
            endpoint_url=aws.url, table_name=aws.names.table, invoke=self._invoke, ledger=TtlLedger(), interval_s=0.05
        )

    def _invoke(self, function: str, event: dict[str, Any]) -> Any:
        if function == "automation":
            self.batches.append(event)
        return invoke(function, event)

    def settle(self) -> None:
        """Deliver every change until none is left (a rule's change is a change too)."""
        while self.poller.poll_once():
            pass


@pytest.fixture
def flow(aws: LocalAws) -> Iterator[Recorded]:
    recorded = Recorded(aws)
    yield recorded
    recorded.poller.stop()


@pytest.fixture
def scheduler(aws: LocalAws) -> LocalScheduler:
    return LocalScheduler(endpoint_url=aws.url, group=aws.names.schedule_group, invoke=invoke)


@pytest.fixture
def carla(aws: LocalAws, outbox: Outbox) -> Contact:
    person = contact("Acme", CARLA, subdomain="acme")
    outbox.clear()
    return person


def rule(name: str, trigger: dict[str, Any], actions: list[dict[str, Any]], **more: Any) -> Any:
    """An active rule, made as the admin's API makes it (placed last)."""
    rules = current("deskless.automation_rules")
    content = {"name": f"Rule {name}", "trigger": trigger, "active": True, "actions": actions, **more}
    return rules.create_rule(rules.RuleContent.model_validate(content))


def titled(title: str) -> list[dict[str, Any]]:
    return [{"property": "title", "operator": "equals", "value": title}]


def open_ticket(person: Contact, title: str = "Printer broken") -> int:
    return submit(Submission(title=title, description="It is offline."), person, Source.PORTAL).number


def mails_to(outbox: Outbox, address: str) -> list[dict[str, Any]]:
    return [message for message in outbox.messages() if address in message["to"]]


STAFF = Principal(user_id="u-ted", email="ted@example.com", name="Ted Tech", role=Role.TECHNICIAN)


def ask_traces(aws: LocalAws, number: int) -> Any:
    add_staff(STAFF)
    route = f"GET /api/tickets/{number}/automation"
    return call_http(
        "tickets", http_event("http_staff_list", origin_secret=aws.origin_secret, principal=STAFF, route_key=route)
    )


def traces(aws: LocalAws, number: int) -> list[dict[str, Any]]:
    answer = ask_traces(aws, number)
    assert answer.status == 200, answer.body
    found: list[dict[str, Any]] = json.loads(answer.body)
    return found


TED = Author(kind=AuthorKind.STAFF, id="", name="Ted Tech")


# --- once, whatever the retries ------------------------------------------------------------------


def test_the_portal_credentials_rule_mails_the_contact_once_even_when_its_batch_comes_again(
    aws: LocalAws, flow: Recorded, carla: Contact, outbox: Outbox
) -> None:
    rule(
        "credentials",
        {"kind": "ticket_created"},
        [{"kind": "send_email", "to": "requester", "template_id": "portal-credentials"}],
        conditions=titled("[Portal Credentials]"),
    )
    open_ticket(carla, "Printer broken")  # not the title: nothing
    number = open_ticket(carla, "[Portal Credentials]")

    flow.settle()
    (batch,) = [b for b in flow.batches if any(r["eventName"] == "INSERT" for r in b["Records"])][-1:]
    assert invoke("automation", batch) == {"batchItemFailures": []}  # Lambda delivers it again
    assert invoke("automation", batch) == {"batchItemFailures": []}

    sent = [mail for mail in mails_to(outbox, CARLA) if "Temporary password" in mail["text"]]
    assert len(sent) == 1  # the template's credential: a temporary password, issued once
    assert f"[#{number}]" in sent[0]["subject"]


# --- the trace, the API ---------------------------------------------------------------------------


def test_the_trace_says_what_ran_newest_first_and_a_missing_ticket_is_404(
    aws: LocalAws, flow: Recorded, carla: Contact
) -> None:
    note = rule("note", {"kind": "ticket_created"}, [{"kind": "add_note", "body": "Seen by a rule."}])
    number = open_ticket(carla)
    flow.settle()

    (trace,) = traces(aws, number)

    assert trace["number"] == number
    assert trace["triggers"] == ["ticket_created"]
    (result,) = trace["rules"]
    assert result["rule_id"] == note.id
    assert [action["outcome"] for action in result["actions"]] == ["done"]
    assert ask_traces(aws, 999).status == 404


# --- a failing action ----------------------------------------------------------------------------


class Receiver:
    """A webhook receiver on loopback that answers every request with `status`, after `delay_s`."""

    def __init__(self, status: int, delay_s: float = 0.0) -> None:
        self.status = status
        self.delay_s = delay_s
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append((dict(self.headers), body))
                time.sleep(receiver.delay_s)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def failing_receiver() -> Iterator[Receiver]:
    receiver = Receiver(500)
    yield receiver
    receiver.close()


def test_a_failing_webhook_is_tried_three_times_then_recorded_while_the_other_actions_ran(
    aws: LocalAws, flow: Recorded, carla: Contact, failing_receiver: Receiver
) -> None:
    hook = rule(
        "hook",
        {"kind": "ticket_created"},
        [
            {"kind": "webhook", "url": failing_receiver.url},
            {"kind": "add_note", "body": "Escalated."},
            {"kind": "add_tags", "tags": ["hooked"]},
        ],
    )
    number = open_ticket(carla)

    flow.settle()

    # three signed tries of the same body
    assert len(failing_receiver.requests) == 3
    headers, body = failing_receiver.requests[0]
    parts = dict(part.split("=", 1) for part in headers["X-Deskless-Signature"].split(","))
    stamp, digest = parts["t"], parts["v1"]
    key = current("functions.automation.webhooks").webhook_key()
    assert current("functions.automation.webhooks").signature(body, int(stamp), key) == f"t={stamp},v1={digest}"
    assert json.loads(body)["ticket"]["number"] == number
    assert json.loads(body)["rule"] == {"id": hook.id, "name": "Rule hook"}
    # the other actions ran; the failure is on the ticket's timeline and in the trace
    ticket, timeline = ticket_with_timeline(number)
    assert ticket.tags == ["hooked"]
    assert [entry.body for entry in timeline if entry.kind.value == "note"] == ["Escalated."]
    (failure,) = [entry for entry in timeline if entry.reason == "automation_failed"]
    assert failure.author.kind is AuthorKind.RULE
    assert "500" in (failure.changes[0].after or "")
    assert failure.id not in {entry.id for entry in customer_timeline(timeline)}  # staff only
    (trace,) = traces(aws, number)
    outcomes = [(a["kind"], a["outcome"], a["reason"]) for a in trace["rules"][0]["actions"]]
    assert outcomes == [("webhook", "failed", "error"), ("add_note", "done", ""), ("add_tags", "done", "")]
    # a redelivery tries nothing again
    for batch in flow.batches:
        invoke("automation", batch)
    assert len(failing_receiver.requests) == 3


def test_a_webhook_that_answers_too_late_is_tried_three_times_then_recorded_as_timed_out(
    aws: LocalAws, flow: Recorded, carla: Contact, monkeypatch: pytest.MonkeyPatch
) -> None:
    webhooks = current("functions.automation.webhooks")
    monkeypatch.setattr(webhooks, "TIMEOUT_S", 0.2)  # 5 s in AWS; the receiver answers after 1 s
    monkeypatch.setattr(webhooks, "BACKOFF_S", (0.0, 0.0))
    slow = Receiver(200, delay_s=1.0)
    try:
        rule(
            "slow",
            {"kind": "ticket_created"},
            [{"kind": "webhook", "url": slow.url}, {"kind": "add_tags", "tags": ["late"]}],
        )
        number = open_ticket(carla)

        flow.settle()

        assert len(slow.requests) == 3
    finally:
        slow.close()
    (trace,) = traces(aws, number)
    webhook, tags = trace["rules"][0]["actions"]
    assert (webhook["outcome"], webhook["reason"]) == ("failed", "error")
    assert "timed out" in webhook["detail"]
    assert tags["outcome"] == "done"
    assert ticket_with_timeline(number)[0].tags == ["late"]


def test_a_webhook_may_not_call_inside_the_network_outside_local_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    webhooks = current("functions.automation.webhooks")
    monkeypatch.setattr(webhooks, "_local", lambda: False)
    for url in ("http://example.com/hook", "https://127.0.0.1/hook", "https://10.0.0.8/hook", "https://[::1]/hook"):
        with pytest.raises(webhooks.WebhookRefused):
            webhooks.check_address(url)
    webhooks.check_address("https://93.184.215.14/hook")  # a public address


# --- fields: one change, no new round ----------------------------------------------------------


def test_field_changes_of_a_change_are_one_change_by_the_rule_that_starts_no_new_round(
    aws: LocalAws, flow: Recorded, carla: Contact
) -> None:
    triage = rule(
        "triage",
        {"kind": "ticket_created"},
        [
            {"kind": "set_priority", "value": "high"},
            {"kind": "add_tags", "tags": ["vip", "printer"]},
            {"kind": "set_status", "value": "open"},
        ],
    )
    rule("any-update", {"kind": "ticket_updated"}, [{"kind": "add_note", "body": "Updated."}])
    number = open_ticket(carla)

    flow.settle()

    ticket, timeline = ticket_with_timeline(number)
    assert (ticket.priority.value, ticket.status, ticket.tags) == ("high", Status.OPEN, ["printer", "vip"])
    assert ticket.changed_by_rule == triage.id
    (by_rule,) = [entry for entry in timeline if entry.author.kind is AuthorKind.RULE]
    assert {change.field for change in by_rule.changes} == {"priority", "tags", "status"}
    assert [entry for entry in timeline if entry.kind.value == "note"] == []  # the rule's version: no round
    assert len(traces(aws, number)) == 1


# --- round robin ----------------------------------------------------------------------------------


def test_round_robin_assigns_the_teams_available_members_in_turn_and_nobody_when_none_is_online(
    aws: LocalAws, flow: Recorded, carla: Contact
) -> None:
    presence = current("deskless.presence")
    ana, bob, cy, dee = technician("Ana A"), technician("Bob B"), technician("Cy C"), technician("Dee D")
    team = create_team(NewTeam(name="Printers", members=[ana.id, bob.id, cy.id, dee.id]))
    for member in (ana, bob, dee):
        presence.heartbeat(member.id)
    # tickets take the email channel: Bob, who takes no chats, is in turn; Dee, who takes no email, is not
    presence.update_presence(bob.id, channels={Channel.CHAT: False})
    presence.update_presence(dee.id, channels={Channel.EMAIL: False})
    rule(
        "rr",
        {"kind": "ticket_created"},
        [{"kind": "set_team", "value": team.id}, {"kind": "set_assignee", "value": "round_robin"}],
    )

    numbers = [open_ticket(carla, f"Ticket {n}") for n in range(3)]
    flow.settle()

    assignees = [ticket_of(number).assignee for number in numbers]
    online = sorted([ana.id, bob.id])
    assert [a.id if a else None for a in assignees] == [online[0], online[1], online[0]]
    presence.update_presence(ana.id, status=presence.Status.AWAY, reason="Lunch")
    presence.update_presence(bob.id, status=presence.Status.AWAY, reason="Lunch")
    nobody = open_ticket(carla, "Nobody online")
    flow.settle()
    assert ticket_of(nobody).assignee is None
    assert ticket_of(nobody).team_id == team.id
    (trace,) = traces(aws, nobody)
    assert [(a["outcome"], a["reason"]) for a in trace["rules"][0]["actions"]] == [
        ("done", ""),
        ("skipped", "no_recipient"),
    ]


# --- caps -----------------------------------------------------------------------------------------


def test_a_rules_mail_obeys_the_hourly_cap_and_never_goes_to_a_robot(
    aws: LocalAws, flow: Recorded, carla: Contact, outbox: Outbox
) -> None:
    update_preferences({"automatic_mail_cap": 1})
    boss = "boss@acme.example.com"
    rule(
        "cc-boss",
        {"kind": "ticket_created"},
        [
            {"kind": "send_email", "to": "address", "address": boss, "template_id": "ticket-received"},
            {"kind": "send_email", "to": "address", "address": boss, "template_id": "ticket-received"},
            {"kind": "send_email", "to": "address", "address": "no-reply@acme.example.com", "template_id": "welcome"},
        ],
    )
    number = open_ticket(carla)

    flow.settle()

    assert len(mails_to(outbox, boss)) == 1
    assert mails_to(outbox, "no-reply@acme.example.com") == []
    (trace,) = traces(aws, number)
    assert [(a["outcome"], a["reason"]) for a in trace["rules"][0]["actions"]] == [
        ("done", ""),
        ("skipped", "cap"),
        ("skipped", "no_recipient"),
    ]
    _, timeline = ticket_with_timeline(number)
    assert [entry.changes[0].after for entry in timeline if entry.reason == "automatic_mail_cap"] == [boss]


# --- time-based rules -----------------------------------------------------------------------------


def schedules(aws: LocalAws) -> list[str]:
    found = aws.client("scheduler").list_schedules(GroupName=aws.names.schedule_group)["Schedules"]
    return sorted(summary["Name"] for summary in found)


def pending(number: int) -> None:
    change_ticket(number, TED, ticket_of(number).revision, Changes(status=Status.OPEN))
    change_ticket(number, TED, ticket_of(number).revision, Changes(status=Status.PENDING))


def test_a_pending_for_one_day_rule_runs_once_when_the_day_has_passed(
    aws: LocalAws, flow: Recorded, carla: Contact, scheduler: LocalScheduler
) -> None:
    chase = rule("chase", {"kind": "pending_for", "days": 1}, [{"kind": "add_note", "body": "Still pending."}])
    number = open_ticket(carla)
    flow.settle()
    assert schedules(aws) == []

    pending(number)
    flow.settle()
    assert schedules(aws) == [f"t{number}-{chase.id}"]
    expression = aws.client("scheduler").get_schedule(Name=f"t{number}-{chase.id}", GroupName=aws.names.schedule_group)
    assert expression["ScheduleExpression"].startswith("at(")
    assert expression["ActionAfterCompletion"] == "DELETE"
    assert expression["FlexibleTimeWindow"] == {"Mode": "OFF"}

    assert scheduler.fire_due() == 0  # not yet
    scheduler.advance(DAY + 60)
    assert scheduler.fire_due() == 1
    flow.settle()
    assert scheduler.fire_due() == 0

    _, timeline = ticket_with_timeline(number)
    assert [entry.body for entry in timeline if entry.kind.value == "note"] == ["Still pending."]
    assert schedules(aws) == []


def test_a_ticket_that_left_pending_before_its_moment_gets_nothing_and_its_schedule_is_deleted(
    aws: LocalAws, flow: Recorded, carla: Contact, scheduler: LocalScheduler
) -> None:
    chase = rule("chase", {"kind": "pending_for", "days": 1}, [{"kind": "add_note", "body": "Still pending."}])
    number = open_ticket(carla)
    pending(number)
    flow.settle()
    assert schedules(aws) == [f"t{number}-{chase.id}"]

    # the customer answers before the day is over: the schedule is no longer due, and goes
    change_ticket(number, TED, ticket_of(number).revision, Changes(status=Status.OPEN))
    flow.settle()
    assert schedules(aws) == []
    assert table().get(current("deskless.table").automation_schedule_key(number)) is None

    # a moment that fires stale (its basis gone) does nothing
    moment = {"number": number, "rule_id": chase.id, "basis": 1, "due": 2}
    assert invoke("automation", moment) == {"evaluated": False}
    scheduler.advance(DAY + 60)
    assert scheduler.fire_due() == 0
    _, timeline = ticket_with_timeline(number)
    assert [entry for entry in timeline if entry.kind.value == "note"] == []


# --- cost -----------------------------------------------------------------------------------------


def test_a_record_that_triggers_nothing_costs_one_query_of_the_rules(aws: LocalAws, carla: Contact) -> None:
    rule("note", {"kind": "ticket_created"}, [{"kind": "add_note", "body": "Seen."}])
    number = open_ticket(carla)
    item = table().get(ticket_key(number)) or {}
    by_rule = record("MODIFY", {**item, "changed_by_rule": "note", "revision": 2})

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        assert invoke("automation", stream_event([by_rule])) == {"batchItemFailures": []}

    assert calls == {"Query": 1}  # the active rules, once per batch; no schedule (no time-based rule)


# --- notify; a moment that moves ------------------------------------------------------------------


def test_a_rules_notification_reaches_the_consoles_of_the_staff_it_names(
    aws: LocalAws, flow: Recorded, carla: Contact, connections: ConnectionsStub
) -> None:
    ted = technician("Ted Tech")
    save_connection("ted-console", Principal(user_id=ted.id, email=ted.email, name=ted.name, role=Role.TECHNICIAN))
    rule("tell", {"kind": "ticket_created"}, [{"kind": "notify", "to": "all_staff", "message": "A new one."}])
    number = open_ticket(carla)

    flow.settle()

    told = [notice for notice in connections.posted("ted-console") if notice["type"] == "ticket.automation"]
    assert [(n["ticket"]["number"], n["rule"], n["message"]) for n in told] == [(number, "Rule tell", "A new one.")]


def test_a_moment_that_moves_moves_its_schedule(aws: LocalAws) -> None:
    schedules_module = current("functions.automation.schedules")
    target = "arn:aws:lambda:us-east-1:123456789012:function:deskless-automation"

    schedules_module._put_schedule(1001, "chase", {"due": 1796637600_000, "basis": 1}, target)
    schedules_module._put_schedule(1001, "chase", {"due": 1796724000_000, "basis": 2}, target)

    found = aws.client("scheduler").get_schedule(Name="t1001-chase", GroupName=aws.names.schedule_group)
    assert found["ScheduleExpression"] == "at(2026-12-08T10:00:00)"
    assert json.loads(found["Target"]["Input"]) == {
        "number": 1001,
        "rule_id": "chase",
        "due": 1796724000_000,
        "basis": 2,
    }
    assert found["Target"]["RoleArn"] == aws.names.scheduler_role


def test_a_tickets_traces_come_newest_first_and_page_back_by_time(
    aws: LocalAws, flow: Recorded, carla: Contact
) -> None:
    rule("noted", {"kind": "ticket_created"}, [{"kind": "add_note", "body": "Created."}])
    rule("moved", {"kind": "status_changed"}, [{"kind": "add_note", "body": "Moved."}])
    number = open_ticket(carla)
    flow.settle()
    change_ticket(number, TED, ticket_of(number).revision, Changes(status=Status.OPEN))
    flow.settle()

    newest, oldest = traces(aws, number)

    assert (newest["triggers"], oldest["triggers"]) == (["status_changed", "ticket_updated"], ["ticket_created"])
    assert newest["at"] > oldest["at"]
    add_staff(STAFF)
    route = f"GET /api/tickets/{number}/automation"
    event = http_event("http_staff_list", origin_secret=aws.origin_secret, principal=STAFF, route_key=route)
    event |= {"rawQueryString": f"before={newest['at']}", "queryStringParameters": {"before": str(newest["at"])}}
    older = json.loads(call_http("tickets", event).body)
    assert [trace["change_id"] for trace in older] == [oldest["change_id"]]


def test_a_rules_field_change_applies_to_the_current_revision_when_the_ticket_moved_on_meanwhile(
    aws: LocalAws, flow: Recorded, carla: Contact
) -> None:
    rule("urgent", {"kind": "ticket_created"}, [{"kind": "set_priority", "value": "very_high"}])
    number = open_ticket(carla)
    # a technician changes the ticket before the stream brings its creation to the rules
    change_ticket(number, TED, ticket_of(number).revision, Changes(title="Printer broken, floor 2"))

    flow.settle()

    ticket = ticket_of(number)
    assert (ticket.title, ticket.priority.value) == ("Printer broken, floor 2", "very_high")
    (trace,) = [t for t in traces(aws, number) if t["triggers"] == ["ticket_created"]]
    assert [a["outcome"] for a in trace["rules"][0]["actions"]] == ["done"]
