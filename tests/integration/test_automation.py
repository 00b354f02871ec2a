"""The automation function against moto, from the table's stream: a rule's email sent once however
often its batch comes (0 duplicates); a failing webhook retried, then recorded on the ticket while
the rule's other actions ran; field changes made as one change that starts no new round;
round-robin assignment; the mail cap; time-based rules fired by the local scheduler when the
platform's clock is advanced (and a stale moment doing nothing); schedules deleted when no longer
due; the trace API; what a record that triggers nothing costs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from deskless.auth import Principal
from deskless.contacts import Contact
from deskless.ticket_intake import Submission, submit
from deskless.tickets import Author, AuthorKind, Source
from local.mail import Outbox
from local.scheduler import LocalScheduler
from local.streams import StreamPoller, TtlLedger
from tests.conftest import LocalAws
from tests.helpers import call_http, current, http_event, invoke
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


def rule(rule_id: str, trigger: dict[str, Any], actions: list[dict[str, Any]], **more: Any) -> Any:
    rules = current("deskless.automation_rules")
    made = rules.Rule.model_validate(
        {"id": rule_id, "name": f"Rule {rule_id}", "trigger": trigger, "active": True, "actions": actions, **more}
    )
    rules.put_rule(made)
    return made


def titled(title: str) -> list[dict[str, Any]]:
    return [{"property": "title", "operator": "equals", "value": title}]


def open_ticket(person: Contact, title: str = "Printer broken") -> int:
    return submit(Submission(title=title, description="It is offline."), person, Source.PORTAL).number


def mails_to(outbox: Outbox, address: str) -> list[dict[str, Any]]:
    return [message for message in outbox.messages() if address in message["to"]]


def traces(number: int, caller: Principal) -> list[dict[str, Any]]:
    event = http_event("http_api_get_codes", origin_secret=None, principal=caller)
    event["routeKey"] = "GET /api/tickets/{number}/automation"
    event["rawPath"] = f"/api/tickets/{number}/automation"
    event["pathParameters"] = {"number": str(number)}
    answer = call_http("tickets", event)
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
        [{"kind": "send_email", "to": "requester", "template_id": "welcome"}],
        conditions=titled("[Portal Credentials]"),
    )
    open_ticket(carla, "Printer broken")  # not the title: nothing
    number = open_ticket(carla, "[Portal Credentials]")

    flow.settle()
    (batch,) = [b for b in flow.batches if any(r["eventName"] == "INSERT" for r in b["Records"])][-1:]
    assert invoke("automation", batch) == {"batchItemFailures": []}  # Lambda delivers it again
    assert invoke("automation", batch) == {"batchItemFailures": []}

    sent = [mail for mail in mails_to(outbox, CARLA) if "/help/set-password?token=" in mail["text"]]
    assert len(sent) == 1  # the welcome template's credential: a set-password link, issued once
    assert f"[#{number}]" in sent[0]["subject"]


# --- the trace, the API ---------------------------------------------------------------------------
