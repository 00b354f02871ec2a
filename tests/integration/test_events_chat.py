"""The events function and the chat queue: a new chat request is announced to every available
technician of its company (`chat.requested`, and an email to those who asked for one); a request
accepted or withdrawn is taken off every technician's queue (`chat.taken`, `chat.withdrawn`); a
request whose time ran out is announced (`chat.expired`); and whenever the queue shrinks, each
visitor still waiting behind learns its new place (`queue.position`). Every reaction may be
delivered again without harm: an email is sent once.

Records are built as Lambda delivers them (local.streams.stream_record) from the items the core
code writes, and must pass the catalog's stream filters; @connections is a stub on 127.0.0.1."""

from __future__ import annotations

import time
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from deskless.auth import Principal, Role
from deskless.chat_requests import ChatRequest, accept, attach_visitor, withdraw
from deskless.data import table
from deskless.presence import Notifications as Notify
from deskless.presence import Status, heartbeat, update_presence
from deskless.realtime import save_connection
from deskless.sessions import new_session
from deskless.table import chat_request_key
from local.mail import Outbox
from local.streams import matches_any
from tests.helpers import TECHNICIAN, ConnectionsStub, add_staff, current
from tests.integration.test_chat_queue import OTHER_TECHNICIAN, OUTSIDER, STAFF, Served, ask, company
from tests.integration.test_events_sessions import EVENTS_FILTERS, deliver, record

AWAY_TECHNICIAN = Principal(user_id="0a0a0a0a0a0a0a0a", role=Role.TECHNICIAN, name="Al Away", email="al@example.com")
CLOSED_TECHNICIAN = Principal(
    user_id="0c0c0c0c0c0c0c0c", role=Role.TECHNICIAN, name="Cy Closed", email="cy@example.com"
)


@pytest.fixture
def acme(connections: ConnectionsStub) -> Served:
    """Acme is served by Ted and Bo (available, consoles open), Al (away) and Cy (online, but his
    console closed two minutes ago); Olga serves Globex only, and is available."""
    add_staff(*STAFF, AWAY_TECHNICIAN, CLOSED_TECHNICIAN)
    company("Globex", "globex", OUTSIDER)
    served = company("Acme", "acme", TECHNICIAN, OTHER_TECHNICIAN, AWAY_TECHNICIAN, CLOSED_TECHNICIAN)
    for person, console in (
        (TECHNICIAN, "ted"),
        (OTHER_TECHNICIAN, "bo"),
        (AWAY_TECHNICIAN, "al"),
        (CLOSED_TECHNICIAN, "cy"),
        (OUTSIDER, "olga"),
    ):
        save_connection(console, person)
        heartbeat(person.user_id)
    update_presence(AWAY_TECHNICIAN.user_id, status=Status.AWAY, reason="Lunch")
    heartbeat(CLOSED_TECHNICIAN.user_id, now=time.time() - 121)
    return served


def stored(request: ChatRequest) -> dict[str, Any]:
    item = table().get(chat_request_key(request.id), consistent=True)
    assert item is not None
    return item


def queue_entry(request: ChatRequest) -> dict[str, Any]:
    item = table().get(request.queue_key, consistent=True)
    assert item is not None, "the entry is read before it goes"
    return item


def of_type(posts: list[Any], kind: str) -> list[Any]:
    return [post for post in posts if post.get("type") == kind]


# --- a new request ------------------------------------------------------------------------------


def test_a_new_request_is_announced_to_the_companys_available_technicians_only(
    acme: Served, connections: ConnectionsStub
) -> None:
    request = ask(acme)

    answer = deliver(record("INSERT", stored(request)))

    assert answer == {"batchItemFailures": []}
    notice = {"type": "chat.requested", "request": request.queued().model_dump(mode="json")}
    assert connections.posted("ted") == connections.posted("bo") == [notice]
    for console in ("al", "cy", "olga"):
        assert connections.posted(console) == [], console


