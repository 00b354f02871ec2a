"""`deskless screenshots`: the console's main screens as PNG files in docs/screenshots/.

It starts `deskless dev` on free ports (fresh local AWS, demo data), stages what a working day
looks like over HTTP and the WebSocket API as clients do (a second company with its portal, two
active session codes and an invitation of Alice's, an open chat with a few messages and a
visitor waiting in the queue), then signs in with Debian's Chromium at 1280x800 — Alice for the
operator's screens, Ada for the admin's — and saves one viewport shot per screen. Each shot
waits for its view's heading; a screen that does not come is reported and skipped.
"""

from __future__ import annotations

import itertools
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from websockets.sync.client import ClientConnection, connect

from local.launch import CLIENT_TLS, chromium, dev_process
from local.seed import DEMO_STAFF, DEMO_SUBDOMAIN, DemoLogin

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
HEADING_TIMEOUT_MS = 15_000
SETTLE_MS = 600  # lists load after the heading shows; let them, and any entry transition, finish

ADMIN, ALICE, BOB = DEMO_STAFF
_visitor_addresses = itertools.count(2)  # each visitor from a loopback address of its own: 127.0.0.2, ...


@dataclass(frozen=True)
class Shot:
    """One screen: the file, whose browser (the operator's or the admin's), the view, and what to
    do once its heading shows (open a dialog, say)."""

    name: str
    login: DemoLogin
    view: str
    then: Callable[[Page], None] | None = None


def open_embed_dialog(page: Page) -> None:
    page.get_by_role("button", name="Show URLs and code of Acme").click()
    page.get_by_role("dialog").get_by_text("Chat widget").wait_for(timeout=HEADING_TIMEOUT_MS)


SHOTS = (
    Shot("desk.png", ALICE, "desk"),
    Shot("codes.png", ALICE, "codes"),
    Shot("invitations.png", ALICE, "invitations"),
    Shot("staff.png", ADMIN, "staff"),
    Shot("companies.png", ADMIN, "companies", open_embed_dialog),
    Shot("settings.png", ADMIN, "settings"),
)


# --- the platform ---------------------------------------------------------------------------------


@contextmanager
def local_platform(folder: Path) -> Iterator[int]:
    """`deskless dev` on free ports until the block ends; yields its HTTP port."""
    with dev_process(folder) as (_, announced):
        yield int(announced["port"])


# --- clients ----------------------------------------------------------------------------------------


class Client:
    """HTTP and WebSocket clients of one running platform."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"

    def http(self, *, token: str | None = None, host: str | None = None, address: str | None = None) -> httpx.Client:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        if host:
            headers["host"] = f"{host}:{self.port}"
        transport = httpx.HTTPTransport(local_address=address, verify=CLIENT_TLS) if address else None
        return httpx.Client(base_url=self.base, headers=headers, transport=transport, timeout=10, verify=CLIENT_TLS)

    def login(self, who: DemoLogin) -> str:
        return str(self.call("POST", "/api/auth/login", json={"email": who.email, "password": who.password})["token"])

    def call(self, method: str, path: str, *, token: str | None = None, **options: Any) -> Any:
        with self.http(token=token) as client:
            response = client.request(method, path, **options)
        if response.is_error:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()

    def socket(self, token: str, url: str | None = None) -> ClientConnection:
        return connect(f"{url or f'ws://127.0.0.1:{self.port}/ws'}?token={token}")


def say(socket: ClientConnection, action: str, **body: Any) -> None:
    socket.send(json.dumps({"action": action, **body}))


def receive(
    socket: ClientConnection, kind: str, where: Callable[[dict[str, Any]], bool] = bool, timeout: float = 10.0
) -> dict[str, Any]:
    """The next message of that type (for which `where` holds) on the socket, others skipped; an
    error stops the script."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        message: dict[str, Any] = json.loads(socket.recv(timeout=left))
        if "error" in message:
            raise RuntimeError(f"waiting for {kind}: {message}")
        if message.get("type") == kind and where(message):
            return message
    raise RuntimeError(f"no {kind} within {timeout} s")


# --- the staged day ---------------------------------------------------------------------------------


