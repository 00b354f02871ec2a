"""Screen sharing in the operator console (issue 15), in a real browser on `deskless dev`: the
technician asks to see the customer's screen, waits for their consent, sees it beside the chat
and points and draws on it; a refusal is said; the technician shares their own screen; Stop and
the session's end take the panel down; the events are notices in the thread and the transcript.

The customer is not their page here (the customer's page has tests of its own): it is a Python
WebSocket client, or, where real WebRTC is wanted, a blank page of its own with the shared
peer.js and a canvas as the "screen", talking the design's protocol over its own WebSocket.
Chromium runs with a fake capture picker, so "Share my screen" picks the whole (fake) screen."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from websockets.sync.client import ClientConnection

from deskless.sessions import Message, Session, transcript_text
from tests.e2e.conftest import Platform, Technician, bearer, browser_page, visitor_socket, wait_for
from tests.e2e.console import LateJoin
from tests.e2e.test_console_desk_browser import REACHED_AT_ITS_CENTRE, came_with_a_code, chat_with, on_duty, staffed
from tests.e2e.test_sessions import receive, say

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("untouched_budget")]

PEER_JS = Path(__file__).parents[2] / "functions/portals/assets/peer.js"


@pytest.fixture(scope="module")
def browser(screens: Browser) -> Browser:
    """This module's pages may share a (fake) screen."""
    return screens


def event_lines(transcript: str) -> list[str]:
    """The screen events of a plain-text transcript: its lines "[time] sentence", not the messages'
    "[time] Name: text" (no event's sentence has a colon)."""
    stamped = (line.split("] ", 1)[1] for line in transcript.splitlines() if line.startswith("["))
    return [line for line in stamped if ": " not in line]


def ticket_transcript(platform: Platform, technician: Technician, session_id: str) -> str:
    """The transcript a ticket keeps as a file (deskless.sessions.transcript_text) of the session
    and its messages, as the sessions API reads them."""
    with platform.http() as client:
        read = client.get(f"/api/sessions/{session_id}/messages", headers=bearer(technician.token))
    assert read.status_code == 200, read.text
    session = Session.model_validate(read.json()["session"])
    return transcript_text(session, [Message.model_validate(message) for message in read.json()["messages"]])


def socket_of(visit: dict[str, Any]) -> ClientConnection:
    return visitor_socket(visit)


def asked(socket: ClientConnection, action: str, **body: Any) -> dict[str, Any]:
    """Send an action with an id and return its answer (pushed events before it are skipped)."""
    socket.send(json.dumps({"action": action, "id": "v1", **body}))
    while True:
        message: dict[str, Any] = json.loads(socket.recv(timeout=10))
        if message.get("id") == "v1":
            assert "error" not in message, message
            return message


def panel(chat: Locator) -> Locator:
    return chat.locator("section.screen-panel")


def notices(chat: Locator) -> Locator:
    return chat.get_by_role("log", name="Messages").locator("li.notice-line")