def test_technicians_who_asked_for_it_are_emailed_once_with_the_request_and_a_link_to_the_console(
    acme: Served, outbox: Outbox
) -> None:
    # Given Ted wants an email on a new request, and so does Al, who is away
    update_presence(TECHNICIAN.user_id, notify=Notify(email=True))
    update_presence(AWAY_TECHNICIAN.user_id, notify=Notify(email=True))
    request = ask(acme, name="Carla <b>Customer</b>", question="My printer\nis <script>on fire</script>.")

    # When the request's record is delivered, and delivered again
    once = record("INSERT", stored(request))
    deliver(once)
    deliver(once)

    # Then Ted alone got one email, saying who asks, what, for which company, and where to answer,
    # with what people typed escaped in its HTML
    [sent] = outbox.messages()
    assert sent["to"] == [TECHNICIAN.email]
    assert sent["subject"] == "Chat request from Carla <b>Customer</b> (Acme)"
    assert "<script>" not in sent["html"]
    assert "<b>Customer" not in sent["html"]
    assert "Carla &lt;b&gt;Customer&lt;/b&gt;</strong> &lt;carla@customer.example&gt;" in sent["html"]
    assert "is &lt;script&gt;on fire&lt;/script&gt;." in sent["html"]
    assert "<strong>Acme</strong>" in sent["html"]
    assert 'href="http://localhost:8000/"' in sent["html"]
    assert "http://localhost:8000/" in sent["text"]


def test_the_emails_text_part_says_the_same_as_its_html(acme: Served) -> None:
    # moto keeps one body of a simple email (the HTML): the text part is checked as rendered
    request = ask(acme, name="Carla <b>Customer</b>", question="My printer\nis <script>on fire</script>.")

    _, text, _ = current("functions.events.chat").render_email(request.queued(), "http://localhost:8000")

    for said in (
        "Carla <b>Customer</b> <carla@customer.example>",
        "My printer\nis <script>on fire</script>.",
        "Acme",
        "http://localhost:8000/",
    ):
        assert said in text


