"""Automation rules in the console, in a real browser (Debian's Chromium through Playwright) on
`deskless dev`: the demo admin writes the issue's [Portal Credentials] rule in the editor (trigger
"New ticket created", condition "Title equals [Portal Credentials]", action "Send an email" to the
contact with the `portal-credentials` template), is refused an invalid combination with the reason
said next to the condition, tests the rule against a ticket whose title does not match and one
whose title does (nothing sent), creates it, activates it and moves it up (the order survives a
reload); then the contact, who has no password, writes to support with that title, gets the rule's
email with a temporary password, and signs in with it on their portal. A move made on an order
someone else changed meanwhile is refused, and the list is read again and says so; a rule is
dragged to its place, edited, and deleted. When a rule notes on a new ticket and notifies the
staff, the admin's console sounds its notification, and the ticket's Automation section shows the
rule held, its condition and its actions done.

The rules are global to the platform: each test deletes the rules it made, so the presets' order is
as it was."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from local.seed import DEMO_STAFF
from tests.e2e.callers import PORTAL_HOST
from tests.e2e.conftest import Platform, mail_to, send_mail, unique, wait_for
from tests.e2e.console import NOTIFICATION_HOOK, confirm, connected, console_url, notifications, open_console

pytestmark = pytest.mark.browser

ADMIN = DEMO_STAFF[0]
TITLE = "[Portal Credentials]"
CREDENTIALS_SUBJECT = "Your portal credentials"  # the `portal-credentials` template's, in English


def credential_mails(platform: Platform, address: str) -> list[dict[str, Any]]:
    """The portal credentials mails sent to `address` (their subject carries the ticket's tag)."""
    return [mail for mail in mail_to(platform, address) if CREDENTIALS_SUBJECT in mail["subject"]]


def row(page: Page, name: str) -> Locator:
    return page.locator("tr").filter(has=page.get_by_role("rowheader", name=name, exact=True))


def names_shown(names: list[str]) -> list[re.Pattern[str]]:
    """The rule headers of the list, in order, for names in that order (a preset's says "Preset" after it)."""
    return [re.compile(f"^{re.escape(name)}(Preset)?$") for name in names]


def listed_names(api: httpx.Client) -> list[str]:
    rules = api.get("/api/automation/rules")
    assert rules.status_code == 200, rules.text
    return [rule["name"] for rule in rules.json()]


@pytest.fixture
def made_rules(api: httpx.Client) -> Iterator[list[str]]:
    """The names of the rules a test makes; deleted afterwards, whatever the test did."""
    names: list[str] = []
    yield names
    for rule in api.get("/api/automation/rules").json():
        if rule["name"] in names:
            gone = api.delete(f"/api/automation/rules/{rule['id']}")
            assert gone.status_code == 204, gone.text


def ticket_for(api: httpx.Client, contact_id: str, title: str) -> int:
    made = api.post("/api/tickets", json={"requester_id": contact_id, "title": title, "description": "Hello."})
    assert made.status_code == 201, made.text
    return int(made.json()["ticket"]["number"])


def test_an_admin_writes_tests_activates_and_orders_the_portal_credentials_rule(
    platform: Platform, api: httpx.Client, console: Page, made_rules: list[str]
) -> None:
    label = unique("r")
    name = f"Portal credentials {label}"
    made_rules.append(name)
    address = f"pat-{label}@acme.example.com"  # of the demo company: its portal is where Pat signs in
    contact = api.post("/api/contacts", json={"name": "Pat Portal", "emails": [address]})
    assert contact.status_code == 201, contact.text
    printer = ticket_for(api, contact.json()["id"], "Printer jammed")
    # The ticket the rule is tested on is another contact's: the automation function reads the active
    # rules when it takes a ticket's creation from the stream, and one taken late (after the rule is
    # switched on) would get the rule's email too. Pat's only email is to be the one their mail brings.
    quinn = f"quinn-{label}@acme.example.com"
    other = api.post("/api/contacts", json={"name": "Quinn Query", "emails": [quinn]})
    assert other.status_code == 201, other.text
    credentials = ticket_for(api, other.json()["id"], TITLE)
    before = listed_names(api)  # the presets (listing seeds them the first time), and any other
    open_console(console, platform, ADMIN.email, ADMIN.password, "automation")
    expect(console.get_by_role("rowheader").first).to_be_visible()

    # When the admin writes a rule whose condition cannot hold on its trigger, and saves it
    console.get_by_role("button", name="New rule").click()
    console.get_by_label("Rule name").fill(name)
    console.get_by_label("Description").fill("Sends a contact their portal credentials when they ask for them.")
    console.get_by_label("Trigger").select_option(label="New ticket created")
    console.get_by_role("button", name="Add a condition", exact=True).click()
    condition = console.get_by_role("group", name="Condition 1")
    expect(condition.get_by_label("Property")).to_be_focused()
    condition.get_by_label("Property").select_option(label="Status")
    condition.get_by_label("Operator").select_option(label="changed")
    action = console.get_by_role("group", name="Action 1")
    action.get_by_label("Kind").select_option(label="Send an email")
    action.get_by_label("Recipients").select_option(label="The contact (requester)")
    action.get_by_label("Email template").select_option(value="portal-credentials")
    console.get_by_role("button", name="Create rule").click()

    # Then it is refused, with the reason next to the condition, and nothing is stored
    expect(condition.locator(".field-error")).to_have_text(
        "Condition 1: changed needs a change, and the trigger ticket_created changes nothing"
    )
    expect(console.get_by_role("alert").filter(has_text="Not saved: see the field marked.")).to_be_visible()
    assert name not in listed_names(api)

    # When the condition is the title equals [Portal Credentials], tested on a ticket about a printer
    condition.get_by_label("Property").select_option(label="Title")
    condition.get_by_label("Operator").select_option(label="equals")
    condition.get_by_label("Value").fill(TITLE)
    test = console.get_by_role("region", name="Test against a ticket")
    expect(test).to_contain_text("Nothing is sent and nothing is changed.")
    test.get_by_label("Ticket number").fill(str(printer))
    test.get_by_role("button", name="Run the test").click()

    # Then the condition did not hold, and the email would not go
    expect(test).to_contain_text(f"On ticket #{printer}")
    expect(test).to_contain_text("Condition 1: did not hold")
    expect(test).to_contain_text("Did not hold")

    # And on the ticket titled [Portal Credentials] it held, and the email would go: but none is sent
    test.get_by_label("Ticket number").fill(str(credentials))
    test.get_by_role("button", name="Run the test").click()
    expect(test).to_contain_text(f"On ticket #{credentials}")
    expect(test).to_contain_text("Condition 1: held")
    expect(test.locator(".evaluation-step").filter(has_text="Action 1, Send an email")).to_contain_text("Would run")
    assert credential_mails(platform, quinn) == []

    # When the admin creates it, it is listed last, inactive
    console.get_by_role("button", name="Create rule").click()
    expect(console.get_by_text(f"{name} created.")).to_be_visible()
    switch = row(console, name).get_by_role("switch", name=f"{name} active")
    expect(switch).not_to_be_checked()
    assert listed_names(api) == [*before, name]

    # When they switch it on, it is active
    switch.check()
    expect(console.get_by_text(f"{name} activated.")).to_be_visible()
    expect(switch).to_be_checked()
    stored = next(rule for rule in api.get("/api/automation/rules").json() if rule["name"] == name)
    assert stored["active"] is True
    assert stored["trigger"]["kind"] == "ticket_created"
    assert [(c["property"], c["operator"], c["value"]) for c in stored["conditions"]] == [("title", "equals", TITLE)]
    assert [(a["kind"], a["to"], a["template_id"]) for a in stored["actions"]] == [
        ("send_email", "requester", "portal-credentials")
    ]

    # When they move it up, above the rule that was last
    row(console, name).get_by_role("button", name=f"Move {name} up").click()
    expect(console.get_by_text(f"{name} moved up.")).to_be_visible()
    expected = [*before[:-1], name, before[-1]]
    expect(console.get_by_role("rowheader")).to_have_text(names_shown(expected))
    expect(row(console, name).get_by_role("button", name=f"Move {name} up")).to_be_focused()
    expect(console.get_by_role("button", name=f"Move {before[-1]} down")).to_be_disabled()

    # Then the order is stored, and a reload shows it so
    assert listed_names(api) == expected
    console.reload()
    expect(console.get_by_role("rowheader")).to_have_text(names_shown(expected))
    expect(row(console, name).get_by_role("button", name=f"Move {name} up")).to_be_visible()

    # When Pat, who has no password of their own, writes to support asking for their credentials
    send_mail(platform, f"Pat Portal <{address}>", TITLE, "Could you send me my portal credentials, please?")

    # Then the rule mails them their username and a temporary password, once
    (mail,) = wait_for(lambda: credential_mails(platform, address), timeout=30)
    assert address in mail["text"]
    password = re.search(r"Temporary password:\W*([^\s*]+)", mail["text"])
    assert password, mail["text"]

    # And with it they sign in on their company's portal, where they choose a password of their own first
    customer = console.context.new_page()
    customer.goto(f"http://{PORTAL_HOST}:{platform.port}/help")
    customer.get_by_label("Email").fill(address)
    customer.get_by_label("Password").fill(password.group(1))
    customer.get_by_role("button", name="Sign in").click()
    expect(customer.get_by_role("heading", name="Choose a new password")).to_be_visible()
    customer.close()


def test_a_reorder_someone_else_overtook_is_read_again_and_said(
    platform: Platform, api: httpx.Client, console: Page, made_rules: list[str]
) -> None:
    label = unique("r")
    first, second = f"Tag urgent {label}", f"Tag vip {label}"
    made_rules.extend([first, second])
    for name in (first, second):
        rule = {
            "name": name,
            "description": "Tags new tickets.",
            "trigger": {"kind": "ticket_created"},
            "actions": [{"kind": "add_tags", "tags": [name.split()[1]]}],
        }
        made = api.post("/api/automation/rules", json=rule)
        assert made.status_code == 201, made.text
    open_console(console, platform, ADMIN.email, ADMIN.password, "automation")
    expect(row(console, second)).to_be_visible()

    # Given another admin moves the last rule first meanwhile
    rules = api.get("/api/automation/rules").json()
    ids = [rule["id"] for rule in rules]
    moved = api.put(
        "/api/automation/order", json={"rule_ids": [ids[-1], *ids[:-1]], "revision": rules[0]["order_revision"]}
    )
    assert moved.status_code == 200, moved.text

    # When the admin, who still sees the old order, moves the first of theirs down
    row(console, first).get_by_role("button", name=f"Move {first} down").click()

    # Then the list says so and shows the order as it is now, which nothing changed
    expect(console.get_by_role("alert").filter(has_text="Someone else changed the rules meanwhile")).to_be_visible()
    now = listed_names(api)
    assert now[0] == second
    expect(console.get_by_role("rowheader")).to_have_text(names_shown(now))

    # When the admin drags that rule onto the lower half of the last row
    last = console.get_by_role("row").last
    box = last.bounding_box()
    assert box is not None
    row(console, second).drag_to(last, target_position={"x": 20, "y": box["height"] - 4})

    # Then it runs last, and the list and the API say so
    expect(console.get_by_text(f"{second} moved to place {len(now)}.")).to_be_visible()
    dragged = [*now[1:], second]
    expect(console.get_by_role("rowheader")).to_have_text(names_shown(dragged))
    assert listed_names(api) == dragged

    # When the admin edits the other one: renamed, and tagging "vip" too
    row(console, first).get_by_role("button", name=f"Edit {first}").click()
    renamed = f"Tag urgent and vip {label}"
    made_rules.append(renamed)
    console.get_by_label("Rule name").fill(renamed)
    console.get_by_role("group", name="Action 1").get_by_label("Tags").fill("urgent, vip")
    console.get_by_role("button", name="Save rule").click()

    # Then the list shows it renamed, in its place, and the API has its new content
    expect(console.get_by_text(f"{renamed} saved.")).to_be_visible()
    expect(console.get_by_role("rowheader")).to_have_text(names_shown([renamed if n == first else n for n in dragged]))
    saved = next(rule for rule in api.get("/api/automation/rules").json() if rule["name"] == renamed)
    assert (saved["revision"], saved["actions"][0]["tags"]) == (2, ["urgent", "vip"])

    # When the admin deletes it, after saying yes, it is gone
    row(console, second).get_by_role("button", name=f"Delete {second}").click()
    confirm(console, "Delete")
    expect(console.get_by_text(f"{second} deleted.")).to_be_visible()
    expect(row(console, second)).to_have_count(0)
    assert second not in listed_names(api)


def test_a_ticket_shows_what_a_rule_did_and_the_rule_notifies_the_console(
    platform: Platform, api: httpx.Client, console: Page, made_rules: list[str]
) -> None:
    label = unique("r")
    title, name = f"Smoke from the printer {label}", f"Fire drill {label}"
    made_rules.append(name)
    rule = {
        "name": name,
        "description": "Notes and tells everyone about printers on fire.",
        "active": True,
        "trigger": {"kind": "ticket_created"},
        "conditions": [{"property": "title", "operator": "equals", "value": title}],
        "actions": [
            {"kind": "add_note", "body": "A rule saw this one."},
            {"kind": "notify", "to": "all_staff", "message": "A printer is on fire."},
        ],
    }
    made = api.post("/api/automation/rules", json=rule)
    assert made.status_code == 201, made.text
    contact = api.post("/api/contacts", json={"name": "Pia Printer", "emails": [f"pia-{label}@example.com"]})
    assert contact.status_code == 201, contact.text
    console.add_init_script(NOTIFICATION_HOOK)
    open_console(console, platform, ADMIN.email, ADMIN.password, "tickets")
    connected(console)  # the rule's notice is pushed once, to the consoles connected then

    # When a ticket the rule's condition holds for is opened
    number = ticket_for(api, contact.json()["id"], title)

    # Then the rule's notification reaches the admin's console
    told = f"Rule “{name}” on #{number}"
    heard = wait_for(lambda: [a for a in notifications(console, "ticket") if a["title"] == told], timeout=30)
    assert heard[0]["body"] == "A printer is on fire."

    # And the ticket's Automation section says what the rule did with its creation
    wait_for(lambda: api.get(f"/api/tickets/{number}/automation").json(), timeout=30)
    console.goto(console_url(platform) + f"#/tickets/{number}")
    console.get_by_text("Automation", exact=True).click()
    traces = console.get_by_role("list", name="Automation traces, newest first")
    expect(traces).to_contain_text("New ticket created")
    traces.locator("summary").first.click()
    ran = traces.locator(".evaluation-rule").filter(has_text=name)
    expect(ran).to_contain_text("Held")
    expect(ran).to_contain_text("Condition 1: held")
    expect(ran).to_contain_text("Action 1, Add an internal note: Done")
    expect(ran).to_contain_text("Action 2, Notify technicians in the console: Done")
