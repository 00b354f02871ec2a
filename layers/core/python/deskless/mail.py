"""Sending email through SES (v2), with text and HTML parts.

Every message is built here as MIME (SES's Raw content: Simple content cannot carry headers of
our own) and carries LOOP_HEADER, so that mail Deskless sent and that comes back to a support
address (an auto-reply quoting it, a customer's forwarding rule, a bounce) is known as
Deskless' own and never creates a contact or a welcome email (functions/inbound_email/automatic.py).
Mail no person wrote (a welcome email, a notice) is also marked `Auto-Submitted: auto-generated`
(RFC 3834), which well-behaved mail programs do not auto-reply to.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from typing import Any

from .aws import client
from .settings import get_settings

LOOP_HEADER = "X-Deskless-Loop"  # its value: the mail domain of the deployment that sent it


def mail_domain() -> str:
    """The domain Deskless sends from and receives at (the SES identity)."""
    return get_settings().mail_from.rsplit("@", 1)[1].lower()


def mime_message(to: Sequence[str], subject: str, text: str, html: str, *, automatic: bool) -> EmailMessage:
    """The message as SES sends it: text and HTML alternatives, From and the loop header set."""
    message = EmailMessage(policy=SMTP)
    message["From"] = get_settings().mail_from
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=mail_domain())
    message[LOOP_HEADER] = mail_domain()
    if automatic:
        message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send_email(to: Sequence[str], subject: str, text: str, html: str, *, automatic: bool = True) -> str:
    """Send one message; SES's message id. `automatic`: no person wrote it (Auto-Submitted)."""
    settings = get_settings()
    raw = mime_message(to, subject, text, html, automatic=automatic).as_bytes()
    request: dict[str, Any] = {
        "FromEmailAddress": settings.mail_from,
        "Destination": {"ToAddresses": list(to)},
        "Content": {"Raw": {"Data": raw}},
    }
    if settings.ses_configuration_set:
        request["ConfigurationSetName"] = settings.ses_configuration_set
    return str(client("sesv2").send_email(**request)["MessageId"])
