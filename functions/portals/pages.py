"""Portal pages, rendered on the server in the portal's language. The words of every page, in
every language, are in text.py (TEXT); the join and invitation pages are in join.py."""

from __future__ import annotations

from html import escape

from deskless.companies import Portal, PortalStatus, portal_by_subdomain
from deskless.edge import portal_label
from deskless.languages import DEFAULT_LANGUAGE
from deskless.settings import get_settings

from .language import choose_language
from .text import TEXT

__all__ = ["TEXT", "home_page", "preferred_language"]


def preferred_language(accept_language: str, default: str) -> str:
    return choose_language(None, accept_language, [default])


def _page(language: str, title: str, message: str) -> str:
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head><body><main><h1>{escape(title)}</h1>"
        f"<p>{escape(message)}</p></main></body></html>"
    )


def home_page(host: str, accept_language: str) -> tuple[int, str]:
    label = portal_label(host, get_settings().support_domain)
    portal: Portal | None = portal_by_subdomain(label) if label else None
    if portal is None:
        language = preferred_language(accept_language, DEFAULT_LANGUAGE)
        return 404, _page(language, "Deskless", TEXT[language]["missing"])
    language = portal.language
    text = TEXT[language]
    title = text["title"].format(company=portal.company_name)
    key = "welcome" if portal.status == PortalStatus.ACTIVE else "offline"
    return 200, _page(language, title, text[key].format(company=portal.company_name))
