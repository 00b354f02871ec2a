"""The operator's desk in a real browser (Debian's Chromium through Playwright) on `deskless dev`:
an operator signs in and is Online, a visitor asks for a chat on the portal, the console shows
and sounds the request, the operator accepts, both write, the operator ends the chat and reads
the transcript; a customer who comes with a session code opens a chat by itself; browser
notifications and their repeats while the console is not looked at; going away, channels (locked,
assigned), the chat limit and auto-away, each seen from the portal too; a reload keeps the
sign-in, the status and the open chat.

Presence is global state on the one platform, so each test hires its own technician and founds
their own company with a portal. Admin settings are global too: a test that changes one
restores it (console.admin_settings). Waits are Playwright's own (expect) and wait_for."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import APIResponse, Browser, Locator, Page, Route, WebSocketRoute, expect

from tests.e2e.conftest import Platform, bearer, browser_page, hire, visitor_socket, wait_for
from tests.e2e.console import (
    BACKGROUND_WINDOW,
    NOTIFICATION_HOOK,
    LateAnswers,
    LateJoin,
    admin_settings,
    heard,
    notifications,
    sign_in,
    stop_the_clock,
)
from tests.e2e.test_chat_queue import Portal, queued
from tests.e2e.test_portal_browser import Crew, ask_for_chat, found_company
from tests.e2e.test_sessions import say

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("untouched_budget")]

CLOCK = re.compile(r"\d{1,2}:\d{2}")


def staffed(platform: Platform, admin_token: str, name: str) -> Crew:
    """A new technician serving a new company with its own portal."""
    technician = hire(platform, admin_token, name)
    return found_company(platform, admin_token, f"{name.split()[0]} Works", (technician,))


def on_duty(console: Page, crew: Crew) -> None:
    """Sign the crew's technician in on the console, and wait until the service counts them
    available: the console shows signed in before its WebSocket has said so, and what is pushed
    to the technician before (a customer who came with their code) never reaches the console."""
    sign_in(console, crew.platform, crew.technicians[0])
    wait_for(lambda: crew.state() == "available")


def came_with_a_code(platform: Platform, crew: Crew, customer: str, code: str = "Support") -> dict[str, Any]:
    """The customer redeems a code of the crew's technician; the console opens the chat by itself."""
    technician = crew.technicians[0]
    with platform.http() as client:
        created = client.post(
            "/api/codes", headers=bearer(technician.token), json={"name": code, "portal": crew.subdomain}
        )
    assert created.status_code == 201, created.text
    with platform.http(host=f"{crew.subdomain}.localhost") as client:
        joined = client.post("/api/join", json={"code": created.json()["code"], "name": customer})
    assert joined.status_code == 201, joined.text
    visit: dict[str, Any] = joined.json()
    return visit


def request_by_http(crew: Crew, name: str, question: str) -> dict[str, Any]:
    """A visitor asks for a chat through the portal's API (and does not wait on a socket)."""
    return queued(crew.platform, Portal(company_id=crew.company_id, host=f"{crew.subdomain}.localhost"), name, question)


def queue_entry(console: Page, name: str) -> Locator:
    return console.get_by_role("list", name="Chat requests").get_by_role("listitem").filter(has_text=name)


def chat_with(console: Page, name: str) -> Locator:
    return console.get_by_role("article", name=f"Chat with {name}")


def switch(console: Page, channel: str) -> Locator:
    return console.get_by_role("group", name="Channels").get_by_role("switch", name=channel)


# --- the whole way of a chat -------------------------------------------------------------------


