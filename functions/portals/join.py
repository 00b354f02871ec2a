"""The pages a customer joins a support session from, rendered on the server in the visitor's
language, with the chat that follows them run by assets/join.js.

    /join            a code and a name
    /join/{code}     the code given, so only the name (or nothing, if the browser knows it)
    /invite/{token}  an invitation link: the name; a dead or unknown link says so at once (410)

Opening a page never redeems anything: the page's script POSTs the code or accepts the
invitation, so a mail scanner that opens a link cannot use it up. Nor does opening /join/{code}
say whether the code exists: codes are guessable, and only redemption (rate-limited) may tell.

Every value that comes from outside is HTML-escaped here; what the script needs travels as a
JSON data block (not executable) and the script sets it as text only. The script and the style
sheet are read from disk once and inlined; the Content-Security-Policy allows exactly them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from deskless.catalog import http_route
from deskless.companies import Portal, portal_by_subdomain
from deskless.data import table
from deskless.edge import portal_label
from deskless.settings import get_settings
from deskless.table import invitation_key

from .language import choose_language
from .text import LANGUAGE_NAMES, SCRIPT_KEYS, TEXT

ASSETS = Path(__file__).resolve().parent / "assets"
SCRIPT = (ASSETS / "join.js").read_text(encoding="utf-8")
STYLE = (ASSETS / "join.css").read_text(encoding="utf-8")
CODE_DIGITS = 9
NAME_MAX_CHARS = 80
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")
_DEAD_INVITATION_STATES = frozenset({"used", "invalidated"})
_CURRENT = ' aria-current="page"'


def _source_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


_SCRIPT_HASH = _source_hash(SCRIPT)
_STYLE_HASH = _source_hash(STYLE)


@dataclass(frozen=True)
class Page:
    status: int
    html: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Visit:
    """Who the page is for: the language it speaks, and the portal whose host it was opened on."""

    language: str
    portal: Portal | None
    known_host: bool  # False: a portal subdomain that does not exist

    @property
    def text(self) -> dict[str, str]:
        return TEXT[self.language]


def _visit(host: str, lang: str | None, accept_language: str, *defaults: str | None) -> Visit:
    label = portal_label(host, get_settings().support_domain)
    portal = portal_by_subdomain(label) if label else None
    language = choose_language(lang, accept_language, [*defaults, portal.language if portal else None])
    return Visit(language=language, portal=portal, known_host=label is None or portal is not None)


def join_page(host: str, lang: str | None, accept_language: str, code: str | None = None) -> Page:
    visit = _visit(host, lang, accept_language)
    if not visit.known_host:
        return _missing(visit)
    text = visit.text
    digits = re.sub(r"\D", "", code or "")
    given = digits if len(digits) == CODE_DIGITS else ""
    if given:
        intro = text["join_intro_code"].format(code=_spaced(given))
        code_field = f'<input type="hidden" id="code" name="code" value="{given}">'
    else:
        intro = text["join_intro"]
        code_field = (
            '<div class="field">'
            f'<label for="code">{escape(text["code_label"])}</label>'
            '<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="15" '
            f'required aria-describedby="code-hint"><p id="code-hint" class="hint">{escape(text["code_hint"])}</p>'
            "</div>"
        )
    data = {"mode": "code", "code": given, "invitation": "", **_script_data(visit)}
    return _join_document(visit, intro, code_field, data)


def invite_page(host: str, lang: str | None, accept_language: str, token: str) -> Page:
    invitation = table().get(invitation_key(token)) if _TOKEN_SHAPE.fullmatch(token) else None
    visit = _visit(host, lang, accept_language, invitation.get("language") if invitation else None)
    if not visit.known_host:
        return _missing(visit)
    if invitation is None or invitation.get("state") in _DEAD_INVITATION_STATES:
        text = visit.text
        main = f"<h1>{escape(text['invite_invalid'])}</h1><p>{escape(text['invite_invalid_hint'])}</p>"
        return _document(visit, text["invite_invalid"], main, status=410)  # unknown or dead: one answer
    accept = http_route("invitations", "accept").path.replace("{token}", quote(token, safe=""))
    data = {"mode": "invite", "code": "", "invitation": token, **_script_data(visit, accept=accept)}
    return _join_document(visit, visit.text["invite_intro"], "", data)


def _script_data(visit: Visit, *, accept: str = "") -> dict[str, Any]:
    return {
        "lang": visit.language,
        "text": {key: visit.text[key] for key in SCRIPT_KEYS},
        "api": {
            "join": http_route("codes", "redeem").path,
            "accept": accept,
            "messages": http_route("sessions", "messages").path,
        },
    }


def _join_document(visit: Visit, intro: str, code_field: str, data: dict[str, Any]) -> Page:
    text = visit.text
    main = (
        '<section id="join" aria-labelledby="join-heading">'
        f'<h1 id="join-heading">{escape(text["join_title"])}</h1>'
        f"<p>{escape(intro)}</p>"
        '<form id="join-form" novalidate>'
        f"{code_field}"
        '<div class="field">'
        f'<label for="name">{escape(text["name_label"])}</label>'
        f'<input id="name" name="name" autocomplete="name" maxlength="{NAME_MAX_CHARS}" required>'
        "</div>"
        '<p id="join-error" class="error" role="alert" hidden></p>'
        f'<button type="submit" id="join-button">{escape(text["join_button"])}</button>'
        '<p id="join-status" class="status" role="status"></p>'
        "</form>"
        f"<noscript><p>{escape(text['noscript'])}</p></noscript>"
        "</section>"
        '<section id="chat" aria-labelledby="chat-heading" hidden>'
        '<h1 id="chat-heading" tabindex="-1"></h1>'
        '<p id="status" class="status" role="status"></p>'
        f'<ol id="messages" class="messages" aria-label="{escape(text["messages_label"])}" aria-live="polite" '
        'aria-relevant="additions"></ol>'
        '<form id="composer" novalidate>'
        f'<label for="message">{escape(text["message_label"])}</label>'
        '<div class="compose-row">'
        '<textarea id="message" name="message" rows="2" maxlength="4000" enterkeyhint="send"></textarea>'
        f'<button type="submit" id="send">{escape(text["send_button"])}</button>'
        "</div>"
        '<p id="chat-error" class="error" role="alert" hidden></p>'
        "</form>"
        f'<button type="button" id="end" class="secondary end">{escape(text["end_button"])}</button>'
        "</section>"
        f'<script type="application/json" id="join-data">{_json_for_html(data)}</script>'
        f"<script>{SCRIPT}</script>"
    )
    return _document(visit, text["join_title"], main)


def _missing(visit: Visit) -> Page:
    message = visit.text["missing"]
    return _document(visit, message, f"<h1>{escape(message)}</h1>", status=404)


def _document(visit: Visit, heading: str, main: str, *, status: int = 200) -> Page:
    text = visit.text
    company = visit.portal.company_name if visit.portal else ""
    title = f"{heading} \N{EN DASH} {text['title'].format(company=company)}" if company else heading
    brand = f'<p class="brand">{escape(company)}</p>' if company else "<span></span>"
    links = "".join(
        f'<li><a href="?lang={code}" hreflang="{code}" lang="{code}"{_CURRENT if code == visit.language else ""}>'
        f"{escape(name)}</a></li>"
        for code, name in LANGUAGE_NAMES.items()
    )
    html = (
        f'<!doctype html><html lang="{visit.language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="referrer" content="no-referrer"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body>"
        f'<header class="top">{brand}<nav class="languages" aria-label="{escape(text["language_label"])}">'
        f"<ul>{links}</ul></nav></header>"
        f"<main>{main}</main></body></html>"
    )
    return Page(status, html, _headers(visit.language))


def _headers(language: str) -> dict[str, str]:
    websocket = urlsplit(get_settings().websocket_url)
    policy = (
        f"default-src 'none'; script-src {_SCRIPT_HASH}; style-src {_STYLE_HASH}; "
        f"connect-src 'self' {websocket.scheme}://{websocket.netloc}; base-uri 'none'; form-action 'self'"
    )
    return {
        "content-security-policy": policy,
        "referrer-policy": "no-referrer",  # the address holds a code or an invitation token
        "x-content-type-options": "nosniff",
        "cache-control": "no-store",
        "content-language": language,
        "vary": "Accept-Language",
    }


def _spaced(code: str) -> str:
    return " ".join(code[i : i + 3] for i in range(0, len(code), 3))


def _json_for_html(data: dict[str, Any]) -> str:
    """JSON that cannot end its <script> element or open markup inside it."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
