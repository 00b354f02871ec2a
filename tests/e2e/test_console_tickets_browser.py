"""Tickets in the console, in a real browser (Debian's Chromium through Playwright) on `deskless
dev`: a technician has the tickets view open; a contact's ticket sent by an integration appears in
the list live, with its count, and sounds; the technician opens it, replies with a file and sets
it pending (a quick reply's preview is the walk's: test_ticket_walk_browser.py); an admin in
another browser changes the ticket meanwhile, and the technician's next change is refused with
what changed shown, the draft in the reply box kept, and the change made again on request; a
technician opens a ticket for a contact, notes on it, renames it, gives it to their team and takes
it, files it under a category, tags it, sets and clears its due date, and merges it; a customer's
reply on the portal alerts the assignee while their email channel is on, and only then.

Each test uses its own technician, company and names (the platform is shared by the suite)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer
from playwright.sync_api import APIResponse, Browser, FilePayload, Locator, Page, Route, expect

from deskless.table import Entity, stamped, ticket_entry_key
from deskless.tickets import Author, AuthorKind, Entry, EntryKind
from local.seed import DEMO_STAFF
from tests.e2e.callers import contact_headers, portal_client, portal_contact
from tests.e2e.conftest import TECHNICIAN_PASSWORD, Platform, Technician, bearer, browser_page, hire, unique, wait_for
from tests.e2e.console import (
    NOTIFICATION_HOOK,
    LateAnswers,
    confirm,
    connected,
    email_of,
    heard,
    notifications,
    open_console,
)
from tests.e2e.test_portal_browser import found_company

pytestmark = pytest.mark.browser

ADMIN = DEMO_STAFF[0]


def details(page: Page) -> Locator:
    return page.get_by_role("complementary", name="Ticket details")


def count_of(page: Page, list_name: str) -> int:
    text = page.get_by_role("navigation", name="Ticket lists").get_by_role("button", name=re.compile(f"^{list_name}"))
    expect(text.locator(".count")).to_have_text(re.compile(r"^\d+$"))
    return int(text.locator(".count").inner_text())


def loaded(page: Page) -> None:
    """Wait until every load of the ticket list asked for so far has ended (and the latest is drawn)."""
    expect(page.locator("table.tickets-table[aria-busy]")).to_have_count(0)


def rule_note(platform: Platform, number: int, rule: str, body: str) -> None:
    """An internal note by a rule, stored as the automation function's action stores it."""
    author = Author(kind=AuthorKind.RULE, id="r-e2e", name=rule)
    entry = Entry(id=unique("e"), at=int(time.time() * 1000), kind=EntryKind.NOTE, author=author, body=body)
    item = stamped(
        Entity.TICKET_ENTRY,
        ticket_entry_key(number, entry.at, entry.id),
        number=number,
        **entry.model_dump(mode="json", exclude_none=True),
    )
    serialise = TypeSerializer().serialize
    platform.aws("dynamodb").put_item(
        TableName=platform.names.table, Item={name: serialise(value) for name, value in item.items()}
    )


@dataclass(frozen=True)
class PortalTicket:
    """A ticket a new contact sent from the portal, taken by a new technician if `assign`."""

    platform: Platform
    technician: Technician
    customer: dict[str, str]  # the contact's portal headers
    number: int

    @classmethod
    def sent(
        cls, platform: Platform, admin_token: str, people: tuple[str, str], title: str, *, assign: bool = True
    ) -> PortalTicket:
        technician_name, contact_name = people
        technician = hire(platform, admin_token, technician_name)
        customer = contact_headers(platform, portal_contact(platform, admin_token, f"{contact_name} {unique('c')}"))
        with portal_client(platform) as portal:
            submitted = portal.post("/api/portal/tickets", headers=customer, json={"title": title, "description": "."})
        assert submitted.status_code == 201, submitted.text
        number = submitted.json()["number"]
        if assign:
            with platform.http() as client:
                ticket = client.get(f"/api/tickets/{number}", headers=bearer(technician.token)).json()["ticket"]
                taken = client.patch(
                    f"/api/tickets/{number}",
                    headers=bearer(technician.token),
                    json={"revision": ticket["revision"], "assignee_id": technician.id},
                )
            assert taken.status_code == 200, taken.text
        return cls(platform, technician, customer, number)

    def reply(self, text: str) -> None:
        """The customer replies on the portal."""
        with portal_client(self.platform) as portal:
            replied = portal.post(
                f"/api/portal/tickets/{self.number}/replies", headers=self.customer, json={"body": text}
            )
        assert replied.status_code == 201, replied.text

    def open(self, console: Page) -> None:
        """The technician signs in on the ticket's page, and waits until the console is connected (the
        customer's replies are pushed once, to the consoles connected then)."""
        open_console(
            console,
            self.platform,
            email_of(self.platform, self.technician),
            TECHNICIAN_PASSWORD,
            f"tickets/{self.number}",
        )
        connected(console)


