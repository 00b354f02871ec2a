"""`deskless dev` as a child process on free ports, and Debian's Chromium, for programs that drive
the platform as its clients do (the end-to-end tests, the benchmarks, `deskless screenshots`).
The platform starts fresh (new local AWS, demo data), is ready when it writes its ready file, and
stops with the block (and by itself should its parent die first)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT_S = 60
# httpx builds a TLS context for each client unless handed one, loading the CA bundle: about 50 ms
# of CPU a client. The local platform speaks plain HTTP; the clients of tests and benchmarks share
# this one, so they do not take the cores the platform is measured on.
CLIENT_TLS = ssl.create_default_context()
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's; Playwright's own download is not used
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update")
# A fake camera and screen, and a screen picker that picks the whole screen by itself: a page's
# getDisplayMedia answers without a person (the screen-sharing tests and benchmark).
SCREEN_CAPTURE_ARGS = (
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--auto-select-desktop-capture-source=Entire screen",
)


@contextmanager
def dev_process(folder: Path, *options: str) -> Iterator[tuple[subprocess.Popen[bytes], dict[str, Any]]]:
    """The running platform's process and what it announced (its URLs and "port"); `options` are
    more `deskless dev` options. Its log is `folder`/platform.log."""
    ready = folder / "ready.json"
    log_path = folder / "platform.log"
    command = [sys.executable, "-m", "local.cli", "dev", "--port", "0", "--smtp-port", "0"]
    command += ["--ready-file", str(ready), "--log-level", "WARNING", "--exit-with-parent", *options]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
        try:
            deadline = time.monotonic() + READY_TIMEOUT_S
            while not ready.exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"deskless dev did not start:\n{log_path.read_text()}")
                time.sleep(0.05)
            yield process, json.loads(ready.read_text())
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def chromium(playwright: Playwright, *, screen_capture: bool = False) -> Browser:
    """Debian's Chromium, headless, through Playwright (`screen_capture`: with SCREEN_CAPTURE_ARGS)."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *(SCREEN_CAPTURE_ARGS if screen_capture else ())]
    )
