"""Screen sharing on the customer's join page (issue 15) in a real browser on `deskless dev`, with a
WebSocket client as the technician: the page asks the customer's consent in their language, their
answer is recorded, a shared screen is offered to the technician's connection over the relayed
signals, and either side's stop and the session's end take it down. Chromium runs with fake media
and picks the whole screen by itself, so "Share my screen" gets a stream without a picker. Where
WebRTC must really connect (the pointer, the technician's own screen), a second page of the same
browser runs peer.js as the technician's browser would, its signals relayed by the test through
the technician's socket. Waits are Playwright's and the socket's own: nothing sleeps."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from websockets.sync.client import ClientConnection, connect

from local.services import local_client
from tests.e2e.conftest import Platform, browser_page
from tests.e2e.test_join_browser import portal, visitor_connections
from tests.e2e.test_sessions import ALICE, create_code, say

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser(screens: Browser) -> Browser:
    """This module's pages may share a (fake) screen."""
    return screens


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with browser_page(browser) as opened:
        yield opened


class Console:
    """The technician's WebSocket client. The server's messages may come in any order (each action
    runs on its own), so what a test has not asked for yet waits in a backlog."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.backlog: list[dict[str, Any]] = []

    def say(self, action: str, **body: Any) -> None:
        say(self.socket, action, **body)

    def heard(self, kind: str, timeout: float = 10.0, **fields: Any) -> dict[str, Any]:
        """The first message of that type whose top-level fields (or chat message's) have those values."""

        def matches(message: dict[str, Any]) -> bool:
            inner = message.get("message") if kind == "chat.message" else message
            return message.get("type") == kind and all((inner or {}).get(k) == v for k, v in fields.items())

        for message in self.backlog:
            if matches(message):
                self.backlog.remove(message)
                return message
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            heard: dict[str, Any] = json.loads(self.socket.recv(timeout=left))
            assert "error" not in heard, heard
            if matches(heard):
                return heard
            self.backlog.append(heard)
        raise AssertionError(f"no {kind} {fields} within {timeout} s")

    def event(self, name: str) -> dict[str, Any]:
        """The screen event of the transcript with that name."""
        message: dict[str, Any] = self.heard("chat.message", event=name)["message"]
        return message

    def signals(self) -> list[dict[str, Any]]:
        """The screen signals relayed to the console so far (ICE candidates, mostly), waiting briefly for more."""
        try:
            while True:
                self.backlog.append(json.loads(self.socket.recv(timeout=0.1)))
        except TimeoutError:
            pass
        relayed = [message for message in self.backlog if message.get("type") == "screen.signal"]
        self.backlog = [message for message in self.backlog if message.get("type") != "screen.signal"]
        return relayed

    def offer(self) -> dict[str, Any]:
        """The offer the page sent (its ICE candidates may come before or after it)."""
        while True:
            signal = self.heard("screen.signal")
            if "description" in signal:
                return signal


@contextmanager
def technician(platform: Platform, technician_token: str) -> Iterator[Console]:
    with connect(platform.websocket_url(technician_token)) as socket:
        yield Console(socket)


def join(platform: Platform, technician_token: str, page: Page, console: Console, lang: str = "en") -> str:
    """The customer joins a new code's session from the page; the technician's console joins it too."""
    code = create_code(platform, technician_token, "Screen")
    page.goto(portal(platform, f"/join/{code['code']}?lang={lang}"))
    page.locator("#name").fill("Carla Customer")
    page.locator("#join-button").click()
    session_id: str = console.heard("code.redeemed", code=code["code"])["session"]["id"]  # (not an earlier test's)
    console.say("session.join", session=session_id)
    console.heard("session.joined")
    expect(page.locator("#send")).to_be_enabled()
    return session_id


def request_screen(console: Console, session_id: str) -> dict[str, Any]:
    console.say("screen.request", session=session_id)
    share: dict[str, Any] = console.heard("screen.ok")["share"]
    return share


def share_screen(page: Page, console: Console, session_id: str) -> dict[str, Any]:
    """The technician asks, the customer accepts, and the page offers its screen to the console."""
    share = request_screen(console, session_id)
    page.locator("#screen-accept").click()
    assert console.event("screen_started")["sender_role"] == "visitor"
    offer = console.offer()
    assert (offer["share"], offer["description"]["type"]) == (share["id"], "offer")
    expect(page.locator("#screen-banner")).to_be_visible()
    return share


def test_the_customer_is_asked_in_their_language_and_may_decline_by_keyboard(
    platform: Platform, technician_token: str, page: Page
) -> None:
    with technician(platform, technician_token) as console:
        session_id = join(platform, technician_token, page, console, lang="es")

        # When the technician asks to see the screen
        share = request_screen(console, session_id)
        assert (share["from"], share["state"]) == ("visitor", "requested")

        # Then the page asks, in Spanish, in a panel that takes focus (not its "share" button)
        consent = page.get_by_role("alertdialog", name=f"{ALICE.name} pide ver su pantalla")
        expect(consent).to_be_visible()
        expect(consent).to_be_focused()
        expect(consent).to_contain_text("toda la pantalla, una ventana o una pestaña")
        expect(page.get_by_role("button", name="Compartir mi pantalla")).to_be_visible()
        expect(page.locator("#screen-banner")).to_be_hidden()

        # When the customer tabs to "No, thanks" and presses Enter
        page.keyboard.press("Tab")
        expect(page.locator("#screen-accept")).to_be_focused()
        page.keyboard.press("Tab")
        expect(page.locator("#screen-decline")).to_be_focused()
        page.keyboard.press("Enter")

        # Then the refusal is recorded, by the customer; the panel goes and focus returns to the composer
        declined = console.event("screen_declined")
        assert (declined["sender_role"], declined["screen"], declined["reason"]) == ("visitor", "visitor", "declined")
        assert console.heard("screen.ended")["share"]["id"] == share["id"]
        expect(consent).to_be_hidden()
        expect(page.locator("#message")).to_be_focused()

        # and the thread tells what happened, in Spanish
        notices = page.locator("#messages li.screen-event")
        expect(notices).to_have_text([f"{ALICE.name} pidió ver su pantalla.", "No quiso compartir su pantalla."])


def test_the_customer_shares_their_screen_and_stops_it(platform: Platform, technician_token: str, page: Page) -> None:
    with technician(platform, technician_token) as console:
        session_id = join(platform, technician_token, page, console)

        # When the customer accepts the technician's request
        share = request_screen(console, session_id)
        expect(page.get_by_role("alertdialog")).to_contain_text("Your browser will ask you what to share")
        page.get_by_role("button", name="Share my screen").click()

        # Then it is recorded as accepted, then started, and the page offers its screen to the technician
        assert console.event("screen_accepted")["sender_role"] == "visitor"
        offer = console.offer()
        assert (offer["share"], offer["description"]["type"]) == (share["id"], "offer")
        assert "m=video" in offer["description"]["sdp"]

        # and the page says so, in a banner that stays, with a preview of what is shared
        expect(page.locator("#screen-banner")).to_contain_text(f"You are sharing your screen with {ALICE.name}")
        expect(page.locator("#screen-banner").get_by_role("button", name="Stop sharing")).to_be_visible()
        expect(page.locator("video#screen-preview")).to_be_visible()
        assert page.locator("video#screen-preview").evaluate("video => video.srcObject.getVideoTracks().length") == 1
        expect(page.locator("#screen-pointer")).to_be_hidden()
        notices = page.locator("#messages li.screen-event")
        expect(notices).to_have_text(
            [
                f"{ALICE.name} asked to see your screen.",
                "You agreed to share your screen.",
                "You are sharing your screen.",
            ]
        )

        # When the customer presses "Stop sharing"
        page.get_by_role("button", name="Stop sharing").click()

        # Then the share ends, recorded as stopped by the customer, and the page stops showing it
        stopped = console.event("screen_stopped")
        assert (stopped["sender_role"], stopped["reason"]) == ("visitor", "stopped")
        assert console.heard("screen.ended")["share"]["id"] == share["id"]
        expect(page.locator("#screen-banner")).to_be_hidden()
        expect(page.locator("video#screen-preview")).to_be_hidden()
        expect(notices.last).to_have_text("You stopped the screen sharing.")


def test_the_browsers_own_stop_ends_the_share(platform: Platform, technician_token: str, page: Page) -> None:
    with technician(platform, technician_token) as console:
        session_id = join(platform, technician_token, page, console)
        share_screen(page, console, session_id)

        # When the browser's own "Stop sharing" ends the captured track
        page.locator("video#screen-preview").evaluate(
            "video => video.srcObject.getVideoTracks()[0].dispatchEvent(new Event('ended'))"
        )

        # Then the page stops the share as if its own button had been pressed
        assert console.event("screen_stopped")["reason"] == "stopped"
        expect(page.locator("#screen-banner")).to_be_hidden()


def test_the_technician_stopping_or_ending_the_session_takes_the_share_down(
    platform: Platform, technician_token: str, page: Page
) -> None:
    with technician(platform, technician_token) as console:
        session_id = join(platform, technician_token, page, console, lang="de")
        share = share_screen(page, console, session_id)

        # When the technician stops it, the page stops sharing and says who stopped it
        console.say("screen.stop", session=session_id, share=share["id"])
        console.heard("screen.ok")
        expect(page.locator("#screen-banner")).to_be_hidden()
        notices = page.locator("#messages li.screen-event")
        expect(notices.last).to_have_text(f"{ALICE.name} hat die Bildschirmfreigabe beendet.")

        # When the customer shares again and the technician ends the session
        share_screen(page, console, session_id)
        console.say("session.end", session=session_id)
        console.heard("session.ended")

        # Then the banner and the preview go, the capture stops, and the session's end is recorded
        expect(page.locator("#screen-banner")).to_be_hidden()
        expect(page.locator("#screen-sharing")).to_be_hidden()
        expect(page.locator("#status")).to_have_text("Der Techniker hat die Sitzung beendet.")


def test_a_request_the_technician_withdraws_closes_the_consent(
    platform: Platform, technician_token: str, page: Page
) -> None:
    with technician(platform, technician_token) as console:
        session_id = join(platform, technician_token, page, console)
        share = request_screen(console, session_id)
        expect(page.locator("#screen-consent")).to_be_visible()

        console.say("screen.stop", session=session_id, share=share["id"])
        console.heard("screen.ok")

        expect(page.locator("#screen-consent")).to_be_hidden()
        expect(page.locator("#messages li.screen-event").last).to_have_text(f"{ALICE.name} stopped the screen sharing.")


def test_the_technicians_own_screen_opens_a_viewer_the_customer_may_close(
    platform: Platform, technician_token: str, page: Page
) -> None:
    with technician(platform, technician_token) as console:
        session_id = join(platform, technician_token, page, console)

        # When the technician shares their own screen
        console.say("screen.share", session=session_id)
        share = console.heard("screen.ok")["share"]
        assert (share["from"], share["state"]) == ("technician", "live")

        # Then the page shows a panel for it, named, with a video and a full-screen button
        viewer = page.get_by_role("region", name=f"{ALICE.name}'s screen")
        expect(viewer).to_be_visible()
        expect(viewer.locator("video#screen-view")).to_have_count(1)
        expect(viewer.get_by_role("button", name="Full screen")).to_be_visible()
        expect(page.locator("#messages li.screen-event").last).to_have_text(f"{ALICE.name} is sharing their screen.")

        # When the customer closes it, the share ends, stopped by the customer
        viewer.get_by_role("button", name="Stop viewing").click()
        stopped = console.event("screen_stopped")
        assert (stopped["sender_role"], stopped["screen"], stopped["reason"]) == ("visitor", "technician", "stopped")
        expect(viewer).to_be_hidden()


# The technician's side, in a second page: a portal page inlines peer.js, whose viewer it opens.
OPEN_VIEWER = """() => {
  window.sent = [];
  window.state = "";
  window.peer = DesklessPeer.open({
    role: "viewer", iceServers: [], signal: (message) => window.sent.push(message),
    onState: (state) => { window.state = state; }, onStream: () => {},
  });
}"""


def connect_viewer(viewer: Page, console: Console, session_id: str, share: dict[str, Any]) -> None:
    """Relay the signals between the customer's page (through the server) and the viewer's page
    (through the console's socket, as the console would) until WebRTC connects."""
    viewer.evaluate(OPEN_VIEWER)
    viewer.evaluate("(signal) => peer.receive(signal)", {"description": console.offer()["description"]})
    deadline = time.monotonic() + 15
    while viewer.evaluate("() => window.state") not in ("direct", "relayed"):
        assert time.monotonic() < deadline, "WebRTC did not connect on loopback"
        for message in viewer.evaluate("() => window.sent.splice(0)"):
            console.say("screen.signal", session=session_id, share=share["id"], **message)
        for signal in console.signals():
            viewer.evaluate("(signal) => peer.receive(signal)", {"candidate": signal["candidate"]})


def test_the_technicians_pointer_and_marks_show_over_the_preview(
    platform: Platform, technician_token: str, page: Page, browser: Browser
) -> None:
    with technician(platform, technician_token) as console, browser_page(browser) as viewer:
        session_id = join(platform, technician_token, page, console)
        share = request_screen(console, session_id)
        page.get_by_role("button", name="Share my screen").click()
        viewer.goto(portal(platform, "/join"))
        connect_viewer(viewer, console, session_id, share)

        # When the technician points at a quarter of the width, half of the height (sent until
        # the data channel is open: before that, points are dropped)
        viewer.evaluate("() => { window.pointing = setInterval(() => peer.point({t: 'move', x: 0.25, y: 0.5}), 100); }")

        # Then a dot with their name shows there over the preview
        pointer = page.locator("#screen-pointer")
        expect(pointer).to_be_visible()
        expect(pointer).to_have_attribute("data-x", "0.25")
        expect(pointer).to_have_attribute("data-y", "0.5")
        expect(pointer).to_have_text(ALICE.name)
        stage = page.locator(".screen-stage").bounding_box()
        dot = pointer.bounding_box()
        assert stage
        assert dot
        assert abs(dot["x"] + dot["width"] / 2 - (stage["x"] + stage["width"] * 0.25)) <= 2
        assert abs(dot["y"] + dot["height"] / 2 - (stage["y"] + stage["height"] * 0.5)) <= 2

        # When they draw a stroke, it shows as a path over the preview, then fades away
        viewer.evaluate("() => peer.point({t: 'mark', points: [[0.1, 0.1], [0.5, 0.2], [0.9, 0.8]]})")
        marks = page.locator("svg#screen-marks path")
        expect(marks).to_have_count(1)
        expect(marks).to_have_attribute("d", "M0.1 0.1 L0.5 0.2 L0.9 0.8")
        expect(marks).to_have_count(0)

        # When they stop pointing, the dot goes
        viewer.evaluate("() => { clearInterval(window.pointing); peer.point({t: 'hide'}); }")
        expect(pointer).to_be_hidden()


def test_a_dismissed_picker_ends_the_accepted_share_in_plain_words(
    platform: Platform, technician_token: str, page: Page
) -> None:
    # Given a browser whose picker the customer closes without choosing
    page.add_init_script(
        "navigator.mediaDevices.getDisplayMedia = () => Promise.reject(new DOMException('closed', 'NotAllowedError'));"
    )
    with technician(platform, technician_token) as console:
        session_id = join(platform, technician_token, page, console, lang="cs")
        request_screen(console, session_id)

        # When they accept, then dismiss the picker
        page.get_by_role("button", name="Sdílet moji obrazovku").click()

        # Then the share they accepted ends as "cancelled", and the page says why, in Czech
        assert console.event("screen_accepted")["sender_role"] == "visitor"
        stopped = console.event("screen_stopped")
        assert (stopped["sender_role"], stopped["reason"]) == ("visitor", "cancelled")
        expect(page.locator("#messages li.screen-event").last).to_have_text(
            "Sdílení obrazovky skončilo: nebylo vybráno nic ke sdílení."
        )
        expect(page.locator("#screen-banner")).to_be_hidden()


def test_a_browser_that_cannot_share_declines_as_unsupported(
    platform: Platform, technician_token: str, page: Page
) -> None:
    # Given a browser without screen capture
    page.add_init_script("delete MediaDevices.prototype.getDisplayMedia;")
    with technician(platform, technician_token) as console:
        session_id = join(platform, technician_token, page, console)
        request_screen(console, session_id)

        page.get_by_role("button", name="Share my screen").click()

        declined = console.event("screen_declined")
        assert (declined["sender_role"], declined["reason"]) == ("visitor", "unsupported")
        expect(page.locator("#messages li.screen-event").last).to_have_text("This browser cannot share your screen.")


def test_a_reloaded_page_asks_again_and_shows_the_screen_events_so_far(
    platform: Platform, technician_token: str, page: Page
) -> None:
    with technician(platform, technician_token) as console:
        session_id = join(platform, technician_token, page, console)
        share = request_screen(console, session_id)
        expect(page.locator("#screen-consent")).to_be_visible()

        # When the customer reloads the page before answering
        page.reload()

        # Then the page resumes the session, shows the request in the thread and asks again
        expect(page.locator("#messages li.screen-event")).to_have_text([f"{ALICE.name} asked to see your screen."])
        expect(page.get_by_role("alertdialog", name=f"{ALICE.name} asks to see your screen")).to_be_focused()

        # and the answer still counts
        page.get_by_role("button", name="No, thanks").click()
        declined = console.event("screen_declined")
        assert declined["reason"] == "declined"
        assert console.heard("screen.ended")["share"]["id"] == share["id"]


# The technician's own screen, in a second page: a canvas that keeps changing, offered by peer.js's sharer.
OPEN_SHARER = """() => {
  const canvas = document.createElement("canvas");
  canvas.width = 320;
  canvas.height = 180;
  const context = canvas.getContext("2d");
  let frame = 0;
  setInterval(() => {
    context.fillStyle = `hsl(${(frame += 7) % 360} 80% 50%)`;
    context.fillRect(0, 0, 320, 180);
  }, 50);
  window.sent = [];
  window.peer = DesklessPeer.open({
    role: "sharer", iceServers: [], stream: canvas.captureStream(15),
    signal: (message) => window.sent.push(message), onState: () => {},
  });
}"""


def test_the_customer_sees_the_technicians_screen_live(
    platform: Platform, technician_token: str, page: Page, browser: Browser
) -> None:
    with technician(platform, technician_token) as console, browser_page(browser) as sharer:
        session_id = join(platform, technician_token, page, console)

        # When the technician shares their own screen (their browser offers it)
        console.say("screen.share", session=session_id)
        share = console.heard("screen.ok")["share"]
        sharer.goto(portal(platform, "/join"))
        sharer.evaluate(OPEN_SHARER)

        # (the console relays its browser's signals, and the page's back, until the page shows it)
        video = page.locator("video#screen-view")
        deadline = time.monotonic() + 15
        while not video.evaluate("video => video.videoWidth > 0 && video.currentTime > 0"):
            assert time.monotonic() < deadline, "the technician's screen did not reach the page"
            for message in sharer.evaluate("() => window.sent.splice(0)"):
                console.say("screen.signal", session=session_id, share=share["id"], **message)
            for signal in console.signals():
                sharer.evaluate(
                    "(signal) => peer.receive(signal)",
                    {k: signal[k] for k in ("description", "candidate") if k in signal},
                )

        # Then the page shows it playing, connected, at the picture's size
        expect(page.locator("#screen-view-state")).to_have_text("Connected")
        assert video.evaluate("video => [video.videoWidth, video.videoHeight]") == [320, 180]
        playing = video.evaluate("video => video.currentTime")
        page.wait_for_function("([video, then]) => video.currentTime > then", arg=[video.element_handle(), playing])

        # When the technician stops, the panel goes and the page lets go of the stream
        console.say("screen.stop", session=session_id, share=share["id"])
        console.heard("screen.ok")
        expect(page.locator("#screen-viewer")).to_be_hidden()
        assert video.evaluate("video => video.srcObject") is None


def test_a_dropped_connection_ends_the_share_and_the_page_says_so_when_back(
    platform: Platform, technician_token: str, page: Page
) -> None:
    with technician(platform, technician_token) as console:
        session_id = join(platform, technician_token, page, console)
        share_screen(page, console, session_id)

        # When API Gateway drops the page's connection while it shares
        (connection_id,) = visitor_connections(platform, session_id)
        local_client("apigatewaymanagementapi", platform.base).delete_connection(ConnectionId=connection_id)

        # Then the share ends as "left" by the customer, the page stops sharing, and once connected
        # again it tells why in the thread
        stopped = console.event("screen_stopped")
        assert (stopped["sender_role"], stopped["reason"]) == ("visitor", "left")
        expect(page.locator("#screen-banner")).to_be_hidden()
        expect(page.locator("#messages li.screen-event").last).to_have_text(
            "The screen sharing ended: this page lost its connection."
        )
        expect(page.locator("#status")).to_have_text("Connected")
