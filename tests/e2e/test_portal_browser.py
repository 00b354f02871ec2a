"""A portal's support page in a real browser (Debian's Chromium through Playwright) on `deskless
dev`, at http://<subdomain>.localhost:<port>/: a visitor asks for a chat, two technicians'
consoles (WebSocket clients with their tokens) hear of it, one accepts while the other sees it
taken, and the visitor and the technician chat; nobody available: the visitor leaves a message,
which staff read; nobody accepting in time: the message form; an inactive portal: 503.

Presence is shared by everything on the one platform, so each module creates its own company,
technicians and portal through the admin API. Every local client comes from 127.0.0.1, which
the portal throttles like any other address: each test starts with that address's budget
untouched. Waits are Playwright's own (expect) and the receive helper's: nothing sleeps."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from websockets.sync.client import ClientConnection, connect

from tests.e2e.conftest import Platform, Technician, bearer, browser_page, hire, wait_for
from tests.e2e.test_sessions import receive, say

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("untouched_budget")]


@dataclass(frozen=True)
class Crew:
    """A company of the test's own, its portal, and the technicians who serve it."""

    platform: Platform
    company_id: str
    name: str
    subdomain: str
    technicians: tuple[Technician, ...]

    def url(self, path: str = "/") -> str:
        return f"http://{self.subdomain}.localhost:{self.platform.port}{path}"

    @property
    def origin(self) -> str:
        return self.url("")

    def state(self) -> str:
        with self.platform.http(host=f"{self.subdomain}.localhost") as client:
            return str(client.get("/api/portal").json()["state"])

    def change_portal(self, admin_token: str, **change: Any) -> None:
        with self.platform.http() as client:
            path = f"/api/companies/{self.company_id}/portal"
            response = client.patch(path, headers=bearer(admin_token), json=change)
        assert response.status_code == 200, response.text

    def ticket_from(self, admin_token: str, email: str) -> dict[str, Any]:
        """The one ticket the visitor with this address left (the company's list follows the
        table's stream: it is waited for)."""
        deadline = time.monotonic() + 15
        with self.platform.http() as client:
            while True:
                listed = client.get(
                    "/api/tickets", params={"scope": f"company:{self.company_id}"}, headers=bearer(admin_token)
                )
                assert listed.status_code == 200, listed.text
                found = [t for t in listed.json()["tickets"] if t["requester"]["email"] == email]
                if found or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            (ticket,) = found
            view = client.get(f"/api/tickets/{ticket['number']}", headers=bearer(admin_token))
        assert view.status_code == 200, view.text
        return dict(view.json()["ticket"])


def found_company(
    platform: Platform, admin_token: str, name: str, technicians: tuple[Technician, ...], **portal: Any
) -> Crew:
    subdomain = f"t-{uuid.uuid4().hex[:8]}"
    with platform.http() as client:
        company = client.post(
            "/api/companies",
            headers=bearer(admin_token),
            json={"name": name, "technician_ids": [technician.id for technician in technicians]},
        )
        assert company.status_code == 201, company.text
        company_id = company.json()["id"]
        created = client.post(
            f"/api/companies/{company_id}/portal", headers=bearer(admin_token), json={"subdomain": subdomain, **portal}
        )
        assert created.status_code == 201, created.text
    return Crew(platform, company_id, name, subdomain, technicians)


@contextmanager
def console(platform: Platform, technician: Technician) -> Iterator[ClientConnection]:
    """A technician's console: connecting counts as a heartbeat; closing it, the last, clears it."""
    with connect(platform.websocket_url(technician.token)) as socket:
        say(socket, "heartbeat")
        assert receive(socket, "presence")["presence"]["user_id"] == technician.id
        yield socket


@pytest.fixture(scope="module")
def crew(platform: Platform, admin_token: str) -> Crew:
    technicians = (hire(platform, admin_token, "Petra Pulse"), hire(platform, admin_token, "Quinn Quick"))
    return found_company(platform, admin_token, "Initech", technicians)


def nobody_available(crew: Crew) -> None:
    wait_for(lambda: crew.state() == "unavailable")  # consoles of an earlier test have closed


def ask_for_chat(page: Page, name: str, email: str, question: str, button: str = "Start chat") -> None:
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your email").fill(email)
    page.get_by_label("How can we help?").fill(question)
    page.get_by_role("button", name=button).click()


