"""Which ticket an emailed reply belongs to: signed Message-IDs, and the ticket's tag in a subject.

Every message Deskless sends about a ticket names it in a Message-ID of its own making,
`<t<number>.<entry id>.<sig>@<mail domain>>`, where `sig` is an HMAC-SHA256 of the number and the
entry id under a key derived from the deployment's signing key (HMAC(signing key, "mail-thread"),
so no other use of the signing key can produce or reveal one). A reply's mail program copies that
id into In-Reply-To and References; `ticket_of_references` reads the ticket back from the first id
whose signature holds. So a reply is threaded by what only Deskless could have written: an id
typed or altered by hand (another ticket's number, a guessed entry) is ignored, and a customer
cannot add their mail to someone else's ticket by editing headers.

SES replaces the Message-ID of what it sends with its own (AWS's "Amazon SES header fields"), so
the signed id is also written into the message's References (`outgoing_thread`): mail programs
copy the References of the message they answer into the reply's, so the signed id comes back
either way. Locally (moto) the Message-ID is kept as written.

The subject tag `[#1001]` is the fallback when a mail program dropped the headers (a reply written
as a new message, a forward): `tag_in_subject` finds it, and the caller decides whether the sender
may add to that ticket (the requester, a CC or staff), since anyone can type a tag.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterator, Sequence

from . import auth
from .mail import Thread, mail_domain

SIGNATURE_BYTES = 16  # 128 bits: unguessable, and 26 characters of base32
MAX_IDS_READ = 100  # of a References header, the newest; a reply chain is never that long

ENTRY_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SIGNED_ID = re.compile(r"<t([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{1,64})\.([a-z2-7]{26})@[^<>@\s]+>", re.IGNORECASE)
_ANY_ID = re.compile(r"<[^<>\s]+>")
_TAG = re.compile(r"\[#([1-9][0-9]{0,11})\]")
# Reply and forward prefixes mail programs write: English, German (AW, WG), Spanish (RV), Czech
# (Odp, PŘ, Fw), Scandinavian (SV, VS), French (TR), Dutch (Antw); with a count ("Re[2]:") or not.
_PREFIXES = re.compile(
    r"^(?:\s*(?:re|fwd?|aw|wg|sv|vs|rv|odp|př|tr|antw|ref)\s*(?:\[\d+\]|\(\d+\))?\s*:)*\s*", re.IGNORECASE
)


def _key() -> bytes:
    return hmac.new(auth.signing_key(), b"mail-thread", hashlib.sha256).digest()


def _signature(key: bytes, ticket_number: int, entry_id: str) -> str:
    digest = hmac.new(key, f"{ticket_number}.{entry_id}".encode(), hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()


def message_id(ticket_number: int, entry_id: str) -> str:
    """A Message-ID naming one entry of a ticket that only this deployment can write.

    `entry_id`: letters, digits, `-` and `_` (at most 64), which a Message-ID may carry as they are."""
    if ticket_number < 1 or not ENTRY_ID.fullmatch(entry_id):
        raise ValueError("a ticket number is positive; an entry id is 1-64 of A-Z a-z 0-9 - _")
    return f"<t{ticket_number}.{entry_id}.{_signature(_key(), ticket_number, entry_id)}@{mail_domain()}>"


def outgoing_thread(
    ticket_number: int, entry_id: str, *, in_reply_to: str | None = None, references: Sequence[str] = ()
) -> Thread:
    """The headers of a message about a ticket: its signed id, the message it answers (if any),
    and References naming the earlier ones and, last, its own signed id, which survives SES
    replacing the Message-ID (above)."""
    own = message_id(ticket_number, entry_id)
    earlier = [reference for reference in references if reference != own]
    if in_reply_to and in_reply_to not in earlier:
        earlier.append(in_reply_to)
    return Thread(message_id=own, in_reply_to=in_reply_to, references=(*earlier, own))


def _candidates(in_reply_to: str | None, references: str | None) -> Iterator[str]:
    yield from _ANY_ID.findall(in_reply_to or "")
    yield from reversed(_ANY_ID.findall(references or "")[-MAX_IDS_READ:])


def ticket_of_references(in_reply_to: str | None, references: str | None) -> int | None:
    """The ticket number of the first Deskless Message-ID whose signature holds, In-Reply-To first,
    then References from the newest; None if there is none (forged and altered ids are skipped)."""
    key: bytes | None = None
    for candidate in _candidates(in_reply_to, references):
        signed = _SIGNED_ID.fullmatch(candidate)
        if signed is None:
            continue
        number, entry_id, signature = int(signed[1]), signed[2], signed[3].lower()
        key = key or _key()
        if hmac.compare_digest(signature, _signature(key, number, entry_id)):
            return number
    return None


def _tag(number: int) -> str:
    return f"[#{number}]"


def tag_in_subject(subject: str | None) -> int | None:
    """The ticket number of the first `[#<number>]` in a subject, wherever it is (after any
    Re:/Fwd:/AW:/Odp: prefixes, or in the middle of a forwarded subject); None if none."""
    found = _TAG.search(subject or "")
    return int(found[1]) if found else None


def tagged_subject(subject: str, number: int) -> str:
    """The subject with the ticket's tag after its reply prefixes ("Re: [#1001] Printer broken"),
    or as it is if it carries the tag already: never twice."""
    tag = _tag(number)
    if tag in subject:
        return subject
    prefixes = _PREFIXES.match(subject)
    end = prefixes.end() if prefixes else 0
    head, rest = subject[:end].rstrip(), subject[end:].strip()
    return " ".join(part for part in (head, tag, rest) if part)


def subject_title(subject: str) -> str:
    """A ticket's title from an email's subject: without its tags and reply or forward prefixes.

    >>> subject_title("Re: AW: [#1001] Printer broken")
    'Printer broken'
    """
    title = " ".join(_TAG.sub(" ", subject or "").split())
    while True:
        prefixes = _PREFIXES.match(title)
        if prefixes is None or prefixes.end() == 0:
            return title
        title = " ".join(_TAG.sub(" ", title[prefixes.end() :]).split())
