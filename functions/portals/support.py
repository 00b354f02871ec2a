"""A portal's support page: what a visitor to <subdomain>.<support domain>/ sees, and the same in
a compact layout inside the chat widget's frame (/widget?origin=<the embedding website>).

    active, someone available   a chat request form; then the wait in the queue; then the chat
    active, nobody available    "No technician is available right now" and a message form
    inactive                    "Service unavailable. We apologise for the inconvenience." (503)
    no such portal              404

The page's script (assets/support.js, after the shared assets/chat.js) runs all of it and
follows the portal's state while the visitor has sent nothing. The widget's page is served only
to a website on the portal's list of allowed origins, and its Content-Security-Policy lets only
that website frame it (frame-ancestors); the script talks to the embedding page (its size, its
state) with postMessage to that origin alone.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from deskless.catalog import http_route
from deskless.companies import Portal, origin_allowed, valid_origin
from deskless.errors import InvalidRequest
from deskless.fields import NAME_CHARS

from .pages import (
    Page,
    Script,
    Visit,
    bare_document,
    chat_section,
    data_block,
    document,
    field_html,
    missing,
    visit_of,
)
from .public import MESSAGE_MAX_CHARS, QUESTION_MAX_CHARS, State, company_here, state_of
from .text import SUPPORT_KEYS

SCRIPT = Script.of("chat.js", "support.js")
# What may stand in a frame-ancestors source: an origin as valid_origin writes it, nothing else.
_ORIGIN_SHAPE = re.compile(r"https?://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:[0-9]{1,5})?")
_CHAT_ICON = (
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 '
    '2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>'
)


def home_page(host: str, lang: str | None, accept_language: str) -> Page:
    found = company_here(host)
    if found is None:
        return missing(visit_of(None, lang, accept_language))
    company, portal = found
    here = visit_of(portal, lang, accept_language)
    text = here.text
    state = state_of(company, portal)
    if state == State.INACTIVE:
        title = text["title"].format(company=portal.company_name)
        main = f"<h1>{escape(title)}</h1><p>{escape(text['inactive'])}</p>"
        return document(here, None, main, status=503)
    join = f'<p class="join-link"><a href="{http_route("GET /join").path}">{escape(text["join_link"])}</a></p>'
    main = _sections(here, state) + join + data_block("support-data", _script_data(here, state, None))
    return document(here, _heading(text, state), main, script=SCRIPT)


def widget_page(host: str, origin: str, lang: str | None, accept_language: str) -> Page:
    found = company_here(host)
    if found is None:
        return missing(visit_of(None, lang, accept_language))
    company, portal = found
    here = visit_of(portal, lang, accept_language)
    text = here.text
    website = _embedder(portal, origin)
    if website is None:
        refused = text["widget_refused"].format(company=portal.company_name)
        return document(here, refused, f"<h1>{escape(refused)}</h1>", status=403)
    state = state_of(company, portal)
    sections = _sections(here, state)
    join = (
        f'<p class="join-link"><a href="{http_route("GET /join").path}" target="_blank" rel="noopener">'
        f"{escape(text['join_link'])}</a></p>"
    )
    launcher = "launcher_chat" if state == State.AVAILABLE else "launcher_message"
    body = (
        f'<button type="button" id="launcher" class="launcher"{" hidden" if state == State.INACTIVE else ""}>'
        f'{_CHAT_ICON}<span id="launcher-label">{escape(text[launcher])}</span></button>'
        '<div id="panel" class="panel" role="region" aria-labelledby="panel-title" hidden>'
        f'<header class="top"><p class="brand" id="panel-title">{escape(portal.company_name)}</p>'
        f'<button type="button" id="close" class="plain">{escape(text["close_button"])}</button></header>'
        f"<main>{sections}{join}</main></div>"
        f"{data_block('support-data', _script_data(here, state, website))}"
    )
    title = text["widget_title"].format(company=portal.company_name)
    return bare_document(here, title, body, script=SCRIPT, frame_ancestors=website, body_class="widget")


def _embedder(portal: Portal, origin: str) -> str | None:
    """The website's origin, as a CSP source and a postMessage target, if the portal allows it."""
    try:
        website = valid_origin(origin)
    except InvalidRequest:
        return None
    return website if origin_allowed(portal, website) and _ORIGIN_SHAPE.fullmatch(website) else None


