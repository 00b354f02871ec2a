"""/widget.js: the one script tag that puts a portal's chat widget on any website (assets/widget.js).

It is served from the portal's own host, so the script learns the portal's origin from its own
address, and the frame it adds (the page in support.py) is on that origin too. The frame's
title is in the portal's language. It changes rarely, so browsers and the CDN may keep it a
few minutes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from deskless.companies import portal_by_subdomain

from .pages import asset, host_label
from .text import TEXT

LOADER = asset("widget.js")
_TITLE_SLOT = '"__DESKLESS_WIDGET_TITLE__"'
CACHE_SECONDS = 300
MEDIA_TYPE = "application/javascript; charset=utf-8"


@dataclass(frozen=True)
class Loader:
    status: int
    source: str
    headers: dict[str, str] = field(default_factory=dict)


def widget_script(host: str) -> Loader:
    label = host_label(host)
    portal = portal_by_subdomain(label) if label else None
    if portal is None:
        return Loader(404, "/* There is no support portal at this address. */\n", {"cache-control": "no-store"})
    title = TEXT[portal.language]["widget_title"].format(company=portal.company_name)
    source = LOADER.replace(_TITLE_SLOT, json.dumps(title))  # a JS string literal: JSON, ASCII only
    headers = {
        "cache-control": f"public, max-age={CACHE_SECONDS}",
        "x-content-type-options": "nosniff",
        "cross-origin-resource-policy": "cross-origin",  # any website may load it
    }
    return Loader(200, source, headers)
