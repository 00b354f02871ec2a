"""Templates on `deskless dev`, over HTTP as the console calls them (through the gateway and the
authorizer, with real tokens): the built-in email templates are there on a fresh platform, an
admin's edit previews and resets, an unknown snippet is refused, and a technician's own quick
reply is nobody else's.

Each test puts back what it changed (the platform is shared by the end-to-end tests)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from deskless.template_defaults import BUILT_IN, WELCOME
from tests.e2e.conftest import Platform, bearer, hire


@pytest.fixture
def admin(platform: Platform, admin_token: str) -> Iterator[httpx.Client]:
    with platform.http() as client:
        client.headers.update(bearer(admin_token))
        yield client


def test_the_built_in_templates_are_there_and_an_admins_edit_previews_until_reset(admin: httpx.Client) -> None:
    listed = admin.get("/api/email-templates")
    assert listed.status_code == 200, listed.text
    assert [t["id"] for t in listed.json()][: len(BUILT_IN)] == list(BUILT_IN)

    welcome = admin.get(f"/api/email-templates/{WELCOME}").json()
    edited = {
        "name": welcome["name"],
        "purpose": welcome["purpose"],
        "variants": {"en": {"subject": "Hi {[Contact First Name]}", "body": "[Start here]({[Portal Password Link]})"}},
    }
    try:
        assert admin.put(f"/api/email-templates/{WELCOME}", json=edited).status_code == 200
        # a German contact of a German portal gets the English variant: it is the only one now
        preview = admin.post(
            f"/api/email-templates/{WELCOME}/preview",
            json={"language": "de", "portal_language": "de", "sample": {"contact_first_name": "<Eve>"}},
        )
        assert preview.status_code == 200, preview.text
        assert preview.json()["language"] == "en"
        assert preview.json()["subject"] == "Hi <Eve>"
        assert "[set-password link: made when sent]" in preview.json()["text"]
    finally:
        reset = admin.post(f"/api/email-templates/{WELCOME}/reset", json={})
    assert reset.status_code == 200, reset.text
    assert reset.json()["customized"] is False
    assert set(reset.json()["variants"]) == {"en", "es", "de", "cs"}


def test_an_unknown_snippet_is_refused_with_the_known_ones(admin: httpx.Client) -> None:
    response = admin.post(
        "/api/email-templates",
        json={"name": "Typo", "variants": {"cs": {"subject": "Dobrý den", "body": "{[Contact Nmae]}"}}},
    )

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "unknown_snippet"
    assert "{[Contact Nmae]}" in body["message"]
    assert "{[Contact Name]}" in body["message"]
    assert body["details"][0]["field"] == "variants.cs.body"


def test_a_technicians_own_quick_reply_is_nobody_elses(platform: Platform, admin_token: str) -> None:
    owner = hire(platform, admin_token, "Quinn Quick")
    other = hire(platform, admin_token, "Otto Other")
    with platform.http() as client:
        made = client.post(
            "/api/quick-replies",
            headers=bearer(owner.token),
            json={"variants": {"en": {"title": "Restart", "body": "Hello {[Contact First Name]}"}}},
        )
        assert made.status_code == 201, made.text
        reply_id = made.json()["id"]

        assert reply_id in [r["id"] for r in client.get("/api/quick-replies", headers=bearer(owner.token)).json()]
        assert reply_id not in [r["id"] for r in client.get("/api/quick-replies", headers=bearer(other.token)).json()]
        for who in (other.token, admin_token):
            assert client.get(f"/api/quick-replies/{reply_id}", headers=bearer(who)).status_code == 404
            assert client.delete(f"/api/quick-replies/{reply_id}", headers=bearer(who)).status_code == 404

        assert client.delete(f"/api/quick-replies/{reply_id}", headers=bearer(owner.token)).status_code == 204