# The customer's browser, reduced to what screen sharing needs: its WebSocket, the shared peer.js,
# and a canvas that changes every 50 ms as the screen it shares. window.customer records what
# reaches it: the shares it was told of, the pointer messages, the events, its video's frames.
CUSTOMER = """
window.customer = (() => {
  const seen = { updates: [], ended: [], pointer: [], state: [], frames: 0 };
  let ws;
  let peer = null;
  const early = []; // signals that came before this side's peer was open
  let sequence = 0;
  const pending = new Map();
  const request = (action, body) =>
    new Promise((resolve, reject) => {
      sequence += 1;
      const id = `v${sequence}`;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ ...body, action, id }));
    });
  function received({ data }) {
    const message = JSON.parse(data);
    const waiting = message.id && pending.get(message.id);
    if (waiting) {
      pending.delete(message.id);
      if (message.error) waiting.reject(new Error(message.error));
      else waiting.resolve(message);
      return;
    }
    if (message.type === "screen.update") seen.updates.push(message.share);
    if (message.type === "screen.ended") {
      seen.ended.push({ share: message.share.id, by: message.by, reason: message.reason });
      if (peer) peer.close();
      peer = null;
    }
    if (message.type === "screen.signal") {
      const signal = message.description ? { description: message.description } : { candidate: message.candidate };
      if (peer) peer.receive(signal);
      else early.push(signal);
    }
  }
  async function connect(url) {
    ws = new WebSocket(url);
    ws.addEventListener("message", received);
    await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));
  }
  async function start(session, share, role, stream) {
    const { ice_servers } = await request("screen.ice", { session });
    peer = DesklessPeer.open({
      role,
      iceServers: ice_servers,
      stream,
      signal: (message) => request("screen.signal", { session, share, ...message }),
      onState: (state) => seen.state.push(state),
      onPointer: (message) => seen.pointer.push(message),
      onStream: (remote) => {
        const video = document.createElement("video");
        video.muted = true;
        video.autoplay = true;
        video.srcObject = remote;
        document.body.append(video);
        video.requestVideoFrameCallback(function count() {
          seen.frames += 1;
          video.requestVideoFrameCallback(count);
        });
      },
    });
    for (const signal of early.splice(0)) peer.receive(signal);
  }
  /** Say yes to the technician's request and share a 640x360 canvas (16:9) as the screen. */
  async function share(session, share) {
    const canvas = document.createElement("canvas");
    canvas.width = 640;
    canvas.height = 360;
    document.body.append(canvas);
    const paint = canvas.getContext("2d");
    let tick = 0;
    setInterval(() => {
      tick += 1;
      paint.fillStyle = `hsl(${(tick * 17) % 360} 60% 50%)`;
      paint.fillRect(0, 0, 640, 360);
    }, 50);
    await request("screen.answer", { session, share, accept: true });
    await request("screen.start", { session, share });
    await start(session, share, "sharer", canvas.captureStream(15));
  }
  return { seen, connect, request, share, view: (session, share) => start(session, share, "viewer") };
})();
"""


def customer_page(page: Page, visit: dict[str, Any]) -> Page:
    page.add_script_tag(content=PEER_JS.read_text())
    page.add_script_tag(content=CUSTOMER)
    page.evaluate("(url) => customer.connect(url)", f"{visit['websocket_url']}?token={visit['token']}")
    return page


def seen(page: Page, what: str) -> Any:
    return page.evaluate(f"customer.seen.{what}")


# Where the video's picture is (object-fit: contain letterboxes it), in page coordinates.
PICTURE = """
(video) => {
  const box = video.getBoundingClientRect();
  const ratio = Math.min(box.width / video.videoWidth, box.height / video.videoHeight);
  const width = video.videoWidth * ratio;
  const height = video.videoHeight * ratio;
  return { x: box.x + (box.width - width) / 2, y: box.y + (box.height - height) / 2, width, height,
           boxWidth: box.width, boxHeight: box.height };
}
"""


