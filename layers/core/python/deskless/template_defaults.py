"""The built-in email templates, as every deployment starts with them, in each language Deskless
speaks. An admin's edit overrides one (deskless.templates); resetting brings this text back.

The welcome and password-reset emails carry a single-use set-password link,
`{[Portal Password Link]}`, never a password: it is the safer choice. The ticket ones are the notices
the events function sends about a ticket (functions/events/ticket_mail.py): received, updated by a
technician's reply, resolved, and refused by the submission policy (which says why). The portal
credentials one is the [Portal Credentials] automation rule's (issue 14's example, which sends a
temporary password: the contact must choose their own when they sign in with it).
"""

from __future__ import annotations

from .languages import Language
from .templates import EmailTemplateContent, EmailVariant, TemplatePurpose

WELCOME = "welcome"
PASSWORD_RESET = "password-reset"
TICKET_RECEIVED = "ticket-received"
TICKET_UPDATED = "ticket-updated"
TICKET_RESOLVED = "ticket-resolved"
TICKET_REFUSED = "ticket-refused"
PORTAL_CREDENTIALS = "portal-credentials"


def _variants(texts: dict[Language, tuple[str, str]]) -> dict[Language, EmailVariant]:
    return {language: EmailVariant(subject=subject, body=body) for language, (subject, body) in texts.items()}


_WELCOME: dict[Language, tuple[str, str]] = {
    "en": (
        "Your access to the support portal",
        "Hello {[Contact First Name]},\n\n"
        "you can now follow your requests and read our help articles on the support portal.\n\n"
        "Your username: **{[Portal Username]}**\n\n"
        "[Set your password]({[Portal Password Link]}) to sign in. The link works once and expires; "
        'if it has expired, choose "Forgot your password?" on the sign-in page.\n\n'
        "The portal: {[Portal Address]}\n\n"
        "Your support team",
    ),
    "es": (
        "Su acceso al portal de soporte",
        "Hola, {[Contact First Name]}:\n\n"
        "ya puede seguir sus solicitudes y leer nuestros artículos de ayuda en el portal de soporte.\n\n"
        "Su nombre de usuario: **{[Portal Username]}**\n\n"
        "[Establezca su contraseña]({[Portal Password Link]}) para iniciar sesión. El enlace sirve una sola "
        'vez y caduca; si ha caducado, elija "¿Olvidó su contraseña?" en la página de inicio de sesión.\n\n'
        "El portal: {[Portal Address]}\n\n"
        "Su equipo de soporte",
    ),
    "de": (
        "Ihr Zugang zum Support-Portal",
        "Guten Tag {[Contact First Name]},\n\n"
        "im Support-Portal können Sie ab sofort Ihre Anfragen verfolgen und unsere Hilfeartikel lesen.\n\n"
        "Ihr Benutzername: **{[Portal Username]}**\n\n"
        "[Legen Sie Ihr Passwort fest]({[Portal Password Link]}), um sich anzumelden. Der Link gilt einmal "
        'und läuft ab; ist er abgelaufen, wählen Sie auf der Anmeldeseite "Passwort vergessen?".\n\n'
        "Das Portal: {[Portal Address]}\n\n"
        "Ihr Support-Team",
    ),
    "cs": (
        "Váš přístup k portálu podpory",
        "Dobrý den, {[Contact First Name]},\n\n"
        "na portálu podpory nyní můžete sledovat své požadavky a číst naše články nápovědy.\n\n"
        "Vaše uživatelské jméno: **{[Portal Username]}**\n\n"
        "[Nastavte si heslo]({[Portal Password Link]}) a přihlaste se. Odkaz platí jednou a jeho platnost "
        'vyprší; pokud už vypršela, zvolte na přihlašovací stránce "Zapomněli jste heslo?".\n\n'
        "Portál: {[Portal Address]}\n\n"
        "Váš tým podpory",
    ),
}

