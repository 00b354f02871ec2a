"""The console's session codes and invitations panels in a real browser (Debian's Chromium through
Playwright) on `deskless dev`: a technician of their own, serving a company of its own with a
portal on a fresh subdomain, signs in, makes codes and links, copies and sends them, and sees
them leave or change state as customers use them, without reloading the page.

Each test hires its own technician, so slots, limits and lists start empty; codes left active
expire with the technician's other test data. The clipboard is read back from the page
(navigator.clipboard.readText(), in a context granted the clipboard permissions)."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import APIResponse, Locator, Page, Route, expect

from local.services import local_client
from tests.e2e.conftest import TECHNICIAN_PASSWORD, Platform, Technician, bearer, hire, mail_to, wait_for
from tests.e2e.console import clipboard, confirm, connected, heard, open_console, stop_the_clock

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Desk:
    """A technician (with the email they sign in with) serving a company with an active portal."""

    technician: Technician
    email: str
    company: str
    subdomain: str

    @property
    def portal_option(self) -> str:
        return f"{self.company} ({self.subdomain})"


@pytest.fixture
def desk(platform: Platform, admin_token: str) -> Desk:
    technician = hire(platform, admin_token, "Cody Codes")
    label = f"t-{uuid.uuid4().hex[:8]}"
    company = f"Codes Co {label}"
    with platform.http() as client:
        made = client.post(
            "/api/companies", headers=bearer(admin_token), json={"name": company, "technician_ids": [technician.id]}
        )
        assert made.status_code == 201, made.text
        portal = client.post(
            f"/api/companies/{made.json()['id']}/portal", headers=bearer(admin_token), json={"subdomain": label}
        )
        assert portal.status_code == 201, portal.text
        email = client.get("/api/me", headers=bearer(technician.token)).json()["email"]
    return Desk(technician=technician, email=email, company=company, subdomain=label)


# --- what a person does in the console ------------------------------------------------------------


def sign_in(page: Page, platform: Platform, desk: Desk, view: str) -> None:
    """Sign in, and wait until the console hears what the platform pushes (a code used, a link used)."""
    open_console(page, platform, desk.email, TECHNICIAN_PASSWORD, view)
    connected(page)


def create_code(page: Page, desk: Desk, name: str) -> Locator:
    """Fill in the form and create; the code's row in the active list."""
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Portal", exact=True).select_option(label=desk.portal_option)
    page.get_by_role("button", name="Create code").click()
    row = code_row(page, name)
    expect(row).to_be_visible()
    return row


def code_row(page: Page, name: str) -> Locator:
    return page.get_by_role("table", name="Active session codes").get_by_role("row").filter(has_text=name)


def toast(page: Page, text: str) -> Locator:
    return page.locator("#toasts").get_by_text(text)


# --- what the API says ---------------------------------------------------------------------------


def active_codes(platform: Platform, technician: Technician) -> dict[str, dict[str, Any]]:
    with platform.http() as client:
        listed = client.get("/api/codes", headers=bearer(technician.token))
    assert listed.status_code == 200, listed.text
    return {code["name"]: code for code in listed.json()}


def invitations(platform: Platform, technician: Technician) -> dict[str, dict[str, Any]]:
    with platform.http() as client:
        listed = client.get("/api/invitations", headers=bearer(technician.token))
    assert listed.status_code == 200, listed.text
    return {item["label"]: item for item in listed.json()}


def set_code_limit(platform: Platform, admin_token: str, technician: Technician, limit: int | None) -> None:
    with platform.http() as client:
        changed = client.patch(f"/api/staff/{technician.id}", headers=bearer(admin_token), json={"code_limit": limit})
    assert changed.status_code == 200, changed.text


# --- session codes ------------------------------------------------------------------------------


