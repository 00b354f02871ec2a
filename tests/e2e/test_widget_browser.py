"""The chat widget in a real browser (Debian's Chromium through Playwright) on `deskless dev`: a
website on another local origin (a small HTTP server on 127.0.0.1) adds the one script tag, and
a launcher appears bottom right that opens the portal's chat in a frame; the widget follows the
portal's state; a website that is not on the portal's list gets nothing, and cannot frame the
widget by naming a listed website either: the browser refuses it (frame-ancestors). The frame may
capture a screen, for the chat's screen sharing, and use no camera, microphone or location.

The module's company, technician and portal are its own (presence is shared on the platform)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, ConsoleMessage, FrameLocator, Page, expect

from tests.e2e.conftest import Platform, browser_page, hire, wait_for
from tests.e2e.test_portal_browser import Crew, console, found_company
from tests.e2e.test_sessions import receive, say

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("untouched_budget")]

TITLE = "Hooli support chat"  # the frame's title, in the portal's language
TIMEOUT_MS = 15_000


@dataclass
class Website:
    """A website on an origin of its own: 127.0.0.1 and a port of its own."""

    pages: dict[str, str]
    origin: str = ""

    def url(self, path: str = "/") -> str:
        return self.origin + path


@contextmanager
def serving(website: Website) -> Iterator[Website]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = website.pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    website.origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield website
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def shop_page(script_src: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>'
        f'<body><h1>Our shop</h1><p>Things for sale.</p><script src="{script_src}" async></script></body></html>'
    )


@dataclass(frozen=True)
class Sites:
    crew: Crew
    shop: Website  # on the portal's list
    stranger: Website  # not on it


@pytest.fixture(scope="module")
def sites(platform: Platform, admin_token: str) -> Iterator[Sites]:
    with serving(Website({})) as shop, serving(Website({})) as stranger:
        crew = found_company(
            platform,
            admin_token,
            "Hooli",
            (hire(platform, admin_token, "Vera Vector"),),
            allowed_origins=[shop.origin],
        )
        script = crew.url("/widget.js")
        shop.pages["/"] = shop_page(script)
        stranger.pages["/"] = shop_page(script)
        # the stranger frames the widget itself, claiming to be the shop
        stranger.pages["/framing"] = (
            '<!doctype html><html><head><meta charset="utf-8"><title>Framing</title></head><body>'
            f'<iframe title="borrowed" src="{crew.url("/widget?origin=" + quote(shop.origin, safe=""))}"></iframe>'
            "</body></html>"
        )
        yield Sites(crew, shop, stranger)


def widget(page: Page) -> FrameLocator:
    return page.frame_locator(f'iframe[title="{TITLE}"]')


def frame_width(page: Page) -> float:
    box = page.locator(f'iframe[title="{TITLE}"]').bounding_box()
    assert box is not None
    return float(box["width"])


def test_on_an_allowed_website_the_launcher_opens_the_chat(platform: Platform, sites: Sites, page: Page) -> None:
    crew = sites.crew
    (vera,) = crew.technicians
    with console(platform, vera) as vera_console:
        # Given the shop's page with the widget's script tag, while Vera is available
        page.goto(sites.shop.url())
        launcher = widget(page).get_by_role("button", name="Chat with us")
        expect(launcher).to_be_visible(timeout=TIMEOUT_MS)
        # the frame shows once the shop's page has its size (its launcher drawn is not enough)
        expect(page.locator(f'iframe[title="{TITLE}"]')).to_be_visible()
        expect(page.locator(f'iframe[title="{TITLE}"]')).to_have_css("position", "fixed")
        assert frame_width(page) < 300  # just the launcher, bottom right

        # When the visitor opens it, the frame grows into a panel with the chat request form
        launcher.click()
        expect(widget(page).get_by_role("heading", name="Chat with a technician")).to_be_visible()
        wait_for(lambda: frame_width(page) >= 360)

        # and the chat works there as on the portal
        frame = widget(page)
        frame.get_by_label("Your name").fill("Wanda Widget")
        frame.get_by_label("Your email").fill("wanda@example.org")
        frame.get_by_label("How can we help?").fill("Asked from the shop.")
        frame.get_by_role("button", name="Start chat").click()
        expect(frame.get_by_role("heading", name="Waiting for a technician")).to_be_visible()
        request = receive(vera_console, "chat.requested")["request"]
        assert (request["name"], request["company_name"]) == ("Wanda Widget", "Hooli")
        say(vera_console, "chat.accept", request=request["id"])
        session_id = receive(vera_console, "chat.accepted")["session"]["id"]
        expect(frame.get_by_role("heading", name=f"Chat with {vera.name}")).to_be_visible()
        say(vera_console, "chat.send", session=session_id, text="Hello from Vera.")
        assert receive(vera_console, "chat.message")["message"]["text"] == "Hello from Vera."  # the sender's copy
        expect(frame.get_by_role("list", name="Messages").locator("li.message").last).to_contain_text(
            "Hello from Vera."
        )
        frame.get_by_label("Your message").fill("Hello from the shop.")
        frame.get_by_role("button", name="Send").click()
        assert receive(vera_console, "chat.message")["message"]["text"] == "Hello from the shop."

        # When the visitor closes the panel, the launcher is back
        frame.get_by_role("button", name="Close").click()
        expect(launcher).to_be_visible()
        wait_for(lambda: frame_width(page) < 300)

        # When the technician asks to see the screen meanwhile, the panel opens on the question
        say(vera_console, "screen.request", session=session_id)
        expect(frame.get_by_role("alertdialog", name=f"{vera.name} asks to see your screen")).to_be_focused()
        expect(launcher).to_be_hidden()
        wait_for(lambda: frame_width(page) >= 360)


def test_the_widget_follows_the_portals_state(
    platform: Platform, admin_token: str, sites: Sites, browser: Browser
) -> None:
    crew = sites.crew
    with browser_page(browser) as page:
        page.clock.install()  # the frame polls the portal's state every 30 s: time is skipped
        wait_for(lambda: crew.state() == "unavailable")
        page.goto(sites.shop.url())
        expect(widget(page).get_by_role("button", name="Leave us a message")).to_be_visible(timeout=TIMEOUT_MS)

        with console(platform, crew.technicians[0]):
            page.clock.fast_forward(31_000)
            expect(widget(page).get_by_role("button", name="Chat with us")).to_be_visible()

            crew.change_portal(admin_token, status="inactive")
            try:
                page.clock.fast_forward(31_000)
                expect(page.locator(f'iframe[title="{TITLE}"]')).to_be_hidden()
            finally:
                crew.change_portal(admin_token, status="active")
            page.clock.fast_forward(31_000)
            expect(widget(page).get_by_role("button", name="Chat with us")).to_be_visible()


def test_the_widgets_frame_may_capture_a_screen_for_the_chat_and_use_no_camera(sites: Sites, page: Page) -> None:
    # Given the shop's page with the widget
    page.goto(sites.shop.url())
    expect(widget(page).locator("body")).to_be_attached(timeout=TIMEOUT_MS)
    (frame,) = [frame for frame in page.frames if "/widget?" in frame.url]
    frame.wait_for_load_state()

    # Then the shop's page lets the frame ask for a screen (allow="display-capture"), and so does the
    # portal's own policy for its page: in a support session the customer may share theirs, if they agree
    assert page.locator(f'iframe[title="{TITLE}"]').get_attribute("allow") == "display-capture"
    allows = "feature => document.featurePolicy.allowsFeature(feature)"
    assert frame.evaluate(allows, "display-capture") is True
    # but no camera, microphone or location, which the shop's own page could have used
    for feature in ("camera", "microphone", "geolocation"):
        assert page.evaluate(allows, feature) is True, feature
        assert frame.evaluate(allows, feature) is False, feature


def test_a_website_not_on_the_list_gets_no_widget(sites: Sites, browser: Browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    with (
        page.expect_console_message(predicate=refused_by_frame_ancestors, timeout=TIMEOUT_MS),
        page.expect_response(lambda response: "/widget?" in response.url, timeout=TIMEOUT_MS) as answer,
    ):
        page.goto(sites.stranger.url())

    # The portal refuses the stranger, and the browser does not show even the refusal
    assert answer.value.status == 403
    expect(page.locator(f'iframe[title="{TITLE}"]')).to_be_hidden()
    assert widget(page).get_by_role("button").count() == 0
    context.close()


def test_a_website_not_on_the_list_cannot_frame_the_widget_by_naming_one_that_is(
    sites: Sites, browser: Browser
) -> None:
    context = browser.new_context()
    page = context.new_page()
    with (
        page.expect_console_message(predicate=refused_by_frame_ancestors, timeout=TIMEOUT_MS),
        page.expect_response(lambda response: "/widget?" in response.url, timeout=TIMEOUT_MS) as answer,
    ):
        page.goto(sites.stranger.url("/framing"))

    # The portal serves the page (the origin named is on the list), and the browser refuses to show it here
    assert answer.value.status == 200
    assert page.frame_locator('iframe[title="borrowed"]').locator("#launcher").count() == 0
    context.close()


def refused_by_frame_ancestors(message: ConsoleMessage) -> bool:
    return "frame-ancestors" in message.text