def test_the_technician_sees_the_customer_s_screen_beside_the_chat_points_and_draws_on_it_and_stops(
    platform: Platform, admin_token: str, browser: Browser, tmp_path: Path
) -> None:
    crew = staffed(platform, admin_token, "Vera Viewer")
    vera: Technician = crew.technicians[0]
    with (
        browser_page(browser, viewport={"width": 1280, "height": 800}) as console,
        browser_page(browser) as customer,
    ):
        on_duty(console, crew)
        visit = came_with_a_code(platform, crew, "Carla Screen")
        session = visit["session_id"]
        chat = chat_with(console, "Carla Screen")
        request = chat.get_by_role("button", name="Request screen")

        # Given the customer has not connected yet: the screen cannot be asked for, and why is said
        expect(request).to_be_disabled()
        expect(request).to_have_accessible_description("Carla Screen is not in the chat now.")
        expect(panel(chat)).to_be_hidden()

        # When she is there and Vera asks to see her screen
        customer_page(customer, visit)
        expect(request).to_be_enabled()
        request.click()

        # Then the customer is asked, the panel waits for her, and the thread says who asked
        wait_for(lambda: seen(customer, "updates"))
        (requested,) = seen(customer, "updates")
        assert (requested["from"], requested["state"], requested["by_name"]) == ("visitor", "requested", vera.name)
        expect(panel(chat)).to_be_visible()
        expect(panel(chat).locator(".screen-state")).to_have_text("Waiting for Carla Screen to accept…")
        expect(request).to_be_disabled()
        expect(request).to_have_accessible_description("Waiting for Carla Screen to accept.")
        expect(notices(chat).last).to_contain_text(f"{vera.name} asked to see the screen.")

        # When she accepts and shares: the video plays in the panel, over a direct connection
        customer.evaluate("([session, share]) => customer.share(session, share)", [session, requested["id"]])
        expect(notices(chat).filter(has_text="Carla Screen agreed to share their screen.")).to_have_count(1)
        expect(notices(chat).filter(has_text="Carla Screen shared their screen.")).to_have_count(1)
        video = panel(chat).locator("video.screen-video")
        wait_for(lambda: video.evaluate("(v) => v.videoWidth > 0 && v.currentTime > 0"), timeout=20)
        expect(panel(chat).locator(".screen-state")).to_have_text("Direct connection")
        expect(panel(chat).get_by_role("status")).to_have_text("Direct connection")

        # And at 1280x800 the video and the composer show side by side, nothing covering Send
        send = chat.get_by_role("button", name="Send")
        expect(video).to_be_in_viewport()
        expect(send).to_be_in_viewport()
        assert send.evaluate(REACHED_AT_ITS_CENTRE), "something covers the Send button"
        chat.get_by_label("Your message").fill("I see it. Click the red button.")
        send.click()  # Playwright's actionability check fails on a covering element
        expect(chat.get_by_role("log", name="Messages").locator("li.message").last).to_contain_text("red button")

        # When Vera points: the customer gets fractions of the picture, not of the letterboxed element
        point = panel(chat).get_by_role("button", name="Point")
        point.click()
        expect(point).to_have_attribute("aria-pressed", "true")
        picture = video.evaluate(PICTURE)
        assert (picture["boxWidth"], picture["boxHeight"]) != (picture["width"], picture["height"])  # letterboxed
        centre = (picture["x"] + picture["width"] / 2, picture["y"] + picture["height"] / 2)

        def jiggle() -> list[Any]:  # moves are dropped until the data channel is open
            console.mouse.move(centre[0] + 1, centre[1])
            console.mouse.move(*centre)
            return list(seen(customer, "pointer"))

        wait_for(jiggle)
        # one step, so the only move away from the centre is the one to the quarter point
        console.mouse.move(picture["x"] + picture["width"] * 0.25, picture["y"] + picture["height"] * 0.75)
        (moved,) = wait_for(lambda: [m for m in seen(customer, "pointer") if m["t"] == "move" and m["x"] < 0.45])
        assert moved["x"] == pytest.approx(0.25, abs=0.01)
        assert moved["y"] == pytest.approx(0.75, abs=0.01)
        # and leaving the video hides the pointer
        console.mouse.move(5, 5)
        wait_for(lambda: seen(customer, "pointer")[-1] == {"t": "hide"})

        # When she draws a stroke in Draw mode, it goes as one mark
        panel(chat).get_by_role("button", name="Draw").click()
        expect(point).to_have_attribute("aria-pressed", "false")
        console.mouse.move(picture["x"] + picture["width"] * 0.1, picture["y"] + picture["height"] * 0.1)
        console.mouse.down()
        console.mouse.move(picture["x"] + picture["width"] * 0.5, picture["y"] + picture["height"] * 0.2, steps=5)
        console.mouse.up()
        expect(panel(chat).locator("svg.screen-marks path")).to_have_count(1)  # (it shows for 3 s)
        mark = wait_for(lambda: [m for m in seen(customer, "pointer") if m["t"] == "mark"])[0]
        assert len(mark["points"]) >= 2
        assert mark["points"][0] == pytest.approx([0.1, 0.1], abs=0.01)
        assert mark["points"][-1] == pytest.approx([0.5, 0.2], abs=0.01)

        # And the picture can be seen at its actual size, zoomed, and fit again
        actual = panel(chat).get_by_role("button", name="Actual size")
        actual.click()
        own_width = video.evaluate("(v) => v.videoWidth")
        expect(video).to_have_js_property("offsetWidth", own_width)
        panel(chat).get_by_role("button", name="Zoom in").click()
        expect(video).to_have_js_property("offsetWidth", round(own_width * 1.25))
        panel(chat).get_by_role("button", name="Zoom out").click()
        panel(chat).get_by_role("button", name="Fit").click()
        expect(panel(chat).get_by_role("button", name="Actual size")).to_be_visible()
        assert video.evaluate("(v) => v.getBoundingClientRect().width") == pytest.approx(picture["boxWidth"], abs=1)

        # And the panel goes full screen with its tools, and comes back
        panel(chat).get_by_role("button", name="Full screen").click()
        wait_for(lambda: console.evaluate("document.fullscreenElement?.classList.contains('screen-panel')"))
        panel(chat).get_by_role("button", name="Exit full screen").click()
        wait_for(lambda: console.evaluate("document.fullscreenElement === null"))
        expect(panel(chat).get_by_role("button", name="Full screen", exact=True)).to_be_visible()

        # When Vera stops it, the customer is told, the panel goes and the chat says so
        panel(chat).get_by_role("button", name="Stop sharing").click()
        wait_for(lambda: seen(customer, "ended"))
        assert seen(customer, "ended") == [{"share": requested["id"], "by": "technician", "reason": "stopped"}]
        expect(panel(chat)).to_be_hidden()
        expect(chat.locator(".screen-note")).to_have_text("You stopped viewing Carla Screen's screen.")
        expect(notices(chat).last).to_contain_text(f"{vera.name} stopped the sharing of Carla Screen's screen.")
        expect(request).to_be_enabled()

        # And the transcript in Recent chats has each event, in words, with its time
        console.get_by_role("link", name="Recent chats").click()
        row = console.get_by_role("table", name="Recent chats").get_by_role("row").filter(has_text="Carla Screen")
        row.get_by_role("button", name="Transcript").click()
        transcript = console.get_by_role("region", name="Chat with Carla Screen")
        expect(transcript.locator("li.notice-line")).to_have_text(
            [
                re.compile(rf"\d{{1,2}}:\d{{2}} {vera.name} asked to see the screen\.$"),
                re.compile(r"Carla Screen agreed to share their screen\.$"),
                re.compile(r"Carla Screen shared their screen\.$"),
                re.compile(rf"{vera.name} stopped the sharing of Carla Screen's screen\.$"),
            ]
        )
        with console.expect_download() as download:
            transcript.get_by_role("button", name="Download transcript").click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        lines = saved.read_text().splitlines()
        assert any(re.fullmatch(rf"\[[\d\- :]+\] {vera.name} asked to see the screen\.", line) for line in lines)

        # And the thread, the downloaded transcript and the ticket's transcript say the same words
        shown = transcript.locator("li.notice-line .text").all_inner_texts()
        assert len(shown) == 4
        assert shown == event_lines(saved.read_text()) == event_lines(ticket_transcript(platform, vera, session))


