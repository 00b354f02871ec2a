"""What every portal page shares: the templates it is rendered from, and the headers that lock it down.

Pages are Jinja2 templates (templates/) with autoescaping on, so every value is HTML-escaped where
it is written; only the inlined script and style sheet (files of this repository, read from
assets/ once) are marked safe, here. What a page's script needs travels as a JSON data block
(`|tojson`: not executable, and unable to close its element) that the script reads as text. The
Content-Security-Policy allows exactly the page's inline script and style (by hash), the WebSocket
API, and nothing else; the Permissions-Policy lets only the pages that run a support session's
chat (join and support, the widget's too) capture a screen, and no page use a camera, a
microphone or the location (deskless.edge.page_permissions). The words of every page, in every
language, are in text.py; which portal, language and state a page is for, in visit.py.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from deskless.edge import page_permissions
from deskless.fields import NAME_CHARS
from deskless.sessions import MAX_MESSAGE_CHARS
from deskless.settings import get_settings

from .text import LANGUAGE_NAMES
from .visit import Visit

if TYPE_CHECKING:
    from jinja2 import Environment

ASSETS = Path(__file__).resolve().parent / "assets"
TEMPLATES = Path(__file__).resolve().parent / "templates"


def source_hash(text: str) -> str:
    """A CSP source expression that allows exactly this inline script or style."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


# The support session's chat: a page that runs it may capture the customer's screen when they agree.
SCREEN_SHARING_ASSET = "chat.js"


@dataclass(frozen=True)
class Script:
    """A page's one inline script: the shared chat (chat.js) and the page's own code, in that order."""

    source: str
    names: tuple[str, ...] = ()  # the assets it is made of

    @classmethod
    def of(cls, *names: str) -> Script:
        return cls("\n".join(asset(name) for name in names), names)

    @property
    def hash(self) -> str:
        return source_hash(self.source)

    @property
    def shares_screens(self) -> bool:
        """Whether the page runs a support session's chat, in which screens are shared."""
        return SCREEN_SHARING_ASSET in self.names


STYLE = asset("portal.css")
_STYLE_HASH = source_hash(STYLE)


@dataclass(frozen=True)
class Page:
    status: int
    html: str
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def redirect(cls, location: str) -> Page:
        return cls(302, "", {"location": location})


@cache
def templates() -> Environment:
    """The templates, each compiled on first use and kept for the life of the execution
    environment. Jinja2 is imported here, not at cold start: the function's company
    administration never renders a page."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        auto_reload=False,  # a deployed function's files never change: no stat per render
        undefined=StrictUndefined,  # a misspelt name fails the render instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The forms hold a name and a chat message to what the API takes
    environment.globals.update(name_chars=NAME_CHARS, chat_chars=MAX_MESSAGE_CHARS)
    # Data blocks compact and in UTF-8, as the pages' scripts read them; |tojson still escapes < > & '
    environment.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "separators": (",", ":")}
    return environment


def portal_title(here: Visit) -> str:
    """The portal's own title ("Acme support") in the visit's language; empty where there is no portal."""
    return here.text["title"].format(company=here.company_name) if here.portal else ""


def render(
    here: Visit,
    name: str,
    *,
    status: int = 200,
    heading: str | None = None,
    script: Script | None = None,
    frame_ancestors: str = "'none'",
    img_src: str = "",
    **values: Any,
) -> Page:
    """The page of template `name`, in the visit's language. Its title is `heading` and the portal's,
    or either alone; its script, if any, is the only one its Content-Security-Policy runs."""
    from markupsafe import Markup

    title = " \N{EN DASH} ".join(part for part in (heading, portal_title(here)) if part) or "Deskless"
    template = templates().get_template(name)
    html = template.render(
        lang=here.language,
        text=here.text,
        company=here.company_name,
        portal_title=portal_title(here),
        languages=LANGUAGE_NAMES,
        title=title,
        style=Markup(STYLE),  # noqa: S704  (a file of this repository, allowed by its hash)
        script=Markup(script.source) if script else None,  # noqa: S704  (likewise)
        **values,
    )
    return Page(status, html, headers(here.language, script, frame_ancestors, img_src))


def error_page(here: Visit, status: int, words: str, detail: str = "") -> Page:
    """A page that only says what went wrong (`words`: its heading, and its title's), and perhaps a sentence more."""
    return render(here, "error.html", status=status, heading=words, words=words, detail=detail)


def missing(here: Visit) -> Page:
    """The answer where there is no portal: an unknown subdomain, or a host that names none."""
    return error_page(here, 404, here.text["missing"])


def headers(language: str, script: Script | None, frame_ancestors: str = "'none'", img_src: str = "") -> dict[str, str]:
    """The page's headers; `img_src` adds where its images may come from (an article's: any https URL)."""
    settings = get_settings()
    websocket = urlsplit(settings.websocket_url)
    scripts = script.hash if script else "'none'"
    # Attachments are posted to their bucket and images shown from it (deskless.attachments).
    bucket = f" {settings.attachments_origin}" if settings.attachments_origin else ""
    images = " ".join(filter(None, (settings.attachments_origin, img_src))) or "'none'"
    policy = (
        f"default-src 'none'; script-src {scripts}; style-src {_STYLE_HASH}; img-src {images}; "
        f"connect-src 'self' {websocket.scheme}://{websocket.netloc}{bucket}; base-uri 'none'; "
        f"form-action 'self'{bucket}; frame-ancestors {frame_ancestors}"
    )
    return {
        "content-security-policy": policy,
        "permissions-policy": page_permissions(display_capture=script is not None and script.shares_screens),
        "referrer-policy": "no-referrer",  # an address may hold a code or an invitation token
        "x-content-type-options": "nosniff",
        "cache-control": "no-store",
        "content-language": language,
        "vary": "Accept-Language",
    }
