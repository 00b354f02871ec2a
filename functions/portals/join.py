"""The pages a customer joins a support session from, rendered on the server in the visitor's
language: assets/join.js redeems the code or accepts the invitation, then assets/chat.js runs
the chat that follows (the same chat a portal's support page starts).

    /join            a code and a name
    /join/{code}     the code given, so only the name (or nothing, if the browser knows it)
    /invite/{token}  an invitation link: the name; a dead or unknown link says so at once (410)

A code is redeemed on its own portal's host only, so the code pages live on portal hosts alone:
a host that names no portal (the console's, the distribution's own) offers no code form, and
answers as an unknown portal does. An invitation link uses the public URL, so it opens on the
console's host as well as on a portal's.

Opening a page never redeems anything: the page's script POSTs the code or accepts the
invitation, so a mail scanner that opens a link cannot use it up. Nor does opening /join/{code}
say whether the code exists: codes are guessable, and only redemption (rate-limited) may tell.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from deskless.catalog import http_route
from deskless.invitations import open_invitation

from .pages import Page, Script, error_page, missing, render
from .text import SCRIPT_KEYS
from .visit import Visit

SCRIPT = Script.of("chat.js", "peer.js", "screen.js", "join.js")
CODE_DIGITS = 9


def join_page(here: Visit, code: str | None = None) -> Page:
    if here.portal is None:
        return missing(here)
    digits = re.sub(r"\D", "", code or "")
    given = digits if len(digits) == CODE_DIGITS else ""
    intro = here.text["join_intro_code"].format(code=_spaced(given)) if given else here.text["join_intro"]
    return _form_page(here, intro, mode="code", code=given)


def invite_page(here: Visit, token: str) -> Page:
    invitation = open_invitation(token)
    here = here.speaking_by_default(invitation.language if invitation else None)
    if here.unknown_portal:
        return missing(here)
    if invitation is None:  # unknown, used or invalidated: one answer
        return error_page(here, 410, here.text["invite_invalid"], here.text["invite_invalid_hint"])
    return _form_page(here, here.text["invite_intro"], mode="invite", invitation=token)


def _form_page(here: Visit, intro: str, *, mode: str, code: str = "", invitation: str = "") -> Page:
    data = {"mode": mode, "code": code, "invitation": invitation, **_script_data(here, invitation)}
    heading = here.text["join_title"]
    return render(here, "join.html", heading=heading, script=SCRIPT, intro=intro, mode=mode, code=code, data=data)


def _script_data(here: Visit, invitation: str) -> dict[str, Any]:
    accept = http_route("POST /api/invitations/{token}/accept").path.replace("{token}", quote(invitation, safe=""))
    return {
        "lang": here.language,
        "text": {key: here.text[key] for key in SCRIPT_KEYS},
        "api": {
            "join": http_route("POST /api/join").path,
            "accept": accept if invitation else "",
            "messages": http_route("GET /api/sessions/{session_id}/messages").path,
        },
    }


def _spaced(code: str) -> str:
    return " ".join(code[i : i + 3] for i in range(0, len(code), 3))
