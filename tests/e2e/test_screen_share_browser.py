"""Screen sharing in a support session, in two real browsers (Debian's Chromium through
Playwright, two contexts) on `deskless dev`: a technician's console and a customer's join page.

Chromium is started with fake media devices and a fake screen picker that chooses the entire
screen at once (local.launch.SCREEN_CAPTURE_ARGS), so `getDisplayMedia` answers without a person; everything else is
the real path: the realtime function relays the offers, answers and ICE candidates between the
two browsers over the WebSocket API, the picture and the pointer go browser to browser (host
candidates on loopback), and each screen event lands in the session's transcript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from functions.portals.text import TEXT
from tests.e2e.conftest import Platform, bearer, browser_page, wait_for
from tests.e2e.console import sign_in
from tests.e2e.test_console_desk_browser import chat_with, staffed

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("untouched_budget")]


def frames(video: Locator) -> dict[str, float]:
    """What a <video> shows: its picture's size, and how far it has played."""
    shown: dict[str, float] = video.evaluate("v => ({width: v.videoWidth, height: v.videoHeight, time: v.currentTime})")
    return shown


def plays(video: Locator) -> None:
    """The video receives frames: a picture of some size, and its time advances."""
    first = wait_for(lambda: (shown := frames(video))["width"] > 0 and shown["time"] > 0 and shown, timeout=15)
    assert first["height"] > 0
    wait_for(lambda: frames(video)["time"] > first["time"] + 0.2, timeout=10)


def events(platform: Platform, token: str, session_id: str) -> list[tuple[str, str, str]]:
    """The session's screen events in the transcript: (event, whose screen, by which side)."""
    with platform.http() as client:
        transcript = client.get(f"/api/sessions/{session_id}/messages", headers=bearer(token))
    assert transcript.status_code == 200, transcript.text
    return [
        (message["event"], message["screen"], message["sender_role"])
        for message in transcript.json()["messages"]
        if message.get("event")
    ]


def join_with_code(platform: Platform, customer: Page, subdomain: str, token: str, name: str) -> str:
    """The customer joins the technician's new code on its portal's join page; the session's id."""
    with platform.http() as client:
        created = client.post("/api/codes", headers=bearer(token), json={"name": "Screen", "portal": subdomain})
    assert created.status_code == 201, created.text
    customer.goto(f"http://{subdomain}.localhost:{platform.port}/join/{created.json()['code']}")
    customer.locator("#name").fill(name)  # by id: the page speaks the customer's language
    customer.locator("#join-button").click()
    expect(customer.locator("#chat")).to_be_visible()
    expect(customer.locator("#send")).to_be_enabled()  # connected
    session_id: str = customer.evaluate("JSON.parse(sessionStorage.getItem('deskless.visit')).session_id")
    return session_id


