"""Page helpers for the console's browser tests (tests/e2e/test_console_*_browser.py).

- open_console(page, platform, email, password, view): sign in through the console's own form;
- sign_in(page, platform, technician): the same, for a technician made with `hire`;
- NOTIFICATION_HOOK (an init script) and notifications(page): what the console's notifier fired;
- BACKGROUND_WINDOW (an init script): the console believes nobody looks at it, and browser
  notifications are allowed (each one shown is recorded in window.__shown);
- admin_settings(platform, admin_token, **change): admin settings changed for a block, then restored;
- confirm(page, button): answer the open confirmation dialog; clipboard(page): what was copied
  (in the `console` fixture's page, which may use the clipboard).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Page, expect

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


def clipboard(page: Page) -> str:
    return str(page.evaluate("navigator.clipboard.readText()"))
