"""What every portal page shares: who it is for (the portal its host names, the language it
speaks), the document around its content, and the headers that lock it down.

Pages are rendered on the server: every value from outside is HTML-escaped here, and what a
page's script needs travels as a JSON data block (not executable) that the script reads as
text. Scripts and the style sheet are read from assets/ once and inlined; the
Content-Security-Policy allows exactly them (by hash), the WebSocket API, and nothing else.
The words of every page, in every language, are in text.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from deskless.companies import Portal, portal_by_subdomain
from deskless.edge import portal_label
from deskless.settings import get_settings

from .language import choose_language
from .text import LANGUAGE_NAMES, TEXT

__all__ = ["TEXT", "Page", "Script", "Visit"]

ASSETS = Path(__file__).resolve().parent / "assets"
_CURRENT = ' aria-current="page"'


def source_hash(text: str) -> str:
    """A CSP source expression that allows exactly this inline script or style."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Script:
    """A page's one inline script: the shared chat (chat.js) and the page's own code, in that order."""

    source: str

    @classmethod
    def of(cls, *names: str) -> Script:
        return cls("\n".join(asset(name) for name in names))

    @property
    def hash(self) -> str:
        return source_hash(self.source)


STYLE = asset("portal.css")
_STYLE_HASH = source_hash(STYLE)


@dataclass(frozen=True)
class Page:
    status: int
    html: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Visit:
    """Who a page is for: the language it speaks, and the portal whose host it was opened on."""

    language: str
    portal: Portal | None
    known_host: bool  # False: a portal subdomain that does not exist

    @property
    def text(self) -> dict[str, str]:
        return TEXT[self.language]


def host_label(host: str) -> str | None:
    """The portal subdomain the request's host names (None: the support domain itself, or a stranger)."""
    return portal_label(host, get_settings().support_domain)


def visit_of(
    portal: Portal | None, lang: str | None, accept_language: str, *defaults: str | None, known_host: bool = True
) -> Visit:
    """The language is the `lang` parameter's, else the browser's, else the defaults', else the portal's."""
    language = choose_language(lang, accept_language, [*defaults, portal.language if portal else None])
    return Visit(language=language, portal=portal, known_host=known_host)


def visit(host: str, lang: str | None, accept_language: str, *defaults: str | None) -> Visit:
    """A visit on whatever host: a portal's, or the support domain's own (which has no portal)."""
    label = host_label(host)
    portal = portal_by_subdomain(label) if label else None
    return visit_of(portal, lang, accept_language, *defaults, known_host=label is None or portal is not None)


def document(
    visit: Visit,
    heading: str | None,
    main: str,
    *,
    status: int = 200,
    script: Script | None = None,
    frame_ancestors: str = "'none'",
) -> Page:
    """A whole page: its company and the language switcher on top, `main` below."""
    text = visit.text
    company = visit.portal.company_name if visit.portal else ""
    brand = f'<p class="brand">{escape(company)}</p>' if company else "<span></span>"
    links = "".join(
        f'<li><a href="?lang={code}" hreflang="{code}" lang="{code}"{_CURRENT if code == visit.language else ""}>'
        f"{escape(name)}</a></li>"
        for code, name in LANGUAGE_NAMES.items()
    )
    body = (
        f'<header class="top">{brand}<nav class="languages" aria-label="{escape(text["language_label"])}">'
        f"<ul>{links}</ul></nav></header>"
        f"<main>{main}</main>"
    )
    return bare_document(visit, heading, body, status=status, script=script, frame_ancestors=frame_ancestors)


def bare_document(
    visit: Visit,
    heading: str | None,
    body: str,
    *,
    status: int = 200,
    script: Script | None = None,
    frame_ancestors: str = "'none'",
    body_class: str = "",
) -> Page:
    """The document around `body` (no header: the widget's frame has its own), with the page's
    script, if any, last. Its title is the heading and the portal's name, or either alone."""
    text = visit.text
    company = visit.portal.company_name if visit.portal else ""
    portal_title = text["title"].format(company=company) if company else ""
    title = " \N{EN DASH} ".join(part for part in (heading, portal_title) if part) or "Deskless"
    opening = f'<body class="{body_class}">' if body_class else "<body>"
    code = f"<script>{script.source}</script>" if script else ""
    html = (
        f'<!doctype html><html lang="{visit.language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="referrer" content="no-referrer"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head>{opening}{body}{code}</body></html>"
    )
    return Page(status, html, headers(visit.language, script, frame_ancestors))


def missing(visit: Visit) -> Page:
    """The answer of a portal subdomain that does not exist."""
    message = visit.text["missing"]
    return document(visit, message, f"<h1>{escape(message)}</h1>", status=404)


def headers(language: str, script: Script | None, frame_ancestors: str = "'none'") -> dict[str, str]:
    websocket = urlsplit(get_settings().websocket_url)
    scripts = script.hash if script else "'none'"
    policy = (
        f"default-src 'none'; script-src {scripts}; style-src {_STYLE_HASH}; "
        f"connect-src 'self' {websocket.scheme}://{websocket.netloc}; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {frame_ancestors}"
    )
    return {
        "content-security-policy": policy,
        "referrer-policy": "no-referrer",  # an address may hold a code or an invitation token
        "x-content-type-options": "nosniff",
        "cache-control": "no-store",
        "content-language": language,
        "vary": "Accept-Language",
    }


def chat_section(text: dict[str, str]) -> str:
    """The chat a visitor has with their technician (run by assets/chat.js), hidden until it starts."""
    return (
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
    )


def field_html(name: str, label: str, control: str, hint: str = "") -> str:
    """A labelled form field; `control` is the input's markup, whose id is `name`."""
    described = f'<p id="{name}-hint" class="hint">{escape(hint)}</p>' if hint else ""
    return f'<div class="field"><label for="{name}">{escape(label)}</label>{control}{described}</div>'


def data_block(element_id: str, data: dict[str, Any]) -> str:
    return f'<script type="application/json" id="{element_id}">{json_for_html(data)}</script>'


def json_for_html(data: dict[str, Any]) -> str:
    """JSON that cannot end its <script> element or open markup inside it."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
