"""Page helpers for the console's browser tests (tests/e2e/test_console_*_browser.py).

- open_console(page, platform, email, password, view): sign in through the console's own form;
- sign_in(page, platform, technician): the same, for a technician made with `hire`;
- connected(page): wait until the signed-in console hears what the service pushes to it;
- NOTIFICATION_HOOK (an init script) and notifications(page): what the console's notifier fired;
- BACKGROUND_WINDOW (an init script): the console believes nobody looks at it, and browser
  notifications are allowed (each one shown is recorded in window.__shown);
- admin_settings(platform, admin_token, **change): admin settings changed for a block, then restored;
- confirm(page, button): answer the open confirmation dialog; clipboard(page): what was copied
  (in the `console` fixture's page, which may use the clipboard);
- stop_the_clock(page): the page's clock (installed) stands still: timers fire only as the test moves it;
- LateAnswers(page, action) / LateJoin(page): the console's WebSocket, routed, with the answers
  to an action held back, so they come after the pushes of later news (see ARCHITECTURE.md,
  "Answers and pushes cross"); heard(page, messages): wait for a routed socket or route.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sized
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Page, WebSocketRoute, expect

from tests.e2e.conftest import TECHNICIAN_PASSWORD, Platform, Technician, bearer

# Every alert the console fires is dispatched as a "deskless:notify" event; this records them.
NOTIFICATION_HOOK = """
window.__notifications = [];
window.addEventListener("deskless:notify", (event) => window.__notifications.push(event.detail));
"""

# The window is never focused, and browser notifications are allowed: each one shown is recorded.
BACKGROUND_WINDOW = """
window.__shown = [];
class RecordedNotification {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title, options = {}) {
    this.title = title;
    this.body = options.body || "";
    window.__shown.push({ title, body: this.body });
  }
  close() {}
}
window.Notification = RecordedNotification;
document.hasFocus = () => false;
"""


def console_url(platform: Platform) -> str:
    return f"http://localhost:{platform.port}/static/console/"


def open_console(page: Page, platform: Platform, email: str, password: str, view: str = "") -> None:
    """Open the console (at a view, if given) and sign in; returns once the signed-in shell shows."""
    page.goto(console_url(platform) + (f"#/{view}" if view else ""))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def email_of(platform: Platform, technician: Technician) -> str:
    with platform.http() as client:
        me = client.get("/api/me", headers=bearer(technician.token))
    assert me.status_code == 200, me.text
    return str(me.json()["email"])


def sign_in(page: Page, platform: Platform, technician: Technician) -> None:
    open_console(page, platform, email_of(platform, technician), TECHNICIAN_PASSWORD)


def connected(page: Page) -> None:
    """Wait until the console freshly signed in is connected and Online: its WebSocket is open
    and the service has answered the presence it set on it. The console shows signed in before
    that, and what the service pushes before it (a new ticket, a customer's reply, a rule's
    notice, a customer who came with a code) never reaches the page, or finds no presence there
    to decide whether to alert."""
    expect(page.get_by_role("banner").get_by_label("Status")).to_have_value("online")


def notifications(page: Page, kind: str | None = None) -> list[dict[str, Any]]:
    """The alerts fired so far (with NOTIFICATION_HOOK installed), of one kind if given."""
    fired: list[dict[str, Any]] = page.evaluate("window.__notifications || []")
    return [alert for alert in fired if kind is None or alert["kind"] == kind]


@contextmanager
def admin_settings(platform: Platform, admin_token: str, **change: Any) -> Iterator[None]:
    """Admin settings changed for the block (they are global to the platform), then restored."""
    with platform.http() as client:
        before = client.get("/api/settings", headers=bearer(admin_token))
        assert before.status_code == 200, before.text
        changed = client.patch("/api/settings", headers=bearer(admin_token), json=change)
        assert changed.status_code == 200, changed.text
    try:
        yield
    finally:
        restore = {key: before.json()[key] for key in change}
        with platform.http() as client:
            restored = client.patch("/api/settings", headers=bearer(admin_token), json=restore)
        assert restored.status_code == 200, restored.text


def confirm(page: Page, button: str) -> None:
    """Answer the open confirmation dialog with `button`; it closes."""
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=button, exact=True).click()
    expect(dialog).to_have_count(0)


def stop_the_clock(page: Page) -> None:
    """Stop the page's clock (`page.clock.install()` first) about where it is: from then on its timers
    fire only as the test moves it (a notice stays, a countdown waits), however slow the machine."""
    page.clock.pause_at((page.evaluate("Date.now()") + 2000) / 1000)  # Python takes seconds


def clipboard(page: Page) -> str:
    return str(page.evaluate("navigator.clipboard.readText()"))


def heard(page: Page, messages: Sized, count: int = 1) -> None:
    """Wait until a routed WebSocket has put `count` messages in `messages`: Playwright runs the
    route's handlers only while a call of the page's is under way, so the wait is the page's."""
    for _ in range(200):
        if len(messages) >= count:
            return
        page.wait_for_timeout(50)
    raise AssertionError("the WebSocket brought nothing in 10 s")


class LateAnswers:
    """The console's WebSocket, routed: the answers to its `action` requests sent while `holding`
    are held back (the server has read what they answer with) until `release()`. The pushes of
    type `noting` (customers' arrivals, `code.redeemed`, unless told) are noted in `arrivals`."""

    def __init__(self, page: Page, action: str, *, holding: bool = False, noting: str = "code.redeemed") -> None:
        self.page = page
        self.action = action
        self.holding = holding
        self.noting = noting
        self.arrivals: list[str | bytes] = []
        self.held: list[str | bytes] = []
        self.late: set[str] = set()  # the ids of the requests whose answers are held
        self.sockets: list[WebSocketRoute] = []
        page.route_web_socket(re.compile(r"/ws\?"), self.route)

    def route(self, socket: WebSocketRoute) -> None:
        self.sockets.append(socket)
        server = socket.connect_to_server()

        def from_page(message: str | bytes) -> None:
            sent = json.loads(message)
            if self.holding and sent.get("action") == self.action:
                self.late.add(sent["id"])
            server.send(message)

        def from_server(message: str | bytes) -> None:
            answer = json.loads(message)
            if answer.get("id") in self.late:
                self.held.append(message)
                return
            self.arrivals.extend([message] if answer.get("type") == self.noting else [])
            socket.send(message)

        socket.on_message(from_page)
        server.on_message(from_server)

    def first(self) -> dict[str, Any]:
        """The first held answer, once there is one."""
        heard(self.page, self.held)
        answer: dict[str, Any] = json.loads(self.held[0])
        return answer

    def release(self) -> None:
        """Deliver the first held answer."""
        self.sockets[0].send(self.held[0])


class LateJoin(LateAnswers):
    """Once `replay()` has delivered the customer's arrival again (a stream delivers at least
    once), the answer to the join the console makes of it is held back."""

    def __init__(self, page: Page) -> None:
        super().__init__(page, "session.join")

    def replay(self) -> dict[str, Any]:
        """Deliver the first arrival again (once its chat is open); the answer of the join it makes."""
        heard(self.page, self.arrivals)
        self.holding = True
        self.sockets[0].send(self.arrivals[0])
        return self.first()

    def release(self) -> None:
        """Deliver the held answer, and return once the console has taken it in: the arrival
        delivered after it has made the console join again (that answer is held too)."""
        held = len(self.held)
        super().release()
        self.sockets[0].send(self.arrivals[0])
        heard(self.page, self.held, held + 1)
