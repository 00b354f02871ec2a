"""Sending email through SES (v2), with text and HTML parts.

Every message is built here as MIME (SES's Raw content: Simple content cannot carry headers of
our own) and carries LOOP_HEADER, so that mail Deskless sent and that comes back to a support
address (an auto-reply quoting it, a customer's forwarding rule, a bounce) is known as
Deskless' own and never creates a contact or a welcome email (functions/inbound_email/automatic.py).
Mail no person wrote is also marked `Auto-Submitted` (RFC 3834), which well-behaved mail programs
do not auto-reply to: `auto-replied` for an answer to a person's message (a ticket's "received",
"updated" or "resolved" notice), `auto-generated` for the rest (a welcome email, a reset link).

A message about a ticket carries the threading headers its caller passes (`Thread`, built by
deskless.mail_threads.outgoing_thread): a signed Message-ID, In-Reply-To and References, so a
reply comes back to its ticket.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from enum import StrEnum
from typing import Any

from .aws import client
from .settings import get_settings

LOOP_HEADER = "X-Deskless-Loop"  # its value: the mail domain of the deployment that sent it
_ROBOT_LOCAL_PART = re.compile(r"^(mailer-daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply)([+-].*)?$")


def is_robot_address(address: str) -> bool:
    """Whether an address is one no person reads (a bounce sender, a no-reply address): Deskless
    neither takes mail from it as a person's nor sends it notices.

    >>> is_robot_address("No-Reply@shop.example"), is_robot_address("jane@example.org")
    (True, False)
    """
    return bool(_ROBOT_LOCAL_PART.match(address.strip().lower().rsplit("@", 1)[0]))


class AutoSubmitted(StrEnum):
    """RFC 3834's kinds of mail no person wrote, as Deskless sends them."""

    REPLIED = "auto-replied"  # an answer to a person's message: a ticket's received/updated/resolved notice
    GENERATED = "auto-generated"  # anything else a program sends: a welcome email, a reset link


@dataclass(frozen=True)
class Thread:
    """The threading headers of one outgoing message, written as given: ids in angle brackets."""

    message_id: str
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()


def _auto_submitted(automatic: AutoSubmitted | bool) -> AutoSubmitted | None:
    """`True` is `auto-generated`, as before the kinds were told apart; `False`: a person's mail."""
    if isinstance(automatic, AutoSubmitted):
        return automatic
    return AutoSubmitted.GENERATED if automatic else None


def mail_domain() -> str:
    """The domain Deskless sends from and receives at (the SES identity)."""
    return get_settings().mail_from.rsplit("@", 1)[1].lower()


def mime_message(
    to: Sequence[str],
    subject: str,
    text: str,
    html: str,
    *,
    automatic: AutoSubmitted | bool,
    thread: Thread | None = None,
) -> EmailMessage:
    """The message as SES sends it: text and HTML alternatives, From and the loop header set, the
    thread's headers if it has one (else a Message-ID of its own)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = get_settings().mail_from
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = thread.message_id if thread else make_msgid(domain=mail_domain())
    if thread and thread.in_reply_to:
        message["In-Reply-To"] = thread.in_reply_to
    if thread and thread.references:
        message["References"] = " ".join(thread.references)
    message[LOOP_HEADER] = mail_domain()
    auto_submitted = _auto_submitted(automatic)
    if auto_submitted is not None:
        message["Auto-Submitted"] = auto_submitted.value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send_email(
    to: Sequence[str],
    subject: str,
    text: str,
    html: str,
    *,
    automatic: AutoSubmitted | bool = True,
    thread: Thread | None = None,
) -> str:
    """Send one message; SES's message id. `automatic`: which kind of mail no person wrote it is
    (`True`: auto-generated; `False`: a person's, no Auto-Submitted); `thread`: its threading headers."""
    settings = get_settings()
    raw = mime_message(to, subject, text, html, automatic=automatic, thread=thread).as_bytes()
    request: dict[str, Any] = {
        "FromEmailAddress": settings.mail_from,
        "Destination": {"ToAddresses": list(to)},
        "Content": {"Raw": {"Data": raw}},
    }
    if settings.ses_configuration_set:
        request["ConfigurationSetName"] = settings.ses_configuration_set
    return str(client("sesv2").send_email(**request)["MessageId"])
