"""Rendering templates (deskless.snippets, deskless.rendering, deskless.templates' rules): which
snippets a text names, the refusal of unknown ones, hostile values escaped in the HTML and inert
in the text, a subject that stays one line, the language fallback, and credentials issued only
when a mail is really sent, once, and never by a preview."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from deskless.errors import CredentialsUnavailable, UnknownSnippet
from deskless.languages import LANGUAGES
from deskless.rendering import render, render_body, render_line
from deskless.snippets import SNIPPETS, SnippetContext, SnippetValues, check_known, named_in, unknown_in
from deskless.template_defaults import BUILT_IN, WELCOME
from deskless.templates import EmailVariant, email_texts, variant_for

HOSTILE = '<script>alert(1)</script> **bold** [click](https://evil.example) <img src=x onerror=alert(1)> & "q"'


class RecordingIssuer:
    """A stand-in for the part that issues portal credentials: it records each request."""

    def __init__(self) -> None:
        self.issued: list[str] = []

    def temporary_password(self) -> str:
        self.issued.append("password")
        return f"Temp-{len(self.issued)}"

    def password_link(self) -> str:
        self.issued.append("link")
        return f"https://acme.example.com/set-password?token=t{len(self.issued)}&lang=en"


class ExplodingIssuer:
    def temporary_password(self) -> str:
        raise AssertionError("a preview must not issue a password")

    def password_link(self) -> str:
        raise AssertionError("a preview must not issue a link")


class Elements(HTMLParser):
    """The elements and attributes an HTML fragment really has."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def sending(issuer: object | None = None, **values: str) -> SnippetContext:
    return SnippetContext.for_sending(SnippetValues(**values), issuer)  # type: ignore[arg-type]


# --- which snippets a text names -----------------------------------------------------------------


def test_snippets_are_found_in_order_each_once() -> None:
    text = "Hi {[Contact First Name]}, {[Company Name]} {[Contact First Name]} {[Ticket Nmuber]}"

    assert named_in(text) == ["Contact First Name", "Company Name", "Ticket Nmuber"]
    assert unknown_in(text) == ["Ticket Nmuber"]


def test_what_is_not_a_snippet_is_left_alone() -> None:
    for text in ("{Contact Name}", "[Contact Name]", "{[ ]", "{[Contact\nName]}", "{[]}", "{[a]b]}"):
        assert unknown_in(text) == []


def test_snippet_names_are_exact_case_included() -> None:
    assert unknown_in("{[contact name]} {[Contact  Name]} {[ Contact Name]}") == [
        "contact name",
        "Contact  Name",
        " Contact Name",
    ]


def test_every_registered_snippet_is_known_and_the_registry_has_the_issues_list() -> None:
    tokens = {snippet.token for snippet in SNIPPETS}

    assert unknown_in(" ".join(tokens)) == []
    assert tokens >= {
        "{[Portal Address]}",
        "{[Portal Username]}",
        "{[Portal Password]}",
        "{[Portal Password Link]}",
        "{[Contact First Name]}",
        "{[Contact Name]}",
        "{[Contact Email]}",
        "{[Company Name]}",
        "{[Ticket Number]}",
        "{[Ticket Title]}",
        "{[Ticket Status]}",
        "{[Ticket Link]}",
        "{[Technician Name]}",
    }


def test_an_unknown_snippet_is_refused_naming_it_its_field_and_the_known_ones() -> None:
    with pytest.raises(UnknownSnippet) as refused:
        check_known({"variants.en.subject": "Hi {[Contact Name]}", "variants.es.body": "{[Ticket Nmuber]} {[Foo]}"})

    message = refused.value.message
    assert message.startswith("Unknown snippets {[Ticket Nmuber]}, {[Foo]}.")
    assert all(snippet.token in message for snippet in SNIPPETS)
    assert [detail["field"] for detail in refused.value.details] == ["variants.es.body"]
    assert refused.value.status == 400
    assert refused.value.code == "unknown_snippet"


def test_rendering_refuses_an_unknown_snippet_rather_than_send_it_verbatim() -> None:
    with pytest.raises(UnknownSnippet):
        render("Hello", "Dear {[Customer]}", sending())


# --- values are text, never markup ------------------------------------------------------------------