def test_a_code_counts_down_is_copied_and_leaves_the_list_when_the_customer_joins(
    platform: Platform, desk: Desk, console: Page
) -> None:
    # Given the technician signed in to the codes panel
    sign_in(console, platform, desk, "codes")
    expect(console.get_by_role("heading", name="Session codes", level=1)).to_be_visible()
    expect(console.get_by_text("No active codes.")).to_be_visible()

    # When they create a code for Carla on their portal
    row = create_code(console, desk, "Carla Customer")

    # Then it is listed, read in groups of three, on their portal, with a countdown that runs
    made = active_codes(platform, desk.technician)["Carla Customer"]
    digits = made["code"]
    expect(row).to_contain_text(f"{digits[:3]} {digits[3:6]} {digits[6:]}")
    expect(row).to_contain_text(desk.subdomain)
    timer = row.get_by_role("timer")
    expect(timer).to_have_text(re.compile(r"^\d{1,2}:\d{2}$"))
    first = timer.inner_text()
    expect(timer).not_to_have_text(first)
    assert seconds(timer.inner_text()) < seconds(first)
    expect(console.get_by_role("main").get_by_role("status")).to_have_text(re.compile(r"^1 of \d+ codes$"))

    # When they copy its URL, the clipboard holds the join link
    row.get_by_role("button", name="Copy URL").click()
    expect(toast(console, "Join URL copied.")).to_be_visible()
    assert clipboard(console) == made["join_url"]
    assert made["join_url"].endswith(f"/join/{digits}")

    # When the customer redeems it on the portal
    with platform.http(host=f"{desk.subdomain}.localhost") as customer:
        joined = customer.post("/api/join", json={"code": digits, "name": "Carla Customer"})
    assert joined.status_code == 201, joined.text

    # Then the code leaves the list without a reload, and the console says who joined
    expect(row).to_have_count(0)
    expect(toast(console, "Carla Customer: Carla Customer joined")).to_be_visible()
    expect(console.get_by_text("No active codes.")).to_be_visible()


def test_a_code_list_read_before_a_code_was_made_does_not_drop_it(
    platform: Platform, desk: Desk, console: Page
) -> None:
    # Given the codes panel's lists (on opening, on connecting) are slow to come: held back here
    held: list[tuple[Route, APIResponse]] = []  # each list, as the server answered when asked
    ready: list[bool] = []  # set once the code is made: lists pass then

    def hold_lists(route: Route) -> None:
        if route.request.method == "GET" and not ready:
            held.append((route, route.fetch()))
        else:
            route.fallback()

    console.route("**/api/codes", hold_lists)
    sign_in(console, platform, desk, "codes")
    expect(console.get_by_role("heading", name="Session codes", level=1)).to_be_visible()
    heard(console, held)

    # When a code is made, and then the lists read before it come (holding no code)
    row = create_code(console, desk, "Early Ella")
    ready.append(True)
    for route, answer in held:
        with console.expect_event("requestfinished", lambda finished, route=route: finished == route.request):
            route.fulfill(response=answer)
    create_code(console, desk, "Later Leo")

    # Then the code is still listed
    expect(row).to_be_visible()
    expect(console.get_by_role("main").get_by_role("status")).to_have_text(re.compile(r"^2 of \d+ codes$"))


def seconds(shown: str) -> int:
    minutes, rest = shown.split(":")
    return int(minutes) * 60 + int(rest)


def test_a_code_warns_in_its_last_minute_and_leaves_when_its_time_is_up(
    platform: Platform, desk: Desk, console: Page
) -> None:
    # Given the page's clock is the test's to move, and stands still once the code is made
    console.clock.install()
    sign_in(console, platform, desk, "codes")
    row = create_code(console, desk, "Slow Sam")
    stop_the_clock(console)
    lifetime = seconds(row.get_by_role("timer").inner_text())

    # When all but 50 seconds of its life have passed, the countdown warns
    console.clock.fast_forward((lifetime - 50) * 1000)
    expect(row.get_by_role("timer")).to_have_text(re.compile(r"^0:(49|50)$"))
    expect(row.get_by_role("timer")).to_have_class(re.compile(r"\bwarn\b"))

    # When the rest has passed, the code leaves the list and the console says so
    console.clock.fast_forward(51_000)
    expect(row).to_have_count(0)
    expect(toast(console, "Slow Sam expired")).to_be_visible()