def middle_of(video: Locator) -> tuple[float, float]:
    box = video.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_the_customer_shares_the_technician_points_and_draws_and_either_side_stops_it(
    platform: Platform, admin_token: str, screens: Browser
) -> None:
    crew = staffed(platform, admin_token, "Sasha Screen")
    sasha = crew.technicians[0]
    with browser_page(screens) as console, browser_page(screens) as customer:
        console.set_viewport_size({"width": 1280, "height": 800})
        sign_in(console, platform, sasha)
        session_id = join_with_code(platform, customer, crew.subdomain, sasha.token, "Carla Customer")
        chat = chat_with(console, "Carla Customer")
        expect(chat).to_contain_text("Visitor present")

        # When the technician asks to see the screen, the customer is asked, in plain words
        chat.get_by_role("button", name="Request screen").click()
        consent = customer.locator("#screen-consent")
        expect(consent).to_be_visible()
        expect(consent).to_contain_text(sasha.name)
        expect(consent).to_be_focused()  # the panel, not its button: Enter in the chat shares nothing

        # When they accept (the fake picker chooses the whole screen)
        customer.locator("#screen-accept").click()

        # Then the customer sees that sharing is on, with a preview of what is shared
        expect(customer.locator("#screen-banner")).to_be_visible()
        expect(customer.locator("#screen-banner")).to_contain_text(sasha.name)
        plays(customer.locator("video#screen-preview"))

        # and the technician's video receives frames, over a direct connection
        panel = chat.locator("section.screen-panel")
        expect(panel).to_be_visible()
        video = panel.locator("video.screen-video")
        plays(video)
        expect(panel.locator(".screen-state")).to_contain_text("Direct")

        # and the chat still works beside it: the Send button is not covered
        chat.get_by_label("Your message").fill("I can see it.")
        chat.get_by_role("button", name="Send").click()
        expect(customer.get_by_role("list", name="Messages")).to_contain_text("I can see it.")

        # When the technician points at the middle of the picture, the pointer shows there on the customer's page
        panel.get_by_role("button", name="Point").click()
        x, y = middle_of(video)
        pointer = customer.locator("#screen-pointer")

        def at_the_middle() -> bool:  # moves are dropped until the data channel is open: move again
            console.mouse.move(x - 20, y - 20)
            console.mouse.move(x, y, steps=5)
            shown = [pointer.get_attribute(f"data-{axis}") for axis in ("x", "y")]
            return all(fraction is not None and abs(float(fraction) - 0.5) < 0.05 for fraction in shown)

        wait_for(at_the_middle)  # both at once: one read alone may be of a step on the way
        expect(pointer).to_be_visible()

        # When they draw a mark, it shows on the customer's page, and fades
        panel.get_by_role("button", name="Draw").click()
        console.mouse.move(x - 40, y)
        console.mouse.down()
        console.mouse.move(x + 40, y + 10, steps=8)
        console.mouse.up()
        marks = customer.locator("svg#screen-marks path")
        expect(marks).to_have_count(1)
        expect(marks).to_have_count(0, timeout=10_000)

        # When the customer stops sharing, both sides tear down
        customer.locator("#screen-stop").click()
        expect(customer.locator("#screen-banner")).to_be_hidden()
        expect(panel).to_be_hidden()
        assert customer.evaluate("document.querySelector('video#screen-preview').srcObject") is None

        # and the transcript says who did what
        wait_for(lambda: len(events(platform, sasha.token, session_id)) >= 4)
        assert events(platform, sasha.token, session_id) == [
            ("screen_requested", "visitor", "technician"),
            ("screen_accepted", "visitor", "visitor"),
            ("screen_started", "visitor", "visitor"),
            ("screen_stopped", "visitor", "visitor"),
        ]

        # When the technician shares their own screen, the customer sees it
        chat.get_by_role("button", name="Share my screen").click()
        view = customer.locator("video#screen-view")
        expect(customer.locator("#screen-viewer")).to_be_visible()
        plays(view)

        # When the technician ends the session, the share ends on both sides
        chat.get_by_role("button", name="End chat").click()
        console.get_by_role("dialog").get_by_role("button", name="End chat").click()
        expect(customer.locator("#screen-viewer")).to_be_hidden()
        expect(customer.locator("#status")).to_have_text("The technician ended the session.")
        expect(chat.locator("section.screen-panel")).to_be_hidden()
        wait_for(lambda: events(platform, sasha.token, session_id)[-1][0] == "screen_stopped")
        assert events(platform, sasha.token, session_id)[-2:] == [
            ("screen_started", "technician", "technician"),
            ("screen_stopped", "technician", "technician"),
        ]


def test_a_customer_who_declines_shares_nothing_and_the_console_says_so(
    platform: Platform, admin_token: str, screens: Browser
) -> None:
    crew = staffed(platform, admin_token, "Dana Decline")
    dana = crew.technicians[0]
    with browser_page(screens) as console, browser_page(screens, locale="de-DE") as customer:
        sign_in(console, platform, dana)
        customer.set_extra_http_headers({"Accept-Language": "de"})
        session_id = join_with_code(platform, customer, crew.subdomain, dana.token, "Dieter Kunde")
        chat = chat_with(console, "Dieter Kunde")
        expect(chat).to_contain_text("Visitor present")

        # When the technician asks, the customer is asked in their own language, and says no
        chat.get_by_role("button", name="Request screen").click()
        consent = customer.locator("#screen-consent")
        expect(consent).to_be_visible()
        expect(consent).to_have_attribute("role", "alertdialog")
        assert customer.evaluate("document.documentElement.lang") == "de"
        customer.locator("#screen-decline").click()

        # Then nothing is shared, and the console's thread says they declined, in the server's words,
        # while the customer's own thread says it in their language
        expect(consent).to_be_hidden()
        expect(customer.locator("#screen-banner")).to_be_hidden()
        expect(chat.get_by_role("log", name="Messages").locator("li.notice-line").last).to_contain_text(
            "Dieter Kunde declined to share their screen."
        )
        expect(customer.locator("li.screen-event").last).to_have_text(TEXT["de"]["screen_declined"])
        expect(chat.locator("section.screen-panel")).to_be_hidden()
        expect(chat.get_by_role("button", name="Request screen")).to_be_enabled()
        wait_for(lambda: len(events(platform, dana.token, session_id)) >= 2)
        assert events(platform, dana.token, session_id) == [
            ("screen_requested", "visitor", "technician"),
            ("screen_declined", "visitor", "visitor"),
        ]
