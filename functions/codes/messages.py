"""What customers read about a session code, in every language Deskless speaks: the invitation
text a technician copies, and the invitation email. One dict per language with the same keys
and the same placeholders (tests/unit/test_codes_messages.py holds them to it).

Placeholders: {url} the join link, {code} the code as people read it ("123 456 789"),
{duration} how long the link stays valid (from the minutes_* forms), {technician} the
technician's name, {company} the portal's company, {n} a number of minutes.
"""

from __future__ import annotations

from deskless.languages import DEFAULT_LANGUAGE, LANGUAGES

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "invitation": (
            "Dear Customer,\n"
            "please click this link to begin your support session: {url}\n"
            "If you are asked for a code, enter {code}. The link is valid for {duration}.\n"
        ),
        "email_subject": "Your {company} support session",
        "email_greeting": "Hello,",
        "email_intro": "{technician} from {company} support has invited you to a support session.",
        "email_button": "Start the support session",
        "email_link": "To begin, open this link: {url}",
        "email_code": "If you are asked for a code, enter {code}.",
        "email_validity": "The link is valid for {duration}.",
        "email_ignore": "If you did not expect this invitation, you can ignore this email.",
        "minutes_one": "{n} more minute",
        "minutes_few": "{n} more minutes",
        "minutes_other": "{n} more minutes",
    },
    "es": {
        "invitation": (
            "Estimado cliente:\n"
            "haga clic en este enlace para comenzar su sesión de soporte: {url}\n"
            "Si se le pide un código, introduzca {code}. El enlace es válido durante {duration}.\n"
        ),
        "email_subject": "Su sesión de soporte de {company}",
        "email_greeting": "Hola:",
        "email_intro": "{technician}, del equipo de soporte de {company}, le ha invitado a una sesión de soporte.",
        "email_button": "Comenzar la sesión de soporte",
        "email_link": "Para empezar, abra este enlace: {url}",
        "email_code": "Si se le pide un código, introduzca {code}.",
        "email_validity": "El enlace es válido durante {duration}.",
        "email_ignore": "Si no esperaba esta invitación, puede ignorar este correo.",
        "minutes_one": "{n} minuto más",
        "minutes_few": "{n} minutos más",
        "minutes_other": "{n} minutos más",
    },
    "de": {
        "invitation": (
            "Sehr geehrte Kundin, sehr geehrter Kunde,\n"
            "bitte klicken Sie auf diesen Link, um Ihre Support-Sitzung zu beginnen: {url}\n"
            "Wenn Sie nach einem Code gefragt werden, geben Sie {code} ein. Der Link ist noch {duration} gültig.\n"
        ),
        "email_subject": "Ihre Support-Sitzung bei {company}",
        "email_greeting": "Guten Tag,",
        "email_intro": "{technician} vom Support von {company} hat Sie zu einer Support-Sitzung eingeladen.",
        "email_button": "Support-Sitzung starten",
        "email_link": "Öffnen Sie zum Starten diesen Link: {url}",
        "email_code": "Wenn Sie nach einem Code gefragt werden, geben Sie {code} ein.",
        "email_validity": "Der Link ist noch {duration} gültig.",
        "email_ignore": "Wenn Sie diese Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren.",
        "minutes_one": "{n} Minute",
        "minutes_few": "{n} Minuten",
        "minutes_other": "{n} Minuten",
    },
    "cs": {
        "invitation": (
            "Vážený zákazníku,\n"
            "kliknutím na tento odkaz zahájíte relaci podpory: {url}\n"
            "Pokud budete požádáni o kód, zadejte {code}. Odkaz platí ještě {duration}.\n"
        ),
        "email_subject": "Relace podpory {company}",
        "email_greeting": "Dobrý den,",
        "email_intro": "{technician} z podpory {company} vás zve k relaci podpory.",
        "email_button": "Zahájit relaci podpory",
        "email_link": "Relaci zahájíte otevřením tohoto odkazu: {url}",
        "email_code": "Pokud budete požádáni o kód, zadejte {code}.",
        "email_validity": "Odkaz platí ještě {duration}.",
        "email_ignore": "Pokud jste tuto pozvánku nečekali, můžete tento e-mail ignorovat.",
        "minutes_one": "{n} minutu",
        "minutes_few": "{n} minuty",
        "minutes_other": "{n} minut",
    },
}


def language_or_default(language: str | None, fallback: str) -> str:
    """The language asked for, else the fallback (a portal's language), else English."""
    for candidate in (language, fallback):
        if candidate in TEXT:
            return candidate
    return DEFAULT_LANGUAGE


def duration(language: str, minutes: int) -> str:
    """'18 more minutes' in `language`, with the plural form its grammar wants.

    Czech has three forms: 1 minutu, 2-4 minuty, 0 and 5+ minut; the others two.
    """
    if minutes == 1:
        form = "minutes_one"
    elif language == "cs" and 2 <= minutes <= 4:
        form = "minutes_few"
    else:
        form = "minutes_other"
    return TEXT[language][form].format(n=minutes)


assert set(TEXT) == set(LANGUAGES)