def saying(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda message: bool(message["message"]["text"] == text)


def ask_for_chat(client: Client, name: str, question: str) -> dict[str, Any]:
    """A visitor on Acme's portal asks for a chat, from a loopback address of its own."""
    address = f"127.0.0.{next(_visitor_addresses)}"
    with client.http(host=f"{DEMO_SUBDOMAIN}.localhost", address=address) as visitor:
        response = visitor.post(
            "/api/portal/chat-requests",
            json={"name": name, "email": f"{name.split()[0].lower()}@customer.example", "question": question},
        )
    if response.status_code != 201:
        raise RuntimeError(f"chat request: {response.status_code} {response.text}")
    request: dict[str, Any] = response.json()
    return request


def stage(client: Client, sockets: ExitStack) -> None:
    """What the screens show; the sockets stay open (visitors present, Alice available) until the end."""
    admin, alice = client.login(ADMIN), client.login(ALICE)
    staff = {user["email"]: user["id"] for user in client.call("GET", "/api/staff", token=admin)}

    globex = client.call(
        "POST", "/api/companies", token=admin, json={"name": "Globex", "technician_ids": [staff[BOB.email]]}
    )
    client.call(
        "POST",
        f"/api/companies/{globex['id']}/portal",
        token=admin,
        json={"subdomain": "globex", "language": "de", "allowed_origins": ["https://www.globex.example"]},
    )
    for name in ("Carla at Acme reception", "Printer in meeting room 2"):
        client.call("POST", "/api/codes", token=alice, json={"name": name, "portal": DEMO_SUBDOMAIN})
    client.call("POST", "/api/invitations", token=alice, json={"label": "Dan, accounts", "language": "en"})

    # Alice's console is open and online: Acme's portal offers a chat.
    console = sockets.enter_context(client.socket(alice))
    say(console, "heartbeat")
    receive(console, "presence")
    say(console, "presence.set", status="online")
    receive(console, "presence")

    # A chat in progress: the first visitor was accepted, and they have written to each other.
    first = ask_for_chat(client, "Carla Customer", "The printer on the second floor says PC LOAD LETTER.")
    waiting = sockets.enter_context(client.socket(first["token"], first["websocket_url"]))
    say(console, "chat.accept", request=first["request_id"])
    session_id = receive(console, "chat.accepted")["session"]["id"]
    entry = receive(waiting, "chat.accepted")["entry"]
    visitor = sockets.enter_context(client.socket(entry["token"], entry["websocket_url"]))
    for sender, reader, text in (
        (console, visitor, "Hi Carla, Alice here. Is there paper in tray 2?"),
        (visitor, console, "Yes, I filled it this morning."),
        (console, visitor, "Thanks. I am sending you a session code so I can look at the printer's settings."),
        (visitor, console, "Great, thank you!"),
    ):
        say(sender, "chat.send", session=session_id, text=text)
        receive(reader, "chat.message", where=saying(text))

    # And a second visitor waits in the queue.
    second = ask_for_chat(client, "Dan Visitor", "How do I reset my VPN password?")
    sockets.enter_context(client.socket(second["token"], second["websocket_url"]))
    receive(console, "chat.requested")


# --- the browser ------------------------------------------------------------------------------------


def console_url(client: Client) -> str:
    return f"http://localhost:{client.port}/static/console/"


def signed_in(browser: Browser, client: Client, who: DemoLogin, stack: ExitStack, login_shot: Path | None) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    stack.callback(context.close)
    page = context.new_page()
    page.goto(console_url(client))
    page.get_by_label("Email").fill(who.email)
    page.get_by_label("Password").fill(who.password)
    if login_shot:
        page.screenshot(path=str(login_shot))
    page.get_by_role("button", name="Sign in").click()
    page.locator(".shell").wait_for(timeout=HEADING_TIMEOUT_MS)
    return page


def take(page: Page, client: Client, shot: Shot) -> None:
    page.goto(f"{console_url(client)}#/{shot.view}")
    page.locator("#main h1").first.wait_for(timeout=HEADING_TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.querySelector('#main')?.innerText.includes('Loading…')", timeout=HEADING_TIMEOUT_MS
    )
    if shot.then:
        shot.then(page)
    page.wait_for_timeout(SETTLE_MS)
    page.evaluate("document.getElementById('toasts')?.replaceChildren()")  # "Signed in as ..." is not the screen
    page.screenshot(path=str(OUTPUT / shot.name))


def first_line(error: Exception) -> str:
    return str(error).splitlines()[0]


def main() -> int:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    made: list[str] = []
    missed: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="deskless-screenshots-") as folder,
        local_platform(Path(folder)) as port,
        ExitStack() as stack,
    ):
        client = Client(port)
        stage(client, stack)
        playwright = stack.enter_context(sync_playwright())
        browser = chromium(playwright)
        stack.callback(browser.close)
        pages: dict[DemoLogin, Page] = {}
        for who, login_shot in ((ALICE, "login.png"), (ADMIN, None)):
            try:
                pages[who] = signed_in(browser, client, who, stack, OUTPUT / login_shot if login_shot else None)
            except PlaywrightError as error:
                missed.append(f"every screen of {who.email}: signing in failed ({first_line(error)})")
                continue
            if login_shot:
                made.append(login_shot)
        for shot in SHOTS:
            if shot.login not in pages:
                continue
            try:
                take(pages[shot.login], client, shot)
                made.append(shot.name)
            except PlaywrightError as error:
                missed.append(f"{shot.name} ({first_line(error)})")
    print(f"Screenshots in {OUTPUT.relative_to(ROOT)}: {', '.join(made) or 'none'}")
    if missed:
        print("Not made:\n  " + "\n  ".join(missed), file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
