"""The files a received message carries, for the ticket code to store with the message.

Every leaf part of the message that is not its text or HTML body is a file: a part with
`Content-Disposition: attachment`, an inline image, a forwarded message (`message/rfc822`, kept
whole as one `.eml`, not opened into its own parts), a calendar invitation.

Except small inline images: mail programs put the sender's logo and social-network icons into
every message's signature as inline images (a few kilobytes each), so each reply of a thread would
add the same pictures to the ticket again. An inline image under SIGNATURE_IMAGE_BYTES is taken
for such a picture and skipped; an inline screenshot is larger, and a file the sender attached
(disposition `attachment`) is kept whatever its size.

A name comes from the part (RFC 2231 and encoded words decoded), cut to its last path segment
(a name is never a path) and to printable characters; a part without one is named
`attachment-<n>` with the extension of its type.
"""

from __future__ import annotations

import mimetypes
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message

SIGNATURE_IMAGE_BYTES = 16 * 1024  # below this an inline image is a signature's logo or icon
NAME_CHARS = 200


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    data: bytes
    inline: bool  # shown in the HTML body (Content-ID or inline disposition) rather than attached
    content_id: str | None = None  # what the HTML body's cid: links name, without angle brackets


def _leaves(part: Message) -> Iterator[Message]:
    """The parts that carry content, a forwarded message being one of them."""
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        yield part
        return
    payload = part.get_payload()
    for child in payload if isinstance(payload, list) else []:
        if isinstance(child, Message):
            yield from _leaves(child)


def _bodies(message: Message) -> set[int]:
    """The ids of the parts read as the message's text and HTML."""
    found: set[int] = set()
    get_body = getattr(message, "get_body", None)  # EmailMessage's; a compat32 Message has none
    for preference in (("plain",), ("html",)):
        body = get_body(preferencelist=preference) if get_body else None
        if body is not None:
            found.add(id(body))
    return found


def _data(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        forwarded = part.get_payload(0)
        return forwarded.as_bytes() if isinstance(forwarded, Message) else b""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def safe_name(name: str | None, content_type: str, number: int) -> str:
    """A file name to show and store: the last path segment, printable characters only;
    `attachment-<n><extension>` if nothing is left.

    >>> safe_name("..\\\\..\\\\boot.ini", "text/plain", 1)
    'boot.ini'
    >>> safe_name(None, "image/png", 2)
    'attachment-2.png'
    """
    last = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(
        c for c in unicodedata.normalize("NFC", last) if unicodedata.category(c)[0] not in "CZ" or c == " "
    )
    cleaned = printable.strip(" .")[:NAME_CHARS]
    if cleaned:
        return cleaned
    extension = ".eml" if content_type == "message/rfc822" else mimetypes.guess_extension(content_type) or ".bin"
    return f"attachment-{number}{extension}"


def _more_body_text(part: Message, disposition: str) -> bool:
    """Text or HTML with no name that is not attached: the rest of the body (Apple Mail splits the
    text around an inline picture into several parts), or an alternative of it."""
    return (
        part.get_content_type() in {"text/plain", "text/html"}
        and disposition != "attachment"
        and not part.get_filename()
    )


def attachments_of(message: Message) -> list[Attachment]:
    """Each file of a parsed message, in the order it comes, without its bodies and without small
    inline images (the module's docstring says why)."""
    bodies = _bodies(message)
    found: list[Attachment] = []
    for part in _leaves(message):
        disposition = (part.get_content_disposition() or "").lower()
        if id(part) in bodies or _more_body_text(part, disposition):
            continue
        content_id = str(part.get("content-id", "")).strip().strip("<>") or None
        inline = disposition == "inline" or (disposition != "attachment" and content_id is not None)
        data = _data(part)
        if inline and part.get_content_maintype() == "image" and len(data) < SIGNATURE_IMAGE_BYTES:
            continue
        content_type = part.get_content_type()
        found.append(
            Attachment(
                safe_name(part.get_filename(), content_type, len(found) + 1), content_type, data, inline, content_id
            )
        )
    return found
