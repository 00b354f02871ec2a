"""Every kind of caller the catalog names, on a running platform, and how each calls: anonymous, an
integration's API key, a visitor of a support session, a contact, a primary contact, a technician
and an admin (tests/e2e/test_authorization.py walks every route as each; test_fuzz.py fuzzes them).

Contacts do not exist as a feature yet: their tokens are signed here with the platform's key, as
the sign-in to come will sign them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from deskless import auth
from deskless.auth import Principal, Role
from deskless.catalog import Caller
from local.seed import DEMO_SUBDOMAIN
from tests.e2e.conftest import Platform, Technician, bearer, hire
from tests.e2e.test_sessions import create_code, redeem

PORTAL_HOST = f"{DEMO_SUBDOMAIN}.localhost"
# Pages and the portal's own API answer on a portal's host; everything else on the console's.
PORTAL_PATHS = re.compile(r"^/(api/portal|widget|join|invite|$)")
CALLERS = ("anonymous", "integration", "visitor", "contact", "primary_contact", "technician", "admin")


@dataclass(frozen=True)
class Credentials:
    caller: Caller | None  # None: anonymous
    headers: dict[str, str] = field(default_factory=dict)
    token: str | None = None  # what opens a WebSocket


def signed(platform: Platform, principal: Principal) -> str:
    """A token for `principal`, signed with the platform's own key (as its sign-in will sign it)."""
    key = platform.aws("secretsmanager").get_secret_value(SecretId=platform.names.signing_secret)["SecretString"]
    with mock.patch.object(auth, "signing_key", return_value=key.encode()):
        return auth.issue_token(principal, ttl_seconds=3600)[0]


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
    key, a contact and a primary contact (tokens signed with the platform's key), and the admin."""
    technician = hire(platform, admin_token, "Mattie Matrix")
    entry = visit(platform, technician.token)
    with platform.http() as client:
        key = client.post("/api/api-keys", headers=bearer(admin_token), json={"name": "Matrix integration"})
    assert key.status_code == 201, key.text
    contact = Principal(user_id="contact-1", role=Role.CONTACT, name="Carla Contact", email="carla@acme.example")
    primary = Principal(user_id="contact-2", role=Role.PRIMARY_CONTACT, name="Pat Primary", email="pat@acme.example")
    tokens = {
        Caller.VISITOR: entry["token"],
        Caller.CONTACT: signed(platform, contact),
        Caller.PRIMARY_CONTACT: signed(platform, primary),
        Caller.TECHNICIAN: technician.token,
        Caller.ADMIN: admin_token,
    }
    credentials = {
        "anonymous": Credentials(None),
        "integration": Credentials(Caller.API_KEY, {"x-api-key": key.json()["key"]}),
        **{caller.value: Credentials(caller, bearer(token), token) for caller, token in tokens.items()},
    }
    return Cast(credentials, technician, entry)
