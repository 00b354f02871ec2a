"""/widget.js: the one script tag that puts a portal's chat widget on any website (assets/widget.js).

It is served from the portal's own host, so the script learns the portal's origin from its own
address, and the frame it adds (the page in support.py) is on that origin too. It changes
rarely, so browsers and the CDN may keep it a few minutes, and it is the same for every
visitor: the frame's title is in the portal's language, not the browser's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .pages import asset
from .visit import NO_PORTAL, Visit

LOADER = asset("widget.js")
_TITLE_SLOT = '"__DESKLESS_WIDGET_TITLE__"'
CACHE_SECONDS = 300
MEDIA_TYPE = "application/javascript; charset=utf-8"


@dataclass(frozen=True)
class Loader:
    status: int
    source: str
    headers: dict[str, str] = field(default_factory=dict)


def widget_script(here: Visit) -> Loader:
    """The loader for the portal `here` names; `here` asks for no language, so it speaks the portal's."""
    if here.portal is None:
        return Loader(404, f"/* {NO_PORTAL} */\n", {"cache-control": "no-store"})
    title = here.text["widget_title"].format(company=here.company_name)
    source = LOADER.replace(_TITLE_SLOT, json.dumps(title))  # a JS string literal: JSON, ASCII only
    headers = {
        "cache-control": f"public, max-age={CACHE_SECONDS}",
        "x-content-type-options": "nosniff",
        "cross-origin-resource-policy": "cross-origin",  # any website may load it
    }
    return Loader(200, source, headers)
