"""Portal pages, rendered on the server in the portal's language."""

from __future__ import annotations

from html import escape

from deskless.companies import Portal, PortalStatus, portal_by_subdomain
from deskless.edge import portal_label
from deskless.languages import LANGUAGES
from deskless.settings import get_settings

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "{company} support",
        "welcome": "Welcome to {company} support.",
        "offline": "Support for {company} is not available right now.",
        "missing": "There is no support portal at this address.",
    },
    "es": {
        "title": "Soporte de {company}",
        "welcome": "Bienvenido al soporte de {company}.",
        "offline": "El soporte de {company} no está disponible en este momento.",
        "missing": "No hay ningún portal de soporte en esta dirección.",
    },
    "de": {
        "title": "{company} Support",
        "welcome": "Willkommen beim Support von {company}.",
        "offline": "Der Support von {company} ist gerade nicht erreichbar.",
        "missing": "Unter dieser Adresse gibt es kein Support-Portal.",
    },
    "cs": {
        "title": "Podpora {company}",
        "welcome": "Vítejte v podpoře {company}.",
        "offline": "Podpora {company} teď není k dispozici.",
        "missing": "Na této adrese není žádný portál podpory.",
    },
}
assert set(TEXT) == set(LANGUAGES)


def preferred_language(accept_language: str, default: str) -> str:
    for part in accept_language.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in TEXT:
            return code
    return default


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
        text = TEXT[preferred_language(accept_language, "en")]
        return 404, _page(preferred_language(accept_language, "en"), "Deskless", text["missing"])
    language = portal.language
    text = TEXT[language]
    title = text["title"].format(company=portal.company_name)
    key = "welcome" if portal.status == PortalStatus.ACTIVE else "offline"
    return 200, _page(language, title, text[key].format(company=portal.company_name))