def test_a_hostile_value_is_escaped_in_the_html_and_adds_no_element() -> None:
    html, _ = render_body("Hello *{[Contact Name]}*, [your ticket]({[Ticket Link]}).", sending(contact_name=HOSTILE))

    elements = Elements(html)
    assert [tag for tag, _ in elements.tags] == ["p", "em", "a"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **bold** [click](https://evil.example)" in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;" in html
    assert "<script" not in html


def test_a_hostile_value_stays_literal_in_the_text_part() -> None:
    _, text = render_body("Hello {[Contact Name]}!", sending(contact_name=HOSTILE))

    assert text == f"Hello {HOSTILE}!\n"


def test_a_value_cannot_start_a_line_paragraph_heading_or_list() -> None:
    value = "Eve\n\n# Owned\n- item\r\n\u2028> quote"

    html, text = render_body("Dear {[Contact Name]}, welcome.", sending(contact_name=value))

    assert [tag for tag, _ in Elements(html).tags] == ["p"]
    assert text == "Dear Eve # Owned - item > quote, welcome.\n"


def test_a_replys_text_keeps_its_lines_as_breaks_and_nothing_more() -> None:
    value = "Hello,\n\nplease <b>restart</b> it.\r\n# not a heading\n\n\n\n\u202eTed"

    html, text = render_body("> {[Ticket Reply]}\n\nBye", sending(ticket_reply=value))

    assert [tag for tag, _ in Elements(html).tags] == ["blockquote", "p", "br", "br", "br", "br", "br", "p"]
    assert "please &lt;b&gt;restart&lt;/b&gt; it." in html
    assert text == "> Hello,\n>\n> please <b>restart</b> it.\n> # not a heading\n>\n> Ted\n\nBye\n"
    assert render_line("Re: {[Ticket Reply]}", sending(ticket_reply=value)).count("\n") == 0


def test_a_value_in_a_link_target_cannot_make_a_script_link() -> None:
    for hostile in ("javascript:alert(1)", "data:text/html,<script>x</script>", "//evil.example", "vbscript:x"):
        html, text = render_body("[Open the portal]({[Portal Address]})", sending(portal_address=hostile))

        links = Elements(html).named("a")
        assert links == [{}], f"{hostile}: the link keeps its text, not the target"
        assert "Open the portal" in html
        assert hostile in text


def test_a_plain_value_inside_a_link_target_is_percent_encoded() -> None:
    html, _ = render_body(
        "[Find it](https://help.example.com/search?q={[Contact Name]})", sending(contact_name='a&b "c" <d>')
    )

    (link,) = Elements(html).named("a")
    assert link["href"] == "https://help.example.com/search?q=a%26b%20%22c%22%20%3Cd%3E"


def test_a_url_snippet_is_the_link_target_as_it_is() -> None:
    html, text = render_body(
        "[Your ticket]({[Ticket Link]})", sending(ticket_link="https://acme.example.com/t/42?x=1&y=2")
    )

    (link,) = Elements(html).named("a")
    assert link["href"] == "https://acme.example.com/t/42?x=1&y=2"
    assert text == "Your ticket (https://acme.example.com/t/42?x=1&y=2)\n"


def test_raw_html_in_a_template_shows_as_text() -> None:
    html, text = render_body('<b>bold</b> <a href="javascript:x">x</a>\n\n<div onclick="x">block</div>', sending())

    assert [tag for tag, _ in Elements(html).tags] == ["p", "p"]
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<b>bold</b>" in text


def test_a_templates_own_javascript_link_is_no_link() -> None:
    html, _ = render_body("[x](javascript:alert(1))", sending())

    assert Elements(html).named("a") == []


# --- markdown to html and text ------------------------------------------------------------------------


def test_markdown_renders_to_html_and_readable_text() -> None:
    body = (
        "# Welcome\n\n"
        "Hello **{[Contact First Name]}**,\nsecond line.\n\n"
        "- one\n- two with [a link](https://example.com)\n\n"
        "1. first\n2. second\n\n"
        "> quoted\n\n"
        "Bye"
    )

    html, text = render_body(body, sending(contact_first_name="Carla"))

    assert "<h1>Welcome</h1>" in html
    assert "<strong>Carla</strong>,<br />" in html
    assert '<a href="https://example.com">a link</a>' in html
    assert text == (
        "Welcome\n\n"
        "Hello Carla,\nsecond line.\n\n"
        "- one\n- two with a link (https://example.com)\n\n"
        "1. first\n2. second\n\n"
        "> quoted\n\n"
        "Bye\n"
    )


def test_the_html_is_a_whole_document_in_the_variants_language() -> None:
    rendered = render("Hi <{[Contact Name]}>", "Body", sending(contact_name="Eve & Co"), language="de")

    assert rendered.html.startswith('<!doctype html>\n<html lang="de">')
    assert "<title>Hi &lt;Eve &amp; Co&gt;</title>" in rendered.html
    assert rendered.subject == "Hi <Eve & Co>"


# --- the subject is one line ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["Eve\r\nBcc: victim@example.com", "Eve\nBcc: x", "Eve\u2028Bcc", "Eve\u0085Bcc", "Eve\x00\x0bBcc"]
)
def test_the_subject_stays_one_line_whatever_the_values_hold(value: str) -> None:
    subject = render_line(
        "Welcome {[Contact Name]} to {[Company Name]}", sending(contact_name=value, company_name="A\nB")
    )

    assert not re.search(r"[\r\n\x00-\x1f\x85\u2028\u2029]", subject)
    assert subject.startswith("Welcome Eve ")
    assert subject.endswith(" to A B")


# --- absent values ------------------------------------------------------------------------------


def test_an_absent_value_is_a_visible_placeholder_in_a_preview_and_nothing_when_sent() -> None:
    template = "Hello {[Contact First Name]} from {[Company Name]}"

    assert render_line(template, SnippetContext.for_preview()) == "Hello [Contact First Name] from [Company Name]"
    assert render_line(template, sending(company_name="Acme")) == "Hello from Acme"


# --- credentials ------------------------------------------------------------------------------------


def test_a_preview_shows_credential_placeholders_and_never_calls_the_issuer() -> None:
    context = SnippetContext(preview=True, issuer=ExplodingIssuer())
    welcome = BUILT_IN[WELCOME].variants["en"]

    rendered = render(welcome.subject + " {[Portal Password]}", welcome.body + "\n\n{[Portal Password]}", context)

    assert "[temporary password: issued when sent]" in rendered.text
    assert "[set-password link: made when sent]" in rendered.text
    assert "[temporary password: issued when sent]" in rendered.subject


def test_sending_issues_each_credential_once_for_subject_html_and_text() -> None:
    issuer = RecordingIssuer()
    context = sending(issuer)

    rendered = render(
        "Your password {[Portal Password]}",
        "Password: {[Portal Password]}\n\n[Set it]({[Portal Password Link]}) or {[Portal Password Link]}",
        context,
    )

    assert issuer.issued == ["password", "link"]
    assert rendered.subject == "Your password Temp-1"
    assert rendered.text.count("Temp-1") == 1
    assert rendered.text.count("https://acme.example.com/set-password?token=t2&lang=en") == 2
    assert Elements(rendered.html).named("a") == [{"href": "https://acme.example.com/set-password?token=t2&lang=en"}]


def test_a_template_without_credential_snippets_asks_the_issuer_nothing() -> None:
    issuer = RecordingIssuer()

    render("Hello {[Contact Name]}", "Your ticket {[Ticket Number]}", sending(issuer, contact_name="Eve"))

    assert issuer.issued == []


def test_sending_credentials_without_an_issuer_is_refused() -> None:
    with pytest.raises(CredentialsUnavailable):
        render("Welcome", "[Set your password]({[Portal Password Link]})", sending())


# --- languages ----------------------------------------------------------------------------------------


def variants(*languages: str) -> dict[str, EmailVariant]:
    return {language: EmailVariant(subject=f"subject {language}", body=f"body {language}") for language in languages}


@pytest.mark.parametrize(
    ("has", "asked", "portal", "used"),
    [
        (("en", "es", "de", "cs"), "cs", "de", "cs"),  # the language asked for
        (("en", "de"), "cs", "de", "de"),  # else the portal's
        (("en", "es"), "cs", "de", "en"),  # else English
        (("es", "cs"), "de", None, "es"),  # else the first there is
        (("en", "es"), None, None, "en"),
    ],
)
def test_a_missing_language_falls_back_to_the_portals_then_english(
    has: tuple[str, ...], asked: str | None, portal: str | None, used: str
) -> None:
    language, variant = variant_for(variants(*has), asked, portal)  # type: ignore[arg-type]

    assert (language, variant.subject) == (used, f"subject {used}")


# --- the built-in templates ----------------------------------------------------------------------


def test_every_built_in_template_speaks_every_language_with_known_snippets_only() -> None:
    for template in BUILT_IN.values():
        assert set(template.variants) == set(LANGUAGES)
        check_known(email_texts(template))


def test_the_built_in_welcome_sends_a_set_password_link_never_a_password() -> None:
    for variant in BUILT_IN[WELCOME].variants.values():
        assert "{[Portal Password Link]}" in variant.body
        assert "{[Portal Password]}" not in variant.body + variant.subject


def test_the_text_part_keeps_the_shape_of_tables_code_and_nested_lists() -> None:
    body = (
        "- one\n  - nested *a*\n  - nested b\n- two\n\n"
        "| Field | Value |\n|---|---|\n| Ticket | {[Ticket Number]} |\n\n"
        "```\ncode {[Contact Name]} <x>\n```\n\n"
        "---\n\n"
        "<https://example.com/a> and `{[Company Name]}`"
    )

    html, text = render_body(body, sending(ticket_number="42", contact_name="Eve", company_name="<Acme>"))

    assert text == (
        "- one\n  - nested a\n  - nested b\n- two\n\n"
        "Field | Value\nTicket | 42\n\n"
        "code Eve <x>\n\n"
        "--------------------\n\n"
        "https://example.com/a and <Acme>\n"
    )
    assert "<td>42</td>" in html
    assert "<pre><code>code Eve &lt;x&gt;\n</code></pre>" in html
    assert "<code>&lt;Acme&gt;</code>" in html
