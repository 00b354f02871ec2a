"""The chat widget (portals function): /widget.js is the one script tag a website adds; it frames
/widget?origin=<the website>, which is served only to the portal's allowed origins and may be
framed by that website alone (frame-ancestors), and speaks to it by postMessage to that origin."""

from __future__ import annotations

import re

import pytest

from deskless.companies import Company, PortalStatus, create_company, create_portal
from deskless.presence import heartbeat
from deskless.users import StaffUser
from tests.conftest import LocalAws
from tests.helpers import HttpResult
from tests.integration.conftest import Visitor, language_of, page_data
from tests.integration.test_portals import inline_script_is_allowed

SHOP = "https://shop.example.com"


@pytest.fixture
def acme(aws: LocalAws, tina: StaffUser) -> Company:
    company = create_company("Acme", [tina.id])
    create_portal(company, "acme", allowed_origins=[SHOP, "http://127.0.0.1:8123"])
    return company


def framed(visitor: Visitor, origin: str | None, **query: str) -> HttpResult:
    return visitor.request("GET /widget", query={**({"origin": origin} if origin is not None else {}), **query})


# --- /widget.js ------------------------------------------------------------------------------


def test_the_script_frames_the_portal_it_was_loaded_from(visitor: Visitor, acme: Company) -> None:
    script = visitor.request("GET /widget.js")

    assert script.status == 200
    assert script.headers["content-type"].startswith("application/javascript")
    assert script.headers["cache-control"] == "public, max-age=300"
    assert script.headers["x-content-type-options"] == "nosniff"
    source = script.body
    # the portal's origin is the script's own; the frame is told the embedding website's
    assert "const portal = new URL(script.src).origin;" in source
    assert "`${portal}/widget?origin=${encodeURIComponent(location.origin)}`" in source
    # it listens to its own frame on the portal's origin only
    assert "if (event.origin !== portal || event.source !== frame.contentWindow) return;" in source
    assert 'const TITLE = "Acme support chat";' in source


def test_the_frames_title_is_in_the_portals_language_as_a_safe_string(visitor: Visitor, aws: LocalAws) -> None:
    create_portal(create_company('Zürich "AG" </script>'), "zurich", language="de")
    visitor.host = "zurich.localhost:8000"

    source = visitor.request("GET /widget.js").body

    assert 'const TITLE = "Support-Chat von Z\\u00fcrich \\"AG\\" </script>";' in source


def test_there_is_no_script_for_an_unknown_portal(visitor: Visitor, acme: Company) -> None:
    visitor.host = "globex.localhost:8000"

    script = visitor.request("GET /widget.js")

    assert script.status == 404
    assert script.headers["content-type"].startswith("application/javascript")
    assert script.headers["cache-control"] == "no-store"


# --- /widget?origin= -------------------------------------------------------------------------


def test_an_allowed_website_gets_the_chat_and_alone_may_frame_it(
    visitor: Visitor, acme: Company, tina: StaffUser
) -> None:
    heartbeat(tina.id)

    page = framed(visitor, SHOP)

    assert page.status == 200
    policy = page.headers["content-security-policy"]
    assert policy.endswith(f"frame-ancestors {SHOP}")
    assert "x-frame-options" not in page.headers
    assert inline_script_is_allowed(page)
    assert '<body class="widget">' in page.body
    assert '<span id="launcher-label">Chat with us</span>' in page.body
    assert ">Start chat</button>" in page.body
    assert "<title>Acme support chat \N{EN DASH} Acme support</title>" in page.body
    assert 'target="_blank" rel="noopener"' in page.body  # the join page opens outside the frame
    data = page_data(page)
    assert (data["state"], data["via"], data["widget"]) == ("available", "widget", {"origin": SHOP})


def test_the_origin_is_matched_as_browsers_write_it(visitor: Visitor, acme: Company) -> None:
    page = framed(visitor, "HTTPS://Shop.Example.com/")

    assert page.status == 200
    assert page.headers["content-security-policy"].endswith(f"frame-ancestors {SHOP}")
    assert page_data(page)["widget"] == {"origin": SHOP}  # where postMessage may go


def test_a_local_origin_with_a_port_is_allowed_as_listed(visitor: Visitor, acme: Company) -> None:
    page = framed(visitor, "http://127.0.0.1:8123")

    assert page.status == 200
    assert page.headers["content-security-policy"].endswith("frame-ancestors http://127.0.0.1:8123")


@pytest.mark.parametrize(
    "origin",
    [
        None,
        "",
        "https://evil.example.net",
        "http://shop.example.com",  # another scheme is another origin
        "https://shop.example.com:8443",
        "http://127.0.0.1:8124",
        "https://shop.example.com; script-src *",
        "javascript:alert(1)",
        "null",
    ],
)
def test_any_other_website_is_refused_and_may_not_frame_the_refusal(
    visitor: Visitor, acme: Company, origin: str | None
) -> None:
    page = framed(visitor, origin)

    assert page.status == 403
    assert "The Acme support chat cannot be shown on this website." in page.body
    assert page.headers["content-security-policy"].endswith("frame-ancestors 'none'")
    assert "support-data" not in page.body
    assert "<script" not in page.body


def test_with_nobody_available_the_launcher_offers_to_leave_a_message(visitor: Visitor, acme: Company) -> None:
    page = framed(visitor, SHOP)

    assert page.status == 200
    assert '<span id="launcher-label">Leave us a message</span>' in page.body
    assert ">Send message</button>" in page.body
    assert page_data(page)["state"] == "unavailable"


def test_an_inactive_portals_widget_hides_its_launcher_but_keeps_following_the_portal(
    visitor: Visitor, aws: LocalAws, tina: StaffUser
) -> None:
    create_portal(create_company("Acme", [tina.id]), "acme", status=PortalStatus.INACTIVE, allowed_origins=[SHOP])
    heartbeat(tina.id)

    page = framed(visitor, SHOP)

    assert page.status == 200  # the frame stays, to come back when the portal does
    assert '<button type="button" id="launcher" class="launcher" hidden>' in page.body
    assert '<section id="closed">' in page.body
    assert '<section id="contact" aria-labelledby="contact-heading" hidden>' in page.body
    assert page_data(page)["state"] == "inactive"


def test_the_widget_speaks_the_language_asked_for(visitor: Visitor, acme: Company) -> None:
    page = framed(visitor, SHOP, lang="cs")

    assert language_of(page) == "cs"
    assert '<span id="launcher-label">Zanechte nám zprávu</span>' in page.body
    assert page_data(page)["lang"] == "cs"


def test_an_unknown_portal_has_no_widget(visitor: Visitor, acme: Company) -> None:
    visitor.host = "globex.localhost:8000"

    page = framed(visitor, SHOP)

    assert page.status == 404
    assert page.headers["content-security-policy"].endswith("frame-ancestors 'none'")


def test_everything_from_outside_is_escaped_in_the_widget(visitor: Visitor, aws: LocalAws) -> None:
    create_portal(create_company('</script><img src=x onerror="alert(1)">'), "xss", allowed_origins=[SHOP])
    visitor.host = "xss.localhost:8000"

    for page in (framed(visitor, SHOP, lang='"><b>'), framed(visitor, "https://evil.example.net")):
        assert "<img" not in page.body
        assert "<b>" not in page.body
        assert len(re.findall("<script", page.body)) in (0, 2)