def test_a_refused_request_is_said_and_the_screen_can_be_asked_for_again(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Remy Refused")
    with browser_page(browser) as console:
        on_duty(console, crew)
        visit = came_with_a_code(platform, crew, "Dora Declines")
        chat = chat_with(console, "Dora Declines")
        with socket_of(visit) as customer:
            request = chat.get_by_role("button", name="Request screen")
            expect(request).to_be_enabled()

            # When the technician asks, and the customer (a Python client) is told
            request.click()
            update = receive(customer, "screen.update")
            assert (update["session"], update["share"]["state"]) == (visit["session_id"], "requested")

            # and she says no: the console says so, where a screen reader hears it, and in the thread
            asked(customer, "screen.answer", session=visit["session_id"], share=update["share"]["id"], accept=False)
            note = chat.locator(".screen-note")
            expect(note).to_have_text("Dora Declines declined to share their screen.")
            expect(note).to_have_attribute("role", "status")
            expect(notices(chat).last).to_contain_text("Dora Declines declined to share their screen.")
            expect(panel(chat)).to_be_hidden()

            # When the technician asks again, and she accepts: the console waits for her screen
            expect(request).to_be_enabled()
            request.click()
            update = receive(customer, "screen.update")
            asked(customer, "screen.answer", session=visit["session_id"], share=update["share"]["id"], accept=True)
            expect(panel(chat).locator(".screen-state")).to_have_text(
                "Dora Declines accepted: waiting for the customer's screen…"
            )

            # When her browser cannot share after all: the request is stopped with the reason
            asked(
                customer, "screen.stop", session=visit["session_id"], share=update["share"]["id"], reason="unsupported"
            )
            expect(note).to_have_text("Dora Declines stopped sharing their screen (the browser cannot share a screen).")
            expect(panel(chat)).to_be_hidden()


def test_a_join_answered_after_a_request_it_read_before_does_not_end_it(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    """A join reads the session first and answers after its writes, so its answer may come after
    the screen.update of a request made meanwhile, and not list it (the last CI saw it happen)."""
    crew = staffed(platform, admin_token, "Jo Joiner")
    with browser_page(browser) as console:
        joins = LateJoin(console)
        on_duty(console, crew)
        visit = came_with_a_code(platform, crew, "Dora Delayed")
        chat = chat_with(console, "Dora Delayed")
        with socket_of(visit) as customer:
            request = chat.get_by_role("button", name="Request screen")
            expect(request).to_be_enabled()

            # Given a join of the console's read the session (no screen shared or asked for yet),
            # and is slow to answer
            assert joins.replay()["session"]["screens"] == []

            # When the technician asks to see the customer's screen, and then the join's answer comes
            request.click()
            update = receive(customer, "screen.update")
            expect(panel(chat).locator(".screen-state")).to_have_text("Waiting for Dora Delayed to accept…")
            joins.release()

            # Then the request still waits, and her refusal is what the console says
            asked(customer, "screen.answer", session=visit["session_id"], share=update["share"]["id"], accept=False)
            expect(chat.locator(".screen-note")).to_have_text("Dora Delayed declined to share their screen.")


def test_the_technician_shares_their_own_screen_and_either_stop_ends_it(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    crew = staffed(platform, admin_token, "Sam Sharer")
    sam = crew.technicians[0]
    with browser_page(browser) as console, browser_page(browser) as customer:
        on_duty(console, crew)
        visit = came_with_a_code(platform, crew, "Una Viewer")
        session = visit["session_id"]
        chat = chat_with(console, "Una Viewer")
        customer_page(customer, visit)

        # When Sam shares his screen (the browser's picker picks the whole screen)
        chat.get_by_role("button", name="Share my screen").click()

        # Then the customer is told of a live share from the technician, and sees it
        shared = wait_for(lambda: seen(customer, "updates"))[0]
        assert (shared["from"], shared["state"], shared["by_name"]) == ("technician", "live", sam.name)
        customer.evaluate("([session, share]) => customer.view(session, share)", [session, shared["id"]])
        wait_for(lambda: seen(customer, "frames") > 2, timeout=20)

        # And the console says he is sharing, shows what, and offers no pointing at his own screen
        expect(chat.get_by_text("You are sharing your screen with Una Viewer.")).to_be_visible()
        expect(panel(chat).locator(".screen-state")).to_have_text("Direct connection")
        expect(panel(chat).get_by_role("heading")).to_have_text("Your screen")
        expect(panel(chat).get_by_role("button", name="Point")).to_be_hidden()
        expect(chat.get_by_role("button", name="Share my screen")).to_be_disabled()
        expect(notices(chat).last).to_contain_text(f"{sam.name} shared their screen.")

        # When the browser's own "Stop sharing" ends the capture, the share ends for both
        console.evaluate(BROWSER_STOPS_THE_CAPTURE)
        wait_for(lambda: seen(customer, "ended"))
        assert seen(customer, "ended") == [{"share": shared["id"], "by": "technician", "reason": "stopped"}]
        expect(panel(chat)).to_be_hidden()
        expect(chat.get_by_text("You are sharing your screen with Una Viewer.")).to_be_hidden()
        expect(notices(chat).last).to_contain_text(f"{sam.name} stopped sharing their screen.")
        expect(chat.get_by_role("button", name="Share my screen")).to_be_enabled()


# What the browser does when its own "Stop sharing" bar is used: the track ends, and says so
# (a track stopped by a script says nothing, so the test says it).
BROWSER_STOPS_THE_CAPTURE = """
() => {
  const [track] = document.querySelector("video.screen-video").srcObject.getVideoTracks();
  track.stop();
  track.dispatchEvent(new Event("ended"));
}
"""


def test_the_session_s_end_takes_the_screen_down(platform: Platform, admin_token: str, browser: Browser) -> None:
    crew = staffed(platform, admin_token, "Eli Ender")
    with browser_page(browser) as console:
        on_duty(console, crew)
        visit = came_with_a_code(platform, crew, "Fern Finish")
        chat = chat_with(console, "Fern Finish")
        with socket_of(visit) as customer:
            chat.get_by_role("button", name="Request screen").click()
            update = receive(customer, "screen.update")
            asked(customer, "screen.answer", session=visit["session_id"], share=update["share"]["id"], accept=True)
            expect(panel(chat)).to_be_visible()

            # When the customer ends the session
            say(customer, "session.end", session=visit["session_id"])

            # Then the panel and the screen buttons go, and the chat says it ended
            expect(chat).to_contain_text("Fern Finish ended the chat.")
            expect(panel(chat)).to_be_hidden()
            expect(chat.get_by_role("button", name="Request screen")).to_be_hidden()
            expect(notices(chat).last).to_contain_text("(the session ended)")
