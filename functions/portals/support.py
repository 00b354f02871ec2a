"""A portal's support page: what a visitor to <subdomain>.<support domain>/ sees, and the same in
a compact layout inside the chat widget's frame (/widget?origin=<the embedding website>).

    active, someone available   a chat request form; then the wait in the queue; then the chat
    active, nobody available    "No technician is available right now" and a message form
    inactive                    "Service unavailable. We apologise for the inconvenience." (503)
    no such portal              404
    the console's own host      a redirect to the console

The page's script (assets/support.js, after the shared assets/chat.js) runs all of it and
follows the portal's state while the visitor has sent nothing. The widget's page is served only
to a website on the portal's list of allowed origins, and its Content-Security-Policy lets only
that website frame it (frame-ancestors); the script talks to the embedding page (its size, its
state) with postMessage to that origin alone.
"""

from __future__ import annotations

import re
from typing import Any

from deskless.catalog import http_route
from deskless.companies import Portal, origin_allowed, valid_origin
from deskless.edge import STATIC_PATH
from deskless.errors import InvalidRequest

from .pages import Page, Script, error_page, missing, portal_title, render
from .public import MESSAGE_MAX_CHARS, QUESTION_MAX_CHARS
from .text import SUPPORT_KEYS
from .visit import State, Visit

SCRIPT = Script.of("chat.js", "peer.js", "screen.js", "support.js")
CONSOLE_PATH = f"{STATIC_PATH}console/"  # where the operator console is served, on the console's own host
# What may stand in a frame-ancestors source: an origin as valid_origin writes it, nothing else.
_ORIGIN_SHAPE = re.compile(r"https?://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:[0-9]{1,5})?")


def home_page(here: Visit) -> Page:
    if here.console:
        return Page.redirect(CONSOLE_PATH)
    if here.portal is None:
        return missing(here)
    state = here.state
    if state == State.INACTIVE:  # its heading is the portal's title, so the page's title is that alone
        return render(here, "error.html", status=503, words=portal_title(here), detail=here.text["inactive"])
    heading = _heading(here, state)
    data = _script_data(here, state, None)
    return render(here, "support.html", heading=heading, script=SCRIPT, **_contact(here, state), data=data)


def widget_page(here: Visit, origin: str) -> Page:
    if here.portal is None:
        return missing(here)
    website = _embedder(here.portal, origin)
    if website is None:
        return error_page(here, 403, here.text["widget_refused"].format(company=here.company_name))
    state = here.state
    return render(
        here,
        "widget.html",
        heading=here.text["widget_title"].format(company=here.company_name),
        script=SCRIPT,
        frame_ancestors=website,
        body_class="widget",
        **_contact(here, state),
        data=_script_data(here, state, website),
    )


def _embedder(portal: Portal, origin: str) -> str | None:
    """The website's origin, as a CSP source and a postMessage target, if the portal allows it."""
    try:
        website = valid_origin(origin)
    except InvalidRequest:
        return None
    return website if origin_allowed(portal, website) and _ORIGIN_SHAPE.fullmatch(website) else None


def _heading(here: Visit, state: State) -> str:
    return here.text["support_title" if state == State.AVAILABLE else "leave_title"]


def _contact(here: Visit, state: State) -> dict[str, Any]:
    """What the contact form and the sections around it (templates/contact.html) are rendered from."""
    return {
        "state": state,
        "contact_heading": _heading(here, state),
        "question_chars": QUESTION_MAX_CHARS,
        "message_chars": MESSAGE_MAX_CHARS,
        "join_path": http_route("GET /join").path,
    }


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