def test_a_ticket_arrives_live_is_answered_with_a_file_and_a_conflict_loses_no_draft(
    platform: Platform, admin_token: str, browser: Browser, console: Page
) -> None:
    technician = hire(platform, admin_token, "Tess Tickets")
    crew = found_company(platform, admin_token, f"Tess Works {unique('c')}", (technician,))
    requester = f"wanda-{unique('w')}@example.com"
    title = f"Anvil arrived dented {unique('t')}"
    with platform.http() as client:
        contact = client.post(
            "/api/contacts",
            headers=bearer(admin_token),
            json={"name": "Wanda Wilson", "emails": [requester], "company_id": crew.company_id},
        )
        assert contact.status_code == 201, contact.text
        key = client.post("/api/api-keys", headers=bearer(admin_token), json={"name": "e2e tickets CRM"}).json()

    # Given the technician has the tickets view open, on All active
    console.add_init_script(NOTIFICATION_HOOK)
    open_console(console, platform, email_of(platform, technician), TECHNICIAN_PASSWORD, "tickets")
    connected(console)  # the new ticket's alert is pushed once, to the consoles connected then
    console.get_by_role("navigation", name="Ticket lists").get_by_role("button", name=re.compile("^All active")).click()
    before = count_of(console, "All active")

    # When an integration sends a ticket for the contact
    with platform.http() as client:
        sent = client.post(
            "/api/v1/tickets",
            headers={"x-api-key": key["key"]},
            json={"requester_email": requester, "title": title, "description": "The box was crushed."},
        )
    assert sent.status_code == 201, sent.text
    number = sent.json()["number"]

    # Then it appears in the list with its count, and the console alerts the technician
    table = console.get_by_role("table", name="Tickets")
    row = table.get_by_role("row").filter(has_text=title)
    expect(row).to_contain_text(f"#{number}")
    expect(row).to_contain_text("Wanda Wilson")
    expect(row).to_contain_text(crew.name)
    expect(row).to_contain_text("New")
    expect(
        console.get_by_role("navigation", name="Ticket lists").get_by_role("button", name=re.compile("^All active"))
    ).to_contain_text(str(before + 1))
    alerts = wait_for(lambda: notifications(console, "ticket"))
    assert alerts[0]["title"] == f"New ticket #{number} from Wanda Wilson"

    # And it is found by its number and by a word of its requester, and listed by priority too
    console.get_by_label("Search tickets").fill(f"#{number}")
    expect(console.get_by_role("heading", name=f"Tickets matching “#{number}”")).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(2)  # the header and the ticket
    word = requester.split("@")[0].rsplit("-", 1)[1]  # the address's own word ("wanda-w-…" is three words)
    console.get_by_label("Search tickets").fill(word)
    expect(console.get_by_role("heading", name=f"Tickets matching “{word}”")).to_be_visible()
    loaded(console)  # the row shown is the search's, not the one the number's search left
    expect(row).to_be_visible()
    console.get_by_label("Search tickets").fill("")
    expect(console.get_by_role("heading", name="All active")).to_be_visible()
    with console.expect_response(lambda response: "sort=priority" in response.url):
        console.get_by_label("Sort by").select_option("priority")
    loaded(console)
    expect(row).to_be_visible()

    # When the technician opens it and answers with a file, setting it pending (a quick reply is the walk's)
    row.get_by_role("link", name=title).click()
    expect(console.get_by_role("heading", name=f"#{number} {title}")).to_be_visible()
    console.get_by_label("Message", exact=True).fill("Hello Wanda, we are on it.")
    label: FilePayload = {"name": "label.txt", "mimeType": "text/plain", "buffer": b"Fragile: anvil"}
    console.get_by_label("Attach files").set_input_files(files=[label])
    console.get_by_role("button", name="Send and set pending").click()
    timeline = console.get_by_role("list", name="Timeline")
    expect(timeline.locator("[data-kind=reply]")).to_contain_text("Hello Wanda, we are on it.")
    expect(timeline.locator("[data-kind=reply]").get_by_role("button", name="label.txt")).to_be_visible()
    expect(details(console).get_by_label("Status", exact=True)).to_have_value("pending")
    expect(console.get_by_label("Message", exact=True)).to_have_value("")

    # When the technician starts a draft, and an admin in another browser raises the urgency
    console.get_by_label("Message", exact=True).fill("Half-written answer about the anvil")
    with browser_page(browser) as other:
        open_console(other, platform, ADMIN.email, ADMIN.password, f"tickets/{number}")
        expect(details(other).get_by_label("Urgency", exact=True)).to_have_value("medium")
        details(other).get_by_label("Urgency", exact=True).select_option("high")
        expect(other.get_by_role("list", name="Timeline")).to_contain_text("changed urgency from Medium to High")

    # Then the technician's page says the ticket changed, without redrawing under their hands
    expect(console.get_by_role("status").filter(has_text="This ticket was changed.")).to_be_visible()
    expect(details(console).get_by_label("Urgency", exact=True)).to_have_value("medium")

    # And their next change is refused and says what changed, and the draft is kept
    details(console).get_by_label("Impact", exact=True).select_option("low")
    conflict = console.get_by_role("alert").filter(has_text="Someone else changed this ticket")
    expect(conflict).to_contain_text("Your change (impact Low) was not saved")
    expect(conflict).to_contain_text("Urgency: High")
    expect(details(console).get_by_label("Urgency", exact=True)).to_have_value("high")
    expect(console.get_by_label("Message", exact=True)).to_have_value("Half-written answer about the anvil")

    # When the technician makes the change again, it is saved on the ticket as it is now
    conflict.get_by_role("button", name="Make my change again").click()
    expect(details(console).get_by_label("Impact", exact=True)).to_have_value("low")
    with platform.http() as client:
        stored = client.get(f"/api/tickets/{number}", headers=bearer(technician.token)).json()["ticket"]
    assert (stored["status"], stored["impact"], stored["urgency"]) == ("pending", "low", "high")


