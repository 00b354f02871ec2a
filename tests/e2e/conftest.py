"""The end-to-end suite starts `deskless dev` as a subprocess on free ports, once, and drives it
as clients do: HTTP, WebSocket, SMTP, and a real browser."""

from __future__ import annotations

import smtplib
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from websockets.sync.client import ClientConnection, connect

from local.launch import CLIENT_TLS, chromium, dev_process
from local.moto_app import SENT_MAIL_PATH
from local.seed import DEMO_STAFF
from local.services import LocalNames, local_client


@dataclass
class Platform:
    port: int
    urls: dict[str, Any]
    process: subprocess.Popen[bytes]
    names: LocalNames

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def http(self, host: str | None = None) -> httpx.Client:
        """A client for the gateway; `host` is sent as the Host header (Python cannot resolve *.localhost)."""
        headers = {"host": f"{host}:{self.port}"} if host else {}
        # A function's first request imports it, and a sign-in hashes: on a busy 2-core machine, seconds.
        return httpx.Client(base_url=self.base, headers=headers, timeout=30, verify=CLIENT_TLS)

    def websocket_url(self, token: str | None = None) -> str:
        return f"ws://127.0.0.1:{self.port}/ws" + (f"?token={token}" if token is not None else "")

    def aws(self, service: str) -> Any:
        return local_client(service, self.urls["aws"])

    def login(self, email: str, password: str) -> str:
        with self.http() as client:
            response = client.post("/api/auth/login", json={"email": email, "password": password})
        response.raise_for_status()
        return str(response.json()["token"])


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class Technician:
    """A technician hired for one test module: their id, name and a signed-in token."""

    id: str
    name: str
    token: str


TECHNICIAN_PASSWORD = "e2e-technician-password"


def hire(platform: Platform, admin_token: str, name: str) -> Technician:
    """A new technician, through the admin API (a unique email each time), signed in."""
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.com"
    with platform.http() as client:
        created = client.post(
            "/api/staff",
            headers=bearer(admin_token),
            json={"email": email, "name": name, "role": "technician", "password": TECHNICIAN_PASSWORD},
        )
    assert created.status_code == 201, created.text
    return Technician(id=created.json()["id"], name=name, token=platform.login(email, TECHNICIAN_PASSWORD))


