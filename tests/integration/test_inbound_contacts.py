"""Inbound email creates contacts: an email to a support address from an unknown sender becomes a
contact (named from its From header, placed by its domain, else in Unassigned) when the email
settings say so, in the same transaction as the message's record, so that SES delivering the event
again creates nothing more; automatic mail (auto-replies, bounces, lists, no-reply senders,
Deskless' own mail) never does. The new contact's welcome email follows from the table's stream,
once, however often the stream delivers the record.

Events are the SES receipt events the local SMTP listener builds (local.mail.ses_receipt_event,
the real shape); stream records are built as Lambda delivers them and must pass the catalog's
filters."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from deskless.catalog import INBOUND_MAIL_PREFIX
from deskless.companies import UNASSIGNED_ID, add_domain, create_company
from deskless.contacts import Contact, CreatedVia, create_contact, find_contact_by_email
from deskless.data import table
from deskless.mail import LOOP_HEADER
from deskless.preferences import update_preferences
from deskless.table import contact_key, inbound_mail_key
from local.mail import Outbox, ses_receipt_event
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import current, invoke
from tests.integration.test_codes import forget_caches
from tests.integration.test_events_sessions import deliver, record

SUPPORT = "support@deskless.example.com"


class FakeIssuer:
    """Stands in for the portal credentials' issuer: counts what it issues."""

    def __init__(self) -> None:
        self.links = 0

    def temporary_password(self) -> str:
        raise AssertionError("the built-in welcome template issues a link, not a password")

    def password_link(self) -> str:
        self.links += 1
        return f"https://acme.deskless.example.com/set-password?token=fake-{self.links}"


