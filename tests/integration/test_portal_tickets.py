"""A contact's ticket pages on their portal, through the portals function with real-shaped events
against moto (the tickets submitted and changed through the tickets function, the lists kept from
the stream): My activities (mine, CC'd, my organisation for a primary contact only; a status
filter; a search by number or words), the ticket form (a category's fields in the visitor's
language, each tied to where its problem is said), a ticket's page (never internal notes; another
contact's ticket is the 404 page) and its receipt."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import parse_qsl

import pytest

from deskless.attachments import contact_uploader, staff_uploader
from deskless.categories import CategoryContent, create_category
from deskless.contacts import Contact
from deskless.preferences import update_preferences
from local.metering import count_requests
from local.streams import StreamPoller
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, add_staff, current, ok
from tests.integration.test_portal_accounts import ACME, Answer, Browser, contact
from tests.integration.test_tickets_api import Customer, Staff, _uploaded, colleague

PRINTING = {
    "name": "Printing",
    "labels": {"en": "Printing", "es": "Impresión"},
    "fields": [
        {
            "key": "model",
            "kind": "single_choice",
            "labels": {"en": "Model", "es": "Modelo"},
            "help": {"en": "On the front of the printer"},
            "required": True,
            "choices": [{"key": "hp", "labels": {"en": "HP"}}, {"key": "canon", "labels": {"en": "Canon"}}],
        },
        {"key": "pages", "kind": "number", "labels": {"en": "Pages"}, "minimum": 1},
        {"key": "since", "kind": "date", "labels": {"en": "Since"}},
        {"key": "details", "kind": "long_text", "labels": {"en": "Details"}},
        {"key": "serial", "kind": "short_text", "labels": {"en": "Serial"}},
        {"key": "urgent", "kind": "checkbox", "labels": {"en": "Urgent"}},
        {
            "key": "trays",
            "kind": "multiple_choice",
            "labels": {"en": "Trays"},
            "choices": [{"key": "a4", "labels": {"en": "A4"}}, {"key": "a3", "labels": {"en": "A3"}}],
        },
    ],
}


@pytest.fixture
def carla(aws: LocalAws) -> Contact:
    return contact("Acme", "carla@acme.example.com", subdomain="acme")


@pytest.fixture
def staff(aws: LocalAws) -> Staff:
    add_staff(TECHNICIAN, ADMIN)
    return Staff(aws)


def signed_in(aws: LocalAws, person: Contact) -> Browser:
    browser = Browser(aws, ACME)
    assert browser.sign_in(person.emails[0]).status == 303
    return browser


def listed(answer: Answer) -> list[int]:
    """The ticket numbers of a My activities page, in order."""
    assert answer.status == 200, answer.body
    return [int(number) for number in re.findall(r'<tr data-number="(\d+)">', answer.body)]


def tabs(answer: Answer) -> list[str]:
    return re.findall(r'<a id="tab-(\w+)"', answer.body)


def printing() -> Any:
    return create_category(CategoryContent.model_validate(PRINTING))


# --- My activities ------------------------------------------------------------------------------------


def test_my_activities_lists_mine_those_i_am_ccd_on_and_for_a_primary_contact_my_organisations(
    aws: LocalAws, carla: Contact, stream: StreamPoller
) -> None:
    pat = colleague(carla, "pat@acme.example.com", primary=True)
    cy = colleague(carla, "cy@acme.example.com")
    requester = Customer(aws, carla)
    mine = requester.submit("Cannot print", cc=["cy@acme.example.com"])["number"]
    stream.poll_once()

    page = signed_in(aws, carla).request("GET /help/tickets")
    followed = signed_in(aws, cy).request("GET /help/tickets", query={"list": "cc"})
    company = signed_in(aws, pat).request("GET /help/tickets", query={"list": "company"})

    assert listed(page) == [mine]
    assert "Cannot print" in page.body
    assert "New" in page.body
    assert "Medium" in page.body
    assert listed(followed) == [mine]
    assert listed(company) == [mine]
    assert tabs(company) == ["mine", "cc", "company"]
    assert 'id="tab-company" href="/help/tickets?list=company" aria-current="page"' in company.body


def test_a_plain_contact_has_no_organisation_list_and_a_colleagues_ticket_is_the_404_page(
    aws: LocalAws, carla: Contact, stream: StreamPoller
) -> None:
    cy = colleague(carla, "cy@acme.example.com")
    number = Customer(aws, carla).submit("Carla's own")["number"]
    stream.poll_once()
    browser = signed_in(aws, cy)

    asked = browser.request("GET /help/tickets", query={"list": "company"})
    colleagues = browser.request(f"GET /help/tickets/{number}")
    nowhere = browser.request("GET /help/tickets/999999")

    assert tabs(asked) == ["mine", "cc"]
    assert listed(asked) == []  # their own list instead, which is empty
    assert "Carla&#39;s own" not in asked.body
    assert (colleagues.status, nowhere.status) == (404, 404)
    assert "There is no such ticket." in colleagues.body
    assert colleagues.body == nowhere.body.replace("999999", str(number))


def test_the_status_filter_and_the_search_by_number_or_words(
    aws: LocalAws, carla: Contact, stream: StreamPoller
) -> None:
    customer = Customer(aws, carla)
    printer = customer.submit("Printer jams on page two")["number"]
    mail = customer.submit("Mail bounces")["number"]
    ok(customer.call(f"POST /api/portal/tickets/{mail}/close"))
    stream.poll_once()
    browser = signed_in(aws, carla)

    def shown(**query: str) -> list[int]:
        return listed(browser.request("GET /help/tickets", query=query))

    assert shown() == [mail, printer]
    assert shown(status="closed") == [mail]
    assert shown(status="active") == [printer]
    assert shown(q=f"#{printer}") == [printer]
    assert shown(q="jam") == [printer]
    assert shown(q="nothing like it") == []
    chosen = browser.request("GET /help/tickets", query={"status": "closed"}).body
    assert '<option value="closed" selected>Closed</option>' in chosen


def test_a_long_list_is_paged_by_its_more_link(
    aws: LocalAws, carla: Contact, stream: StreamPoller, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = Customer(aws, carla)
    numbers = [customer.submit(f"Ticket {n}")["number"] for n in range(3)]
    stream.poll_once()
    browser = signed_in(aws, carla)
    monkeypatch.setitem(current("deskless.ticket_lists").list_tickets.__kwdefaults__, "limit", 2)  # pages of two

    first = browser.request("GET /help/tickets")
    more = re.search(r'<a id="more" href="/help/tickets\?([^"]+)"', first.body)
    assert more is not None
    second = browser.request("GET /help/tickets", query=dict(parse_qsl(unescape(more.group(1)))))

    assert listed(first) == numbers[:0:-1]
    assert listed(second) == numbers[:1]
    assert 'id="more"' not in second.body


def test_the_list_page_reads_the_session_the_portal_and_one_list(
    aws: LocalAws, carla: Contact, stream: StreamPoller
) -> None:
    Customer(aws, carla).submit()
    stream.poll_once()
    browser = signed_in(aws, carla)
    browser.request("GET /help/tickets")  # warm

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        page = browser.request("GET /help/tickets")

    assert listed(page) == [1001]
    # the session with its contact (BatchGetItem), the portal (GetItem + Query), the list (Query)
    assert calls == {"BatchGetItem": 1, "GetItem": 1, "Query": 2}


def test_a_signed_out_browser_is_sent_to_sign_in(aws: LocalAws, carla: Contact) -> None:
    browser = Browser(aws, ACME)

    for path in ("/help/tickets", "/help/tickets/new", "/help/tickets/1001"):
        answer = browser.request(f"GET {path}")
        assert (answer.status, answer.location) == (303, "/help/sign-in")


def test_the_account_page_links_to_my_activities_and_the_ticket_form(aws: LocalAws, carla: Contact) -> None:
    page = signed_in(aws, carla).request("GET /help")

    assert '<a href="/help/tickets">My activities</a>' in page.body
    assert '<a href="/help/tickets/new">Submit a ticket</a>' in page.body


# --- the form -----------------------------------------------------------------------------------------


def test_the_form_offers_active_categories_and_their_fields_in_the_visitors_language(
    aws: LocalAws, carla: Contact
) -> None:
    category = printing()
    retired = create_category(CategoryContent.model_validate({"name": "Fax", "active": False}))
    browser = signed_in(aws, carla)

    page = browser.request("GET /help/tickets/new", query={"lang": "es"})

    assert page.status == 200
    assert f'<option value="{category.id}">Impresión</option>' in page.body
    assert retired.id not in page.body
    model = f"f-{category.id}-model"
    assert f'<label for="{model}">Modelo' in page.body
    assert f'<select id="{model}" data-key="model" data-kind="single_choice" ' in page.body
    assert f'aria-describedby="{model}-hint {model}-problem" aria-required="true"' in page.body
    assert f'<p id="{model}-problem" class="error" hidden></p>' in page.body
    for kind in ("number", "date", "long_text", "short_text", "checkbox", "multiple_choice"):
        assert f'data-kind="{kind}"' in page.body
    assert '<aside id="ticket-suggestions" aria-labelledby="suggestions-heading" hidden>' in page.body
    assert "Artículos que pueden ayudarle" in page.body  # where the script lists articles that may help
    assert "<noscript>" in page.body


def test_the_pages_script_is_allowed_by_its_hash_alone(aws: LocalAws, carla: Contact) -> None:
    page = signed_in(aws, carla).request("GET /help/tickets/new")

    policy = page.headers["content-security-policy"]
    script = re.search(r"<script>(.*?)</script>", page.body, re.S)
    assert script is not None
    assert current("functions.portals.pages").source_hash(script.group(1)) in policy
    assert "unsafe" not in policy


def test_a_field_problem_from_the_api_names_the_field_the_form_says_it_next_to(aws: LocalAws, carla: Contact) -> None:
    category = printing()
    form = signed_in(aws, carla).request("GET /help/tickets/new")

    refused = Customer(aws, carla).call(
        "POST /api/portal/tickets", {"title": "x", "description": "y", "category_id": category.id, "fields": {}}
    )

    (detail,) = refused.json()["details"]
    assert (refused.status, detail) == (422, {"field": "model", "problem": "Required"})
    control = re.search(rf'<select id="(f-{category.id}-[a-z_]+)" data-key="{detail["field"]}"', form.body)
    assert control is not None
    assert f'<p id="{control.group(1)}-problem" class="error" hidden></p>' in form.body


# --- a ticket -----------------------------------------------------------------------------------------


def test_a_ticket_page_shows_its_details_and_public_timeline_never_internal_notes(
    aws: LocalAws,
    carla: Contact,
    staff: Staff,
) -> None:
    category = printing()
    customer = Customer(aws, carla)
    number = customer.submit(
        "Printer on fire", category_id=category.id, fields={"model": "canon", "urgent": True, "trays": ["a3"]}
    )["number"]
    staff.call(f"POST /api/tickets/{number}/notes", {"body": "Customer is grumpy."})
    staff.call(f"POST /api/tickets/{number}/replies", {"body": "Which <b>floor</b>?", "status": "pending"})
    browser = signed_in(aws, carla)

    page = browser.request(f"GET /help/tickets/{number}")

    assert page.status == 200
    assert "<h1>Printer on fire</h1>" in page.body
    assert "grumpy" not in page.body
    assert "Which &lt;b&gt;floor&lt;/b&gt;?" in page.body
    assert "Carla Client submitted the ticket." in page.body
    assert "Status changed: New → Waiting for your answer" in page.body
    assert "<dt>Model</dt><dd>Canon</dd>" in page.body
    assert "<dt>Urgent</dt><dd>Ticked</dd>" in page.body
    assert "<dt>Trays</dt><dd>A3</dd>" in page.body
    assert 'id="reply-form"' in page.body
    assert 'id="close-ticket"' in page.body
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">', page.body)


def test_a_ccd_contact_may_reply_but_only_the_requester_is_offered_to_close(aws: LocalAws, carla: Contact) -> None:
    cy = colleague(carla, "cy@acme.example.com")
    number = Customer(aws, carla).submit(cc=["cy@acme.example.com"])["number"]

    page = signed_in(aws, cy).request(f"GET /help/tickets/{number}")

    assert 'id="reply-form"' in page.body
    assert 'id="close-ticket"' not in page.body
    assert "cy@acme.example.com" in page.body


def test_the_receipt_says_the_ticket_was_received_and_a_closed_one_offers_no_reply(
    aws: LocalAws, carla: Contact
) -> None:
    customer = Customer(aws, carla)
    number = customer.submit()["number"]
    browser = signed_in(aws, carla)

    receipt = browser.request(f"GET /help/tickets/{number}", query={"done": "received"})
    ok(customer.call(f"POST /api/portal/tickets/{number}/close"))
    closed = browser.request(f"GET /help/tickets/{number}", query={"done": "closed"})

    assert f"We received your ticket #{number}." in receipt.body
    assert "Your ticket is closed." in closed.body
    assert 'id="reply-form"' not in closed.body
    assert 'id="close-ticket"' not in closed.body


def test_a_ticket_the_submission_policy_closed_says_why_and_who_may_submit(aws: LocalAws, carla: Contact) -> None:
    colleague(carla, "pat@acme.example.com", primary=True)
    update_preferences({"ticket_submission": "primary_contacts"})
    number = Customer(aws, carla).submit()["number"]

    receipt = signed_in(aws, carla).request(f"GET /help/tickets/{number}", query={"done": "received"})

    assert "Only your company&#39;s primary contacts may submit tickets." in receipt.body
    assert "Who in your company may submit tickets: Pat Primary" in receipt.body
    assert "Closed" in receipt.body


def test_a_tickets_files_are_download_links_and_an_internal_notes_never_shown(
    aws: LocalAws, carla: Contact, staff: Staff
) -> None:
    log = _uploaded(contact_uploader(carla.id), "printer.log", b"paper jam\n")
    number = Customer(aws, carla).submit(attachments=[log])["number"]
    secret = _uploaded(staff_uploader(TECHNICIAN.user_id), "internal.txt", b"secret")
    staff.call(f"POST /api/tickets/{number}/notes", {"body": "See file.", "attachments": [secret]})
    answer = _uploaded(staff_uploader(TECHNICIAN.user_id), "fix.txt", b"do this")
    staff.call(f"POST /api/tickets/{number}/replies", {"body": "Try this.", "attachments": [answer]})

    page = signed_in(aws, carla).request(f"GET /help/tickets/{number}")

    links = re.findall(r'<a href="(/api/portal/tickets/\d+/attachments/[^"]+)" download>([^<]+)</a>', page.body)
    assert [name for _, name in links] == ["printer.log", "fix.txt"]
    assert links[0][0] == f"/api/portal/tickets/{number}/attachments/{log}"
    assert "internal.txt" not in page.body
    assert 'id="files"' not in page.body  # the form's input is on the form page; here, the reply's
    assert 'id="reply-files" type="file" multiple' in page.body


def test_a_ticket_page_reads_the_session_the_portal_the_ticket_and_its_category(aws: LocalAws, carla: Contact) -> None:
    category = printing()
    number = Customer(aws, carla).submit(category_id=category.id, fields={"model": "hp"})["number"]
    browser = signed_in(aws, carla)
    browser.request(f"GET /help/tickets/{number}")  # warm

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        page = browser.request(f"GET /help/tickets/{number}")
        form = browser.request("GET /help/tickets/new")

    assert (page.status, form.status) == (200, 200)
    # each: the session with its contact (BatchGetItem) and the portal (GetItem + Query); the ticket
    # page the ticket with its timeline (Query) and its category (GetItem); the form the active
    # categories and the product areas (a Query each)
    assert calls == {"BatchGetItem": 2, "GetItem": 3, "Query": 5}
