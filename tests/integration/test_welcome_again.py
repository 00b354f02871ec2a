"""The welcome email from the console: a contact added there gets it (from the stream) when the
email settings say so; a technician sends it again at once (`POST /api/contacts/{id}/welcome`,
202), at most three times an hour per contact; a deactivated contact gets nothing; an import
sends it only to the contacts it creates, and only when asked."""

from __future__ import annotations

import pytest

from deskless.contacts import find_contact_by_email
from deskless.preferences import update_preferences
from local.mail import Outbox
from tests.conftest import LocalAws
from tests.helpers import ok, refused
from tests.integration.test_contacts_api import ContactsApi
from tests.integration.test_contacts_import import ImportApi
from tests.integration.test_events_sessions import deliver, record
from tests.integration.test_inbound_contacts import FakeIssuer, contact_item, fake_credentials


@pytest.fixture
def contacts(aws: LocalAws) -> ContactsApi:
    return ContactsApi(aws)


@pytest.fixture
def imports(aws: LocalAws) -> ImportApi:
    return ImportApi(aws)


@pytest.fixture
def issuer(aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> FakeIssuer:
    return fake_credentials(monkeypatch)


def test_a_contact_added_in_the_console_asks_for_the_welcome_as_the_setting_says(contacts: ContactsApi) -> None:
    welcomed = ok(contacts.create(name="Carla", emails=["carla@acme.example.com"]), 201)
    update_preferences({"welcome_new_contacts": False})
    quiet = ok(contacts.create(name="Quinn", emails=["quinn@acme.example.com"]), 201)

    assert (welcomed["welcome_requested"], quiet["welcome_requested"]) == (True, False)


def test_the_console_may_say_whether_a_new_contact_gets_the_welcome_whatever_the_setting(
    contacts: ContactsApi,
) -> None:
    quiet = ok(contacts.create(name="Quinn", emails=["quinn@acme.example.com"], welcome=False), 201)
    update_preferences({"welcome_new_contacts": False})
    welcomed = ok(contacts.create(name="Carla", emails=["carla@acme.example.com"], welcome=True), 201)

    assert (quiet["welcome_requested"], welcomed["welcome_requested"]) == (False, True)


def test_a_technician_sends_the_welcome_again_at_once(
    contacts: ContactsApi, outbox: Outbox, issuer: FakeIssuer
) -> None:
    carla = ok(contacts.create(name="Carla Díaz", emails=["carla@acme.example.com"]), 201)

    answer = ok(contacts.call(f"POST /api/contacts/{carla['id']}/welcome", body={}), 202)

    assert answer == {"contact_id": carla["id"], "sent_to": "carla@acme.example.com"}
    (sent,) = outbox.messages()
    assert sent["to"] == ["carla@acme.example.com"]
    assert "token=fake-1" in sent["text"]
    # and the stream's first welcome, if it comes after, is not sent on top
    stored = find_contact_by_email("carla@acme.example.com")
    assert stored is not None
    assert deliver(record("INSERT", contact_item(stored))) == {"batchItemFailures": []}
    assert len(outbox.messages()) == 1


def test_sending_the_welcome_again_is_throttled_per_contact(
    contacts: ContactsApi, outbox: Outbox, issuer: FakeIssuer
) -> None:
    carla = ok(contacts.create(name="Carla", emails=["carla@acme.example.com"]), 201)
    path = f"POST /api/contacts/{carla['id']}/welcome"
    for _ in range(3):
        ok(contacts.call(path, body={}), 202)

    response = contacts.call(path, body={})

    assert refused(response) == (429, "too_many_requests")
    assert int(response.headers["retry-after"]) > 0
    assert len(outbox.messages()) == 3


def test_a_deactivated_contact_gets_no_welcome(contacts: ContactsApi, outbox: Outbox, issuer: FakeIssuer) -> None:
    carla = ok(contacts.create(name="Carla", emails=["carla@acme.example.com"]), 201)
    ok(contacts.deactivate(carla["id"]))

    response = contacts.call(f"POST /api/contacts/{carla['id']}/welcome", body={})

    assert refused(response) == (409, "contact_deactivated")
    assert "deactivated" in response.json()["message"]
    assert outbox.messages() == []


def test_the_welcome_of_a_contact_that_does_not_exist_is_a_404(contacts: ContactsApi, outbox: Outbox) -> None:
    assert refused(contacts.call("POST /api/contacts/0123456789abcdef/welcome", body={})) == (404, "not_found")


@pytest.mark.parametrize("welcome", [True, False])
def test_an_import_sends_the_welcome_only_when_asked(
    imports: ImportApi, outbox: Outbox, issuer: FakeIssuer, welcome: bool
) -> None:
    ok(imports.run("name,email\nCarla,carla@acme.example.com\n", welcome=welcome))
    carla = find_contact_by_email("carla@acme.example.com")
    assert carla is not None
    created = record("INSERT", contact_item(carla))

    if welcome:
        assert deliver(created) == {"batchItemFailures": []}
        assert [sent["to"] for sent in outbox.messages()] == [["carla@acme.example.com"]]
    else:
        from local.streams import matches_any
        from tests.integration.test_events_sessions import EVENTS_FILTERS

        assert not matches_any(EVENTS_FILTERS, created)  # the events function never hears of it