def test_an_expiry_pushed_by_the_platform_removes_the_code_once(platform: Platform, desk: Desk, console: Page) -> None:
    console.clock.install()  # stopped below: the notices stay (4 s) until they are counted
    sign_in(console, platform, desk, "codes")
    row = create_code(console, desk, "Pushed Pia")
    digits = active_codes(platform, desk.technician)["Pushed Pia"]["code"]
    (connection,) = wait_for(lambda: console_connections(platform, desk.technician))
    stop_the_clock(console)

    # When the platform tells the console the code expired, twice (a stream record may be retried),
    # and then that a code of another console expired
    sockets = local_client("apigatewaymanagementapi", platform.base)
    for code, name in ((digits, "Pushed Pia"), (digits, "Pushed Pia"), ("000000000", "Other Otto")):
        notice = json.dumps({"type": "code.expired", "code": code, "name": name}).encode()
        sockets.post_to_connection(ConnectionId=connection, Data=notice)

    # Then the code leaves the list, and the console says so once (the last notice is said: the
    # two before it, on the same socket, were read)
    expect(row).to_have_count(0)
    expect(toast(console, "Other Otto expired")).to_be_visible()
    expect(toast(console, "Pushed Pia expired")).to_have_count(1)


def console_connections(platform: Platform, technician: Technician) -> list[str]:
    found = platform.aws("dynamodb").query(
        TableName=platform.names.table,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"CONNS#{technician.id}"}},
    )
    return [item["connection_id"]["S"] for item in found["Items"]]


def test_info_is_copied_in_the_chosen_language_and_the_code_is_emailed(
    platform: Platform, desk: Desk, console: Page
) -> None:
    sign_in(console, platform, desk, "codes")
    create_code(console, desk, "Dieter")
    made = active_codes(platform, desk.technician)["Dieter"]

    # Given a reload: the code is still listed, and the portal last chosen is chosen again
    console.reload()
    row = code_row(console, "Dieter")
    expect(row).to_be_visible()
    expect(console.get_by_label("Portal", exact=True)).to_have_value(desk.subdomain)

    # When the technician copies the info in German
    row.get_by_label("Language of the info for Dieter").select_option(label="Deutsch")
    row.get_by_role("button", name="Copy info").click()

    # Then the clipboard holds the German invitation, with the join link
    expect(toast(console, "Invitation text (Deutsch) copied.")).to_be_visible()
    text = clipboard(console)
    assert text.startswith("Sehr geehrte Kundin, sehr geehrter Kunde,")
    assert made["join_url"] in text

    # When they send it by email, in Spanish
    to = f"dieter-{uuid.uuid4().hex[:6]}@customer.example"
    row.get_by_role("button", name="Send by email").click()
    dialog = console.get_by_role("dialog", name="Send the code by email")
    dialog.get_by_label("Email address").fill(to)
    dialog.get_by_label("Language").select_option(label="Español")
    dialog.get_by_role("button", name="Send").click()

    # Then the console says where it went, and the Spanish email is in the outbox
    expect(dialog).to_have_count(0)
    expect(row).to_contain_text(f"Sent to {to} (Español)")
    [mail] = mail_to(platform, to)
    assert mail["subject"] == f"Su sesión de soporte de {desk.company}"
    assert f'href="{made["join_url"]}"' in mail["html"]


def test_a_bad_email_address_is_refused_in_the_dialog(platform: Platform, desk: Desk, console: Page) -> None:
    sign_in(console, platform, desk, "codes")
    row = create_code(console, desk, "Typo")
    row.get_by_role("button", name="Send by email").click()
    dialog = console.get_by_role("dialog", name="Send the code by email")

    # When the address is not one (the browser's own check is bypassed: the API decides)
    dialog.locator("form").evaluate("form => form.noValidate = true")
    dialog.get_by_label("Email address").fill("not-an-address")
    dialog.get_by_role("button", name="Send").click()

    # Then the dialog stays open and says why
    expect(dialog.get_by_role("alert")).to_contain_text("email")
    expect(row).not_to_contain_text("Sent to")