def test_a_technician_opens_a_ticket_for_a_contact_notes_renames_files_assigns_and_merges_it(
    platform: Platform, admin_token: str, console: Page
) -> None:
    technician = hire(platform, admin_token, "Milo Merge")
    crew = found_company(platform, admin_token, f"Milo Works {unique('c')}", (technician,))
    address = f"mo-{unique('m')}@example.com"
    with platform.http() as client:
        contact = client.post(
            "/api/contacts",
            headers=bearer(admin_token),
            json={"name": "Mo Mender", "emails": [address], "company_id": crew.company_id},
        )
        assert contact.status_code == 201, contact.text
        target = client.post(
            "/api/tickets",
            headers=bearer(technician.token),
            json={"requester_id": contact.json()["id"], "title": "Older report", "description": "First."},
        )
        assert target.status_code == 201, target.text
        label = unique("l")
        team = client.post(
            "/api/teams", headers=bearer(admin_token), json={"name": f"Lamps {label}", "members": [technician.id]}
        )
        assert team.status_code == 201, team.text
        room = {"key": "room", "kind": "short_text", "labels": {"en": "Which room?"}, "required": True}
        category = client.post(
            "/api/ticket-categories", headers=bearer(admin_token), json={"name": f"Lighting {label}", "fields": [room]}
        )
        assert category.status_code == 201, category.text
    into = target.json()["ticket"]["number"]
    open_console(console, platform, email_of(platform, technician), TECHNICIAN_PASSWORD, "tickets")

    # When the technician opens a ticket for the contact, found by a search
    console.get_by_role("button", name="New ticket").click()
    dialog = console.get_by_role("dialog")
    dialog.get_by_label("Find the contact").fill(address)
    expect(dialog.get_by_label("Contact", exact=True)).to_contain_text(f"Mo Mender <{address}>")
    dialog.get_by_label("Title").fill("Lamp flickers")
    dialog.get_by_label("Description").fill("Since Monday.")
    dialog.get_by_role("button", name="Open ticket").click()

    # Then its page shows, the requester linked to their contact
    expect(console.get_by_role("heading", name=re.compile(r"^#\d+ Lamp flickers$"))).to_be_visible()
    number = int(console.url.rsplit("/", 1)[1])
    expect(console.get_by_role("link", name=f"Mo Mender <{address}>")).to_have_attribute(
        "href", f"#/contacts/{address.replace('@', '%40')}"
    )

    # When they add an internal note and rename the ticket
    console.get_by_label("Internal note").check()
    console.get_by_label("Message", exact=True).fill("Probably the ballast.")
    console.get_by_role("button", name="Add internal note").click()
    timeline = console.get_by_role("list", name="Timeline")
    expect(timeline.locator("[data-kind=note]")).to_contain_text("Internal note")
    expect(timeline.locator("[data-kind=note]")).to_contain_text("Probably the ballast.")
    console.get_by_role("button", name="Edit title").click()
    console.get_by_label("Title", exact=True).fill("Lamp flickers in the lobby")
    console.get_by_role("button", name="Save title").click()
    expect(console.get_by_role("heading", name=f"#{number} Lamp flickers in the lobby")).to_be_visible()
    expect(timeline).to_contain_text("changed title from Lamp flickers to Lamp flickers in the lobby")

    # When they give it to their team, where only the team's members may take it, and take it
    details(console).get_by_label("Team", exact=True).select_option(label=f"Lamps {label}")
    assignee = details(console).get_by_label("Assignee", exact=True)
    expect(assignee.locator("option")).to_have_text(["Unassigned", "Milo Merge"])
    details(console).get_by_role("button", name="Assign to me").click()
    expect(assignee).to_have_value(technician.id)

    # And they file it under a category, answering its field
    details(console).get_by_label("Category", exact=True).select_option(label=f"Lighting {label}")
    details(console).get_by_label("Which room?").fill("Lobby")
    details(console).get_by_role("button", name="Save category and fields").click()
    expect(timeline).to_contain_text(f"set category to Lighting {label}")
    with platform.http() as client:
        stored = client.get(f"/api/tickets/{number}", headers=bearer(technician.token)).json()["ticket"]
    assert (stored["team_id"], stored["assignee"]["id"]) == (team.json()["id"], technician.id)
    assert (stored["category_id"], stored["fields"]) == (category.json()["id"], {"room": "Lobby"})

    # When a rule writes a note on it (as the automation function does), and they tag it, set its
    # due date and read the page again
    rule_note(platform, number, "Lobby triage", "Routed by the lobby rule.")
    details(console).get_by_label("Tags", exact=True).fill("Lobby, Electrical , lobby")
    details(console).get_by_label("Due", exact=True).fill("2027-01-15T09:30")
    details(console).get_by_role("button", name="Save tags and due date").click()
    expect(timeline).to_contain_text("set tags to electrical, lobby")
    console.reload()

    # Then the tags and the due date are kept, shown in the ticket's fields and in the panel
    expect(details(console).get_by_label("Tags", exact=True)).to_have_value("electrical, lobby")
    expect(details(console).get_by_label("Due", exact=True)).to_have_value("2027-01-15T09:30")
    expect(console.locator(".ticket-meta")).to_contain_text("electrical, lobby")
    expect(timeline).to_contain_text("set due date to")
    expect(timeline.locator("[data-kind=note]").filter(has_text="Routed by the lobby rule.")).to_contain_text(
        "Rule: Lobby triage"
    )
    due = console.evaluate("new Date('2027-01-15T09:30').getTime()")
    with platform.http() as client:
        stored = client.get(f"/api/tickets/{number}", headers=bearer(technician.token)).json()["ticket"]
    assert (stored["tags"], stored["due_at"]) == (["electrical", "lobby"], due)

    # And the due date clears
    details(console).get_by_role("button", name="Clear due date").click()
    expect(timeline).to_contain_text("cleared due date")
    expect(details(console).get_by_label("Due", exact=True)).to_have_value("")

    # When they merge it into the older ticket, after confirming
    details(console).get_by_label("Merge into ticket number").fill(str(into))
    details(console).get_by_role("button", name="Merge").click()
    confirm(console, "Merge")

    # Then it is merged, says so, and takes nothing more
    expect(details(console).get_by_label("Status", exact=True)).to_have_value("merged")
    expect(timeline).to_contain_text(f"merged #{number} into #{into}")
    expect(console.get_by_label("Message", exact=True)).to_be_disabled()

    # And the requester's link opens Contacts searching for them
    console.get_by_role("link", name=f"Mo Mender <{address}>").click()
    expect(console.get_by_label("Search")).to_have_value(address)
    expect(console.get_by_role("rowheader", name="Mo Mender")).to_be_visible()


