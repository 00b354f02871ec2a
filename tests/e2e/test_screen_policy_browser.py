"""What the pages' headers let WebRTC do, in a real browser (Debian's Chromium through Playwright)
on `deskless dev`: a portal's join page and the console may capture a screen and use no camera,
microphone or location, a portal page without the chat may not capture one, and the strict
Content-Security-Policy of both (unchanged by screen sharing) lets a peer connection carry a
picture to a video element over loopback without a single refusal (`browser_page` fails the test
on any). The console runs the shared WebRTC script from /static/console/peer.js, as its page will."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from deskless.edge import CONSOLE_PEER_SCRIPT
from tests.e2e.conftest import Platform, wait_for
from tests.e2e.test_portal_browser import Crew, found_company

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("untouched_budget")]

ALLOWS = "feature => document.featurePolicy.allowsFeature(feature)"

# A picture (a canvas that keeps changing) carried by the shared script (functions/portals/assets/peer.js)
# from a sharer to a viewer in the same page, each signalling straight to the other, and shown by a
# <video> through srcObject: the width of the viewer's first frame.
PEER_LOOPBACK = """async () => {
  const canvas = Object.assign(document.createElement("canvas"), { width: 64, height: 48 });
  const context = canvas.getContext("2d");
  let hue = 0;
  const paint = setInterval(() => {
    hue = (hue + 7) % 360;
    context.fillStyle = `hsl(${hue}, 60%, 50%)`;
    context.fillRect(0, 0, 64, 48);
  }, 20);
  const stream = canvas.captureStream(25);
  const video = Object.assign(document.createElement("video"), { muted: true, autoplay: true });
  document.body.append(video);
  const peers = {};
  const shown = new Promise((resolve, reject) => {
    const states = (role) => (state, reason) => { if (state === "failed") reject(new Error(`${role}: ${reason}`)); };
    peers.viewer = DesklessPeer.open({
      role: "viewer", iceServers: [], signal: (message) => peers.sharer.receive(message),
      onState: states("viewer"), onStream: (remote) => { video.srcObject = remote; resolve(); },
    });
    peers.sharer = DesklessPeer.open({
      role: "sharer", iceServers: [], stream, signal: (message) => peers.viewer.receive(message),
      onState: states("sharer"), onPointer: () => {},
    });
  });
  await shown;
  await DesklessPeer.firstFrame(video);
  clearInterval(paint);
  peers.sharer.close();
  peers.viewer.close();
  return video.videoWidth;
}"""


@pytest.fixture(scope="module")
def crew(platform: Platform, admin_token: str) -> Crew:
    return found_company(platform, admin_token, "Policy Works", ())


def test_the_join_page_may_capture_a_screen_and_its_csp_lets_webrtc_show_a_picture(crew: Crew, page: Page) -> None:
    # Given a portal's join page, which runs the session's chat, under its own strict policy
    answer = page.goto(crew.url("/join"))
    assert answer is not None
    assert "default-src 'none'" in answer.headers["content-security-policy"]

    # Then it may ask for a screen, and for no camera, microphone or location
    assert page.evaluate(ALLOWS, "display-capture") is True
    for feature in ("camera", "microphone", "geolocation"):
        assert page.evaluate(ALLOWS, feature) is False, feature
    # and a picture goes from one peer connection to another and shows in a video, nothing refused
    assert page.evaluate(PEER_LOOPBACK) == 64


def test_a_portal_page_without_the_chat_may_not_capture_a_screen(crew: Crew, page: Page) -> None:
    page.goto(crew.url("/help/sign-in"))

    assert page.evaluate(ALLOWS, "display-capture") is False
    assert page.evaluate(ALLOWS, "camera") is False


def test_the_console_runs_the_shared_webrtc_script_under_its_own_policy(platform: Platform, page: Page) -> None:
    # Given the console's page, which loads the shared script from beside it
    page.goto(f"http://localhost:{platform.port}/static/console/")
    wait_for(lambda: page.evaluate("typeof globalThis.DesklessPeer") == "object")
    assert page.evaluate("[...document.scripts].map((script) => new URL(script.src, location).pathname)")[0] == (
        CONSOLE_PEER_SCRIPT
    )

    # Then the console may ask for a screen, and for no camera, microphone or location
    assert page.evaluate(ALLOWS, "display-capture") is True
    for feature in ("camera", "microphone", "geolocation"):
        assert page.evaluate(ALLOWS, feature) is False, feature
    # and a sharer and a viewer of peer.js carry a picture to a video, nothing refused
    assert page.evaluate(PEER_LOOPBACK) == 64


def test_what_the_other_side_sends_on_the_pointer_channel_becomes_a_pointer_message_or_nothing(
    platform: Platform, page: Page
) -> None:
    # Given the shared script, as the console loads it
    page.goto(f"http://localhost:{platform.port}/static/console/")
    wait_for(lambda: page.evaluate("typeof globalThis.DesklessPeer") == "object")
    sent = [
        {"t": "move", "x": 0.25, "y": 2},
        {"t": "move", "x": "0.5", "y": 0.5},
        {"t": "hide", "extra": "<b>"},
        {"t": "mark", "points": [[0.1, 0.2], [0.3, "x"], "no", [-1, 0.4]]},
        {"t": "mark", "points": [["a", "b"]]},
        {"t": "mark", "points": [[0.5, 0.5]] * 600},
        {"t": "script", "x": 0, "y": 0},
        None,
    ]

    # When each is checked as the sharer checks what comes over the data channel
    checked = page.evaluate("(sent) => sent.map((message) => DesklessPeer.pointerMessage(message))", sent)

    # Then fractions are held to 0..1, anything else is dropped, and a mark keeps at most 500 points
    assert checked[:5] == [
        {"t": "move", "x": 0.25, "y": 1},
        None,
        {"t": "hide"},
        {"t": "mark", "points": [[0.1, 0.2], [0, 0.4]]},
        None,
    ]
    assert len(checked[5]["points"]) == 500
    assert checked[6:] == [None, None]