def test_a_cancelled_code_leaves_and_the_limit_is_explained_when_reached(
    platform: Platform, admin_token: str, desk: Desk, console: Page
) -> None:
    # Given an admin allowed this technician one code
    set_code_limit(platform, admin_token, desk.technician, 1)
    sign_in(console, platform, desk, "codes")
    create_button = console.get_by_role("button", name="Create code")
    summary = console.get_by_role("main").get_by_role("status")
    expect(summary).to_have_text("0 of 1 codes")

    # When they hold one
    row = create_code(console, desk, "Only One")

    # Then creating another is not offered, and the limit is explained
    expect(summary).to_have_text("1 of 1 codes")
    expect(create_button).to_be_disabled()
    expect(console.get_by_text("You hold 1 of 1 active codes, the most you may have at once.")).to_be_visible()

    # When they cancel it (and confirm)
    row.get_by_role("button", name="Cancel").click()
    confirm(console, "Cancel code")

    # Then it leaves the list and the API, and a code can be made again
    expect(row).to_have_count(0)
    assert active_codes(platform, desk.technician) == {}
    expect(summary).to_have_text("0 of 1 codes")
    expect(create_button).to_be_enabled()

    # When a code is made elsewhere (another console) and this one still tries
    with platform.http() as client:
        elsewhere = client.post(
            "/api/codes", headers=bearer(desk.technician.token), json={"name": "Elsewhere", "portal": desk.subdomain}
        )
    assert elsewhere.status_code == 201, elsewhere.text
    console.get_by_label("Name", exact=True).fill("One Too Many")
    create_button.click()

    # Then the API's refusal is shown, and the list catches up
    expect(console.get_by_role("alert").filter(has_text="the most allowed is 1")).to_be_visible()
    expect(code_row(console, "Elsewhere")).to_be_visible()
    expect(create_button).to_be_disabled()


def test_keeping_a_code_in_the_confirmation_leaves_it_active(platform: Platform, desk: Desk, console: Page) -> None:
    sign_in(console, platform, desk, "codes")
    row = create_code(console, desk, "Kept")
    deleted: list[str] = []  # what the page asked to delete
    console.on("request", lambda request: deleted.append(request.url) if request.method == "DELETE" else None)

    row.get_by_role("button", name="Cancel").click()
    confirm(console, "Keep")
    create_code(console, desk, "Made after")  # the page has gone on to what was asked of it next

    expect(row).to_be_visible()
    assert deleted == []
    assert "Kept" in active_codes(platform, desk.technician)


# --- invitations --------------------------------------------------------------------------------


def test_invitations_are_created_copied_used_and_invalidated_with_their_state_shown(
    platform: Platform, admin_token: str, desk: Desk, console: Page
) -> None:
    # Given an integration made a reusable link for this technician with an API key
    with platform.http() as client:
        key = client.post("/api/api-keys", headers=bearer(admin_token), json={"name": "e2e console CRM"}).json()
        reusable = client.post(
            "/api/v1/invitations",
            headers={"x-api-key": key["key"]},
            json={"operator_email": desk.email, "label": "From the CRM"},
        )
    assert reusable.status_code == 201, reusable.text
    sign_in(console, platform, desk, "invitations")
    expect(console.get_by_role("heading", name="Invitations", level=1)).to_be_visible()
    table = console.get_by_role("table", name="Your invitation links")

    def link_row(label: str) -> Locator:
        return table.get_by_role("row").filter(has_text=label)

    # Then it is listed as reusable, made by an API key
    expect(link_row("From the CRM")).to_contain_text("Reusable")
    expect(link_row("From the CRM")).to_contain_text("Made by an API key")

    # When the technician creates two links
    for label, language in (("For Vera", "Čeština"), ("For Walt", "English")):
        console.get_by_label("Label", exact=True).fill(label)
        console.get_by_label("Language", exact=True).select_option(label=language)
        console.get_by_role("button", name="Create link").click()
        expect(link_row(label)).to_contain_text("Not used yet")
    expect(link_row("For Vera")).to_contain_text("Čeština")
    made = invitations(platform, desk.technician)

    # Then Copy link puts the link on the clipboard
    link_row("For Vera").get_by_role("button", name="Copy link").click()
    expect(toast(console, "Invitation link copied.")).to_be_visible()
    assert clipboard(console) == made["For Vera"]["url"]

    # When Vera arrives by her link, the list shows it used without a reload
    with platform.http() as client:
        arrived = client.post(f"/api/invitations/{made['For Vera']['token']}/accept", json={"name": "Vera"})
    assert arrived.status_code == 201, arrived.text
    expect(link_row("For Vera").locator(".badge")).to_have_text("Used")
    expect(link_row("For Vera").get_by_role("button", name="Copy link")).to_have_count(0)

    # When Walt's link is invalidated (and confirmed)
    link_row("For Walt").get_by_role("button", name="Invalidate").click()
    confirm(console, "Invalidate")

    # Then it says so, offers nothing more, and the API agrees
    expect(link_row("For Walt").locator(".badge")).to_have_text("Invalidated")
    expect(link_row("For Walt").get_by_role("button")).to_have_count(0)
    states = {label: item["state"] for label, item in invitations(platform, desk.technician).items()}
    assert states == {"For Vera": "used", "For Walt": "invalidated", "From the CRM": "reusable"}


