"""Every kind of caller the catalog names, on a running platform, and how each calls: anonymous, an
integration's API key, a visitor of a support session, a contact, a primary contact, a technician
and an admin (tests/e2e/test_authorization.py walks every route as each; test_fuzz.py fuzzes them).

A contact and a primary contact are real ones of the demo company, signed in on its portal as a
browser is (a technician's temporary password, then a password of their own): their credentials
are the session cookie, its CSRF token and the portal's Origin, valid on the portal's host only.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from deskless.catalog import Caller
from deskless.credentials import SESSION_COOKIE
from local.seed import DEMO_SUBDOMAIN
from tests.e2e.conftest import Platform, Technician, bearer, hire
from tests.e2e.test_sessions import create_code, redeem

PORTAL_HOST = f"{DEMO_SUBDOMAIN}.localhost"
# Pages and the portal's own API answer on a portal's host; everything else on the console's.
PORTAL_PATHS = re.compile(r"^/(api/portal|widget|join|invite|help|$)")
CONTACT_PASSWORD = "a contact's own passphrase"
CALLERS = ("anonymous", "integration", "visitor", "contact", "primary_contact", "technician", "admin")


@dataclass(frozen=True)
class Credentials:
    caller: Caller | None  # None: anonymous
    headers: dict[str, str] = field(default_factory=dict)
    token: str | None = None  # what opens a WebSocket
    renew: Callable[[], dict[str, str]] | None = None  # a contact's headers of a new session of theirs


def session_cookie(answer: httpx.Response) -> str:
    """The value of the session cookie an answer sets (Python's cookie jar keeps no Secure cookie on http)."""
    for header in answer.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        if name == SESSION_COOKIE:
            return rest.split(";", 1)[0]
    raise AssertionError(f"no session cookie in {answer.status_code} {answer.headers}")


def portal_client(platform: Platform) -> httpx.Client:
    client = platform.http(host=PORTAL_HOST)
    client.headers["origin"] = f"http://{PORTAL_HOST}:{platform.port}"  # as the portal's own pages send
    return client


def contact_headers(platform: Platform, email: str, password: str = CONTACT_PASSWORD) -> dict[str, str]:
    """A contact signed in on the demo portal: the headers their browser's calls carry."""
    with portal_client(platform) as client:
        signed_in = client.post("/help/sign-in", data={"email": email, "password": password})
        assert signed_in.status_code == 303, signed_in.text
        cookie = f"{SESSION_COOKIE}={session_cookie(signed_in)}"
        me = client.get("/api/portal/me", headers={"cookie": cookie})
        assert me.status_code == 200, me.text
    return {"cookie": cookie, "x-csrf-token": me.json()["csrf_token"], "origin": client.headers["origin"]}


def portal_contact(platform: Platform, admin_token: str, name: str, *, primary: bool = False) -> str:
    """A new contact of the demo company with a password of their own (a technician's temporary
    password, changed at the first sign-in, as a browser does it): their email."""
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@acme.example.com"
    with platform.http() as client:
        companies = client.get("/api/companies", headers=bearer(admin_token)).json()
        company = next(c for c in companies if (c.get("portal") or {}).get("subdomain") == DEMO_SUBDOMAIN)
        made = client.post(
            "/api/contacts",
            headers=bearer(admin_token),
            # no welcome email: its set-password link would replace the temporary password below
            json={"name": name, "emails": [email], "company_id": company["id"], "primary": primary, "welcome": False},
        )
        assert made.status_code == 201, made.text
        reset = client.post(
            f"/api/contacts/{made.json()['id']}/password-reset", headers=bearer(admin_token), json={"send": "temporary"}
        )
        assert reset.status_code == 200, reset.text
    with portal_client(platform) as portal:
        first = portal.post("/help/sign-in", data={"email": email, "password": reset.json()["temporary_password"]})
        assert (first.status_code, first.headers["location"]) == (303, "/help/change-password"), first.text
        cookie = {"cookie": f"{SESSION_COOKIE}={session_cookie(first)}"}
        page = portal.get("/help/change-password", headers=cookie)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf, page.text
        changed = portal.post(
            "/help/change-password", headers=cookie, data={"csrf_token": csrf.group(1), "password": CONTACT_PASSWORD}
        )
        assert changed.status_code == 303, changed.text
    return email


def sign_in_on_portal(page: Page, platform: Platform, email: str) -> str:
    """Sign a contact made by `portal_contact` in on the demo portal, in a browser: the portal's address."""
    portal = f"http://{PORTAL_HOST}:{platform.port}"
    page.goto(f"{portal}/help")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(CONTACT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    return portal


def code_for_a_visitor(platform: Platform, token: str) -> str:
    """A new code of the technician with `token`."""
    return str(create_code(platform, token, "Matrix")["code"])


def visit(platform: Platform, token: str) -> dict[str, Any]:
    """A visitor in a new session of the technician with `token`: their entry (with their token)."""
    return redeem(platform, code_for_a_visitor(platform, token), "Vera Visitor")


@dataclass(frozen=True)
class Cast:
    """One of each kind of caller, and who they are."""

    credentials: dict[str, Credentials]
    technician: Technician
    visit: dict[str, Any]  # the visitor's entry to its session


def cast_of(platform: Platform, admin_token: str) -> Cast:
    """One of each kind of caller: a technician hired for it, a visitor of their session, an integration's
    key, a contact and a primary contact of the demo company (signed in on its portal), and the admin."""
    technician = hire(platform, admin_token, "Mattie Matrix")
    entry = visit(platform, technician.token)
    with platform.http() as client:
        key = client.post("/api/api-keys", headers=bearer(admin_token), json={"name": "Matrix integration"})
    assert key.status_code == 201, key.text
    contacts = {
        Caller.CONTACT: portal_contact(platform, admin_token, "Carla Contact"),
        Caller.PRIMARY_CONTACT: portal_contact(platform, admin_token, "Pat Primary", primary=True),
    }
    tokens = {Caller.VISITOR: entry["token"], Caller.TECHNICIAN: technician.token, Caller.ADMIN: admin_token}
    credentials = {
        "anonymous": Credentials(None),
        "integration": Credentials(Caller.API_KEY, {"x-api-key": key.json()["key"]}),
        **{
            caller.value: Credentials(
                caller, contact_headers(platform, email), renew=partial(contact_headers, platform, email)
            )
            for caller, email in contacts.items()
        },
        **{caller.value: Credentials(caller, bearer(token), token) for caller, token in tokens.items()},
    }
    return Cast(credentials, technician, entry)
