"""Screen sharing on loopback: how long from the customer accepting "Request screen" to the first
frame of their screen in the technician's console.

    python -m bench.screen_share [--runs 10]

It starts `deskless dev` on free ports, signs the demo technician in to the console in Debian's
headless Chromium (with a fake screen and a picker that chooses it by itself:
local.launch.SCREEN_CAPTURE_ARGS), and then, `--runs` times: a customer joins with a new session
code on the demo portal's join page (a fresh browser context), the technician presses "Request
screen", and the clock starts when the customer presses "Share my screen". It stops when the
console's video has a picture (its size known: the first frame decoded), watched on every
animation frame. The path in between: `screen.answer`, the capture, `screen.start` and
`screen.ice` (each a realtime function call), the offer, the answer and the ICE candidates relayed
through the realtime function, the connection, and the first frame. Both browsers run on this
machine, so their clocks are one."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

import httpx
from playwright.sync_api import Page, expect, sync_playwright

from bench.dev import percentile, platform
from local.launch import CLIENT_TLS, chromium
from local.seed import DEMO_STAFF, DEMO_SUBDOMAIN

TECHNICIAN = DEMO_STAFF[1]

# Records, in the console, when a screen-share video first has a picture (epoch ms).
FIRST_PICTURE = """
window.__firstPicture = null;
const watch = () => {
  const video = document.querySelector("section.screen-panel video.screen-video");
  if (video && video.videoWidth > 0 && window.__firstPicture === null) window.__firstPicture = Date.now();
  requestAnimationFrame(watch);
};
requestAnimationFrame(watch);
"""


def share_once(console: Page, customer: Page, port: int, token: str, run: int) -> float:
    """Milliseconds from the customer's consent to the first frame in the console."""
    with httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"authorization": f"Bearer {token}"}, verify=CLIENT_TLS
    ) as api:
        created = api.post("/api/codes", json={"name": f"Bench {run}", "portal": DEMO_SUBDOMAIN})
        created.raise_for_status()
    customer.goto(f"http://{DEMO_SUBDOMAIN}.localhost:{port}/join/{created.json()['code']}")
    name = f"Bench Customer {run}"
    customer.get_by_label("Your name").fill(name)
    customer.get_by_role("button", name="Join session").click()
    expect(customer.locator("#status")).to_have_text("Connected")
    chat = console.get_by_role("article", name=f"Chat with {name}")
    console.get_by_role("button", name=f"{name}").first.click()
    expect(chat).to_contain_text("Visitor present")
    console.evaluate("window.__firstPicture = null")
    chat.get_by_role("button", name="Request screen").click()
    expect(customer.locator("#screen-accept")).to_be_visible()
    accepted: float = customer.evaluate("Date.now()")
    customer.locator("#screen-accept").click()
    deadline = time.monotonic() + 30
    while (shown := console.evaluate("window.__firstPicture")) is None:  # (the console's CSP allows no eval)
        if time.monotonic() > deadline:
            raise TimeoutError("no picture in the console after 30 s")
        time.sleep(0.05)
    customer.get_by_role("button", name="End session").click()
    expect(chat).to_contain_text("ended the chat")
    chat.get_by_role("button", name="Close").click()
    return float(shown) - accepted


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.screen_share", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="shares, each with a new customer (default 10)")
    args = parser.parse_args(argv)
    with platform() as announced, sync_playwright() as playwright:
        port = int(announced["port"])
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", verify=CLIENT_TLS) as anonymous:
            login = anonymous.post("/api/auth/login", json={"email": TECHNICIAN.email, "password": TECHNICIAN.password})
            login.raise_for_status()
        browser = chromium(playwright, screen_capture=True)
        console = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        console.add_init_script(FIRST_PICTURE)
        console.goto(f"http://localhost:{port}/static/console/#/desk")
        console.get_by_label("Email").fill(TECHNICIAN.email)
        console.get_by_label("Password").fill(TECHNICIAN.password)
        console.get_by_role("button", name="Sign in").click()
        expect(console.get_by_role("heading", name="Queue")).to_be_visible()
        times = []
        for run in range(args.runs):
            context = browser.new_context()
            times.append(share_once(console, context.new_page(), port, login.json()["token"], run) / 1000)
            context.close()
        browser.close()
    print(f"Screen sharing on loopback ({args.runs} shares, local mode; consent -> first frame in the console)")
    print(f"  median  {statistics.median(times) * 1000:6.0f} ms")
    print(f"  p90     {percentile(times, 90):6.0f} ms")
    print(f"  min     {min(times) * 1000:6.0f} ms   max {max(times) * 1000:.0f} ms")
    print(
        "  each, in order (the first meets the functions' first calls): " + ", ".join(f"{t * 1000:.0f}" for t in times)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
