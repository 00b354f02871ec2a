"""The templates function: admins keep the email templates (the built-in ones from the first
request, edited and reset; their own), staff keep quick replies (shared ones by admins, each
technician their own, out of everyone else's sight), unknown snippets are refused, and previews
render a template, saved or being edited, for sample values without writing anything.

The handler runs in this process with real-shaped HTTP API events (events/) against moto; each
operation's DynamoDB requests are counted as they would be made in AWS."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from deskless.auth import Principal, Role
from deskless.companies import create_company, create_portal
from deskless.contacts import CreatedVia, create_contact
from deskless.snippets import SNIPPETS, SnippetContext, SnippetValues
from deskless.template_defaults import BUILT_IN, PASSWORD_RESET, WELCOME
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, HttpResult, add_staff, call_http, current, http_event, ok, refused

OTHER_TECHNICIAN = Principal(user_id="0b0b0b0b0b0b0b0b", role=Role.TECHNICIAN, name="Olga Other", email="olga@ex.com")
HOSTILE = "<script>alert(1)</script> [x](javascript:alert(1)) **b**"


class TemplatesApi:
    def __init__(self, aws: LocalAws) -> None:
        self.origin_secret = aws.origin_secret  # read once: each read makes a new boto3 client

    def call(self, route_key: str, *, caller: Principal = ADMIN, body: Any = None) -> HttpResult:
        base = "http_email_template_preview" if body is not None else "http_staff_list"
        event = http_event(base, origin_secret=self.origin_secret, principal=caller, body=body, route_key=route_key)
        if body is None:
            event.pop("body", None)
        return call_http("templates", event)


@contextmanager
def dynamodb_requests() -> Iterator[Counter[str]]:
    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        yield calls


def email(name: str = "Renewal reminder", **variants: dict[str, str]) -> dict[str, Any]:
    return {
        "name": name,
        "purpose": "other",
        "variants": variants or {"en": {"subject": "Renew, {[Contact First Name]}", "body": "Hello **there**"}},
    }


def reply(**variants: dict[str, str]) -> dict[str, Any]:
    return {"variants": variants or {"en": {"title": "Restart first", "body": "Hello {[Contact First Name]}, ..."}}}


@pytest.fixture
def api(aws: LocalAws) -> TemplatesApi:
    return TemplatesApi(aws)


# --- email templates ----------------------------------------------------------------------------


def test_the_built_in_templates_are_there_from_the_first_request_in_one_query(api: TemplatesApi) -> None:
    with dynamodb_requests() as calls:
        listed = ok(api.call("GET /api/email-templates"))

    assert calls == {"Query": 1}
    assert [t["id"] for t in listed] == list(BUILT_IN)
    assert {t["purpose"] for t in listed} == {
        "welcome",
        "password_reset",
        "ticket_received",
        "ticket_updated",
        "ticket_resolved",
        "ticket_refused",
        "other",  # the [Portal Credentials] automation rule's
    }
    assert all(t["built_in"] and not t["customized"] for t in listed)
    assert set(listed[0]["variants"]) == {"en", "es", "de", "cs"}


def test_an_admins_edit_of_a_built_in_template_overrides_it_until_reset(api: TemplatesApi) -> None:
    welcome = ok(api.call(f"GET /api/email-templates/{WELCOME}"))
    edited = {
        **welcome,
        "variants": {"en": {"subject": "Hi {[Contact Name]}", "body": "[Start]({[Portal Password Link]})"}},
    }
    content = {k: edited[k] for k in ("name", "purpose", "variants")}

    with dynamodb_requests() as calls:
        saved = ok(api.call(f"PUT /api/email-templates/{WELCOME}", body=content))

    assert calls == {"UpdateItem": 1}
    assert saved["revision"] == 1
    assert saved["customized"]
    assert saved["built_in"]
    assert ok(api.call(f"GET /api/email-templates/{WELCOME}"))["variants"] == content["variants"]
    assert ok(api.call("GET /api/email-templates"))[0]["customized"] is True

    with dynamodb_requests() as calls:
        reset = ok(api.call(f"POST /api/email-templates/{WELCOME}/reset", body={}))

    assert calls == {"DeleteItem": 1}
    assert reset["customized"] is False
    assert reset["variants"] == BUILT_IN[WELCOME].model_dump(mode="json")["variants"]
    assert ok(api.call(f"GET /api/email-templates/{WELCOME}")) == reset


def test_a_built_in_template_cannot_be_deleted_nor_change_its_purpose(api: TemplatesApi) -> None:
    content = {**email("Welcome"), "purpose": "other"}

    assert refused(api.call(f"DELETE /api/email-templates/{WELCOME}")) == (409, "built_in_template")
    assert refused(api.call(f"PUT /api/email-templates/{WELCOME}", body=content)) == (409, "built_in_template")
    assert ok(api.call(f"GET /api/email-templates/{WELCOME}"))["customized"] is False


def test_an_admin_creates_changes_and_deletes_a_template_of_their_own(api: TemplatesApi) -> None:
    with dynamodb_requests() as calls:
        made = ok(api.call("POST /api/email-templates", body=email("Zebra notice")), 201)
    assert calls == {"PutItem": 1}
    assert (made["built_in"], made["customized"], made["name"]) == (False, False, "Zebra notice")
    ok(api.call("POST /api/email-templates", body=email("Account notice")), 201)

    names = [t["name"] for t in ok(api.call("GET /api/email-templates"))]
    assert names[len(BUILT_IN) :] == ["Account notice", "Zebra notice"]

    changed = email("Zebra notice", de={"subject": "Hallo", "body": "Text"})
    with dynamodb_requests() as calls:
        saved = ok(api.call(f"PUT /api/email-templates/{made['id']}", body=changed))
    assert calls == {"UpdateItem": 1}
    assert list(saved["variants"]) == ["de"]

    with dynamodb_requests() as calls:
        ok(api.call(f"DELETE /api/email-templates/{made['id']}"), 204)
    assert calls == {"DeleteItem": 1}
    assert refused(api.call(f"GET /api/email-templates/{made['id']}")) == (404, "not_found")


def test_a_change_made_from_an_older_revision_is_refused_rather_than_undo_anothers(api: TemplatesApi) -> None:
    # Given two admins who opened the untouched welcome template (revision 0)
    first = {**email("Welcome with portal access"), "purpose": "welcome", "revision": 0}
    second = {**first, "variants": {"en": {"subject": "Second", "body": "Second admin's text"}}}

    # When the first saves, then the second saves what they had opened
    assert ok(api.call(f"PUT /api/email-templates/{WELCOME}", body=first))["revision"] == 1
    response = api.call(f"PUT /api/email-templates/{WELCOME}", body=second)

    # Then the second is refused, and the first's text stays
    assert refused(response) == (409, "conflict")
    assert "since you opened it" in response.json()["message"]
    stored = ok(api.call(f"GET /api/email-templates/{WELCOME}"))
    assert stored["variants"] == first["variants"]
    # made from the revision now stored, it goes through
    assert ok(api.call(f"PUT /api/email-templates/{WELCOME}", body={**second, "revision": 1}))["revision"] == 2
    made = ok(api.call("POST /api/email-templates", body=email()), 201)
    assert made["revision"] == 1
    assert refused(api.call(f"PUT /api/email-templates/{made['id']}", body={**email(), "revision": 7})) == (
        409,
        "conflict",
    )
    unknown = "0123456789abcdef"
    for revision in (0, 1):
        response = api.call(f"PUT /api/email-templates/{unknown}", body={**email(), "revision": revision})
        assert refused(response) == (404, "not_found")


def test_an_unknown_template_is_not_found_and_a_malformed_id_costs_no_request(api: TemplatesApi) -> None:
    unknown = "0123456789abcdef"
    for response in (
        api.call(f"GET /api/email-templates/{unknown}"),
        api.call(f"PUT /api/email-templates/{unknown}", body=email()),
        api.call(f"DELETE /api/email-templates/{unknown}"),
        api.call(f"POST /api/email-templates/{unknown}/reset", body={}),
        api.call(f"POST /api/email-templates/{unknown}/preview", body={}),
    ):
        assert refused(response) == (404, "not_found")
    assert ok(api.call("GET /api/email-templates"))[-1]["id"] == list(BUILT_IN)[-1], "nothing was created"

    with dynamodb_requests() as calls:
        response = api.call("GET /api/email-templates/NOT%20AN%20ID")
    assert refused(response) == (404, "not_found")
    assert calls == {}


def test_an_unknown_snippet_is_refused_naming_it_the_known_ones_and_where_it_is(api: TemplatesApi) -> None:
    content = email(
        en={"subject": "Hi {[Contact Name]}", "body": "Fine"},
        es={"subject": "Hola", "body": "Su ticket {[Ticket Nmuber]}"},
    )

    with dynamodb_requests() as calls:
        response = api.call("POST /api/email-templates", body=content)

    assert refused(response) == (400, "unknown_snippet")
    body = response.json()
    assert "{[Ticket Nmuber]}" in body["message"]
    assert all(snippet.token in body["message"] for snippet in SNIPPETS)
    assert [detail["field"] for detail in body["details"]] == ["variants.es.body"]
    assert calls == {}, "nothing was stored"
    assert refused(api.call(f"PUT /api/email-templates/{WELCOME}", body={**content, "purpose": "welcome"})) == (
        400,
        "unknown_snippet",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"variants": {}}, "variants"),
        ({"variants": {"fr": {"subject": "Bonjour", "body": "x"}}}, "variants.fr.[key]"),
        ({"variants": {"en": {"subject": "Two\nlines", "body": "x"}}}, "variants.en.subject"),
        ({"variants": {"en": {"subject": "Hi", "body": "   "}}}, "variants.en.body"),
        ({"name": ""}, "name"),
        ({"purpose": "spam"}, "purpose"),
    ],
)
def test_a_template_that_does_not_validate_is_refused_at_its_field(
    api: TemplatesApi, change: dict[str, Any], field: str
) -> None:
    response = api.call("POST /api/email-templates", body={**email(), **change})

    assert refused(response) == (400, "invalid_request")
    assert field in [detail["field"] for detail in response.json()["details"]]


def test_email_templates_are_for_admins_only(api: TemplatesApi) -> None:
    for route_key, body in (
        ("GET /api/email-templates", None),
        ("POST /api/email-templates", email()),
        (f"GET /api/email-templates/{WELCOME}", None),
        ("POST /api/email-templates/preview", {"subject": "x", "body": "y"}),
    ):
        assert refused(api.call(route_key, caller=TECHNICIAN, body=body)) == (403, "forbidden")


# --- sending ------------------------------------------------------------------------------------


class FakeIssuer:
    """What the portal-credentials part will pass when it sends: here, it only counts."""

    def __init__(self) -> None:
        self.links = 0

    def temporary_password(self) -> str:
        raise AssertionError("the welcome template issues a link, not a password")

    def password_link(self) -> str:
        self.links += 1
        return f"https://acme.localhost:8000/set-password?token=t{self.links}"


def test_a_sender_renders_the_admins_welcome_with_a_link_issued_once(api: TemplatesApi) -> None:
    content = {
        "name": "Welcome",
        "purpose": "welcome",
        "variants": {"de": {"subject": "Willkommen {[Contact Name]}", "body": "[Los]({[Portal Password Link]})"}},
    }
    ok(api.call(f"PUT /api/email-templates/{WELCOME}", body=content))
    templates = current("deskless.templates")
    issuer = FakeIssuer()

    with dynamodb_requests() as calls:
        template = templates.email_template(WELCOME)
        context = SnippetContext.for_sending(SnippetValues(contact_name="Eve <e@x>"), issuer)
        language, mail = templates.render_email(template.variants, context, "cs", "de")

    assert calls == {"GetItem": 1}
    assert issuer.links == 1
    assert (language, mail.subject) == ("de", "Willkommen Eve <e@x>")
    assert '<a href="https://acme.localhost:8000/set-password?token=t1">Los</a>' in mail.html
    assert mail.text == "Los (https://acme.localhost:8000/set-password?token=t1)\n"


# --- previews -----------------------------------------------------------------------------------


def test_a_preview_of_a_template_being_edited_renders_the_sample_and_writes_nothing(api: TemplatesApi) -> None:
    draft = {
        "subject": "Welcome {[Contact Name]}",
        "body": "Hello {[Contact Name]},\n\n[Set your password]({[Portal Password Link]}) for {[Company Name]}.",
        "language": "es",
        "sample": {"contact_name": HOSTILE},
    }

    with dynamodb_requests() as calls:
        preview = ok(api.call("POST /api/email-templates/preview", body=draft))

    assert calls == {}
    assert preview["language"] == "es"
    assert preview["subject"] == f"Welcome {HOSTILE}"
    assert "&lt;script&gt;" in preview["html"]
    assert "<script>" not in preview["html"]
    assert 'href="javascript' not in preview["html"]
    assert "[set-password link: made when sent]" in preview["text"]
    assert "[Company Name]" in preview["text"]
    assert preview["html"].startswith('<!doctype html>\n<html lang="es">')


def test_the_events_sample_preview_renders(api: TemplatesApi, aws: LocalAws) -> None:
    event = http_event("http_email_template_preview", origin_secret=aws.origin_secret, principal=ADMIN)

    preview = ok(call_http("templates", event))

    assert preview["subject"] == "Welcome to Acme support"
    assert "<strong>carla@acme.example.com</strong>" in preview["html"]


def test_a_preview_refuses_an_unknown_snippet_at_its_field(api: TemplatesApi) -> None:
    response = api.call("POST /api/email-templates/preview", body={"subject": "{[Nope]}", "body": "ok"})

    assert refused(response) == (400, "unknown_snippet")
    assert response.json()["details"] == [{"field": "subject", "problem": response.json()["details"][0]["problem"]}]


def test_a_preview_of_a_saved_template_falls_back_to_the_portals_language_then_english(api: TemplatesApi) -> None:
    made = ok(
        api.call(
            "POST /api/email-templates",
            body=email(en={"subject": "Hello", "body": "English"}, de={"subject": "Hallo", "body": "Deutsch"}),
        ),
        201,
    )
    path = f"POST /api/email-templates/{made['id']}/preview"

    with dynamodb_requests() as calls:
        german = ok(api.call(path, body={"language": "cs", "portal_language": "de"}))
    assert calls == {"GetItem": 1}
    english = ok(api.call(path, body={"language": "cs", "portal_language": "es"}))

    assert (german["language"], german["subject"]) == ("de", "Hallo")
    assert (english["language"], english["subject"]) == ("en", "Hello")


def test_a_preview_of_the_built_in_password_reset_shows_a_placeholder_link(api: TemplatesApi) -> None:
    preview = ok(api.call(f"POST /api/email-templates/{PASSWORD_RESET}/preview", body={"language": "cs"}))

    assert preview["language"] == "cs"
    assert "[set-password link: made when sent]" in preview["text"]
    assert "<a>" in preview["html"], "the placeholder is no link target"


def test_a_preview_for_a_chosen_contact_shows_their_values_in_their_language_and_issues_nothing(
    api: TemplatesApi,
) -> None:
    # Given a Czech contact of a company with an active portal, and a template in Czech and English
    company = create_company("Pražská Pekárna")
    create_portal(company, "pekarna")
    contact = create_contact(
        "Jana Nováková",
        ["jana@pekarna.example.com"],
        created_via=CreatedVia.CONSOLE,
        company_id=company.id,
        language="cs",
    )
    made = ok(
        api.call(
            "POST /api/email-templates",
            body=email(
                en={"subject": "Hello {[Contact First Name]}", "body": "Sign in at {[Portal Address]}"},
                cs={
                    "subject": "Dobrý den, {[Contact First Name]}",
                    "body": "[Heslo]({[Portal Password Link]}) pro {[Company Name]}, {[Ticket Number]}",
                },
            ),
        ),
        201,
    )

    # When an admin previews it for her (the ticket's values from the sample)
    with dynamodb_requests() as calls:
        preview = ok(
            api.call(
                f"POST /api/email-templates/{made['id']}/preview",
                body={"contact_id": contact.id, "sample": {"ticket_number": "1042"}},
            )
        )

    # Then it is the Czech variant with her values, the credential a placeholder, and nothing written
    assert (preview["language"], preview["subject"]) == ("cs", "Dobrý den, Jana")
    assert "Pražská Pekárna, 1042" in preview["text"]
    assert "[set-password link: made when sent]" in preview["text"]
    assert set(calls) <= {"GetItem", "Query", "BatchGetItem"}, "a preview reads, and writes nothing"
    assert calls == {"GetItem": 2, "Query": 1}  # the template, the contact; her company with its portal


def test_a_quick_reply_previewed_for_a_ticket_shows_its_values_and_its_requesters(
    aws: LocalAws, api: TemplatesApi
) -> None:
    # Given a ticket a contact of Acme asked, and a quick reply naming the ticket and the contact
    company = create_company("Acme Anvils")
    contact = create_contact(
        "Wile Coyote", ["wile@acme.example.com"], created_via=CreatedVia.CONSOLE, company_id=company.id
    )
    add_staff(TECHNICIAN)
    body = {"requester_id": contact.id, "title": "Anvil <b>late</b>", "description": "Still waiting."}
    event = http_event(
        "http_staff_create",
        origin_secret=aws.origin_secret,
        principal=TECHNICIAN,
        body=body,
        route_key="POST /api/tickets",
    )
    number = ok(call_http("tickets", event), 201)["ticket"]["number"]
    saved = ok(
        api.call(
            "POST /api/quick-replies",
            caller=TECHNICIAN,
            body=reply(
                en={
                    "title": "Update",
                    "body": "Hi {[Contact First Name]}, {[Ticket Number]} ({[Ticket Title]}) is "
                    "{[Ticket Status]} at {[Company Name]}.",
                }
            ),
        ),
        201,
    )

    # When a technician previews it for that ticket
    with dynamodb_requests() as calls:
        preview = ok(
            api.call(
                f"POST /api/quick-replies/{saved['id']}/preview", caller=TECHNICIAN, body={"ticket_number": number}
            )
        )

    # Then the ticket's and its requester's values are filled in (escaped in the HTML), and nothing is written
    assert preview["text"].strip() == f"Hi Wile, {number} (Anvil <b>late</b>) is new at Acme Anvils."
    assert "Anvil &lt;b&gt;late&lt;/b&gt;" in preview["html"]
    assert set(calls) <= {"GetItem", "Query", "BatchGetItem"}, "a preview reads, and writes nothing"
    assert calls == {"BatchGetItem": 1, "GetItem": 2, "Query": 1}  # the reply; the ticket, the contact; the company


def test_a_preview_for_a_ticket_that_does_not_exist_is_not_found(api: TemplatesApi) -> None:
    body = {"title": "Hi", "body": "{[Ticket Title]}", "ticket_number": 999_999}

    assert refused(api.call("POST /api/quick-replies/preview", caller=TECHNICIAN, body=body)) == (404, "not_found")


def test_a_draft_previewed_for_a_contact_names_where_they_sign_in(api: TemplatesApi) -> None:
    contact = create_contact("Gina Gómez", ["gina@gmail.com"], created_via=CreatedVia.CONSOLE)
    draft = {"subject": "Hi {[Contact Name]}", "body": "{[Portal Address]} as {[Portal Username]}", "language": "en"}

    preview = ok(api.call("POST /api/email-templates/preview", body={**draft, "contact_id": contact.id}))
    reply = ok(
        api.call(
            "POST /api/quick-replies/preview",
            caller=TECHNICIAN,
            body={"title": "{[Contact First Name]}", "body": "{[Company Name]}", "contact_id": contact.id},
        )
    )

    assert preview["subject"] == "Hi Gina Gómez"
    assert "/help as gina@gmail.com" in preview["text"]  # Unassigned has no portal: the help centre
    assert (reply["title"], reply["text"].strip()) == ("Gina", "Unassigned")


def test_a_preview_for_a_contact_that_does_not_exist_is_not_found(api: TemplatesApi) -> None:
    draft = {"subject": "Hi", "body": "{[Contact Name]}", "contact_id": "0123456789abcdef"}

    assert refused(api.call("POST /api/email-templates/preview", body=draft)) == (404, "not_found")


# --- quick replies ------------------------------------------------------------------------------


def test_a_technician_keeps_quick_replies_nobody_else_sees(api: TemplatesApi) -> None:
    with dynamodb_requests() as calls:
        mine = ok(api.call("POST /api/quick-replies", caller=TECHNICIAN, body=reply()), 201)
    assert calls == {"PutItem": 1}
    assert (mine["shared"], mine["owner_id"]) == (False, TECHNICIAN.user_id)

    assert [r["id"] for r in ok(api.call("GET /api/quick-replies", caller=TECHNICIAN))] == [mine["id"]]
    assert ok(api.call("GET /api/quick-replies", caller=OTHER_TECHNICIAN)) == []
    assert ok(api.call("GET /api/quick-replies", caller=ADMIN)) == []

    for who in (OTHER_TECHNICIAN, ADMIN):
        for response in (
            api.call(f"GET /api/quick-replies/{mine['id']}", caller=who),
            api.call(f"PUT /api/quick-replies/{mine['id']}", caller=who, body=reply()),
            api.call(f"DELETE /api/quick-replies/{mine['id']}", caller=who),
            api.call(f"POST /api/quick-replies/{mine['id']}/preview", caller=who, body={}),
        ):
            assert refused(response) == (404, "not_found")
    assert ok(api.call(f"GET /api/quick-replies/{mine['id']}", caller=TECHNICIAN)) == mine


def test_a_technician_changes_and_deletes_their_own_quick_reply(api: TemplatesApi) -> None:
    mine = ok(api.call("POST /api/quick-replies", caller=TECHNICIAN, body=reply()), 201)

    with dynamodb_requests() as calls:
        changed = ok(
            api.call(
                f"PUT /api/quick-replies/{mine['id']}",
                caller=TECHNICIAN,
                body=reply(de={"title": "Neustart", "body": "Bitte neu starten"}),
            )
        )
    assert calls == {"BatchGetItem": 1, "PutItem": 1}
    assert list(changed["variants"]) == ["de"]
    assert changed["created_at"] == mine["created_at"]
    assert (mine["revision"], changed["revision"]) == (1, 2)
    stale = api.call(f"PUT /api/quick-replies/{mine['id']}", caller=TECHNICIAN, body={**reply(), "revision": 1})
    assert refused(stale) == (409, "conflict")

    with dynamodb_requests() as calls:
        ok(api.call(f"DELETE /api/quick-replies/{mine['id']}", caller=TECHNICIAN), 204)
    assert calls == {"BatchGetItem": 1, "DeleteItem": 1}
    assert refused(api.call(f"GET /api/quick-replies/{mine['id']}", caller=TECHNICIAN)) == (404, "not_found")


def test_admins_keep_shared_quick_replies_every_technician_may_use(api: TemplatesApi) -> None:
    shared = ok(api.call("POST /api/quick-replies", body={**reply(), "shared": True}), 201)
    mine = ok(
        api.call("POST /api/quick-replies", caller=TECHNICIAN, body=reply(en={"title": "Apples", "body": "x"})), 201
    )

    with dynamodb_requests() as calls:
        listed = ok(api.call("GET /api/quick-replies", caller=TECHNICIAN))
    assert calls == {"Query": 2}
    assert [r["id"] for r in listed] == [shared["id"], mine["id"]], "shared first, then their own"
    with dynamodb_requests() as calls:
        assert ok(api.call(f"GET /api/quick-replies/{shared['id']}", caller=OTHER_TECHNICIAN)) == shared
    assert calls == {"BatchGetItem": 1}

    # but only admins change them, and technicians cannot add shared ones
    attempts = (
        api.call(f"PUT /api/quick-replies/{shared['id']}", caller=TECHNICIAN, body=reply()),
        api.call(f"DELETE /api/quick-replies/{shared['id']}", caller=TECHNICIAN),
        api.call("POST /api/quick-replies", caller=TECHNICIAN, body={**reply(), "shared": True}),
    )
    assert [refused(response) for response in attempts] == [(403, "shared_quick_reply")] * 3
    assert ok(api.call("GET /api/quick-replies", caller=OTHER_TECHNICIAN)) == [shared]
    ok(api.call(f"DELETE /api/quick-replies/{shared['id']}"), 204)
    assert ok(api.call("GET /api/quick-replies", caller=OTHER_TECHNICIAN)) == []


def test_a_quick_reply_refuses_unknown_snippets_and_previews_for_staff(api: TemplatesApi) -> None:
    bad = reply(en={"title": "{[Ticket Numbr]}", "body": "x"})
    response = api.call("POST /api/quick-replies", caller=TECHNICIAN, body=bad)
    assert refused(response) == (400, "unknown_snippet")
    assert response.json()["details"][0]["field"] == "variants.en.title"

    draft = {"title": "Re: {[Ticket Title]}", "body": "Hi {[Contact First Name]}", "sample": {"ticket_title": "VPN"}}
    with dynamodb_requests() as calls:
        preview = ok(api.call("POST /api/quick-replies/preview", caller=TECHNICIAN, body=draft))
    assert calls == {}
    assert preview["title"] == "Re: VPN"
    assert preview["text"] == "Hi [Contact First Name]\n"

    mine = ok(api.call("POST /api/quick-replies", caller=TECHNICIAN, body=reply()), 201)
    saved = ok(
        api.call(
            f"POST /api/quick-replies/{mine['id']}/preview",
            caller=TECHNICIAN,
            body={"language": "de", "sample": {"contact_first_name": "Eve"}},
        )
    )
    assert (saved["language"], saved["title"], saved["text"]) == ("en", "Restart first", "Hello Eve, ...\n")


def test_the_snippets_are_listed_for_staff(api: TemplatesApi) -> None:
    listed = ok(api.call("GET /api/snippets", caller=TECHNICIAN))

    assert [s["token"] for s in listed] == [s.token for s in SNIPPETS]
    credentials = {s["name"] for s in listed if s["credential"]}
    assert credentials == {"Portal Password", "Portal Password Link"}