# --- someone available: a chat -----------------------------------------------------------------


def test_a_visitor_chats_with_the_technician_who_accepts_first(platform: Platform, crew: Crew, page: Page) -> None:
    petra, quinn = crew.technicians
    with console(platform, petra) as first, console(platform, quinn) as second:
        # Given both technicians' consoles are open, the portal offers a chat
        page.goto(crew.url())
        expect(page.get_by_role("heading", name="Chat with a technician")).to_be_visible()

        # When the visitor asks for one
        ask_for_chat(page, "Carla Customer", "carla@example.org", "My printer <b>is</b> on fire")

        # Then they wait, first in the queue, and both consoles hear of the request
        expect(page.get_by_role("heading", name="Waiting for a technician")).to_be_visible()
        expect(page.locator("#position")).to_have_text("You are next in the queue.")
        requested = receive(first, "chat.requested")["request"]
        assert receive(second, "chat.requested")["request"]["id"] == requested["id"]
        assert (requested["name"], requested["email"]) == ("Carla Customer", "carla@example.org")
        assert requested["question"] == "My printer <b>is</b> on fire"

        # When Petra accepts it, Quinn sees it taken, and the visitor is in a chat with Petra
        say(first, "chat.accept", request=requested["id"])
        accepted = receive(first, "chat.accepted")
        taken = receive(second, "chat.taken")
        assert (taken["request"], taken["by"]) == (requested["id"], petra.id)
        expect(page.get_by_role("heading", name=f"Chat with {petra.name}")).to_be_visible()
        expect(page.locator("#status")).to_have_text("Connected")
        said = page.get_by_role("list", name="Messages").locator("li.message")
        expect(said.first).to_contain_text("My printer <b>is</b> on fire")  # the question opens the chat

        # Then messages go both ways
        session_id = accepted["session"]["id"]
        page.get_by_label("Your message").fill("Is anyone there?")
        page.get_by_label("Your message").press("Enter")
        sent = receive(first, "chat.message")["message"]
        assert (sent["text"], sent["sender_role"], sent["sender_name"]) == (
            "Is anyone there?",
            "visitor",
            "Carla Customer",
        )
        say(first, "chat.send", session=session_id, text="Yes: unplug it, <i>now</i>.")
        expect(said).to_have_count(3)
        expect(said.last).to_contain_text("Yes: unplug it, <i>now</i>.")
        expect(said.last).to_contain_text(petra.name)
        expect(page.get_by_role("list", name="Messages").locator("b, i")).to_have_count(0)


def test_a_visitor_who_cancels_the_wait_withdraws_the_request_in_their_language(
    platform: Platform, crew: Crew, browser: Browser
) -> None:
    petra = crew.technicians[0]
    with browser_page(browser, locale="cs-CZ") as page, console(platform, petra) as first:
        page.goto(crew.url())
        expect(page.locator("html")).to_have_attribute("lang", "cs")
        expect(page.get_by_role("heading", name="Chat s technikem")).to_be_visible()

        page.get_by_label("Vaše jméno").fill("Franta")
        page.get_by_label("Váš e-mail").fill("franta@example.cz")
        page.get_by_label("S čím vám můžeme pomoct?").fill("Nejde mi tiskárna.")
        page.get_by_role("button", name="Zahájit chat").click()
        expect(page.get_by_role("heading", name="Čekání na technika")).to_be_visible()
        expect(page.get_by_text("Jste další na řadě.")).to_be_visible()
        request_id = receive(first, "chat.requested")["request"]["id"]

        page.get_by_role("button", name="Zrušit žádost").click()

        expect(page.get_by_role("heading", name="Chat s technikem")).to_be_visible()
        expect(page.get_by_text("Žádost o chat jste zrušili.")).to_be_visible()
        assert receive(first, "chat.withdrawn")["request"] == request_id