_PASSWORD_RESET: dict[Language, tuple[str, str]] = {
    "en": (
        "Choose a new password for the support portal",
        "Hello {[Contact First Name]},\n\n"
        "we were asked to reset the password of **{[Portal Username]}**.\n\n"
        "[Choose a new password]({[Portal Password Link]})\n\n"
        "The link works once and expires soon. If you did not ask for this, ignore this email: "
        "your password stays as it is.\n\n"
        "Your support team",
    ),
    "es": (
        "Elija una nueva contraseña para el portal de soporte",
        "Hola, {[Contact First Name]}:\n\n"
        "se nos ha pedido restablecer la contraseña de **{[Portal Username]}**.\n\n"
        "[Elija una nueva contraseña]({[Portal Password Link]})\n\n"
        "El enlace sirve una sola vez y caduca pronto. Si usted no lo ha pedido, ignore este correo: "
        "su contraseña no cambia.\n\n"
        "Su equipo de soporte",
    ),
    "de": (
        "Neues Passwort für das Support-Portal",
        "Guten Tag {[Contact First Name]},\n\n"
        "wir wurden gebeten, das Passwort von **{[Portal Username]}** zurückzusetzen.\n\n"
        "[Neues Passwort festlegen]({[Portal Password Link]})\n\n"
        "Der Link gilt einmal und läuft bald ab. Wenn Sie das nicht angefordert haben, ignorieren Sie diese "
        "E-Mail: Ihr Passwort bleibt unverändert.\n\n"
        "Ihr Support-Team",
    ),
    "cs": (
        "Nové heslo k portálu podpory",
        "Dobrý den, {[Contact First Name]},\n\n"
        "obdrželi jsme žádost o obnovení hesla k účtu **{[Portal Username]}**.\n\n"
        "[Zvolit nové heslo]({[Portal Password Link]})\n\n"
        "Odkaz platí jednou a brzy vyprší. Pokud jste o obnovení nežádali, tento e-mail ignorujte: "
        "vaše heslo zůstává beze změny.\n\n"
        "Váš tým podpory",
    ),
}

_TICKET_RECEIVED: dict[Language, tuple[str, str]] = {
    "en": (
        "[#{[Ticket Number]}] We received your request: {[Ticket Title]}",
        "Hello {[Contact First Name]},\n\n"
        "thank you for contacting us. We received your request and will get back to you soon.\n\n"
        "**Request:** #{[Ticket Number]}, {[Ticket Title]}\n\n"
        "[Follow your request on the portal]({[Ticket Link]})\n\n"
        "Your support team",
    ),
    "es": (
        "[#{[Ticket Number]}] Hemos recibido su solicitud: {[Ticket Title]}",
        "Hola, {[Contact First Name]}:\n\n"
        "gracias por contactarnos. Hemos recibido su solicitud y le responderemos pronto.\n\n"
        "**Solicitud:** #{[Ticket Number]}, {[Ticket Title]}\n\n"
        "[Siga su solicitud en el portal]({[Ticket Link]})\n\n"
        "Su equipo de soporte",
    ),
    "de": (
        "[#{[Ticket Number]}] Wir haben Ihre Anfrage erhalten: {[Ticket Title]}",
        "Guten Tag {[Contact First Name]},\n\n"
        "vielen Dank für Ihre Nachricht. Wir haben Ihre Anfrage erhalten und melden uns bald.\n\n"
        "**Anfrage:** #{[Ticket Number]}, {[Ticket Title]}\n\n"
        "[Ihre Anfrage im Portal verfolgen]({[Ticket Link]})\n\n"
        "Ihr Support-Team",
    ),
    "cs": (
        "[#{[Ticket Number]}] Přijali jsme váš požadavek: {[Ticket Title]}",
        "Dobrý den, {[Contact First Name]},\n\n"
        "děkujeme, že jste nás kontaktovali. Váš požadavek jsme přijali a brzy se vám ozveme.\n\n"
        "**Požadavek:** #{[Ticket Number]}, {[Ticket Title]}\n\n"
        "[Sledovat požadavek na portálu]({[Ticket Link]})\n\n"
        "Váš tým podpory",
    ),
}

_TICKET_UPDATED: dict[Language, tuple[str, str]] = {
    "en": (
        "[#{[Ticket Number]}] Your request was updated: {[Ticket Title]}",
        "Hello {[Contact First Name]},\n\n"
        "{[Technician Name]} updated your request #{[Ticket Number]}, {[Ticket Title]}. "
        "Its status: **{[Ticket Status]}**.\n\n"
        "> {[Ticket Reply]}\n\n"
        "[See the update on the portal]({[Ticket Link]})\n\n"
        "Your support team",
    ),
    "es": (
        "[#{[Ticket Number]}] Su solicitud se ha actualizado: {[Ticket Title]}",
        "Hola, {[Contact First Name]}:\n\n"
        "{[Technician Name]} ha actualizado su solicitud #{[Ticket Number]}, {[Ticket Title]}. "
        "Su estado: **{[Ticket Status]}**.\n\n"
        "> {[Ticket Reply]}\n\n"
        "[Vea la actualización en el portal]({[Ticket Link]})\n\n"
        "Su equipo de soporte",
    ),
    "de": (
        "[#{[Ticket Number]}] Ihre Anfrage wurde aktualisiert: {[Ticket Title]}",
        "Guten Tag {[Contact First Name]},\n\n"
        "{[Technician Name]} hat Ihre Anfrage #{[Ticket Number]}, {[Ticket Title]}, aktualisiert. "
        "Ihr Status: **{[Ticket Status]}**.\n\n"
        "> {[Ticket Reply]}\n\n"
        "[Die Aktualisierung im Portal ansehen]({[Ticket Link]})\n\n"
        "Ihr Support-Team",
    ),
    "cs": (
        "[#{[Ticket Number]}] Váš požadavek byl aktualizován: {[Ticket Title]}",
        "Dobrý den, {[Contact First Name]},\n\n"
        "{[Technician Name]} aktualizoval(a) váš požadavek #{[Ticket Number]}, {[Ticket Title]}. "
        "Jeho stav: **{[Ticket Status]}**.\n\n"
        "> {[Ticket Reply]}\n\n"
        "[Zobrazit aktualizaci na portálu]({[Ticket Link]})\n\n"
        "Váš tým podpory",
    ),
}

