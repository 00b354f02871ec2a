"""The join page in a real browser (Debian's Chromium through Playwright) on `deskless dev`: a
customer opens the join link of a real code, gives their name, joins, and chats with the
technician (a WebSocket client with the technician's token) until the technician ends it.
Waits are Playwright's own (expect, wait_for): nothing sleeps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect
from websockets.sync.client import ClientConnection, connect

from local.seed import DEMO_SUBDOMAIN
from local.services import local_client
from tests.e2e.conftest import Platform, bearer
from tests.e2e.test_sessions import ALICE, create_code, receive, say

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if "Refused to" in message.text else None)
    yield page
    context.close()
    assert errors == [], "the page failed (a script error, or something its Content-Security-Policy refused)"


def portal(platform: Platform, path: str) -> str:
    return f"http://{DEMO_SUBDOMAIN}.localhost:{platform.port}{path}"


def redeemed_news(console: ClientConnection, code: str) -> dict[str, Any]:
    """What the technician's console is told of the customer who came with `code`. The technician's
    other codes (of earlier tests) may be told late, on this socket too: they are skipped."""
    while (news := receive(console, "code.redeemed"))["code"] != code:
        pass
    return news


def test_a_customer_joins_by_link_and_chats_with_the_technician(
    platform: Platform, technician_token: str, page: Page
) -> None:
    code = create_code(platform, technician_token, "Browser")
    with connect(platform.websocket_url(technician_token)) as console:
        # Given the customer opened the code's join link: it asks for their name only
        page.goto(portal(platform, f"/join/{code['code']}"))
        expect(page.get_by_role("heading", name="Join a support session")).to_be_visible()
        expect(page.get_by_text(f"gave you the code {code['code'][:3]} ")).to_be_visible()
        expect(page.get_by_label("Session code")).to_have_count(0)

        # When they give it and join
        page.get_by_label("Your name").fill("Carla Customer")
        page.get_by_role("button", name="Join session").click()

        # Then the technician's console hears of it and joins; the page shows the chat
        redeemed = redeemed_news(console, code["code"])
        assert redeemed["session"]["visitor_name"] == "Carla Customer"
        session_id = redeemed["session"]["id"]
        say(console, "session.join", session=session_id)
        receive(console, "session.joined")
        expect(page.get_by_role("heading", name=f"Chat with {ALICE.name}")).to_be_visible()
        expect(page.locator("#status")).to_have_text("Connected")

        # When the customer types a message and presses Enter, it reaches the technician
        page.get_by_label("Your message").fill("My printer is on fire <b>really</b>")
        page.get_by_label("Your message").press("Enter")
        sent = receive(console, "chat.message")["message"]
        assert (sent["sender_role"], sent["sender_name"]) == ("visitor", "Carla Customer")
        assert sent["text"] == "My printer is on fire <b>really</b>"
        expect(page.get_by_label("Your message")).to_have_value("")

        # and the technician's reply appears in the page, as text
        say(console, "chat.send", session=session_id, text="Unplug it, <i>now</i>.")
        messages = page.get_by_role("list", name="Messages")
        said = messages.locator("li.message")
        expect(said).to_have_count(2)
        expect(said.last).to_contain_text("Unplug it, <i>now</i>.")
        expect(said.last).to_contain_text(ALICE.name)
        expect(said.first).to_contain_text("My printer is on fire <b>really</b>")
        expect(messages.locator("b, i")).to_have_count(0)

        # When the technician ends the session, the page says so and stops taking messages
        say(console, "session.end", session=session_id)
        receive(console, "session.ended")
        expect(page.locator("#status")).to_have_text("The technician ended the session.")
        expect(page.get_by_role("button", name="Send")).to_be_disabled()
        expect(page.get_by_role("button", name="End session")).to_be_hidden()

    # and the technician's transcript holds both messages in order
    with platform.http() as client:
        transcript = client.get(f"/api/sessions/{session_id}/messages", headers=bearer(technician_token)).json()
    assert [m["sender_role"] for m in transcript["messages"]] == ["visitor", "technician"]


def test_the_chat_survives_a_dropped_connection_and_a_reload(
    platform: Platform, technician_token: str, page: Page
) -> None:
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    code = create_code(platform, technician_token, "Flaky network")
    with connect(platform.websocket_url(technician_token)) as console:
        page.goto(portal(platform, f"/join/{code['code']}"))
        page.get_by_label("Your name").fill("Gil")
        page.get_by_role("button", name="Join session").click()
        session_id = redeemed_news(console, code["code"])["session"]["id"]
        say(console, "session.join", session=session_id)
        receive(console, "session.joined")
        expect(page.locator("#status")).to_have_text("Connected")
        said = page.get_by_role("list", name="Messages").locator("li.message")

        # When API Gateway drops the page's connection, and the technician writes meanwhile
        (connection_id,) = visitor_connections(platform, session_id)
        local_client("apigatewaymanagementapi", platform.base).delete_connection(ConnectionId=connection_id)
        say(console, "chat.send", session=session_id, text="Did you get this?")
        assert receive(console, "chat.message")["message"]["text"] == "Did you get this?"  # the sender's copy

        # Then the page connects again by itself and shows what was written
        expect(said).to_have_count(1, timeout=15000)
        expect(said.first).to_contain_text("Did you get this?")
        expect(page.locator("#status")).to_have_text("Connected", timeout=15000)
        assert len(sockets) == 2

        # When the page is reloaded, it resumes the session (the code is spent) with its transcript
        page.reload()
        expect(page.get_by_role("heading", name=f"Chat with {ALICE.name}")).to_be_visible()
        expect(page.locator("#status")).to_have_text("Connected")
        expect(said).to_have_count(1)
        page.get_by_label("Your message").fill("Yes, thanks.")
        page.get_by_role("button", name="Send").click()
        assert receive(console, "chat.message")["message"]["text"] == "Yes, thanks."


def visitor_connections(platform: Platform, session_id: str) -> list[str]:
    found = platform.aws("dynamodb").query(
        TableName=platform.names.table,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"CONNS#visitor-{session_id}"}},
    )
    return [item["connection_id"]["S"] for item in found["Items"]]


def test_the_customer_ends_the_session_from_the_page(platform: Platform, technician_token: str, page: Page) -> None:
    code = create_code(platform, technician_token, "Ending")
    with connect(platform.websocket_url(technician_token)) as console:
        page.goto(portal(platform, "/join?lang=de"))
        page.get_by_label("Sitzungscode").fill(code["code"])
        page.get_by_label("Ihr Name").fill("Dora")
        page.get_by_role("button", name="Teilnehmen").click()
        session_id = redeemed_news(console, code["code"])["session"]["id"]
        say(console, "session.join", session=session_id)
        receive(console, "session.joined")
        expect(page.locator("#status")).to_have_text("Verbunden")

        page.get_by_role("button", name="Sitzung beenden").click()

        expect(page.locator("#status")).to_have_text("Sie haben die Sitzung beendet.")
        assert receive(console, "session.ended")["by"] == "visitor"


def test_a_wrong_code_and_too_many_attempts_are_explained_in_the_pages_language(platform: Platform, page: Page) -> None:
    # The redemption API is stubbed here: real failures would count against this machine's address
    answers = iter(
        [
            (404, {}, {"error": "code_invalid", "message": "This code is not valid."}),
            (429, {"retry-after": "120"}, {"error": "too_many_attempts", "message": "Too many attempts."}),
        ]
    )

    def redeem(route: Route) -> None:
        status, headers, body = next(answers)
        route.fulfill(status=status, headers=headers, content_type="application/json", body=json.dumps(body))

    page.route("**/api/join", redeem)
    page.goto(portal(platform, "/join?lang=es"))
    page.get_by_label("Código de sesión").fill("123 456 789")
    page.get_by_label("Su nombre").fill("Eva")

    page.get_by_role("button", name="Unirse a la sesión").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Este código no es válido. Compruebe los dígitos o pida un código nuevo a su técnico."
    )
    expect(page.get_by_label("Código de sesión")).to_have_attribute("aria-invalid", "true")

    page.get_by_role("button", name="Unirse a la sesión").click()
    expect(page.get_by_role("alert")).to_contain_text("Demasiados intentos. Vuelva a intentarlo a las ")
    expect(page.get_by_role("button", name="Unirse a la sesión")).to_be_disabled()


def test_an_invitation_that_dies_while_its_page_is_open_says_so(
    platform: Platform, technician_token: str, page: Page
) -> None:
    with platform.http() as client:
        invitation = client.post("/api/invitations", headers=bearer(technician_token), json={"language": "cs"}).json()
    link = invitation["url"] + "?lang=cs"
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "cs")

    # When the link is invalidated before the visitor joins
    with platform.http() as client:
        assert client.delete(f"/api/invitations/{invitation['token']}", headers=bearer(technician_token)).is_success
    page.get_by_label("Vaše jméno").fill("Franta")
    page.get_by_role("button", name="Připojit se").click()

    # Then the form gives way to the message; opening the link again says the same, with 410
    expect(page.get_by_role("heading", name="Tato pozvánka už není platná.")).to_be_visible()
    expect(page.get_by_label("Vaše jméno")).to_have_count(0)
    reopened = page.goto(link)
    assert reopened is not None
    assert reopened.status == 410
    expect(page.get_by_role("heading", name="Tato pozvánka už není platná.")).to_be_visible()


def test_the_page_fits_a_phone(platform: Platform, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(portal(platform, "/join"))
    width = phone.evaluate("document.documentElement.scrollWidth")
    name = phone.get_by_label("Your name").bounding_box()
    context.close()
    assert width <= 360
    assert name is not None
    assert name["x"] >= 0
    assert name["x"] + name["width"] <= 360