def test_an_email_that_failed_is_sent_when_the_record_is_retried(
    acme: Served, outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given SES refusing to send for a moment
    update_presence(TECHNICIAN.user_id, notify=Notify(email=True))
    request = ask(acme)
    once = record("INSERT", stored(request))
    reactions = current("functions.events.chat")
    send, tries = reactions.send_email, []

    def down_once(*email: Any) -> str:
        tries.append(email)
        if len(tries) == 1:
            raise RuntimeError("SES is down")
        return str(send(*email))

    monkeypatch.setattr(reactions, "send_email", down_once)

    # When the record fails, and Lambda retries it once SES is back
    with pytest.raises(BatchProcessingError):
        deliver(once)
    assert deliver(once) == {"batchItemFailures": []}
    assert deliver(once) == {"batchItemFailures": []}

    # Then the email went out once
    assert [sent["to"] for sent in outbox.messages()] == [[TECHNICIAN.email]]
    assert len(tries) == 2


def test_a_request_that_no_longer_waits_is_not_emailed_about(acme: Served, outbox: Outbox) -> None:
    # A record redelivered after the request was taken: emailing now would be noise
    update_presence(TECHNICIAN.user_id, notify=Notify(email=True))
    request = ask(acme)
    inserted = record("INSERT", stored(request))
    withdraw(request)

    deliver(inserted)

    assert outbox.messages() == []


def test_a_request_past_its_time_is_not_announced(acme: Served, connections: ConnectionsStub) -> None:
    request = ask(acme, now=time.time() - 181)

    assert deliver(record("INSERT", stored(request))) == {"batchItemFailures": []}

    assert connections.posts == []


def test_a_visitor_connecting_to_a_waiting_request_is_not_an_event() -> None:
    # attach_visitor's MODIFY (the request still waits) does not pass the filters
    waiting = {"pk": "CHATREQ#r", "sk": "CHATREQ", "type": "chat_request", "state": "waiting"}
    assert not matches_any(EVENTS_FILTERS, record("MODIFY", {**waiting, "visitor_connections": {"c1"}}))
    assert matches_any(EVENTS_FILTERS, record("MODIFY", {**waiting, "state": "accepted"}))
    assert matches_any(EVENTS_FILTERS, record("MODIFY", {**waiting, "state": "withdrawn"}))


# --- a request ends -----------------------------------------------------------------------------


def test_a_request_accepted_is_taken_off_every_company_technicians_queue(
    acme: Served, connections: ConnectionsStub
) -> None:
    request = ask(acme)
    accept(request.id, TECHNICIAN)

    answer = deliver(record("MODIFY", stored(request)))

    assert answer == {"batchItemFailures": []}
    notice = {
        "type": "chat.taken",
        "request": request.id,
        "company_id": acme.company.id,
        "by": TECHNICIAN.user_id,
        "by_name": TECHNICIAN.name,
    }
    for console in ("ted", "bo", "al", "cy"):
        assert connections.posted(console) == [notice], console
    assert connections.posted("olga") == []


def test_a_request_withdrawn_is_taken_off_every_company_technicians_queue(
    acme: Served, connections: ConnectionsStub
) -> None:
    request = ask(acme)
    withdraw(request)

    deliver(record("MODIFY", stored(request)))

    notice = {"type": "chat.withdrawn", "request": request.id, "company_id": acme.company.id}
    for console in ("ted", "bo", "al", "cy"):
        assert connections.posted(console) == [notice], console
    assert connections.posted("olga") == []


def test_a_session_that_follows_an_accepted_request_needs_no_notice(
    acme: Served, connections: ConnectionsStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[Any] = []
    monkeypatch.setattr(current("functions.events.reactions").logger, "warning", lambda *a, **k: warnings.append(a))
    _, item = new_session(
        technician_id=TECHNICIAN.user_id,
        technician_name=TECHNICIAN.name,
        visitor_name="Carla Customer",
        origin="chat",
        origin_ref="some-request",
        company_id=acme.company.id,
    )

    assert deliver(record("INSERT", item)) == {"batchItemFailures": []}

    assert connections.posts == []
    assert warnings == []


# --- the queue shrinks ---------------------------------------------------------------------------


def waiting_line(served: Served, count: int) -> list[ChatRequest]:
    """`count` requests, oldest first, each with its visitor's connection waiting on it."""
    t = time.time()
    line = [ask(served, f"Visitor {n}", now=t - 60 + n) for n in range(count)]
    for n, request in enumerate(line):
        save_connection(f"visitor-{n}", Principal(user_id=f"v{n}", role=Role.VISITOR, name="V", scope=""))
        attach_visitor(request.id, f"visitor-{n}")
    return line


def test_visitors_behind_an_accepted_request_learn_their_new_place(acme: Served, connections: ConnectionsStub) -> None:
    # Given four visitors waiting, the first of whom has no connection open any more
    first, second, third, fourth = waiting_line(acme, 4)
    table().update(chat_request_key(first.id), remove=["visitor_connections"])

    # When the second is accepted (its queue entry goes)
    entry = queue_entry(second)
    accept(second.id, TECHNICIAN)
    answer = deliver(record("REMOVE", entry))

    # Then those behind it learn their new place; the one ahead and the accepted one hear nothing
    assert answer == {"batchItemFailures": []}
    assert connections.posted("visitor-2") == [{"type": "queue.position", "request": third.id, "position": 2}]
    assert connections.posted("visitor-3") == [{"type": "queue.position", "request": fourth.id, "position": 3}]
    assert connections.posted("visitor-0") == connections.posted("visitor-1") == []
    assert of_type(connections.posted("ted"), "chat.expired") == []


def test_visitors_behind_learn_their_place_once_per_connection_and_again_on_redelivery(
    acme: Served, connections: ConnectionsStub
) -> None:
    first, second = waiting_line(acme, 2)
    save_connection("visitor-1b", Principal(user_id="v1", role=Role.VISITOR, name="V", scope=""))
    attach_visitor(second.id, "visitor-1b")
    entry = queue_entry(first)
    withdraw(first)

    once = record("REMOVE", entry)
    deliver(once)
    deliver(once)

    told = {"type": "queue.position", "request": second.id, "position": 1}
    assert connections.posted("visitor-1") == connections.posted("visitor-1b") == [told, told]


def test_a_request_whose_time_ran_out_is_announced_and_the_queue_moves_up(
    acme: Served, connections: ConnectionsStub
) -> None:
    # Given two waiting requests, the first of which runs out (DynamoDB's TTL deletes its entry)
    first, second = waiting_line(acme, 2)
    entry = queue_entry(first)
    table().delete(first.queue_key)

    answer = deliver(record("REMOVE", entry, ttl=True))

    assert answer == {"batchItemFailures": []}
    assert connections.posted("visitor-1") == [{"type": "queue.position", "request": second.id, "position": 1}]
    expired = {"type": "chat.expired", "request": first.id, "company_id": acme.company.id}
    for console in ("ted", "bo", "al", "cy"):
        assert connections.posted(console) == [expired], console
    assert connections.posted("olga") == []


def test_a_batch_of_the_whole_story_of_a_request_is_handled_record_by_record(
    acme: Served, connections: ConnectionsStub
) -> None:
    # The INSERT, the accept's MODIFY and its queue entry's REMOVE, in one batch, as they come
    first, second = waiting_line(acme, 2)
    inserted = record("INSERT", stored(first))
    entry = queue_entry(first)
    accept(first.id, OTHER_TECHNICIAN)

    answer = deliver(inserted, record("MODIFY", stored(first)), record("REMOVE", entry))

    assert answer == {"batchItemFailures": []}
    assert [post["type"] for post in connections.posted("ted")] == ["chat.requested", "chat.taken"]
    assert connections.posted("visitor-1") == [{"type": "queue.position", "request": second.id, "position": 1}]