_TICKET_RESOLVED: dict[Language, tuple[str, str]] = {
    "en": (
        "[#{[Ticket Number]}] Your request was resolved: {[Ticket Title]}",
        "Hello {[Contact First Name]},\n\n"
        "{[Technician Name]} resolved your request #{[Ticket Number]}, {[Ticket Title]}.\n\n"
        "If the problem is still there, reply to this email or [reopen the request on the portal]({[Ticket Link]}).\n\n"
        "Your support team",
    ),
    "es": (
        "[#{[Ticket Number]}] Su solicitud se ha resuelto: {[Ticket Title]}",
        "Hola, {[Contact First Name]}:\n\n"
        "{[Technician Name]} ha resuelto su solicitud #{[Ticket Number]}, {[Ticket Title]}.\n\n"
        "Si el problema persiste, responda a este correo o [reabra la solicitud en el portal]({[Ticket Link]}).\n\n"
        "Su equipo de soporte",
    ),
    "de": (
        "[#{[Ticket Number]}] Ihre Anfrage wurde gelöst: {[Ticket Title]}",
        "Guten Tag {[Contact First Name]},\n\n"
        "{[Technician Name]} hat Ihre Anfrage #{[Ticket Number]}, {[Ticket Title]}, gelöst.\n\n"
        "Besteht das Problem weiter, antworten Sie auf diese E-Mail oder "
        "[öffnen Sie die Anfrage im Portal erneut]({[Ticket Link]}).\n\n"
        "Ihr Support-Team",
    ),
    "cs": (
        "[#{[Ticket Number]}] Váš požadavek byl vyřešen: {[Ticket Title]}",
        "Dobrý den, {[Contact First Name]},\n\n"
        "{[Technician Name]} vyřešil(a) váš požadavek #{[Ticket Number]}, {[Ticket Title]}.\n\n"
        "Pokud problém trvá, odpovězte na tento e-mail nebo [znovu otevřete požadavek na portálu]({[Ticket Link]}).\n\n"
        "Váš tým podpory",
    ),
}

_TICKET_REFUSED: dict[Language, tuple[str, str]] = {
    "en": (
        "[#{[Ticket Number]}] We could not accept your request: {[Ticket Title]}",
        "Hello {[Contact First Name]},\n\n"
        "we received your request #{[Ticket Number]}, {[Ticket Title]}, but could not accept it: "
        "only your company's primary contacts may submit requests to us.\n\n"
        "Please ask one of them to submit it for you.\n\n"
        "Your support team",
    ),
    "es": (
        "[#{[Ticket Number]}] No hemos podido aceptar su solicitud: {[Ticket Title]}",
        "Hola, {[Contact First Name]}:\n\n"
        "hemos recibido su solicitud #{[Ticket Number]}, {[Ticket Title]}, pero no hemos podido aceptarla: "
        "solo los contactos principales de su empresa pueden enviarnos solicitudes.\n\n"
        "Pida a uno de ellos que la envíe por usted.\n\n"
        "Su equipo de soporte",
    ),
    "de": (
        "[#{[Ticket Number]}] Wir konnten Ihre Anfrage nicht annehmen: {[Ticket Title]}",
        "Guten Tag {[Contact First Name]},\n\n"
        "wir haben Ihre Anfrage #{[Ticket Number]}, {[Ticket Title]}, erhalten, konnten sie aber nicht "
        "annehmen: Anfragen an uns dürfen nur die Hauptansprechpartner Ihres Unternehmens stellen.\n\n"
        "Bitten Sie einen von ihnen, die Anfrage für Sie zu stellen.\n\n"
        "Ihr Support-Team",
    ),
    "cs": (
        "[#{[Ticket Number]}] Váš požadavek jsme nemohli přijmout: {[Ticket Title]}",
        "Dobrý den, {[Contact First Name]},\n\n"
        "obdrželi jsme váš požadavek #{[Ticket Number]}, {[Ticket Title]}, ale nemohli jsme ho přijmout: "
        "požadavky nám mohou zadávat jen hlavní kontaktní osoby vaší společnosti.\n\n"
        "Požádejte prosím jednu z nich, aby ho zadala za vás.\n\n"
        "Váš tým podpory",
    ),
}