def test_a_customers_reply_alerts_the_assignee_only_while_their_email_channel_is_on(
    platform: Platform, admin_token: str, console: Page
) -> None:
    sent = PortalTicket.sent(platform, admin_token, ("Rita Reply", "Carl"), "Printer jams")
    number, customer_replies = sent.number, sent.reply

    # Given the assignee has the ticket open
    console.add_init_script(NOTIFICATION_HOOK)
    sent.open(console)
    expect(console.get_by_role("heading", name=f"#{number} Printer jams")).to_be_visible()

    # When the customer replies, the page says so and the console alerts the assignee
    customer_replies("It jams on page 3 too.")
    told = console.get_by_role("status").filter(has_text="replied.")
    expect(told).to_be_visible()
    alerts = wait_for(lambda: notifications(console, "ticket"))
    assert alerts[0]["title"].endswith(f"replied on #{number}")
    told.get_by_role("button", name="Show the latest").click()
    expect(console.get_by_role("list", name="Timeline")).to_contain_text("It jams on page 3 too.")
    expect(told).to_be_hidden()

    # When the assignee switches their email channel off and the customer writes again
    channel = console.get_by_role("group", name="Channels").get_by_role("switch", name="Email")
    channel.click()
    expect(channel).not_to_be_checked()
    expect(channel).to_be_enabled()  # the change was stored
    customer_replies("Any news?")

    # Then the page still says so, but nothing sounds
    expect(told).to_be_visible()
    assert len(notifications(console, "ticket")) == 1


