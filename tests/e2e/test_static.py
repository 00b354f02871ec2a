"""`deskless dev` serves the console's static files from the repository's web/ folder under
/static/, as the CDN does in AWS: the console at /static/console/, with the static files'
security headers naming this platform's WebSocket API (local/static.py has the details); and the
API's description from docs/ at its own paths, and the WebRTC script the console shares with the
portals from where it is."""

from __future__ import annotations

from deskless.edge import API_DOCS_PATH, API_REFERENCE, CONSOLE_PEER_SCRIPT, OPENAPI_PATH, SHARED_FILES
from infra.paths import DOCS, REPOSITORY, WEB
from tests.e2e.conftest import Platform


def test_the_console_is_served_with_its_security_headers(platform: Platform) -> None:
    with platform.http() as client:
        redirected = client.get("/static/console")
        page = client.get("/static/console/")
        missing = client.get("/static/console/no-such-file.js")

    assert (redirected.status_code, redirected.headers["location"]) == (301, "/static/console/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.content == (WEB / "console" / "index.html").read_bytes()
    for answer in (redirected, page, missing):
        policy = answer.headers["content-security-policy"]
        assert f"connect-src 'self' ws://localhost:{platform.port} {platform.urls['aws']};" in policy
        assert "frame-ancestors 'none'" in policy
        assert (answer.headers["x-content-type-options"], answer.headers["cache-control"]) == ("nosniff", "no-cache")
    assert missing.status_code == 404


def test_a_path_out_of_the_web_folder_is_refused(platform: Platform) -> None:
    with platform.http() as client:
        answer = client.get("/static/%2e%2e/README.md")

    assert answer.status_code == 400
    assert "Deskless" not in answer.text


def test_the_apis_description_and_reference_are_served_from_docs(platform: Platform) -> None:
    with platform.http() as client:
        document = client.get(OPENAPI_PATH)
        reference = client.get(API_DOCS_PATH)

    assert (document.status_code, document.headers["content-type"]) == (200, "application/json")
    assert document.json()["openapi"] == "3.1.0"
    assert (reference.status_code, reference.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert reference.content == (DOCS / API_REFERENCE[API_DOCS_PATH]).read_bytes()
    assert "script-src 'self'" in reference.headers["content-security-policy"]


def test_the_console_gets_the_portals_webrtc_script_and_may_capture_a_screen(platform: Platform) -> None:
    with platform.http() as client:
        script = client.get(CONSOLE_PEER_SCRIPT)
        page = client.get("/static/console/")

    # The console's peer.js is the portals' own file, served beside the console's page
    assert (script.status_code, script.headers["content-type"]) == (200, "text/javascript; charset=utf-8")
    assert script.content == (REPOSITORY / SHARED_FILES[CONSOLE_PEER_SCRIPT]).read_bytes()
    # and the console may ask the browser for a screen to share, and for no camera, microphone or location
    allowed = "camera=(), microphone=(), geolocation=(), display-capture=(self)"
    for answer in (script, page):
        assert answer.headers["permissions-policy"] == allowed
