"""A technician resets a contact's portal password from the contact's page (POST
/api/contacts/{contact_id}/password-reset): the reset email, or a temporary password shown once
that the contact must change at the first sign-in; each replaces what was issued before, and a
technician may do it only a few times an hour for one contact."""

from __future__ import annotations

import time

import pytest

from deskless.data import table
from deskless.table import credential_key
from local.mail import Outbox
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import TECHNICIAN, current, ok, refused
from tests.integration.test_contacts_api import ContactsApi


@pytest.fixture
def contacts(aws: LocalAws) -> ContactsApi:
    return ContactsApi(aws)


def signs_in(contact_id: str, password: str) -> tuple[bool, bool]:
    """Whether the password signs the contact in, and whether it is a temporary one."""
    credentials = current("deskless.credentials")
    items = table().get_many(credentials.sign_in_keys(contact_id), consistent=True)
    checked = credentials.check_sign_in(items, password, now=time.time())
    return checked is not None, bool(checked and checked.temporary)


def test_a_technician_makes_a_temporary_password_shown_once_that_must_be_changed(
    contacts: ContactsApi, outbox: Outbox
) -> None:
    carla = contacts.created("Carla Client", "carla@example.org")

    made = ok(contacts.call(f"POST /api/contacts/{carla['id']}/password-reset", body={"send": "temporary"}))

    assert made["send"] == "temporary"
    assert made["portal_address"] == "http://localhost:8000/help"
    assert 71 * 3600 < made["expires_at"] - time.time() <= 72 * 3600
    assert signs_in(carla["id"], made["temporary_password"]) == (True, True)
    assert made["temporary_password"] not in str(table().get(credential_key(carla["id"]), consistent=True))
    assert outbox.messages() == []  # passed on by another channel


def test_a_technician_sends_the_reset_email_which_kills_an_earlier_temporary_password(
    contacts: ContactsApi, outbox: Outbox
) -> None:
    carla = contacts.created("Carla Client", "carla@example.org", language="de")
    temporary = ok(contacts.call(f"POST /api/contacts/{carla['id']}/password-reset", body={"send": "temporary"}))

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        sent = ok(contacts.call(f"POST /api/contacts/{carla['id']}/password-reset", body={"send": "email"}), 202)

    assert sent["sent_to"] == "carla@example.org"
    assert sent["portal_address"] == "http://localhost:8000/help"  # Unassigned has no portal
    assert calls["Query"] == 1  # her company, once: for the mail and for the answer alike
    assert "temporary_password" not in sent or sent["temporary_password"] is None
    [mail] = outbox.messages()
    assert mail["subject"] == "Neues Passwort für das Support-Portal"
    assert "http://localhost:8000/help/set-password?token=" in mail["html"]
    assert signs_in(carla["id"], temporary["temporary_password"]) == (False, False)


def test_a_deactivated_or_unknown_contact_gets_no_credentials(contacts: ContactsApi) -> None:
    carla = contacts.created("Carla Client", "carla@example.org")
    contacts.deactivate(carla["id"])

    gone = contacts.call(f"POST /api/contacts/{carla['id']}/password-reset", body={"send": "temporary"})
    unknown = contacts.call("POST /api/contacts/0123456789abcdef/password-reset", body={"send": "temporary"})

    assert refused(gone) == (409, "contact_deactivated")
    assert refused(unknown) == (404, "not_found")
    assert table().get(credential_key(carla["id"])) is None


def test_a_technician_resets_one_contacts_password_five_times_an_hour_at_most(contacts: ContactsApi) -> None:
    carla = contacts.created("Carla Client", "carla@example.org")
    for _ in range(5):
        ok(contacts.call(f"POST /api/contacts/{carla['id']}/password-reset", body={"send": "temporary"}))

    sixth = contacts.call(f"POST /api/contacts/{carla['id']}/password-reset", body={"send": "temporary"})

    assert refused(sixth) == (429, "too_many_requests")
    assert int(sixth.headers["retry-after"]) > 0


def test_what_to_send_is_one_of_two(contacts: ContactsApi) -> None:
    carla = contacts.created("Carla Client", "carla@example.org")

    answer = contacts.call(f"POST /api/contacts/{carla['id']}/password-reset", body={"send": "sms"}, caller=TECHNICIAN)

    assert refused(answer) == (400, "invalid_request")


def test_a_temporary_password_lives_as_long_as_the_setting_says(contacts: ContactsApi) -> None:
    current("deskless.preferences").update_preferences({"temporary_password_hours": 2})
    carla = contacts.created("Carla Client", "carla@example.org")

    made = ok(contacts.call(f"POST /api/contacts/{carla['id']}/password-reset", body={"send": "temporary"}))

    assert 3600 < made["expires_at"] - time.time() <= 2 * 3600
