"""The local gateway serves the console's static files from the web root as the CDN does: a
folder's index.html, a folder named without its slash redirected, the right content types, 404
for what is missing, path traversal refused, and the static files' security headers on every
answer (deskless.edge.static_file_headers); and the files the console shares with the portals
(deskless.edge.SHARED_FILES) from where they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskless.edge import API_REFERENCE, CONSOLE_PEER_SCRIPT, static_file_headers
from infra.paths import DOCS, REPOSITORY
from local.functions import FunctionRegistry
from local.gateway import Gateway
from local.static import CONTENT_TYPES
from tests.helpers import GatewayAnswer, call_gateway

WEBSOCKET_URL = "ws://localhost:8123/ws"
HEADERS = static_file_headers(WEBSOCKET_URL).as_dict()


@pytest.fixture
def web(tmp_path: Path) -> Path:
    """A web root with a console, and a secret next to it that must never be served."""
    root = tmp_path / "web"
    (root / "console" / "icons").mkdir(parents=True)
    (root / "console" / "index.html").write_text("<!doctype html><title>Console</title>")
    (root / "console" / "app.js").write_text("console.log('deskless');")
    (root / "console" / "app.css").write_text("body { margin: 0 }")
    (root / "console" / "icons" / "phone.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (root / "console" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "console" / "strings.json").write_text("{}")
    (root / "console" / "font.woff2").write_bytes(b"wOF2")
    (root / "console" / "favicon.ico").write_bytes(b"\x00\x00\x01\x00")
    (root / "console" / "notes.xyz").write_bytes(b"?")
    (root / "console" / ".env").write_text("SECRET=1")
    (root / "empty").mkdir()
    (tmp_path / "secret.txt").write_text("not for the web")
    (root / "console" / "escape.txt").symlink_to(tmp_path / "secret.txt")
    return root


@pytest.fixture
def gateway(web: Path) -> Gateway:
    return Gateway(FunctionRegistry(reload=False), origin_secret="s", web_root=web, websocket_url=WEBSOCKET_URL)


def assert_static_headers(answer: GatewayAnswer) -> None:
    for name, value in HEADERS.items():
        assert answer.headers[name] == value, name


def test_a_folder_with_its_slash_is_its_index_page(gateway: Gateway) -> None:
    answer = call_gateway(gateway, "GET", "/static/console/")

    assert answer.status == 200
    assert answer.body == b"<!doctype html><title>Console</title>"
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert_static_headers(answer)


def test_a_folder_without_its_slash_is_redirected_to_it(gateway: Gateway) -> None:
    answer = call_gateway(gateway, "GET", "/static/console")

    assert (answer.status, answer.headers["location"]) == (301, "/static/console/")
    assert_static_headers(answer)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/static/console/app.js", "text/javascript; charset=utf-8"),
        ("/static/console/app.css", "text/css; charset=utf-8"),
        ("/static/console/icons/phone.svg", "image/svg+xml"),
        ("/static/console/logo.png", "image/png"),
        ("/static/console/strings.json", "application/json"),
        ("/static/console/font.woff2", "font/woff2"),
        ("/static/console/favicon.ico", "image/x-icon"),
        ("/static/console/notes.xyz", "application/octet-stream"),
    ],
)
def test_each_file_has_its_content_type_and_the_headers(
    gateway: Gateway, web: Path, path: str, content_type: str
) -> None:
    answer = call_gateway(gateway, "GET", path)

    assert answer.status == 200
    assert answer.headers["content-type"] == content_type
    assert answer.body == (web / path.removeprefix("/static/")).read_bytes()
    assert answer.headers["content-length"] == str(len(answer.body))
    assert_static_headers(answer)


def test_head_gives_the_headers_without_the_body(gateway: Gateway, web: Path) -> None:
    answer = call_gateway(gateway, "HEAD", "/static/console/app.js")

    assert (answer.status, answer.body) == (200, b"")
    assert answer.headers["content-length"] == str((web / "console" / "app.js").stat().st_size)
    assert_static_headers(answer)


def test_a_file_not_changed_since_the_browser_fetched_it_is_a_304(gateway: Gateway) -> None:
    first = call_gateway(gateway, "GET", "/static/console/app.js")

    again = call_gateway(gateway, "GET", "/static/console/app.js", {"if-none-match": first.headers["etag"]})

    assert (again.status, again.body) == (304, b"")
    assert_static_headers(again)


@pytest.mark.parametrize(
    "path",
    ["/static/console/missing.js", "/static/nothing/", "/static/empty/", "/static/console/.env", "/static/"],
    ids=["missing file", "missing folder", "folder without index", "dotfile", "root without index"],
)
def test_what_is_not_there_is_a_404_with_the_headers(gateway: Gateway, path: str) -> None:
    answer = call_gateway(gateway, "GET", path)

    assert answer.status == 404
    assert_static_headers(answer)


@pytest.mark.parametrize(
    "raw_path",
    [
        "/static/../secret.txt",
        "/static/console/../../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/%2E%2E/%2e%2e/secret.txt",
        "/static/console%2f..%2f..%2fsecret.txt",
        "/static/..%5csecret.txt",
        "/static/%252e%252e/secret.txt",
        "/static//etc/passwd",
        "/static/console/./app.js",
        "/static/console/app.js%00.png",
    ],
    ids=["dot dot", "deeper", "encoded", "encoded upper case", "encoded slashes", "encoded backslash",
         "double encoded", "absolute", "dot", "nul"],
)  # fmt: skip
def test_a_path_that_leaves_the_web_root_is_refused(gateway: Gateway, raw_path: str) -> None:
    answer = call_gateway(gateway, "GET", raw_path)

    assert answer.status == 400
    assert b"not for the web" not in answer.body
    assert_static_headers(answer)


def test_a_link_that_leads_out_of_the_web_root_is_not_followed(gateway: Gateway) -> None:
    answer = call_gateway(gateway, "GET", "/static/console/escape.txt")

    assert answer.status == 404
    assert b"not for the web" not in answer.body


def test_only_get_and_head_are_served(gateway: Gateway) -> None:
    answer = call_gateway(gateway, "POST", "/static/console/app.js")

    assert (answer.status, answer.headers["allow"]) == (405, "GET, HEAD")
    assert_static_headers(answer)


def test_the_content_security_policy_lets_the_console_reach_its_websocket_api_only() -> None:
    policy = HEADERS["content-security-policy"]

    assert "connect-src 'self' ws://localhost:8123;" in policy
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert (HEADERS["x-content-type-options"], HEADERS["referrer-policy"], HEADERS["cache-control"]) == (
        "nosniff",
        "no-referrer",
        "no-cache",
    )


def test_without_a_web_root_static_paths_are_the_apis_and_it_has_none() -> None:
    gateway = Gateway(FunctionRegistry(reload=False), origin_secret="s")

    answer = call_gateway(gateway, "GET", "/static/console/")

    assert (answer.status, answer.body) == (404, b'{"message": "Not Found"}')


def test_the_apis_description_is_served_at_its_own_paths_from_docs(gateway: Gateway) -> None:
    # Given the paths the CDN serves the API's description at
    for path, name in API_REFERENCE.items():
        # When each is asked for
        answer = call_gateway(gateway, "GET", path)

        # Then it is that file of docs/, with the static files' headers
        assert answer.status == 200, path
        assert answer.body == (DOCS / name).read_bytes(), path
        assert answer.headers["content-type"] == CONTENT_TYPES[Path(name).suffix], path
        assert_static_headers(answer)


def test_the_console_gets_the_portals_webrtc_script_from_where_it_is(gateway: Gateway, web: Path) -> None:
    # Given the web root's console, which has no peer.js of its own
    assert not (web / "console" / "peer.js").exists()
    # When the console's page asks for the shared WebRTC script beside it
    answer = call_gateway(gateway, "GET", CONSOLE_PEER_SCRIPT)

    # Then it is the portals' own file, the one their pages inline, as a script with the static files' headers
    assert CONSOLE_PEER_SCRIPT == "/static/console/peer.js"
    assert answer.status == 200
    assert answer.body == (REPOSITORY / "functions" / "portals" / "assets" / "peer.js").read_bytes()
    assert answer.headers["content-type"] == "text/javascript; charset=utf-8"
    assert_static_headers(answer)


def test_every_static_file_may_capture_a_screen_and_nothing_more(gateway: Gateway) -> None:
    for path in ("/static/console/", "/static/console/app.js", CONSOLE_PEER_SCRIPT, "/static/console/missing.js"):
        answer = call_gateway(gateway, "GET", path)

        assert answer.headers["permissions-policy"] == (
            "camera=(), microphone=(), geolocation=(), display-capture=(self)"
        ), path
