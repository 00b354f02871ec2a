"""Portal credentials against moto (deskless.credentials): where a contact signs in, the
credentials a mail to them issues (a temporary password, a set-password link), each single use,
expiring, and killing the one of its kind issued before it."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from deskless.companies import PortalStatus, create_company, create_portal, update_portal
from deskless.contacts import Contact, CreatedVia, create_contact
from deskless.credentials import (
    check_sign_in,
    has_password,
    issue_password_link,
    issue_temporary_password,
    issuer_for,
    link_works,
    portal_address,
    set_password_with_link,
    sign_in_keys,
)
from deskless.data import table
from deskless.errors import CredentialInvalid, PasswordRefused
from deskless.snippets import SnippetContext, SnippetValues
from deskless.table import contact_password_key, credential_key
from deskless.template_defaults import PASSWORD_RESET, WELCOME
from deskless.templates import email_template, render_email
from tests.conftest import LocalAws

NEW_PASSWORD = "violet tractor under the bridge"


def contact_of_company(company_name: str | None, email: str, *, subdomain: str | None = None) -> Contact:
    company_id = None
    if company_name is not None:
        company = create_company(company_name)
        company_id = company.id
        if subdomain:
            create_portal(company, subdomain)
    return create_contact("Carla Client", [email], created_via=CreatedVia.CONSOLE, company_id=company_id)


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def signs_in(contact: Contact, password: str) -> bool:
    items = table().get_many(sign_in_keys(contact.id), consistent=True)
    return check_sign_in(items, password, now=time.time()) is not None


# --- where a contact signs in ----------------------------------------------------------------------


def test_a_contact_of_a_company_with_an_active_portal_signs_in_at_that_portal(aws: LocalAws) -> None:
    carla = contact_of_company("Acme", "carla@acme.example.com", subdomain="acme")

    assert portal_address(carla) == "http://acme.localhost:8000/"


def test_a_contact_of_a_company_without_a_portal_or_with_an_inactive_one_signs_in_at_the_help_centre(
    aws: LocalAws,
) -> None:
    unassigned = contact_of_company(None, "una@nowhere.example.com")
    inactive = contact_of_company("Globex", "gus@globex.example.com", subdomain="globex")
    update_portal(inactive.company_id, status=PortalStatus.INACTIVE)

    assert portal_address(unassigned) == "http://localhost:8000/help"
    assert portal_address(inactive) == "http://localhost:8000/help"


# --- issuing ----------------------------------------------------------------------------------------


def test_a_password_link_is_a_page_on_the_contacts_portal_and_sets_a_password_once(aws: LocalAws) -> None:
    carla = contact_of_company("Acme", "carla@acme.example.com", subdomain="acme")

    link = issuer_for(carla).password_link()

    assert link.startswith("http://acme.localhost:8000/help/set-password?token=")
    set_password_with_link(token_of(link), NEW_PASSWORD)
    assert signs_in(carla, NEW_PASSWORD)
    with pytest.raises(CredentialInvalid):
        set_password_with_link(token_of(link), "another fine passphrase")
    assert signs_in(carla, NEW_PASSWORD)


def test_nothing_issued_is_stored_in_clear(aws: LocalAws) -> None:
    carla = contact_of_company(None, "carla@example.org")

    link = issuer_for(carla).password_link()
    stored_link = table().get(credential_key(carla.id), consistent=True)
    password = issuer_for(carla).temporary_password()
    stored_password = table().get(credential_key(carla.id), consistent=True)

    assert stored_link is not None
    assert stored_password is not None
    assert token_of(link).split(".")[1] not in str(stored_link)
    assert stored_password["temporary_password_hash"].startswith("$argon2id$")
    assert password not in str(stored_password)


def test_a_temporary_password_signs_in_and_asks_for_a_new_password(aws: LocalAws) -> None:
    carla = contact_of_company(None, "carla@example.org")
    password = issuer_for(carla).temporary_password()

    items = table().get_many(sign_in_keys(carla.id), consistent=True)
    checked = check_sign_in(items, password, now=time.time())

    assert checked is not None
    assert checked.temporary
    assert checked.contact.id == carla.id


def test_a_new_credential_kills_the_previous_one_of_its_kind_and_using_one_ends_both(aws: LocalAws) -> None:
    carla = contact_of_company(None, "carla@example.org")
    first_password = issuer_for(carla).temporary_password()
    first_link = issuer_for(carla).password_link()
    second_password = issuer_for(carla).temporary_password()  # replaces the first password, not the link
    second_link = issuer_for(carla).password_link()  # replaces the first link, not the password

    assert not signs_in(carla, first_password)
    with pytest.raises(CredentialInvalid):
        set_password_with_link(token_of(first_link), NEW_PASSWORD)
    # a welcome email's link and a rule's temporary password, sent at once, both work
    assert signs_in(carla, second_password)
    assert link_works(token_of(second_link))

    set_password_with_link(token_of(second_link), NEW_PASSWORD)

    assert not signs_in(carla, second_password)  # a password chosen ends the other credential too
    assert signs_in(carla, NEW_PASSWORD)


def test_a_credential_stored_before_each_kind_had_its_own_still_works_until_one_is_issued(aws: LocalAws) -> None:
    carla = contact_of_company(None, "carla@example.org")
    password = issuer_for(carla).temporary_password()
    item = table().get(credential_key(carla.id), consistent=True)
    assert item is not None
    old_shape = {key: value for key, value in item.items() if not key.startswith("temporary_password_")} | {
        "kind": "temporary_password",
        "secret_hash": item["temporary_password_hash"],
    }
    table().put(old_shape)

    assert signs_in(carla, password)

    issuer_for(carla).password_link()  # the new shape replaces the old one's kind and hash
    assert "secret_hash" not in (table().get(credential_key(carla.id), consistent=True) or {})
    assert not signs_in(carla, password)


def test_an_expired_link_or_temporary_password_does_not_work_even_before_the_ttl_deletes_it(aws: LocalAws) -> None:
    carla = contact_of_company(None, "carla@example.org")
    long_ago = time.time() - 73 * 3600
    password = issue_temporary_password(carla, now=long_ago).secret
    assert not signs_in(carla, password)

    link = issue_password_link(carla, now=long_ago).secret
    with pytest.raises(CredentialInvalid):
        set_password_with_link(token_of(link), NEW_PASSWORD)
    assert not has_password(carla.id)


def test_a_link_with_a_common_password_is_refused_and_still_works_for_a_good_one(aws: LocalAws) -> None:
    carla = contact_of_company(None, "carla@example.org")
    link = issuer_for(carla).password_link()

    with pytest.raises(PasswordRefused):
        set_password_with_link(token_of(link), "password123")
    set_password_with_link(token_of(link), NEW_PASSWORD)

    stored = table().get(contact_password_key(carla.id), consistent=True)
    assert stored is not None
    assert stored["password_hash"].startswith("$argon2id$")
    assert NEW_PASSWORD not in str(stored)


def test_a_forged_or_foreign_token_does_not_set_a_password(aws: LocalAws) -> None:
    carla = contact_of_company(None, "carla@example.org")
    dora = contact_of_company(None, "dora@example.org")
    link = issuer_for(carla).password_link()
    secret = token_of(link).split(".")[1]

    with pytest.raises(CredentialInvalid):
        set_password_with_link(f"{dora.id}.{secret}", NEW_PASSWORD)
    with pytest.raises(CredentialInvalid):
        set_password_with_link(f"{carla.id}.{secret[:-1]}{'B' if secret.endswith('A') else 'A'}", NEW_PASSWORD)
    assert not has_password(dora.id)
    assert not has_password(carla.id)


# --- through a template -----------------------------------------------------------------------------


@pytest.mark.parametrize("template_id", [WELCOME, PASSWORD_RESET])
def test_a_built_in_email_rendered_for_sending_carries_a_working_link(aws: LocalAws, template_id: str) -> None:
    carla = contact_of_company("Acme", "carla@acme.example.com", subdomain="acme")
    values = SnippetValues(
        portal_address=portal_address(carla), portal_username=carla.emails[0], contact_first_name="Carla"
    )

    _, rendered = render_email(
        email_template(template_id).variants, SnippetContext.for_sending(values, issuer_for(carla)), "en"
    )

    link = next(word for word in rendered.text.split() if "set-password?token=" in word).strip("()<>")
    assert link.startswith("http://acme.localhost:8000/help/set-password?token=")
    set_password_with_link(token_of(link), NEW_PASSWORD)
    assert signs_in(carla, NEW_PASSWORD)