def test_a_reply_pushed_before_the_console_knew_its_presence_still_alerts(
    platform: Platform, admin_token: str, console: Page
) -> None:
    sent = PortalTicket.sent(platform, admin_token, ("Earl Early", "Cleo"), "Scanner sleeps")

    # Given the assignee signs in, and the answer to the presence the console sets is slow
    console.add_init_script(NOTIFICATION_HOOK)
    presence = LateAnswers(console, "presence.set", holding=True, noting="ticket.reply")
    open_console(console, platform, email_of(platform, sent.technician), TECHNICIAN_PASSWORD)
    presence.first()

    # When the customer replies meanwhile, and the console hears of it before it knows its presence
    sent.reply("Still asleep.")
    heard(console, presence.arrivals)
    assert notifications(console, "ticket") == []
    presence.release()

    # Then once it knows (Online, email on), it alerts the assignee of the reply
    connected(console)
    (alert,) = wait_for(lambda: notifications(console, "ticket"))
    assert alert["title"].endswith(f"replied on #{sent.number}")


def test_a_reply_saved_while_the_latest_was_read_is_not_undone_by_that_read(
    platform: Platform, admin_token: str, console: Page
) -> None:
    sent = PortalTicket.sent(platform, admin_token, ("Lars Late", "Lena"), "Scanner stripes")
    number = sent.number
    held: list[tuple[Route, APIResponse]] = []  # the ticket read by "Show the latest", as the server answered
    holding: list[bool] = []

    def hold_the_read(route: Route) -> None:
        if route.request.method == "GET" and holding and not held:
            held.append((route, route.fetch()))
        else:
            route.fallback()

    console.route(f"**/api/tickets/{number}", hold_the_read)

    # Given the assignee has the ticket open, and the customer replies
    sent.open(console)
    expect(console.get_by_role("heading", name=f"#{number} Scanner stripes")).to_be_visible()
    sent.reply("Still grey.")
    told = console.get_by_role("status").filter(has_text="replied.")

    # When the technician asks for the latest, which is slow to come, and replies before it comes
    holding.append(True)
    told.get_by_role("button", name="Show the latest").click()
    heard(console, held)
    console.get_by_label("Message", exact=True).fill("Clean the glass, Lena.")
    console.get_by_role("button", name="Send reply").click()
    timeline = console.get_by_role("list", name="Timeline")
    expect(timeline.locator("[data-kind=reply]").filter(has_text="Clean the glass, Lena.")).to_be_visible()
    ((route, answer),) = held
    route.fulfill(response=answer)
    expect(console.locator("button:text-is('Show the latest')")).to_be_enabled()  # the read has answered

    # Then the page still shows the reply, after the customer's, and the reply box is empty
    expect(timeline.locator("[data-kind=reply]")).to_have_text(
        [re.compile("Still grey."), re.compile("Clean the glass")]
    )
    expect(console.get_by_label("Message", exact=True)).to_have_value("")
    expect(told).to_be_hidden()