def wait_for(check: Any, timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll until `check()` returns something truthy, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(interval)
    raise AssertionError(f"nothing after {timeout} s")


def visitor_socket(answer: dict[str, Any]) -> ClientConnection:
    """The visitor's WebSocket, with the address and token an answer gave them (a chat request's,
    waiting on it; a code's join)."""
    return connect(f"{answer['websocket_url']}?token={answer['token']}")


def mail_to(platform: Platform, address: str) -> list[dict[str, Any]]:
    """What the platform sent to `address` alone (its outbox, `/_local/outbox`), oldest first."""
    with platform.http() as client:
        return [mail for mail in client.get("/_local/outbox").json() if mail["to"] == [address]]


def send_mail(platform: Platform, sender: str, subject: str, text: str = "Hello.", **headers: str) -> None:
    """Write to the support address over SMTP, as a customer's mail program does."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = f"support@{platform.names.mail_domain}"
    message["Subject"] = subject
    for name, value in headers.items():
        message[name] = value
    message.set_content(text)
    host, port = platform.urls["smtp"].rsplit(":", 1)
    with smtplib.SMTP(host, int(port), timeout=10) as smtp:
        smtp.send_message(message)


def sent_message(platform: Platform, address: str, subject: str) -> Message:
    """The raw message SES sent to `address` under `subject` (local AWS keeps it), with the headers
    a mail program answers (Message-ID, References)."""
    sent = httpx.get(platform.urls["aws"].rstrip("/") + SENT_MAIL_PATH, timeout=30).json()
    for message in reversed(sent):
        parsed = BytesParser(policy=default).parsebytes(message["raw"].encode("utf-8", "surrogateescape"))
        if str(parsed["To"]) == address and str(parsed["Subject"]) == subject:
            return parsed
    raise AssertionError(f"no message to {address} titled {subject!r}")


def reply_by_mail(platform: Platform, sender: str, mail: dict[str, Any], text: str) -> None:
    """Answer an email the platform sent (as `mail_to` lists it) as a mail program does: "Re:" its
    subject, In-Reply-To and References from its headers, and the whole of it quoted below the answer."""
    address = sender.rsplit("<", 1)[-1].rstrip(">")
    original = sent_message(platform, address, mail["subject"])
    quoted = "\n".join(f"> {line}" for line in mail["text"].splitlines())
    references = " ".join(str(header) for header in (original["References"], original["Message-ID"]) if header)
    threading = {"In-Reply-To": str(original["Message-ID"]), "References": references}
    body = f"{text}\n\nOn Sun, 6 Dec 2026 at 12:00, Support <{platform.names.mail_from}> wrote:\n{quoted}\n"
    send_mail(platform, sender, f"Re: {mail['subject']}", body, **threading)


@contextmanager
def started_platform(folder: Path, *options: str) -> Iterator[Platform]:
    """`deskless dev` on free ports, fresh (new local AWS, demo data), with more `options`, until
    the block ends; its TTL reaper is slowed so that tests decide when items expire (/_local/ttl)."""
    with dev_process(folder, "--ttl-interval", "3600", *options) as (process, urls):
        yield Platform(port=urls["port"], urls=urls, process=process, names=LocalNames())


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    with started_platform(tmp_path_factory.mktemp("platform")) as started:
        yield started


@pytest.fixture(scope="session")
def admin_token(platform: Platform) -> str:
    admin = DEMO_STAFF[0]
    return platform.login(admin.email, admin.password)


@pytest.fixture(scope="session")
def technician_token(platform: Platform) -> str:
    technician = DEMO_STAFF[1]
    return platform.login(technician.email, technician.password)


def unique(prefix: str) -> str:
    """A name no other test (nor an earlier run on the same platform) has used."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def api(platform: Platform, admin_token: str) -> Iterator[httpx.Client]:
    """What the admin's token may do over HTTP, to set the scene and to check outcomes."""
    with platform.http() as client:
        client.headers.update(bearer(admin_token))
        yield client


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium driven by Playwright, for one test module at a time: Playwright's sync API
    keeps an event loop running while it lives, which other suites' handlers (Mangum) must not meet."""
    with sync_playwright() as playwright:
        browser = chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def screens() -> Iterator[Browser]:
    """Headless Chromium whose pages may share a (fake) screen without asking a person (its picker
    picks the whole screen by itself: local.launch.SCREEN_CAPTURE_ARGS), for one test module."""
    with sync_playwright() as playwright:
        browser = chromium(playwright, screen_capture=True)
        yield browser
        browser.close()


# What a page shows may wait behind a function's first import and a busy 2-core machine (the
# whole suite runs beside it): a browser test waits up to 15 s for it, not Playwright's 5 s.
expect.set_options(timeout=15_000)


# What the portals' forms let one address send (functions.portals.public's and sign_in's limits).
THROTTLED = ("chat_request", "portal_message", "password_reset_source")


def forget_throttling(platform: Platform) -> None:
    """Forget what 127.0.0.1 (every local client) has sent through the portals' forms lately."""
    dynamodb = platform.aws("dynamodb")
    for kind in THROTTLED:
        for source in ("127.0.0.1", "::1"):
            found = dynamodb.query(
                TableName=platform.names.table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": f"THROTTLE#{kind}#{source}"}},
            )
            for item in found["Items"]:
                dynamodb.delete_item(TableName=platform.names.table, Key={"pk": item["pk"], "sk": item["sk"]})


@contextmanager
def browser_page(browser: Browser, locale: str = "en-GB", **options: Any) -> Iterator[Page]:
    """A page in a context of its own that fails the test on a script error or a CSP refusal."""
    context = browser.new_context(locale=locale, **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if "Refused to" in message.text else None)
    try:
        yield page
    finally:
        context.close()
    assert errors == [], "the page failed (a script error, or something its Content-Security-Policy refused)"


@pytest.fixture
def untouched_budget(platform: Platform) -> Iterator[None]:
    """Every local client is 127.0.0.1: a test of the portals' forms starts with that address's
    budget untouched, and leaves it so for the suites that follow."""
    forget_throttling(platform)
    yield
    forget_throttling(platform)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page that fails the test on a script error or a CSP refusal."""
    with browser_page(browser) as opened:
        yield opened


@pytest.fixture
def console(browser: Browser) -> Iterator[Page]:
    """A page for the operator console, whose context may read and write the clipboard."""
    with browser_page(browser, permissions=["clipboard-read", "clipboard-write"]) as opened:
        yield opened