def test_when_nobody_accepts_in_time_the_visitor_is_offered_the_message_form(
    platform: Platform, admin_token: str, crew: Crew, page: Page
) -> None:
    petra = crew.technicians[0]
    page.clock.install()  # the page's clock, so the wait can be skipped
    with console(platform, petra) as first:
        page.goto(crew.url())
        ask_for_chat(page, "Gil", "gil@example.org", "Nobody will answer this.")
        expect(page.get_by_role("heading", name="Waiting for a technician")).to_be_visible()
        request_id = receive(first, "chat.requested")["request"]["id"]

        # When the wait runs out with nobody accepting
        with platform.http(host=f"{crew.subdomain}.localhost") as client:
            wait_seconds = client.get("/api/portal").json()["wait_seconds"]
        page.clock.fast_forward((wait_seconds + 1) * 1000)

        # Then the page offers the message form with the question in it, and gives up the request
        expect(page.get_by_role("heading", name="No technician could take your chat in time")).to_be_visible()
        expect(page.get_by_label("How can we help?")).to_have_value("Nobody will answer this.")
        assert receive(first, "chat.withdrawn")["request"] == request_id

    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    latest = crew.ticket_from(admin_token, "gil@example.org")
    assert (latest["requester"]["name"], latest["description"], latest["source"]) == (
        "Gil",
        "Nobody will answer this.",
        "offline_message",
    )


# --- nobody available: a message -------------------------------------------------------------


def test_with_nobody_available_the_visitors_message_becomes_a_ticket_staff_can_read(
    admin_token: str, crew: Crew, page: Page
) -> None:
    nobody_available(crew)
    page.goto(crew.url())
    expect(page.get_by_role("heading", name="No technician is available right now")).to_be_visible()
    expect(page.get_by_role("button", name="Start chat")).to_have_count(0)

    ask_for_chat(page, "Dora Day", "dora@example.org", "Please call me back about invoice 42.", "Send message")

    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    latest = crew.ticket_from(admin_token, "dora@example.org")
    thanks = f"We received your message as ticket #{latest['number']} and will answer at dora@example.org."
    expect(page.get_by_text(thanks)).to_be_visible()
    assert latest["requester"]["name"] == "Dora Day"
    assert (latest["title"], latest["description"], latest["company_id"]) == (
        "Please call me back about invoice 42.",
        "Please call me back about invoice 42.",
        crew.company_id,
    )


def test_a_chat_asked_for_as_the_last_technician_leaves_becomes_a_message(
    platform: Platform, admin_token: str, crew: Crew, page: Page
) -> None:
    with console(platform, crew.technicians[0]):
        page.goto(crew.url())
        expect(page.get_by_role("button", name="Start chat")).to_be_visible()
    nobody_available(crew)  # the console closed while the visitor was typing

    ask_for_chat(page, "Eva", "eva@example.org", "Too late for a chat?")

    expect(page.get_by_role("heading", name="No technician is available right now")).to_be_visible()
    expect(page.get_by_label("How can we help?")).to_have_value("Too late for a chat?")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert crew.ticket_from(admin_token, "eva@example.org")["description"] == "Too late for a chat?"


def test_the_portal_leads_to_the_join_page_for_session_codes(crew: Crew, page: Page) -> None:
    page.goto(crew.url())

    page.get_by_role("link", name="Have a session code from a technician? Join the session here.").click()

    expect(page.get_by_role("heading", name="Join a support session")).to_be_visible()
    assert page.url == crew.url("/join")


# --- inactive, unknown ---------------------------------------------------------------------------


def test_an_inactive_portal_is_unavailable_even_with_a_technician_online(
    platform: Platform, admin_token: str, page: Page
) -> None:
    rita = hire(platform, admin_token, "Rita Ready")
    closed = found_company(platform, admin_token, "Umbrella", (rita,), status="inactive", language="de")
    with console(platform, rita):
        response = page.goto(closed.url("/?lang=en"))

        assert response is not None
        assert response.status == 503
        expect(page.get_by_text("Service unavailable. We apologise for the inconvenience.")).to_be_visible()
        expect(page.get_by_role("button")).to_have_count(0)


def test_an_unknown_subdomain_is_a_404_page(platform: Platform, page: Page) -> None:
    response = page.goto(f"http://t-{uuid.uuid4().hex[:8]}.localhost:{platform.port}/")

    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="There is no support portal at this address.")).to_be_visible()


def test_the_page_fits_a_phone(crew: Crew, browser: Browser) -> None:
    with browser_page(browser, viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True) as phone:
        phone.goto(crew.url())
        expect(phone.get_by_label("How can we help?")).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        boxes = [phone.get_by_label(label).bounding_box() for label in ("Your name", "How can we help?")]

    assert width <= 360
    for box in boxes:
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 360