def test_two_quick_changes_of_the_panel_are_both_saved(platform: Platform, admin_token: str, console: Page) -> None:
    sent = PortalTicket.sent(platform, admin_token, ("Quinn Quick", "Quentin"), "Fax beeps", assign=False)
    number, technician = sent.number, sent.technician
    held: list[tuple[Route, APIResponse]] = []  # the first change, as the server answered it
    patches: list[dict[str, Any]] = []  # what the page asked to change, in order

    def hold_the_first_change(route: Route) -> None:
        if route.request.method != "PATCH":
            route.fallback()
            return
        patches.append(route.request.post_data_json or {})
        if held:
            route.fallback()
        else:
            held.append((route, route.fetch()))

    console.route(f"**/api/tickets/{number}", hold_the_first_change)
    sent.open(console)
    expect(console.get_by_role("heading", name=f"#{number} Fax beeps")).to_be_visible()

    # When the technician changes the impact, and the urgency before the first change is answered
    details(console).get_by_label("Impact", exact=True).select_option("low")
    heard(console, held)
    details(console).get_by_label("Urgency", exact=True).select_option("high")
    ((route, answer),) = held
    route.fulfill(response=answer)

    # Then both are saved, the second at the revision the first left, and nothing says a conflict
    timeline = console.get_by_role("list", name="Timeline")
    expect(timeline).to_contain_text("changed urgency from Medium to High")
    expect(timeline).to_contain_text("changed impact from Medium to Low")
    first, second = patches
    assert ("impact" in first, "urgency" in second) == (True, True)
    assert second["revision"] > first["revision"]
    expect(console.get_by_role("alert").filter(has_text="Someone else changed this ticket")).to_have_count(0)
    with platform.http() as client:
        stored = client.get(f"/api/tickets/{number}", headers=bearer(technician.token)).json()["ticket"]
    assert (stored["impact"], stored["urgency"]) == ("low", "high")
