"""What "Show URLs and code" answers: where a portal lives, and the two snippets that put it on a website.

- the popup snippet is a plain link to the portal that, with JavaScript, opens it in a sized
  popup window instead (and, if the browser blocks the popup, is followed as the link it is);
- the widget snippet is one script tag; the script puts the chat widget on the page inside an
  iframe, which the portal serves only to the origins on its allowed list.
"""

from __future__ import annotations

import re
from html import escape

from pydantic import BaseModel, Field

from deskless.companies import Portal
from deskless.edge import portal_url

POPUP_WIDTH = 420
POPUP_HEIGHT = 640


class EmbedCodes(BaseModel):
    url: str = Field(description="The portal's standalone address.")
    popup: str = Field(description="A link that opens the portal in a popup window.")
    widget: str = Field(description="One script tag that puts the chat widget on a page.")
    allowed_origins: list[str] = Field(description="The websites on which the widget shows.")
    note: str


def _attribute(value: str) -> str:
    """`value` made safe inside a double-quoted HTML attribute (single quotes stay readable)."""
    return escape(value, quote=False).replace('"', "&quot;")


def popup_snippet(portal: Portal, url: str) -> str:
    # A window name per portal: a second click reuses the open popup instead of opening another.
    window = "deskless-" + re.sub(r"[^a-z0-9-]", "", portal.subdomain)
    features = f"width={POPUP_WIDTH},height={POPUP_HEIGHT},resizable=yes,scrollbars=yes"
    # window.open returns null when the popup is blocked: the click then follows the link.
    opens = f"return !window.open(this.href, '{window}', '{features}')"
    return (
        f'<a href="{_attribute(url + "/")}" target="_blank" rel="noopener" onclick="{_attribute(opens)}">'
        f"{escape(portal.company_name, quote=False)} support</a>"
    )


def widget_snippet(url: str) -> str:
    return f'<script src="{_attribute(url + "/widget.js")}" async></script>'


def embed_codes(portal: Portal, public_url: str) -> EmbedCodes:
    url = portal_url(portal.subdomain, public_url)
    if portal.allowed_origins:
        note = "The widget shows only on pages of the allowed origins; add a website to them before embedding it there."
    else:
        note = "No website may show the widget yet: add your website's origin (such as https://www.example.com) first."
    return EmbedCodes(
        url=url,
        popup=popup_snippet(portal, url),
        widget=widget_snippet(url),
        allowed_origins=portal.allowed_origins,
        note=note,
    )