def _heading(text: dict[str, str], state: State) -> str:
    return text["support_title"] if state == State.AVAILABLE else text["leave_title"]


def _sections(here: Visit, state: State) -> str:
    """The contact form (a chat request, or a message when nobody can chat), the wait in the queue,
    the thanks for a message, the closed portal and the chat: the script shows one at a time."""
    text = here.text
    chat = state == State.AVAILABLE
    closed = state == State.INACTIVE
    return (
        f'<section id="contact" aria-labelledby="contact-heading"{" hidden" if closed else ""}>'
        f'<h1 id="contact-heading" tabindex="-1">{escape(_heading(text, state))}</h1>'
        f'<p id="contact-intro">{escape(text["support_intro" if chat else "leave_intro"])}</p>'
        '<form id="contact-form" novalidate>'
        + field_html(
            "name",
            text["name_label"],
            f'<input id="name" name="name" autocomplete="name" maxlength="{NAME_CHARS}" required>',
        )
        + field_html(
            "email",
            text["email_label"],
            '<input id="email" name="email" type="email" autocomplete="email" maxlength="254" required>',
        )
        + field_html(
            "question",
            text["question_label"],
            f'<textarea id="question" name="question" rows="4" '
            f'maxlength="{QUESTION_MAX_CHARS if chat else MESSAGE_MAX_CHARS}" required></textarea>',
        )
        + '<p id="contact-error" class="error" role="alert" hidden></p>'
        f'<button type="submit" id="contact-button">{escape(text["request_button" if chat else "leave_button"])}'
        "</button>"
        '<p id="contact-status" class="status" role="status"></p>'
        "</form>"
        f"<noscript><p>{escape(text['noscript'])}</p></noscript>"
        "</section>"
        '<section id="waiting" aria-labelledby="waiting-heading" hidden>'
        f'<h1 id="waiting-heading" tabindex="-1">{escape(text["waiting_title"])}</h1>'
        '<div class="waiting-mark" aria-hidden="true"></div>'
        '<p id="position" class="position" role="status"></p>'
        f"<p>{escape(text['waiting_hint'])}</p>"
        f'<button type="button" id="withdraw" class="secondary">{escape(text["withdraw_button"])}</button>'
        "</section>"
        '<section id="thanks" aria-labelledby="thanks-heading" hidden>'
        f'<h1 id="thanks-heading" tabindex="-1">{escape(text["thanks_title"])}</h1>'
        '<p id="thanks-text"></p>'
        "</section>"
        f'<section id="closed"{"" if closed else " hidden"}>'
        f'<h1 tabindex="-1">{escape(text["title"].format(company=here.portal.company_name if here.portal else ""))}'
        f"</h1><p>{escape(text['inactive'])}</p>"
        "</section>"
        f"{chat_section(text)}"
        f'<p id="new-chat" hidden><button type="button" id="new-chat-button">{escape(text["new_chat_button"])}'
        "</button></p>"
    )


def _script_data(here: Visit, state: State, website: str | None) -> dict[str, Any]:
    return {
        "lang": here.language,
        "state": state.value,
        "via": "widget" if website else "portal",
        "widget": {"origin": website} if website else None,
        "text": {key: here.text[key] for key in SUPPORT_KEYS},
        "api": {
            "portal": http_route("GET /api/portal").path,
            "chat_requests": http_route("POST /api/portal/chat-requests").path,
            "messages": http_route("POST /api/portal/messages").path,
            "transcript": http_route("GET /api/sessions/{session_id}/messages").path,
        },
    }