def test_an_invitation_label_that_is_too_long_is_refused(platform: Platform, desk: Desk, console: Page) -> None:
    sign_in(console, platform, desk, "invitations")
    label = console.get_by_label("Label", exact=True)
    label.evaluate("input => input.removeAttribute('maxlength')")
    label.fill("x" * 81)
    console.get_by_role("button", name="Create link").click()

    expect(console.get_by_role("alert").filter(has_text="80")).to_be_visible()
    assert invitations(platform, desk.technician) == {}


# --- focus and errors ---------------------------------------------------------------------------


def test_the_focus_stays_on_a_code_s_button_while_the_list_changes(
    platform: Platform, desk: Desk, console: Page
) -> None:
    # Given two codes, and the technician's focus on the first one's Copy URL
    sign_in(console, platform, desk, "codes")
    first = create_code(console, desk, "Focused Fran")
    create_code(console, desk, "Leaving Leo")
    copy_url = first.get_by_role("button", name="Copy URL")
    copy_url.focus()

    # When the countdown ticks, and the other code leaves the list (its customer joined)
    timer = first.get_by_role("timer")
    expect(timer).not_to_have_text(timer.inner_text())
    with platform.http(host=f"{desk.subdomain}.localhost") as customer:
        leo = active_codes(platform, desk.technician)["Leaving Leo"]["code"]
        assert customer.post("/api/join", json={"code": leo, "name": "Leo"}).status_code == 201
    expect(code_row(console, "Leaving Leo")).to_have_count(0)

    # Then the focus is still on that button, and Enter copies Fran's URL
    expect(copy_url).to_be_focused()
    console.keyboard.press("Enter")
    expect(toast(console, "Join URL copied.")).to_be_visible()
    assert clipboard(console) == active_codes(platform, desk.technician)["Focused Fran"]["join_url"]


def test_a_failed_action_is_announced_in_the_list_it_concerns(platform: Platform, desk: Desk, console: Page) -> None:
    sign_in(console, platform, desk, "codes")
    row = create_code(console, desk, "Offline Olaf")
    listed = console.get_by_role("region", name="Active codes")

    # When the service cannot be reached as the technician cancels the code
    def unreachable_on_delete(route: Route) -> None:
        if route.request.method == "DELETE":
            route.abort()
        else:
            route.fallback()

    console.route("**/api/codes/*", unreachable_on_delete)
    row.get_by_role("button", name="Cancel").click()
    confirm(console, "Cancel code")

    # Then the list says so, as an alert, and keeps the code
    expect(listed.get_by_role("alert")).to_have_text("The service is not reachable; check your connection.")
    expect(row).to_be_visible()

    # When it can be reached again, cancelling works and the alert goes
    console.unroute("**/api/codes/*")
    row.get_by_role("button", name="Cancel").click()
    confirm(console, "Cancel code")
    expect(row).to_have_count(0)
    expect(listed.get_by_role("alert")).to_have_count(0)


def test_the_focus_stays_on_an_invitation_s_button_while_another_is_used(
    platform: Platform, desk: Desk, console: Page
) -> None:
    # Given two links, and the technician's focus on the first one's Copy link
    sign_in(console, platform, desk, "invitations")
    table = console.get_by_role("table", name="Your invitation links")
    for label in ("For Kim", "For Uma"):
        console.get_by_label("Label", exact=True).fill(label)
        console.get_by_role("button", name="Create link").click()
        expect(table.get_by_role("row").filter(has_text=label)).to_be_visible()
    copy_link = table.get_by_role("row").filter(has_text="For Kim").get_by_role("button", name="Copy link")
    copy_link.focus()

    # When a visitor arrives by the other link, and the list shows it used
    made = invitations(platform, desk.technician)
    with platform.http() as client:
        arrived = client.post(f"/api/invitations/{made['For Uma']['token']}/accept", json={"name": "Uma"})
    assert arrived.status_code == 201, arrived.text
    expect(table.get_by_role("row").filter(has_text="For Uma").locator(".badge")).to_have_text("Used")

    # Then the focus is still on Kim's Copy link, and Enter copies Kim's link
    expect(copy_link).to_be_focused()
    console.keyboard.press("Enter")
    expect(toast(console, "Invitation link copied.")).to_be_visible()
    assert clipboard(console) == made["For Kim"]["url"]
