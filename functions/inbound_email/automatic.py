"""Whether a received message was sent by a program rather than a person: an out-of-office reply,
a bounce, a mailing list, a newsletter, a no-reply notice, or Deskless' own mail come back.

Such mail is recorded like any other, but never creates a contact or sends a welcome email:
answering a program with a welcome email is how mail loops start (two auto-responders writing to
each other forever) and how a support desk fills with contacts named "Mail Delivery Subsystem".

The signs, each the one the sending side is asked to set (RFC 3834 for auto-replies, RFC 2919
for lists, RFC 5321 for bounces) or that common practice sets:

- `Auto-Submitted` with any value but `no` (auto-replied, auto-generated, auto-notified);
- `Precedence: bulk`, `junk` or `list` (older auto-responders and list servers);
- a `List-Id` header (a mailing list);
- a null return path (`Return-Path: <>`, or SES's envelope source empty): bounces and other
  delivery reports are sent so that nothing answers them;
- a sender whose local part is mailer-daemon, postmaster or a no-reply address;
- Deskless' own loop header (deskless.mail.LOOP_HEADER), whatever else the message says.

A pure function over the headers, so each sign is a unit test.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.message import Message
from email.utils import getaddresses

from deskless.mail import LOOP_HEADER, is_robot_address

_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list"})


def sender_address(message: Message) -> str:
    """The From address, lower case ("" if there is none)."""
    pairs = getaddresses([str(value) for value in message.get_all("from", [])])
    return next((address.strip().lower() for _, address in pairs if "@" in address), "")


def why_automatic(message: Message, envelope: Mapping[str, str] | None = None) -> str | None:
    """Why the message counts as automatic (a short reason for the record), or None if a person
    sent it. `envelope`: SES's `mail` of the receipt event (its `source` is the MAIL FROM)."""
    auto_submitted = _header(message, "auto-submitted")
    if auto_submitted and auto_submitted.split(";")[0].strip().lower() != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = _header(message, "precedence").lower()
    if precedence in _BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    if message.get("list-id") is not None:
        return "List-Id"
    if message.get(LOOP_HEADER) is not None:
        return f"{LOOP_HEADER} (Deskless' own mail)"
    if _null_return_path(message, envelope):
        return "null return path"
    sender = sender_address(message)
    if sender and is_robot_address(sender):
        return f"sent from {sender.rsplit('@', 1)[0]}"
    return None


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    return "" if value is None else str(value).strip()


def _null_return_path(message: Message, envelope: Mapping[str, str] | None) -> bool:
    return_paths = [str(value).strip() for value in message.get_all("return-path", [])]
    if any(path.strip("<> \t") == "" for path in return_paths):
        return True
    return envelope is not None and "source" in envelope and envelope["source"].strip("<> \t") == ""
