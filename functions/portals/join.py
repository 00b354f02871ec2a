"""The pages a customer joins a support session from, rendered on the server in the visitor's
language: assets/join.js redeems the code or accepts the invitation, then assets/chat.js runs
the chat that follows (the same chat a portal's support page starts).

    /join            a code and a name
    /join/{code}     the code given, so only the name (or nothing, if the browser knows it)
    /invite/{token}  an invitation link: the name; a dead or unknown link says so at once (410)

Opening a page never redeems anything: the page's script POSTs the code or accepts the
invitation, so a mail scanner that opens a link cannot use it up. Nor does opening /join/{code}
say whether the code exists: codes are guessable, and only redemption (rate-limited) may tell.

Every value that comes from outside is HTML-escaped (pages.py says how a page is locked down).
"""

from __future__ import annotations

import re
from html import escape
from typing import Any
from urllib.parse import quote

from deskless.catalog import http_route
from deskless.invitations import open_invitation

from .pages import Page, Script, Visit, chat_section, data_block, document, missing, visit
from .pages import json_for_html as _json_for_html
from .text import SCRIPT_KEYS

SCRIPT = Script.of("chat.js", "join.js")
CODE_DIGITS = 9
NAME_MAX_CHARS = 80

__all__ = ["SCRIPT", "Page", "_json_for_html", "invite_page", "join_page"]


def join_page(host: str, lang: str | None, accept_language: str, code: str | None = None) -> Page:
    here = visit(host, lang, accept_language)
    if not here.known_host:
        return missing(here)
    text = here.text
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
    data = {"mode": "code", "code": given, "invitation": "", **_script_data(here)}
    return _join_document(here, intro, code_field, data)


def invite_page(host: str, lang: str | None, accept_language: str, token: str) -> Page:
    invitation = open_invitation(token)
    here = visit(host, lang, accept_language, invitation.language if invitation else None)
    if not here.known_host:
        return missing(here)
    if invitation is None:
        text = here.text
        main = f"<h1>{escape(text['invite_invalid'])}</h1><p>{escape(text['invite_invalid_hint'])}</p>"
        return document(here, text["invite_invalid"], main, status=410)  # unknown or dead: one answer
    accept = http_route("POST /api/invitations/{token}/accept").path.replace("{token}", quote(token, safe=""))
    data = {"mode": "invite", "code": "", "invitation": token, **_script_data(here, accept=accept)}
    return _join_document(here, here.text["invite_intro"], "", data)


def _script_data(here: Visit, *, accept: str = "") -> dict[str, Any]:
    return {
        "lang": here.language,
        "text": {key: here.text[key] for key in SCRIPT_KEYS},
        "api": {
            "join": http_route("POST /api/join").path,
            "accept": accept,
            "messages": http_route("GET /api/sessions/{session_id}/messages").path,
        },
    }


def _join_document(here: Visit, intro: str, code_field: str, data: dict[str, Any]) -> Page:
    text = here.text
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
        f"{chat_section(text)}"
        f"{data_block('join-data', data)}"
    )
    return document(here, text["join_title"], main, script=SCRIPT)


def _spaced(code: str) -> str:
    return " ".join(code[i : i + 3] for i in range(0, len(code), 3))