@pytest.fixture
def issuer(aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> FakeIssuer:
    return fake_credentials(monkeypatch)


def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> FakeIssuer:
    fake = FakeIssuer()
    monkeypatch.setattr(current("deskless.contact_mail"), "issuer_for", lambda contact, **_: fake)
    return fake


@pytest.fixture
def acme(aws: LocalAws) -> Iterator[str]:
    forget_caches()
    company = create_company("Acme")
    add_domain(company.id, "acme.example.com")
    yield company.id
    forget_caches()


class Mailer:
    """Sends mail as SES receives it: stored in the inbound bucket, then the receipt event."""

    def __init__(self, aws: LocalAws) -> None:
        self.aws = aws
        self.sent = 0

    def send(
        self,
        sender: str = "Carla Díaz <carla@acme.example.com>",
        *,
        to: str = SUPPORT,
        source: str | None = None,
        message_id: str | None = None,
        **headers: str,
    ) -> str:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = to
        message["Subject"] = "The printer is offline"
        message.set_content("Since this morning.")  # before the headers: it replaces Content-* ones
        for name, value in headers.items():
            message[name.replace("_", "-")] = value
        self.sent += 1
        message_id = message_id or f"message-{self.sent:04d}"
        raw = bytes(message)
        self.aws.client("s3").put_object(
            Bucket=self.aws.names.inbound_bucket, Key=INBOUND_MAIL_PREFIX + message_id, Body=raw
        )
        event = ses_receipt_event(raw, message_id=message_id, recipients=[to], source=source)
        assert invoke("inbound_email", event) == {"received": [message_id]}
        return message_id


@pytest.fixture
def mail(aws: LocalAws) -> Mailer:
    return Mailer(aws)


def recorded(message_id: str) -> dict[str, Any]:
    item = table().get(inbound_mail_key(message_id), consistent=True)
    assert item is not None
    return item


def contacts_stored(aws: LocalAws) -> list[dict[str, Any]]:
    items = aws.client("dynamodb").scan(TableName=aws.names.table)["Items"]
    return [item for item in items if item["type"]["S"] == "contact"]


def contact_item(contact: Contact) -> dict[str, Any]:
    item = table().get(contact_key(contact.id), consistent=True)
    assert item is not None
    return item


# --- contacts from email ------------------------------------------------------------------------


def test_an_unknown_sender_at_a_companys_domain_becomes_its_contact(mail: Mailer, acme: str) -> None:
    message_id = mail.send("Carla Díaz <Carla@Acme.example.com>")

    carla = find_contact_by_email("carla@acme.example.com")
    assert carla is not None
    assert (carla.name, carla.emails, carla.company_id) == ("Carla Díaz", ["carla@acme.example.com"], acme)
    assert (carla.created_via, carla.welcome_requested, carla.primary) == (CreatedVia.EMAIL, True, False)
    # and the message stays stored, linked to the contact
    message = recorded(message_id)
    assert (message["contact_id"], message["outcome"]) == (carla.id, "contact_created")
    assert message["subject"] == "The printer is offline"


def test_an_unknown_sender_at_gmail_lands_in_unassigned(mail: Mailer, acme: str) -> None:
    mail.send("gina.gmail@gmail.com")

    gina = find_contact_by_email("gina.gmail@gmail.com")
    assert gina is not None
    assert (gina.company_id, gina.name) == (UNASSIGNED_ID, "Gina Gmail")  # named from the address


@pytest.mark.parametrize(("declared", "language"), [("es-ES", "es"), ("fr, de-AT", "de"), ("fr", "en"), (None, "en")])
def test_a_new_contact_speaks_the_language_their_mail_declares_if_deskless_does(
    mail: Mailer, acme: str, declared: str | None, language: str
) -> None:
    mail.send(**({"Content_Language": declared} if declared else {}))

    carla = find_contact_by_email("carla@acme.example.com")
    assert carla is not None
    assert carla.language == language


def test_a_known_senders_message_is_linked_to_them_and_no_contact_is_made(
    mail: Mailer, acme: str, aws: LocalAws
) -> None:
    carla = create_contact("Carla Díaz", ["carla@acme.example.com"], created_via=CreatedVia.CONSOLE)

    message_id = mail.send("Someone Else <CARLA@acme.example.com>")

    assert (recorded(message_id)["contact_id"], recorded(message_id)["outcome"]) == (carla.id, "known_contact")
    assert len(contacts_stored(aws)) == 1
    assert find_contact_by_email("carla@acme.example.com") == carla  # the name stays theirs


def test_with_the_setting_off_an_unknown_sender_stays_unknown(mail: Mailer, acme: str, aws: LocalAws) -> None:
    update_preferences({"create_contacts_from_email": False})

    message_id = mail.send()

    assert contacts_stored(aws) == []
    assert recorded(message_id)["outcome"] == "unknown_sender"
    assert "contact_id" not in recorded(message_id)


def test_with_the_welcome_setting_off_the_contact_asks_for_no_welcome(mail: Mailer, acme: str) -> None:
    update_preferences({"welcome_new_contacts": False})

    mail.send()

    carla = find_contact_by_email("carla@acme.example.com")
    assert carla is not None
    assert carla.welcome_requested is False


def test_mail_to_an_address_that_is_not_a_support_address_creates_nothing(
    mail: Mailer, acme: str, aws: LocalAws
) -> None:
    message_id = mail.send(to="billing@deskless.example.com")

    assert contacts_stored(aws) == []
    assert recorded(message_id)["outcome"] == "not_to_a_support_address"


def test_a_support_address_added_in_the_settings_counts_at_once(mail: Mailer, acme: str) -> None:
    update_preferences({"support_addresses": [SUPPORT, "billing@deskless.example.com"]})

    mail.send(to="billing@deskless.example.com")

    assert find_contact_by_email("carla@acme.example.com") is not None


AUTOMATIC: dict[str, dict[str, Any]] = {
    "an out-of-office reply (Auto-Submitted: auto-replied)": {"Auto_Submitted": "auto-replied"},
    "a notice (Auto-Submitted: auto-generated)": {"Auto_Submitted": "auto-generated"},
    "Precedence: bulk": {"Precedence": "bulk"},
    "Precedence: junk": {"Precedence": "junk"},
    "Precedence: list": {"Precedence": "list"},
    "a mailing list (List-Id)": {"List_Id": "<printers.lists.acme.example.com>"},
    "a bounce (null envelope sender)": {"source": ""},
    "a null Return-Path": {"Return_Path": "<>"},
    "from mailer-daemon": {"sender": "Mail Delivery System <MAILER-DAEMON@acme.example.com>"},
    "from postmaster": {"sender": "postmaster@acme.example.com"},
    "from noreply": {"sender": "Acme Shop <noreply@acme.example.com>"},
    "from no-reply": {"sender": "no-reply@acme.example.com"},
    "Deskless' own mail come back": {LOOP_HEADER.replace("-", "_"): "deskless.example.com"},
}


@pytest.mark.parametrize("headers", AUTOMATIC.values(), ids=AUTOMATIC.keys())
def test_automatic_mail_creates_no_contact(mail: Mailer, acme: str, aws: LocalAws, headers: dict[str, Any]) -> None:
    message_id = mail.send(**headers)

    assert contacts_stored(aws) == []
    assert recorded(message_id)["outcome"] == "automatic"
    assert recorded(message_id)["automatic"]  # why, in words


def test_auto_submitted_no_is_a_person(mail: Mailer, acme: str) -> None:
    mail.send(Auto_Submitted="no")

    assert find_contact_by_email("carla@acme.example.com") is not None


# --- once, however often it is delivered --------------------------------------------------------


def test_the_same_message_delivered_again_creates_one_contact(mail: Mailer, acme: str, aws: LocalAws) -> None:
    first = mail.send(message_id="same-message")

    again = mail.send(message_id="same-message")

    (stored,) = contacts_stored(aws)
    assert first == again
    assert recorded(first)["contact_id"] == stored["contact_id"]["S"]
    assert recorded(first)["outcome"] == "contact_created"  # the first delivery's record stands


def test_two_messages_from_one_new_address_at_once_make_one_contact(mail: Mailer, acme: str, aws: LocalAws) -> None:
    ids = ["first-message", "second-message"]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def send(message_id: str) -> None:
        start.wait()
        try:
            mail.send(message_id=message_id)
        except BaseException as error:  # SES would deliver the event again: so does this test
            errors.append(error)
            mail.send(message_id=message_id)

    threads = [threading.Thread(target=send, args=(message_id,)) for message_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    (stored,) = contacts_stored(aws)
    assert {recorded(message_id)["contact_id"] for message_id in ids} == {stored["contact_id"]["S"]}


def test_a_message_whose_sender_became_a_contact_meanwhile_is_linked_to_that_contact(
    mail: Mailer, acme: str, aws: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given another message from the address that creates its contact just after this one looked
    receive = current("functions.inbound_email.receive")
    real_find = receive.find_contact_by_email
    winner: list[Contact] = []

    def find_then_lose_the_race(address: str) -> Contact | None:
        if not winner:
            winner.append(create_contact("Carla D", [address], created_via=CreatedVia.EMAIL))
            return None
        return real_find(address)  # type: ignore[no-any-return]

    monkeypatch.setattr(receive, "find_contact_by_email", find_then_lose_the_race)

    message_id = mail.send()

    # Then the address guard refused a second contact, and the message is linked to the winner
    (stored,) = contacts_stored(aws)
    assert stored["contact_id"]["S"] == winner[0].id
    assert (recorded(message_id)["contact_id"], recorded(message_id)["outcome"]) == (winner[0].id, "known_contact")


def test_receiving_a_new_senders_message_reads_twice_and_writes_once(mail: Mailer, acme: str) -> None:
    update_preferences({})  # the settings are cached, as in a warm function
    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        mail.send()

    # the sender's address guard (absent), the companies of its domain, then one transaction:
    # the contact, its guard and entries, and the message's record; then their ticket: its number,
    # whether an earlier delivery filed it, and one transaction (the ticket, its first entry, the
    # record marked filed)
    assert calls == {"GetItem": 2, "BatchGetItem": 1, "TransactWriteItems": 2, "UpdateItem": 1}


def test_receiving_a_known_senders_message_reads_twice_and_writes_once(mail: Mailer, acme: str) -> None:
    create_contact("Carla Díaz", ["carla@acme.example.com"], created_via=CreatedVia.CONSOLE)
    update_preferences({})
    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        mail.send()

    # the guard, the contact; the record; whether it was filed, the ticket's number and its transaction
    assert calls == {"GetItem": 3, "PutItem": 1, "UpdateItem": 1, "TransactWriteItems": 1}


# --- the welcome email --------------------------------------------------------------------------


def test_a_contact_from_email_gets_one_welcome_even_when_the_batch_comes_twice(
    mail: Mailer, acme: str, outbox: Outbox, issuer: FakeIssuer
) -> None:
    mail.send()
    carla = find_contact_by_email("carla@acme.example.com")
    assert carla is not None
    created = record("INSERT", contact_item(carla))

    assert deliver(created) == {"batchItemFailures": []}
    assert deliver(created) == {"batchItemFailures": []}  # the stream delivers the batch again

    (sent,) = outbox.messages()
    assert sent["to"] == ["carla@acme.example.com"]
    assert "Carla" in sent["text"]
    assert "https://acme.deskless.example.com/set-password?token=fake-1" in sent["text"]
    assert issuer.links == 1  # credentials were issued once
    assert contact_item(carla)["welcome_sent_at"] > 0


def test_a_welcome_that_fails_to_send_is_sent_by_the_retry(
    mail: Mailer, acme: str, outbox: Outbox, issuer: FakeIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    mail.send()
    carla = find_contact_by_email("carla@acme.example.com")
    assert carla is not None
    created = record("INSERT", contact_item(carla))
    sender = current("deskless.contact_mail")
    real_send = sender.send_email

    def failing(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("SES is throttling")

    monkeypatch.setattr(sender, "send_email", failing)
    with pytest.raises(BatchProcessingError):  # the whole batch failed: Lambda retries it
        deliver(created)
    assert "welcome_sent_at" not in contact_item(carla)  # the claim was given up
    monkeypatch.setattr(sender, "send_email", real_send)

    assert deliver(created) == {"batchItemFailures": []}

    assert len(outbox.messages()) == 1


def test_a_contact_created_without_the_welcome_asked_passes_no_filter(acme: str) -> None:
    from local.streams import matches_any
    from tests.integration.test_events_sessions import EVENTS_FILTERS

    quiet = create_contact("Quiet Q", ["q@acme.example.com"], created_via=CreatedVia.IMPORT)
    loud = create_contact("Loud L", ["l@acme.example.com"], created_via=CreatedVia.EMAIL, welcome_requested=True)

    assert not matches_any(EVENTS_FILTERS, record("INSERT", contact_item(quiet)))
    assert matches_any(EVENTS_FILTERS, record("INSERT", contact_item(loud)))
    assert not matches_any(EVENTS_FILTERS, record("MODIFY", contact_item(loud)))


def test_a_contact_deactivated_before_the_stream_reaction_gets_no_welcome(
    acme: str, outbox: Outbox, issuer: FakeIssuer
) -> None:
    carla = create_contact("Carla", ["carla@acme.example.com"], created_via=CreatedVia.EMAIL, welcome_requested=True)
    created = record("INSERT", contact_item(carla))  # the image: active
    current("deskless.contacts").deactivate_contact(carla.id)

    assert deliver(created) == {"batchItemFailures": []}

    assert outbox.messages() == []
    assert issuer.links == 0


def test_the_welcome_emails_set_password_link_works_once(mail: Mailer, acme: str, outbox: Outbox) -> None:
    from deskless.credentials import set_password_with_link
    from deskless.errors import CredentialInvalid

    # Given a contact made from an email, welcomed with the real portal credentials
    mail.send()
    carla = find_contact_by_email("carla@acme.example.com")
    assert carla is not None
    assert deliver(record("INSERT", contact_item(carla))) == {"batchItemFailures": []}
    (sent,) = outbox.messages()
    token = re.search(r"set-password\?token=([\w.-]+)", sent["text"])
    assert token is not None, sent["text"]

    # When the link is used, then used again
    assert set_password_with_link(token[1], "correct horse battery staple").id == carla.id
    with pytest.raises(CredentialInvalid):
        set_password_with_link(token[1], "another long passphrase")