def test_an_operator_takes_a_chat_from_the_queue_chats_ends_it_reads_the_transcript_and_makes_it_a_ticket(
    platform: Platform, admin_token: str, browser: Browser, tmp_path: Path
) -> None:
    crew = staffed(platform, admin_token, "Olga Online")
    olga = crew.technicians[0]
    with browser_page(browser) as console, browser_page(browser) as visitor:
        console.add_init_script(NOTIFICATION_HOOK)

        # Given Olga signs in: she is Online, and the portal offers a chat
        sign_in(console, platform, olga)
        expect(console.get_by_label("Status")).to_have_value("online")
        expect(console.get_by_role("img", name="Phone line available")).to_be_visible()
        wait_for(lambda: crew.state() == "available")

        # When a visitor asks for one on the portal
        visitor.goto(crew.url())
        ask_for_chat(visitor, "Carla Customer", "carla@example.org", "My printer is on fire")

        # Then the desk shows the request, counted, and the console sounded it
        entry = queue_entry(console, "Carla Customer")
        expect(entry).to_contain_text("My printer is on fire")
        expect(entry).to_contain_text(crew.name)
        expect(entry).to_contain_text("portal page")
        expect(console.get_by_role("heading", name="Queue")).to_contain_text("1 waiting")
        alert = wait_for(lambda: notifications(console, "queue"))[0]
        assert alert["sound"] is True
        assert "Carla Customer" in alert["title"]

        # When she accepts it, the chat opens with the question, and the visitor is in it
        entry.get_by_role("button", name="Accept").click()
        chat = chat_with(console, "Carla Customer")
        thread = chat.get_by_role("log", name="Messages")
        expect(thread.locator("li").first).to_contain_text("My printer is on fire")
        expect(chat).to_contain_text("Chat request")
        expect(console.get_by_text("1 of 3 chats", exact=True)).to_be_visible()
        expect(console.get_by_role("list", name="Chat requests").get_by_role("listitem")).to_have_count(0)
        expect(visitor.get_by_role("heading", name=f"Chat with {olga.name}")).to_be_visible()
        expect(visitor.locator("#status")).to_have_text("Connected")
        expect(chat).to_contain_text("Visitor present")

        # Then messages go both ways, with names and times
        visitor.get_by_label("Your message").fill("Is anyone there?")
        visitor.get_by_label("Your message").press("Enter")
        said = thread.locator("li").last
        expect(said).to_contain_text("Is anyone there?")
        expect(said).to_contain_text("Carla Customer")
        expect(said.locator("time")).to_have_text(CLOCK)
        chat.get_by_label("Your message").fill("Unplug it,\nthen wait.")
        chat.get_by_label("Your message").press("Enter")
        on_portal = visitor.get_by_role("list", name="Messages").locator("li.message").last
        expect(on_portal).to_contain_text("Unplug it,")
        expect(on_portal).to_contain_text(olga.name)
        expect(thread.locator("li").last).to_contain_text("then wait.")
        expect(chat.get_by_label("Your message")).to_have_value("")

        # When she ends the chat (and confirms), the visitor sees it ended
        chat.get_by_role("button", name="End chat").click()
        console.get_by_role("dialog").get_by_role("button", name="End chat").click()
        expect(visitor.locator("#status")).to_have_text("The technician ended the session.")
        expect(chat).to_contain_text("You ended the chat.")
        expect(console.get_by_text("0 of 3 chats", exact=True)).to_be_visible()

        # Then the chat is listed in Recent chats, its transcript readable and downloadable
        console.get_by_role("link", name="Recent chats").click()
        row = console.get_by_role("table", name="Recent chats").get_by_role("row").filter(has_text="Carla Customer")
        expect(row).to_contain_text("Ended")
        row.get_by_role("button", name="Transcript").click()
        transcript = console.get_by_role("region", name="Chat with Carla Customer")
        expect(transcript.get_by_role("list", name="Messages").locator("li")).to_have_count(3)
        with console.expect_download() as download:
            transcript.get_by_role("button", name="Download transcript").click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.suffix == ".txt"
        text = saved.read_text()
        assert "Support session with Carla Customer" in text
        assert "Carla Customer: Is anyone there?" in text
        assert f"{olga.name}: Unplug it,\n    then wait." in text

        # When she makes the chat a ticket for Carla, its page opens with the transcript as a file
        transcript.get_by_role("button", name="Make a ticket").click()
        dialog = console.get_by_role("dialog", name="A ticket from the chat with Carla Customer")
        expect(dialog.get_by_label("Description")).to_have_value("My printer is on fire")
        dialog.get_by_label("Customer's email").fill("carla@example.org")
        dialog.get_by_label("Title").fill("Printer on fire")
        dialog.get_by_role("button", name="Make the ticket").click()
        expect(console).to_have_url(re.compile(r"#/tickets/\d+$"))
        expect(console.get_by_text("chat-transcript.txt")).to_be_visible()
        number = console.url.rsplit("/", 1)[1]
        with platform.http() as client:
            made = client.get(f"/api/tickets/{number}", headers=bearer(olga.token)).json()["ticket"]
        assert (made["source"], made["title"], made["requester"]["email"]) == (
            "chat",
            "Printer on fire",
            "carla@example.org",
        )


# --- notifications ---------------------------------------------------------------------------


