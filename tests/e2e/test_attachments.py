"""Attachments on `deskless dev`: a contact signed in on the demo portal asks for an upload form,
uploads with a real HTTP POST to the URL it names (moto's S3, in its own process, checking the
form's policy as S3 does), and a ticket takes the upload (take_uploads, called here as the tickets
function will); and a portal page's Content-Security-Policy lets the browser post there."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page

from deskless.attachments import download_url, take_uploads
from deskless.settings import get_settings
from local.services import function_environment
from tests.e2e.callers import PORTAL_HOST, contact_headers, portal_client, portal_contact
from tests.e2e.conftest import Platform, unique


@pytest.fixture
def deskless_here(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """deskless.attachments in this process, on the platform's moto, as its functions run."""
    values = function_environment(
        platform.names,
        moto_url=platform.urls["aws"],
        public_url=f"http://localhost:{platform.port}",
        websocket_url=f"ws://localhost:{platform.port}/ws",
        callback_url="http://127.0.0.1:9",
    )
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def carla(platform: Platform, admin_token: str) -> dict[str, str]:
    """A contact of the demo company, signed in on its portal: the headers their browser sends."""
    return contact_headers(platform, portal_contact(platform, admin_token, f"Carla {unique('c')}"))


def ask_for_form(platform: Platform, headers: dict[str, str], **file: object) -> httpx.Response:
    body = {"name": "screen shot.png", "content_type": "image/png", "size": 8, **file}
    with portal_client(platform) as portal:
        return portal.post("/api/portal/attachments", json=body, headers=headers)


@pytest.mark.usefixtures("deskless_here")
def test_a_contact_uploads_to_the_form_and_a_ticket_takes_it(platform: Platform, carla: dict[str, str]) -> None:
    with portal_client(platform) as portal:
        me = portal.get("/api/portal/me", headers=carla).json()

    form = ask_for_form(platform, carla)
    answer = form.json()
    uploaded = httpx.post(answer["url"], data=answer["fields"], files={"file": ("x.png", b"\x89PNG\r\n\x1a\n")})
    [taken] = take_uploads(f"contact:{me['id']}", [answer["attachment_id"]], 1001, already_bytes=0)
    downloaded = httpx.get(download_url(taken))

    assert form.status_code == 201
    assert answer["url"] == f"{platform.urls['aws']}/{platform.names.attachments_bucket}"
    assert uploaded.status_code == 204
    assert (taken.name, taken.size, taken.content_type) == ("screen shot.png", 8, "image/png")
    assert downloaded.content == b"\x89PNG\r\n\x1a\n"
    assert downloaded.headers["content-disposition"] == "inline; filename*=UTF-8''screen%20shot.png"


def test_s3_refuses_a_larger_file_than_the_form_was_for(platform: Platform, carla: dict[str, str]) -> None:
    answer = ask_for_form(platform, carla, size=4).json()

    uploaded = httpx.post(answer["url"], data=answer["fields"], files={"file": ("x.png", b"12345")})

    assert uploaded.status_code == 400
    assert "EntityTooLarge" in uploaded.text


def test_the_portal_route_refuses_a_form_without_the_sessions_csrf_token(
    platform: Platform, carla: dict[str, str]
) -> None:
    answer = ask_for_form(platform, {**carla, "x-csrf-token": "forged"})

    assert (answer.status_code, answer.json()["error"]) == (403, "forbidden")


def test_a_portal_page_lets_the_browser_post_the_upload_to_the_bucket(
    platform: Platform, carla: dict[str, str], page: Page
) -> None:
    form = ask_for_form(platform, carla).json()
    page.goto(f"http://{PORTAL_HOST}:{platform.port}/help/sign-in")

    status = page.evaluate(
        """async (form) => {
            const body = new FormData();
            for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
            body.append("file", new Blob([new Uint8Array(8)], { type: "image/png" }), "x.png");
            const answer = await fetch(form.url, { method: "POST", body });
            return answer.status;
        }""",
        form,
    )

    assert status == 204  # the CSP let it through (the page fixture fails on a refusal), and CORS let it be read
    with portal_client(platform) as portal:
        policy = portal.get("/help/sign-in").headers["content-security-policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    for directive in ("connect-src", "form-action", "img-src"):
        assert platform.urls["aws"] in directives[directive], directive
