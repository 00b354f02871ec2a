"""Sending a code to a customer: the invitation text to copy, and the invitation email (SES,
text and HTML parts), in the language the technician chose (default: the portal's)."""

from __future__ import annotations

import math
from html import escape

from pydantic import BaseModel

from deskless.languages import Language
from deskless.mail import send_email

from .codes import Code, active_portal, join_url, readable
from .messages import TEXT, duration, language_or_default


class Invitation(BaseModel):
    code: str
    url: str
    language: str
    text: str


class SentInvitation(BaseModel):
    sent_to: str
    language: str


def _context(code: Code, language: Language | None, now: float) -> tuple[str, dict[str, str]]:
    """The language to write in (asked for, else the portal's) and the values of the placeholders."""
    portal = active_portal(code.subdomain)
    chosen = language_or_default(language, portal.language)
    minutes = max(1, math.ceil(code.seconds_left(now) / 60))
    return chosen, {
        "url": join_url(code.subdomain, code.code),
        "code": readable(code.code),
        "duration": duration(chosen, minutes),
        "technician": code.technician_name,
        "company": portal.company_name,
    }


def invitation(code: Code, language: Language | None, now: float) -> Invitation:
    """The ready-to-paste invitation ('Dear Customer, please click this link ...')."""
    chosen, values = _context(code, language, now)
    return Invitation(
        code=code.code, url=values["url"], language=chosen, text=TEXT[chosen]["invitation"].format(**values)
    )


def send_invitation(code: Code, to: str, language: Language | None, now: float) -> SentInvitation:
    chosen, values = _context(code, language, now)
    subject, text, html = render_email(chosen, values)
    send_email([to], subject, text, html, automatic=False)  # a technician sends it to a person
    return SentInvitation(sent_to=to, language=chosen)


def render_email(language: str, values: dict[str, str]) -> tuple[str, str, str]:
    """Subject, text part and HTML part of the invitation email."""
    templates = TEXT[language]
    say = {key: templates[key].format(**values) for key in templates if key.startswith("email_")}
    text = (
        f"{say['email_greeting']}\n\n{say['email_intro']}\n\n"
        f"{say['email_link']}\n{say['email_code']}\n{say['email_validity']}\n\n{say['email_ignore']}\n"
    )

    def html_of(key: str, **raw: str) -> str:
        """The message with every value escaped, and `raw` fragments (already HTML) put in as they are."""
        escaped = {name: escape(value) for name, value in values.items()}
        return escape(templates[key], quote=False).format(**{**escaped, **raw})

    url = escape(values["url"], quote=True)
    code = f'<strong style="font-size:20px;letter-spacing:2px;white-space:nowrap">{escape(values["code"])}</strong>'
    link = f'<a href="{url}" style="color:#1a56db">{escape(values["url"])}</a>'
    html = (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{escape(say['email_subject'])}</title></head>"
        '<body style="margin:0;padding:24px;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;'
        'color:#1f2933;font-size:16px;line-height:1.5">'
        '<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px">'
        f'<p style="margin:0 0 16px">{html_of("email_greeting")}</p>'
        f'<p style="margin:0 0 16px">{html_of("email_intro")}</p>'
        f'<p style="margin:24px 0"><a href="{url}" style="display:inline-block;padding:12px 24px;'
        'background:#1a56db;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold">'
        f"{escape(say['email_button'])}</a></p>"
        f'<p style="margin:0 0 16px">{html_of("email_code", code=code)}</p>'
        f'<p style="margin:0 0 16px">{html_of("email_validity")}</p>'
        f'<p style="margin:0 0 16px;font-size:13px">{html_of("email_link", url=link)}</p>'
        f'<p style="margin:24px 0 0;color:#6b7280;font-size:13px">{html_of("email_ignore")}</p>'
        "</div></body></html>"
    )
    return say["email_subject"], text, html
