"""`deskless dev` serves the console's static files from the repository's web/ folder under
/static/, as the CDN does in AWS: the console at /static/console/, with the static files'
security headers naming this platform's WebSocket API (local/static.py has the details)."""

from __future__ import annotations

from infra.paths import WEB
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
        assert f"connect-src 'self' ws://localhost:{platform.port};" in policy
        assert "frame-ancestors 'none'" in policy
        assert (answer.headers["x-content-type-options"], answer.headers["cache-control"]) == ("nosniff", "no-cache")
    assert missing.status_code == 404


def test_a_path_out_of_the_web_folder_is_refused(platform: Platform) -> None:
    with platform.http() as client:
        answer = client.get("/static/%2e%2e/README.md")

    assert answer.status_code == 400
    assert "Deskless" not in answer.text