# The [Portal Credentials] automation rule's mail (deskless.automation_rules' preset): the source's
# example sends the username and a new temporary password, issued when the mail is sent (never
# stored in clear); the contact must choose their own password when they sign in with it.
_PORTAL_CREDENTIALS: dict[Language, tuple[str, str]] = {
    "en": (
        "Your portal credentials",
        "Hello {[Contact First Name]},\n\n"
        "here are your credentials for the support portal.\n\n"
        "Username: **{[Portal Username]}**\n\n"
        "Temporary password: **{[Portal Password]}**\n\n"
        "Sign in at {[Portal Address]}; you will be asked to choose your own password.\n\n"
        "Your support team",
    ),
    "es": (
        "Sus credenciales del portal",
        "Hola, {[Contact First Name]}:\n\n"
        "estas son sus credenciales para el portal de soporte.\n\n"
        "Nombre de usuario: **{[Portal Username]}**\n\n"
        "Contraseña temporal: **{[Portal Password]}**\n\n"
        "Inicie sesión en {[Portal Address]}; se le pedirá que elija su propia contraseña.\n\n"
        "Su equipo de soporte",
    ),
    "de": (
        "Ihre Zugangsdaten zum Portal",
        "Guten Tag {[Contact First Name]},\n\n"
        "hier sind Ihre Zugangsdaten zum Support-Portal.\n\n"
        "Benutzername: **{[Portal Username]}**\n\n"
        "Vorläufiges Passwort: **{[Portal Password]}**\n\n"
        "Melden Sie sich unter {[Portal Address]} an; Sie werden gebeten, ein eigenes Passwort zu wählen.\n\n"
        "Ihr Support-Team",
    ),
    "cs": (
        "Vaše přihlašovací údaje k portálu",
        "Dobrý den, {[Contact First Name]},\n\n"
        "zde jsou vaše přihlašovací údaje k portálu podpory.\n\n"
        "Uživatelské jméno: **{[Portal Username]}**\n\n"
        "Dočasné heslo: **{[Portal Password]}**\n\n"
        "Přihlaste se na {[Portal Address]}; budete požádáni o zvolení vlastního hesla.\n\n"
        "Váš tým podpory",
    ),
}

# Built-in templates by id, in the order the console lists them.
BUILT_IN: dict[str, EmailTemplateContent] = {
    WELCOME: EmailTemplateContent(
        name="Welcome with portal access", purpose=TemplatePurpose.WELCOME, variants=_variants(_WELCOME)
    ),
    PASSWORD_RESET: EmailTemplateContent(
        name="Password reset", purpose=TemplatePurpose.PASSWORD_RESET, variants=_variants(_PASSWORD_RESET)
    ),
    TICKET_RECEIVED: EmailTemplateContent(
        name="Ticket received", purpose=TemplatePurpose.TICKET_RECEIVED, variants=_variants(_TICKET_RECEIVED)
    ),
    TICKET_UPDATED: EmailTemplateContent(
        name="Ticket updated", purpose=TemplatePurpose.TICKET_UPDATED, variants=_variants(_TICKET_UPDATED)
    ),
    TICKET_RESOLVED: EmailTemplateContent(
        name="Ticket resolved", purpose=TemplatePurpose.TICKET_RESOLVED, variants=_variants(_TICKET_RESOLVED)
    ),
    TICKET_REFUSED: EmailTemplateContent(
        name="Ticket refused (submission policy)",
        purpose=TemplatePurpose.TICKET_REFUSED,
        variants=_variants(_TICKET_REFUSED),
    ),
    PORTAL_CREDENTIALS: EmailTemplateContent(
        name="Portal credentials (automation rule)",
        purpose=TemplatePurpose.OTHER,  # not offered as the welcome email: it carries a password
        variants=_variants(_PORTAL_CREDENTIALS),
    ),
}
