"""The operator console: what a browser downloads, and how long signing in takes until the desk
is live (the queue loaded over the WebSocket).

    python -m bench.console [--runs 5]

It starts `deskless dev` on free ports, then in Debian's headless Chromium signs the demo
technician in `--runs` times, each in a fresh browser context (a cold cache), and reports the
median time from opening the console to the sign-in form, and from pressing "Sign in" to the
desk showing its queue, with the requests the page made. Sizes are of the files under
web/console/ (raw, and gzip level 6 as CloudFront compresses them).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from playwright.sync_api import Page, Request, expect, sync_playwright

from local.launch import ROOT, chromium, dev_process
from local.seed import DEMO_STAFF

CONSOLE = ROOT / "web" / "console"
TECHNICIAN = DEMO_STAFF[1]


def sizes() -> tuple[int, int, int]:
    """Files, raw bytes, gzipped bytes of the console."""
    files = [path for path in CONSOLE.rglob("*") if path.is_file()]
    raw = sum(path.stat().st_size for path in files)
    packed = sum(len(gzip.compress(path.read_bytes(), compresslevel=6)) for path in files)
    return len(files), raw, packed


def sign_in_once(page: Page, url: str) -> tuple[float, float, int]:
    """Seconds to the sign-in form, seconds from "Sign in" to a live desk, requests made."""
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    started = time.perf_counter()
    page.goto(url)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    form = time.perf_counter() - started
    page.get_by_label("Email").fill(TECHNICIAN.email)
    page.get_by_label("Password").fill(TECHNICIAN.password)
    pressed = time.perf_counter()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    expect(page.locator('.connection[data-state="open"]')).to_have_count(1)  # the WebSocket is up
    expect(page.get_by_label("Status")).to_have_value("online")  # and presence has answered
    return form, time.perf_counter() - pressed, len(requests)


def run(runs: int) -> list[tuple[float, float, int]]:
    with (
        tempfile.TemporaryDirectory() as folder,
        dev_process(Path(folder), "--no-reload") as (_, announced),
        sync_playwright() as playwright,
    ):
        browser = chromium(playwright)
        url = f"http://localhost:{announced['port']}/static/console/"
        results = []
        for _ in range(runs):
            context = browser.new_context()
            results.append(sign_in_once(context.new_page(), url))
            context.close()
        browser.close()
        return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.console", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="sign-ins, each in a fresh context (default 5)")
    args = parser.parse_args(argv)
    files, raw, packed = sizes()
    results = run(args.runs)
    form = statistics.median(r[0] for r in results) * 1000
    desk = statistics.median(r[1] for r in results) * 1000
    requests = statistics.median(r[2] for r in results)
    print(f"Operator console ({args.runs} sign-ins, each in a fresh browser context; medians)")
    weight = f"{files}, {raw / 1024:.1f} KiB raw, {packed / 1024:.1f} KiB gzipped"
    print(f"  files under web/console/                   {weight}")
    print(f"  open -> sign-in form                       {form:.0f} ms")
    print(f"  'Sign in' -> desk live (socket, presence)  {desk:.0f} ms")
    print(f"  requests made by the page                  {requests:.0f} (files, config, sign-in, /api/me, lists)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