def test_an_unwatched_console_shows_browser_notifications_and_repeats_them_until_seen(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Nadia Notify")
    with browser_page(browser) as console, browser_page(browser) as visitor:
        console.add_init_script(NOTIFICATION_HOOK)
        console.add_init_script(BACKGROUND_WINDOW)  # the console is in a window nobody looks at
        console.clock.install()
        on_duty(console, crew)

        # When a visitor asks for a chat
        visitor.goto(crew.url())
        ask_for_chat(visitor, "Bea Background", "bea@example.org", "Hello?")

        # Then it sounds and a browser notification shows, and the title counts it
        expect(queue_entry(console, "Bea Background")).to_be_visible()  # (the request is pushed by the stream)
        first = wait_for(lambda: notifications(console, "queue"))[0]
        assert (first["sound"], first["browser"]) == (True, True)
        assert console.evaluate("window.__shown")[0]["title"] == "New chat request: Bea Background"
        expect(console).to_have_title(re.compile(r"^\(1\) "))

        # When nobody looks for the repeat interval (30 s by default), it comes again
        console.clock.fast_forward(31_000)
        again = wait_for(lambda: notifications(console, "queue")[1:])[0]
        assert (again["title"], again["browser"]) == (first["title"], True)

        # When the operator accepts, the request alert is dealt with; a visitor's message alerts
        queue_entry(console, "Bea Background").get_by_role("button", name="Accept").click()
        expect(console).not_to_have_title(re.compile(r"^\(\d+\) "))
        expect(visitor.locator("#status")).to_have_text("Connected")
        visitor.get_by_label("Your message").fill("Still there?")
        visitor.get_by_label("Your message").press("Enter")
        message = wait_for(lambda: notifications(console, "message"))[0]
        assert (message["title"], message["body"], message["browser"]) == ("Bea Background wrote", "Still there?", True)

        # When nobody looks for the repeat interval again, the message's alert comes again, and
        # the request's, made before it, does not (it was dealt with)
        console.clock.fast_forward(31_000)
        wait_for(lambda: notifications(console, "message")[1:])
        assert len(notifications(console, "queue")) == 2


def test_a_watched_console_sounds_a_new_request_but_not_a_message_in_view(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Wanda Watch")
    with browser_page(browser) as console, browser_page(browser) as visitor:
        console.add_init_script(NOTIFICATION_HOOK)
        on_duty(console, crew)
        visitor.goto(crew.url())
        ask_for_chat(visitor, "Vic Visible", "vic@example.org", "Hi")
        queue_entry(console, "Vic Visible").get_by_role("button", name="Accept").click()
        expect(visitor.locator("#status")).to_have_text("Connected")

        # When the visitor writes into the chat the operator is looking at
        visitor.get_by_label("Your message").fill("Can you see this?")
        visitor.get_by_label("Your message").press("Enter")

        # Then it shows, without an alert (the queue's one sounded, with no browser notification)
        expect(chat_with(console, "Vic Visible")).to_contain_text("Can you see this?")
        assert notifications(console, "message") == []
        ((queued_alert),) = notifications(console, "queue")
        assert (queued_alert["sound"], queued_alert["browser"]) == (True, False)

        # When the operator turns the sound off, the next request is silent
        console.get_by_role("button", name="Notifications").click()
        sound = console.get_by_role("group", name="Notification settings").get_by_role("switch", name="Sound")
        sound.click()
        expect(sound).not_to_be_checked()
        request_by_http(crew, "Quiet Quentin", "Shh")
        expect(queue_entry(console, "Quiet Quentin")).to_be_visible()  # (the request is pushed by the stream)
        silent = wait_for(lambda: notifications(console, "queue")[1:])[0]
        assert silent["sound"] is False


def test_a_customer_who_comes_with_a_code_opens_a_chat_by_itself(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Cody Code")
    with browser_page(browser) as console:
        console.add_init_script(NOTIFICATION_HOOK)
        on_duty(console, crew)  # the arrival is pushed once, to the consoles connected then

        # When a customer redeems Cody's code on the portal and writes
        visit = came_with_a_code(platform, crew, "Carl Coder", code="Printer")
        chat = chat_with(console, "Carl Coder")
        expect(chat).to_contain_text("Session code “Printer”")
        with visitor_socket(visit) as customer:
            expect(chat).to_contain_text("Visitor present")
            say(customer, "chat.send", session=visit["session_id"], text="Hello from the code")

            # Then the chat opened on the desk by itself, sounded, and shows what they wrote
            expect(chat.get_by_role("log", name="Messages")).to_contain_text("Hello from the code")
            (arrival,) = wait_for(lambda: notifications(console, "queue"))
            assert (arrival["title"], arrival["sound"]) == ("Carl Coder joined", True)

            # When the customer ends it, the desk says so
            say(customer, "session.end", session=visit["session_id"])
            expect(chat).to_contain_text("Carl Coder ended the chat.")
            expect(chat.get_by_role("button", name="End chat")).to_be_hidden()


def test_who_ended_a_chat_shows_though_a_late_join_heard_of_the_end_first(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    arrivals: list[str | bytes] = []  # the code.redeemed pushes the console got
    held: list[str | bytes] = []  # session.ended pushes, held back until a join was refused
    sockets: list[WebSocketRoute] = []

    def end_heard_late(socket: WebSocketRoute) -> None:
        sockets.append(socket)
        server = socket.connect_to_server()

        def from_server(message: str | bytes) -> None:
            kind = json.loads(message).get("type")
            if kind == "session.ended":
                held.append(message)
                return
            arrivals.extend([message] if kind == "code.redeemed" else [])
            socket.send(message)
            if json.loads(message).get("error") == "session_ended":
                for late in held:
                    socket.send(late)

        server.on_message(from_server)

    crew = staffed(platform, admin_token, "Lara Late")
    with browser_page(browser) as console:
        console.route_web_socket(re.compile(r"/ws\?"), end_heard_late)
        on_duty(console, crew)
        visit = came_with_a_code(platform, crew, "Carl Late", code="Late")
        chat = chat_with(console, "Carl Late")
        expect(chat).to_contain_text("Session code “Late”")
        heard(console, arrivals)

        # Given the customer ended the chat, and the console has not yet heard of it
        with visitor_socket(visit) as customer:
            expect(chat).to_contain_text("Visitor present")
            say(customer, "session.end", session=visit["session_id"])
            heard(console, held)

            # When the arrival is delivered again (at least once, as a stream delivers), the console
            # joins the session, is refused (it has ended), and only then hears who ended it
            sockets[0].send(arrivals[0])

            # Then the chat says who ended it
            expect(chat).to_contain_text("Carl Late ended the chat.")


def test_a_join_answered_after_the_chat_ended_does_not_open_it_again(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Otto Order")
    with browser_page(browser) as console:
        joins = LateJoin(console)
        on_duty(console, crew)
        visit = came_with_a_code(platform, crew, "Carl Late")
        chat = chat_with(console, "Carl Late")
        with visitor_socket(visit) as customer:
            expect(chat).to_contain_text("Visitor present")

            # Given a join of the console's read the session while it was active, and is slow to answer
            assert joins.replay()["session"]["state"] == "active"

            # When the customer ends the chat, and then the join's answer comes
            say(customer, "session.end", session=visit["session_id"])
            expect(chat).to_contain_text("Carl Late ended the chat.")
            joins.release()

            # Then the chat stays ended: who ended it shows, with nothing to send and no End button
            expect(chat.get_by_text("Carl Late ended the chat.")).to_be_visible()
            expect(chat.get_by_role("button", name="Send")).to_be_hidden()
            expect(chat.get_by_role("button", name="End chat")).to_be_hidden()


def test_a_join_answered_after_the_customer_left_does_not_say_they_are_there(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Pia Present")
    with browser_page(browser) as console:
        joins = LateJoin(console)
        on_duty(console, crew)
        visit = came_with_a_code(platform, crew, "Carl Gone")
        chat = chat_with(console, "Carl Gone")
        with visitor_socket(visit):
            expect(chat.get_by_text("Visitor present")).to_be_visible()

            # Given a join of the console's found the customer there, and is slow to answer
            assert joins.replay()["visitor_present"] is True

        # When the customer leaves (their socket closed), and then the join's answer comes
        expect(chat.get_by_text("Visitor left")).to_be_visible()
        joins.release()

        # Then the chat still says they left
        expect(chat.get_by_text("Visitor left")).to_be_visible()


# --- presence -------------------------------------------------------------------------------


def test_going_away_with_a_reason_stops_new_requests_and_online_brings_them_back(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Ada Away")
    with browser_page(browser) as console, browser_page(browser) as visitor:
        on_duty(console, crew)

        # When the operator goes away for lunch
        console.get_by_label("Status").select_option(label="Away — Lunch")

        # Then the status says so, the phone is unavailable, and the portal offers no chat
        expect(console.get_by_label("Status")).to_have_value("away:Lunch")
        expect(console.get_by_role("img", name="Phone unavailable: you are away")).to_be_visible()
        wait_for(lambda: crew.state() == "unavailable")
        visitor.goto(crew.url())
        expect(visitor.get_by_role("heading", name="No technician is available right now")).to_be_visible()

        # When they come back Online, chats are offered again
        console.get_by_label("Status").select_option(label="Online")
        expect(console.get_by_label("Status")).to_have_value("online")
        wait_for(lambda: crew.state() == "available")
        visitor.reload()
        expect(visitor.get_by_role("heading", name="Chat with a technician")).to_be_visible()


def test_locked_channels_cannot_be_switched_and_say_why(platform: Platform, admin_token: str, browser: Browser) -> None:
    crew = staffed(platform, admin_token, "Lena Lock")
    locked = "Your administrator has locked channels"
    with browser_page(browser) as console:
        console.clock.install()  # to bring the next heartbeat (every 30 s) at once
        sign_in(console, platform, crew.technicians[0])
        chat = switch(console, "Chat")
        expect(chat).to_be_enabled()
        expect(chat).to_be_checked()

        # When the admin locks the channels, the console learns it with its next heartbeat
        with admin_settings(platform, admin_token, channels_locked=True):
            console.clock.fast_forward(31_000)
            for channel in ("Chat", "Email", "Phone"):
                expect(switch(console, channel)).to_be_disabled()
                expect(switch(console, channel)).to_have_accessible_description(locked)
            expect(console.get_by_text(locked)).to_be_visible()

        # When they unlock them, the operator can switch chat off: the portal offers no chat
        console.clock.fast_forward(31_000)
        expect(chat).to_be_enabled()
        chat.click()
        expect(chat).not_to_be_checked()
        wait_for(lambda: crew.state() == "unavailable")
        expect(console.get_by_text(locked)).to_be_hidden()

        # And on again
        chat.click()
        expect(chat).to_be_checked()
        wait_for(lambda: crew.state() == "available")


def test_only_the_assigned_channels_have_switches_and_the_phone_follows_its_own(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Pia Phone")
    with browser_page(browser) as console:
        sign_in(console, platform, crew.technicians[0])
        expect(console.get_by_role("img", name="Phone line available")).to_be_visible()

        # When the operator switches the phone channel off, the handset turns grey and says why
        switch(console, "Phone").click()
        expect(console.get_by_role("img", name="Phone unavailable: the phone channel is off")).to_be_visible()

        # When the admin assigns chat only, the console shows that switch alone after a reload
        with platform.http() as client:
            changed = client.patch(
                f"/api/staff/{crew.technicians[0].id}",
                headers={"authorization": f"Bearer {admin_token}"},
                json={"channels": ["chat"]},
            )
        assert changed.status_code == 200, changed.text
        console.reload()
        expect(switch(console, "Chat")).to_be_checked()
        expect(console.get_by_role("group", name="Channels").get_by_role("switch")).to_have_count(1)
        unassigned = "Phone unavailable: no phone channel is assigned to you"
        expect(console.get_by_role("img", name=unassigned)).to_be_visible()


def test_auto_away_after_the_idle_minutes_and_back_on_activity(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Ivo Idle")
    with admin_settings(platform, admin_token, auto_away_minutes=1), browser_page(browser) as console:
        console.clock.install()
        sign_in(console, platform, crew.technicians[0])
        expect(console.get_by_label("Status")).to_have_value("online")

        # When nobody touches the console for a minute
        console.clock.fast_forward(65_000)

        # Then the operator is away for idleness, and the portal offers no chat
        expect(console.get_by_label("Status")).to_have_value("auto")
        expect(console.get_by_label("Status").locator("option:checked")).to_have_text("Away (idle)")
        wait_for(lambda: crew.state() == "unavailable")

        # When they move the mouse, they are back Online
        console.mouse.move(200, 300)
        console.mouse.move(260, 320)
        expect(console.get_by_label("Status")).to_have_value("online")
        wait_for(lambda: crew.state() == "available")


# --- sign-in, reload, limits --------------------------------------------------------------------


def test_a_reload_keeps_the_sign_in_the_status_and_the_open_chat_and_sign_out_ends_it(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Rhea Reload")
    rhea = crew.technicians[0]
    with browser_page(browser) as console, browser_page(browser) as visitor:
        on_duty(console, crew)
        visitor.goto(crew.url())
        ask_for_chat(visitor, "Ray Return", "ray@example.org", "Will you remember me?")
        queue_entry(console, "Ray Return").get_by_role("button", name="Accept").click()
        expect(chat_with(console, "Ray Return")).to_contain_text("Will you remember me?")
        console.get_by_label("Status").select_option(label="Away — Meeting")
        expect(console.get_by_text("You are away — Meeting.")).to_be_visible()  # the server has it

        # When the console reloads
        console.reload()

        # Then it is still signed in, still away, and the chat is back and live
        chat = chat_with(console, "Ray Return")
        expect(chat).to_contain_text("Will you remember me?")
        expect(console.get_by_label("Status")).to_have_value("away:Meeting")
        visitor.get_by_label("Your message").fill("Back again")
        visitor.get_by_label("Your message").press("Enter")
        expect(chat.get_by_role("log", name="Messages").locator("li").last).to_contain_text("Back again")

        # When the operator signs out, the sign-in form shows, also after a reload
        console.get_by_role("button", name="Sign out").click()
        expect(console.get_by_role("button", name="Sign in")).to_be_visible()
        console.reload()
        expect(console.get_by_role("button", name="Sign in")).to_be_visible()

        # And signing in afresh starts Online
        sign_in(console, platform, rhea)
        expect(console.get_by_label("Status")).to_have_value("online")
        expect(chat_with(console, "Ray Return")).to_be_visible()


def test_at_the_chat_limit_accepting_is_disabled_and_says_why(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Lou Limit")
    with admin_settings(platform, admin_token, chat_limit=1), browser_page(browser) as console:
        on_duty(console, crew)
        request_by_http(crew, "First Fay", "One")
        request_by_http(crew, "Second Sam", "Two")
        queue_entry(console, "First Fay").get_by_role("button", name="Accept").click()
        expect(chat_with(console, "First Fay")).to_be_visible()
        expect(console.get_by_text("1 of 1 chats", exact=True)).to_be_visible()

        # Then the other request cannot be accepted, and the reason is given
        accept = queue_entry(console, "Second Sam").get_by_role("button", name="Accept")
        expect(accept).to_be_disabled()
        reason = "You have 1 of 1 chats open, your limit; end one to accept another."
        expect(accept).to_have_accessible_description(reason)
        expect(console.get_by_text(reason)).to_be_visible()

        # When the open chat ends, it can
        chat_with(console, "First Fay").get_by_role("button", name="End chat").click()
        console.get_by_role("dialog").get_by_role("button", name="End chat").click()
        expect(accept).to_be_enabled()


# --- focus, errors, notices ------------------------------------------------------------------------


def test_the_focus_stays_on_a_request_s_accept_button_as_others_come(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Fay Focus")
    with browser_page(browser) as console:
        # Given a request waits, and the operator's focus is on its Accept button
        on_duty(console, crew)
        request_by_http(crew, "Early Ed", "First")
        accept = queue_entry(console, "Early Ed").get_by_role("button", name="Accept")
        accept.focus()

        # When another visitor asks for a chat, and the waiting times tick
        request_by_http(crew, "Later Lin", "Second")
        expect(queue_entry(console, "Later Lin")).to_be_visible()
        wait = queue_entry(console, "Early Ed").locator(".wait")
        expect(wait).not_to_have_text(wait.inner_text())

        # Then the focus is still there, and Enter accepts Ed's chat
        expect(accept).to_be_focused()
        console.keyboard.press("Enter")
        expect(chat_with(console, "Early Ed")).to_be_visible()


def test_a_queue_read_before_a_request_came_does_not_drop_it(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Quentin Queue")
    with browser_page(browser) as console:
        # Given the console read the queue as it came on duty (nobody waiting), and the answer is slow
        listing = LateAnswers(console, "queue.list", holding=True)
        on_duty(console, crew)
        assert listing.first()["requests"] == []

        # When a visitor asks for a chat, and then the queue's answer comes (and a second visitor asks)
        request_by_http(crew, "Nell Newer", "Hello")
        expect(queue_entry(console, "Nell Newer")).to_be_visible()
        listing.release()
        request_by_http(crew, "Otis Other", "Hi")
        expect(queue_entry(console, "Otis Other")).to_be_visible()

        # Then the first request still waits on the console
        expect(queue_entry(console, "Nell Newer")).to_be_visible()


def test_a_request_withdrawn_while_the_queue_was_read_does_not_come_back(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Wanda Withdrawn")
    with browser_page(browser) as first, browser_page(browser) as second:
        on_duty(first, crew)
        request = request_by_http(crew, "Vera Visitor", "Hello")
        with visitor_socket(request) as visitor:
            expect(queue_entry(first, "Vera Visitor")).to_be_visible()

            # Given a second console read the queue (Vera waiting), and the answer is slow
            listing = LateAnswers(second, "queue.list", holding=True)
            sign_in(second, platform, crew.technicians[0])
            assert [r["name"] for r in listing.first()["requests"]] == ["Vera Visitor"]

            # When Vera gives up, and then the queue's answer comes (and another visitor asks)
            say(visitor, "chat.withdraw")
            expect(queue_entry(first, "Vera Visitor")).to_be_hidden()
            listing.release()
            request_by_http(crew, "Otis Other", "Hi")
            expect(queue_entry(second, "Otis Other")).to_be_visible()

            # Then her request is not on the second console
            expect(queue_entry(second, "Vera Visitor")).to_be_hidden()


class SlowSends:
    """The console's WebSocket, routed: what the console asks, in order, and the answers to its
    `chat.send` held back until `release()`."""

    def __init__(self, page: Page) -> None:
        self.asked: list[str] = []  # the actions the console sent, in order
        self.presence_sets: list[str] = []  # those of them that changed the presence
        self.held: list[tuple[WebSocketRoute, str | bytes]] = []
        page.route_web_socket(re.compile(r"/ws\?"), self.route)

    def route(self, socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()
        sends: set[str] = set()

        def from_page(message: str | bytes) -> None:
            asked = json.loads(message)
            self.asked.append(asked.get("action", ""))
            if asked.get("action") == "presence.set":
                self.presence_sets.append(asked["id"])
            if asked.get("action") == "chat.send":
                sends.add(asked["id"])
            server.send(message)

        def from_server(message: str | bytes) -> None:
            if json.loads(message).get("id") in sends:
                self.held.append((socket, message))
            else:
                socket.send(message)

        socket.on_message(from_page)
        server.on_message(from_server)

    def release(self) -> None:
        for socket, message in self.held:
            socket.send(message)


def test_a_message_on_its_way_is_sent_once_and_what_is_typed_meanwhile_stays(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Olga Once")
    with browser_page(browser) as console:
        sends = SlowSends(console)
        on_duty(console, crew)
        visit = came_with_a_code(platform, crew, "Cora Customer")
        chat = chat_with(console, "Cora Customer")
        messages = chat.get_by_role("log", name="Messages")
        text = chat.get_by_label("Your message")
        with visitor_socket(visit) as customer:
            expect(chat).to_contain_text("Visitor present")

            # Given the operator sent a message whose answer is slow to come
            text.fill("Hello Cora")
            text.press("Enter")
            heard(console, sends.held)

            # When the customer writes meanwhile, and the operator presses Enter again
            say(customer, "chat.send", session=visit["session_id"], text="Are you there?")
            expect(messages).to_contain_text("Are you there?")
            text.press("Enter")
            changes = len(sends.presence_sets)
            switch(console, "Email").click()  # something else asked after it, to know all was asked
            heard(console, sends.presence_sets, changes + 1)

            # Then the message was sent once
            assert sends.asked.count("chat.send") == 1

            # When the operator types on, and then the answer comes
            text.press("End")
            text.press_sequentially(" And the printer?")
            sends.release()

            # Then the message sent leaves the box, and what was typed after it stays
            expect(text).to_have_value("And the printer?")
            expect(chat.get_by_role("button", name="Send")).to_be_enabled()
            assert sends.asked.count("chat.send") == 1


def test_a_message_on_its_way_stays_unsendable_when_the_operator_switches_chats_and_back(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Tom Tabs")
    with browser_page(browser) as console:
        sends = SlowSends(console)
        on_duty(console, crew)
        came_with_a_code(platform, crew, "Ada Tab", code="Ada")
        came_with_a_code(platform, crew, "Ben Tab", code="Ben")
        tab = {name: console.locator("button.chat-tab").filter(has_text=name) for name in ("Ada Tab", "Ben Tab")}
        expect(tab["Ben Tab"]).to_be_visible()

        # Given the operator sent Ada a message whose answer is slow to come
        tab["Ada Tab"].click()
        text = chat_with(console, "Ada Tab").get_by_label("Your message")
        text.fill("Hello Ada")
        text.press("Enter")
        heard(console, sends.held)

        # When they switch to Ben's chat and back, and press Enter again
        tab["Ben Tab"].click()
        expect(chat_with(console, "Ben Tab")).to_be_visible()
        tab["Ada Tab"].click()
        text = chat_with(console, "Ada Tab").get_by_label("Your message")
        expect(chat_with(console, "Ada Tab").get_by_role("button", name="Send")).to_be_disabled()
        text.press("Enter")
        changes = len(sends.presence_sets)
        switch(console, "Email").click()  # something else asked after it, to know all was asked
        heard(console, sends.presence_sets, changes + 1)

        # Then the message was sent once, and once it is answered it leaves the box of the pane shown
        assert sends.asked.count("chat.send") == 1
        sends.release()
        expect(text).to_have_value("")
        expect(chat_with(console, "Ada Tab").get_by_role("button", name="Send")).to_be_enabled()
        assert sends.asked.count("chat.send") == 1


def test_a_refused_status_change_is_announced_as_an_alert(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    def refuse_status_changes(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def from_console(message: str | bytes) -> None:
            asked = json.loads(message)
            if asked.get("action") != "presence.set" or asked.get("status") != "away":
                server.send(message)
                return
            socket.send(json.dumps({"id": asked["id"], "error": "internal", "message": "Presence is down."}))

        socket.on_message(from_console)

    crew = staffed(platform, admin_token, "Rita Refused")
    with browser_page(browser) as console:
        console.route_web_socket(re.compile(r"/ws\?"), refuse_status_changes)
        sign_in(console, platform, crew.technicians[0])
        expect(console.get_by_label("Status")).to_have_value("online")

        # When the service refuses the operator's going away
        console.get_by_label("Status").select_option(label="Away — Lunch")

        # Then they are told, as an alert, and the status shows what the service holds
        expect(console.get_by_role("alert")).to_have_text("Presence is down.")
        expect(console.get_by_label("Status")).to_have_value("online")


def test_browser_notifications_the_browser_blocks_are_explained_next_to_the_switch(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    technician = hire(platform, admin_token, "Bo Blocked")
    with browser_page(browser) as console:
        console.add_init_script(BLOCKING_BROWSER)
        sign_in(console, platform, technician)
        console.get_by_role("button", name="Notifications").click()
        settings = console.get_by_role("group", name="Notification settings")

        # Given the operator switched browser notifications off (they are on at first)
        switch = settings.get_by_role("switch", name="Browser notifications")
        switch.click()
        expect(switch).not_to_be_checked()

        # When they switch them on again, and the browser refuses them
        switch.click()

        # Then the panel says why, as an alert, and the switch stays off
        expect(settings.get_by_role("alert")).to_have_text(
            "Your browser blocks notifications from this site; allow them in its site settings."
        )
        expect(switch).not_to_be_checked()


# The browser asks, and the person (or a policy) refuses notifications.
BLOCKING_BROWSER = """
window.Notification = class {
  static permission = "default";
  static requestPermission() { return Promise.resolve("denied"); }
};
"""


def test_a_notice_never_covers_the_chat_s_send_button(platform: Platform, admin_token: str, browser: Browser) -> None:
    crew = staffed(platform, admin_token, "Nora Notice")
    with browser_page(browser, viewport={"width": 1280, "height": 800}) as console:
        console.clock.install()  # stopped below: the notice stays (4 s) however slow the machine
        on_duty(console, crew)
        request_by_http(crew, "Sid Send", "Can you hear me?")
        expect(queue_entry(console, "Sid Send")).to_be_visible()
        stop_the_clock(console)

        # When the operator accepts the chat, and writes and sends at once
        queue_entry(console, "Sid Send").get_by_role("button", name="Accept").click()
        notice = console.locator("#toasts").get_by_text("You are chatting with Sid Send.")
        expect(notice).to_be_visible()
        chat = chat_with(console, "Sid Send")
        chat.get_by_label("Your message").fill("Hello Sid")
        send = chat.get_by_role("button", name="Send")
        send.scroll_into_view_if_needed()
        assert send.evaluate(REACHED_AT_ITS_CENTRE), "a click on Send would land on something covering it"
        send.click()  # Playwright's actionability check fails on a covering element

        # Then the message goes, while the notice still shows, and it covers no control at all
        expect(chat.get_by_role("log", name="Messages").locator("li").last).to_contain_text("Hello Sid")
        expect(notice).to_be_visible()
        assert console.evaluate(CONTROLS_UNDER_NOTICES) == []


REACHED_AT_ITS_CENTRE = """
(control) => {
  const box = control.getBoundingClientRect();
  return control.contains(document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2));
}
"""

# The names of the visible controls that what shows of a notice overlaps (the region clips them).
CONTROLS_UNDER_NOTICES = """
() => {
  const region = document.getElementById("toasts").getBoundingClientRect();
  const clip = (box) => ({
    left: Math.max(box.left, region.left),
    right: Math.min(box.right, region.right),
    top: Math.max(box.top, region.top),
    bottom: Math.min(box.bottom, region.bottom),
  });
  const notices = [...document.querySelectorAll("#toasts > *")]
    .map((notice) => clip(notice.getBoundingClientRect()))
    .filter((shown) => shown.left < shown.right && shown.top < shown.bottom);
  const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  return [...document.querySelectorAll("button, input, select, textarea, a[href]")]
    .filter((control) => control.checkVisibility())
    .filter((control) => notices.some((notice) => overlaps(notice, control.getBoundingClientRect())))
    .map((control) => control.getAttribute("aria-label") || control.textContent.trim());
}
"""


def test_the_transcript_shown_is_the_one_asked_for_last_whichever_answer_comes_last(
    platform: Platform, admin_token: str, console: Page
) -> None:
    crew = staffed(platform, admin_token, "Tess Transcripts")
    first = came_with_a_code(platform, crew, "Anna First", code="First")
    came_with_a_code(platform, crew, "Bert Second", code="Second")
    held: list[tuple[Route, APIResponse]] = []  # Anna's transcript, as the server answered it

    def hold_annas_transcript(route: Route) -> None:
        if f"/api/sessions/{first['session_id']}/messages" in route.request.url and not held:
            held.append((route, route.fetch()))
        else:
            route.fallback()

    console.route("**/api/sessions/*/messages", hold_annas_transcript)
    sign_in(console, platform, crew.technicians[0])
    console.get_by_role("link", name="Recent chats").click()
    table = console.get_by_role("table", name="Recent chats")

    # When the technician opens Anna's transcript, which is slow, and then Bert's
    table.get_by_role("button", name="Transcript of the chat with Anna First").click()
    heard(console, held)
    table.get_by_role("button", name="Transcript of the chat with Bert Second").click()
    expect(console.get_by_role("region", name="Chat with Bert Second")).to_be_visible()
    ((route, answer),) = held
    route.fulfill(response=answer)
    expect(table.get_by_role("button", name="Transcript of the chat with Anna First")).to_be_enabled()  # answered

    # Then Bert's transcript is still the one shown
    expect(console.get_by_role("region", name="Chat with Bert Second")).to_be_visible()
    expect(console.get_by_role("region", name="Chat with Anna First")).to_have_count(0)
