"""Who a portal page, the chat widget or the portal's own API is answering: the visit.

Every answer of the portals function to a visitor starts from the same three questions, answered
here alone, from the request's host (as the CDN saw it), its `lang` parameter and its browser's
Accept-Language:

- which portal: the one whose subdomain the host names. There is none on a host that names no
  portal (the console's own, the distribution's, a stranger's) or on an unknown subdomain. The
  console's host is told apart (its `/` leads to the console), and so is an unknown subdomain
  (where even an invitation link, which uses the public URL, is not found);
- which language: the `lang` parameter, else the browser's (by its q-values), else the visit's
  own defaults (an invitation's language, then the portal's), else English;
- which state: inactive, available (someone who serves the company would take a chat now) or
  unavailable, with who is available. Reading it costs a BatchGetItem, so it is read on first
  use, once per visit, and never while the portal is inactive.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cached_property
from typing import TypeGuard
from urllib.parse import urlsplit

from fastapi import Request

from deskless.companies import Company, Portal, PortalStatus, company_by_subdomain
from deskless.edge import portal_label
from deskless.errors import NotFound
from deskless.http import portal_host
from deskless.languages import DEFAULT_LANGUAGE, LANGUAGES, Language
from deskless.presence import OperatorPresence, available
from deskless.settings import get_settings
from deskless.users import Channel

from .text import TEXT

NO_PORTAL = "There is no support portal at this address."


class State(StrEnum):
    AVAILABLE = "available"  # active, and a technician who serves the company would take a chat now
    UNAVAILABLE = "unavailable"  # active, and nobody would
    INACTIVE = "inactive"


@dataclass(frozen=True)
class Visit:
    """One request's visit: the portal its host names (with its company), and what it asks to be spoken to in."""

    subdomain: str | None  # the portal subdomain the host names; None: the host names no portal
    company: Company | None  # the company whose portal that is, and the portal: both None where there is none
    portal: Portal | None
    console: bool = False  # the host is the console's own (the public URL's)
    lang: str | None = None  # the `lang` parameter, as given
    accept_language: str = ""  # the browser's Accept-Language header
    defaults: tuple[str | None, ...] = ()  # the visit's own languages, before the portal's

    @property
    def unknown_portal(self) -> bool:
        """The host names a portal subdomain that does not exist."""
        return self.subdomain is not None and self.portal is None

    @property
    def company_name(self) -> str:
        return self.portal.company_name if self.portal else ""

    @property
    def language(self) -> Language:
        portal_language = self.portal.language if self.portal else None
        return language(self.lang, self.accept_language, *self.defaults, portal_language)

    @property
    def text(self) -> dict[str, str]:
        """Everything the pages say, in the visit's language."""
        return TEXT[self.language]

    def speaking_by_default(self, default: str | None) -> Visit:
        """The same visit, with a language of its own (an invitation's) ahead of the portal's."""
        return replace(self, defaults=(default, *self.defaults))

    def found(self) -> tuple[Company, Portal]:
        """The company and the portal, or NotFound: on a host without one there is nothing to answer."""
        if self.company is None or self.portal is None:
            raise NotFound(NO_PORTAL)
        return self.company, self.portal

    @property
    def active(self) -> bool:
        """The portal takes chat requests and messages (whoever is available); False where there is none."""
        return self.portal is not None and self.portal.status == PortalStatus.ACTIVE

    @cached_property
    def available(self) -> tuple[OperatorPresence, ...]:
        """Those who serve the company and would take a chat now; nobody while the portal is inactive."""
        company, _portal = self.found()
        return tuple(available(company.technician_ids, Channel.CHAT)) if self.active else ()

    @property
    def state(self) -> State:
        self.found()
        if not self.active:
            return State.INACTIVE
        return State.AVAILABLE if self.available else State.UNAVAILABLE


def visit(host: str, lang: str | None = None, accept_language: str = "") -> Visit:
    """The visit to `host`: its portal is read at once (GetItem + Query), who is available only when asked."""
    settings = get_settings()
    label = portal_label(host, settings.support_domain)
    found = company_by_subdomain(label) if label else None
    company, portal = found if found else (None, None)
    console = host.strip().lower() == urlsplit(settings.public_url).netloc.lower()
    return Visit(label, company, portal, console=console, lang=lang, accept_language=accept_language)


def visit_of(request: Request, lang: str | None = None) -> Visit:
    """The visit a request makes: to the host the viewer asked for, in the language it asks for."""
    return visit(portal_host(request), lang, request.headers.get("accept-language", ""))


def _primary(tag: str) -> str:
    return tag.strip().lower().replace("_", "-").split("-", 1)[0]


def accepted(header: str) -> list[str]:
    """The primary language tags of an Accept-Language header, most wanted first (q=0 left out).

    >>> accepted("de-CH, fr;q=0.9, en;q=0.95, *;q=0.5, es;q=0")
    ['de', 'en', 'fr']
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        code = _primary(tag)
        if code and code != "*" and quality > 0:
            ranked.append((-quality, position, code))
    return list(dict.fromkeys(code for _, _, code in sorted(ranked)))


def _spoken(code: str) -> TypeGuard[Language]:
    return code in LANGUAGES


def language(requested: str | None, accept_language: str, *defaults: str | None) -> Language:
    """The first of: `requested`, the browser's preferences, each of `defaults`, that Deskless speaks.

    >>> language("cs", "de", "es"), language(None, "fr, de;q=0.5", "es")
    ('cs', 'de')
    >>> language("xx", "fr", None, "es"), language(None, "")
    ('es', 'en')
    """
    candidates = [_primary(requested or ""), *accepted(accept_language), *(d or "" for d in defaults)]
    return next((code for code in candidates if _spoken(code)), DEFAULT_LANGUAGE)
