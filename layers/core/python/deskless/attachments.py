"""Tickets' attachments: files kept in a bucket of their own (encrypted, no public access), which
browsers upload to and download from directly, through presigned URLs only Deskless hands out.

This module is the only one that touches that bucket. The flow:

1. `upload_form`: a caller who may write on a ticket asks for a form (name, type, size). They get a
   presigned POST to a staging key of their own (`staged/<uploader hash>/<attachment id>`) whose
   signed policy pins the content type, the file name (metadata) and a size up to the one declared;
   S3 refuses any other upload. The form expires in 10 minutes; the bucket forgets what is staged
   after a day.
2. `take_uploads`: the ticket (submission or reply) names the attachment ids; each staged object is
   read (HeadObject), checked again (its real size and type, the ticket's total), copied to
   `tickets/<number>/<attachment id>` and deleted from the staging area. The staging key holds the
   uploader's hash, so nobody can take another's upload.
3. `store`: a file that arrived another way (an email, a chat transcript) goes straight to its
   ticket, under the same limits.
4. `download_url`: a presigned GET of 5 minutes, which pins the answer's Content-Type and makes
   every file a download (images and PDF may show inline): nothing uploaded is ever rendered as a
   page, and the bucket is another origin than any page of Deskless anyway.

The ticket keeps each `Attachment` in its timeline entry (`as_item`/`from_item`); the bucket holds
only the bytes and the file's name.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from botocore.exceptions import ClientError

from .aws import client, presigning_client
from .catalog import ATTACHMENTS_STAGED_PREFIX
from .errors import AttachmentNameRefused, AttachmentTooLarge, AttachmentTypeRefused, UploadMissing
from .settings import get_settings

STAGED_PREFIX = ATTACHMENTS_STAGED_PREFIX  # the bucket's lifecycle rule expires what is left here after a day
TICKETS_PREFIX = "tickets/"
FORM_SECONDS = 600  # how long an upload form may be used
DOWNLOAD_SECONDS = 300  # how long a download link works
NAME_LENGTH = 150  # characters of a file name kept (its extension whole)
NAME_METADATA = "name"  # x-amz-meta-name: the file's name, percent-encoded (S3 metadata is ASCII)
FALLBACK_TYPE = "application/octet-stream"  # what a file of a refused type that came by email is stored as

# What Deskless takes, by content type, and whether a browser may show it inline.
IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})
ALLOWED_TYPES: frozenset[str] = IMAGES | {
    "application/pdf",
    "text/plain",
    "text/csv",
    "text/x-log",
    "application/json",
    "application/rtf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/zip",
    "application/x-zip-compressed",  # what Windows browsers call a zip
    "application/gzip",
}
INLINE_TYPES = IMAGES | {"application/pdf"}


@dataclass(frozen=True)
class Attachment:
    """A file kept with a ticket: what its timeline entry stores."""

    id: str
    name: str
    content_type: str
    size: int
    key: str

    def as_item(self) -> dict[str, str | int]:
        return {"id": self.id, "name": self.name, "content_type": self.content_type, "size": self.size, "key": self.key}

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Attachment:
        return cls(
            id=str(item["id"]),
            name=str(item["name"]),
            content_type=str(item["content_type"]),
            size=int(item["size"]),
            key=str(item["key"]),
        )


@dataclass(frozen=True)
class UploadForm:
    """A presigned POST: the browser sends `fields` and then the file (as the field `file`) to `url`."""

    attachment_id: str
    url: str
    fields: dict[str, str]
    expires_at: int


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_ticket_bytes: int
    content_types: tuple[str, ...]


def attachment_limits() -> Limits:
    """What a page tells the user before they pick a file."""
    settings = get_settings()
    return Limits(
        max_file_bytes=settings.attachment_max_bytes,
        max_ticket_bytes=settings.ticket_attachments_max_bytes,
        content_types=tuple(sorted(ALLOWED_TYPES)),
    )


# --- the rules ----------------------------------------------------------------------------------


def clean_name(name: str) -> str:
    """A file name as it is kept and offered for download: its last path segment (either slash),
    without control or format characters, surrounding spaces and dots; Unicode kept (NFC); at most
    NAME_LENGTH characters, shortened before its extension.

    >>> clean_name("C:\\\\Users\\\\jane\\\\Přehled 2026.xlsx")
    'Přehled 2026.xlsx'
    >>> clean_name("../../etc/passwd")
    'passwd'
    """
    last = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    spaced = "".join(" " if char.isspace() else char for char in last)
    kept = "".join(char for char in spaced if unicodedata.category(char)[0] != "C")
    kept = kept.strip(" .")
    if not kept:
        raise AttachmentNameRefused(f"{name[:100]!r} is not a file name.")
    if len(kept) <= NAME_LENGTH:
        return kept
    stem, dot, extension = kept.rpartition(".")
    if not dot or not stem or len(extension) > 16:
        return kept[:NAME_LENGTH].rstrip(" .")
    return f"{stem[: NAME_LENGTH - len(extension) - 1].rstrip(' .')}.{extension}"


def content_type_of(content_type: str) -> str:
    """The type alone, in lower case (a browser may add parameters: `text/plain; charset=utf-8`)."""
    return content_type.split(";", 1)[0].strip().lower()


def check_type(content_type: str) -> str:
    kind = content_type_of(content_type)
    if kind not in ALLOWED_TYPES:
        raise AttachmentTypeRefused(
            f"Files of type {kind or 'unknown'!r} cannot be attached: images, PDF, text, CSV, logs, "
            "office documents and zip archives can."
        )
    return kind


def check_size(size: int) -> None:
    limit = get_settings().attachment_max_bytes
    if size > limit:
        raise AttachmentTooLarge(f"A file may be {in_megabytes(limit)} at most; this one is {in_megabytes(size)}.")


def check_total(total: int) -> None:
    limit = get_settings().ticket_attachments_max_bytes
    if total > limit:
        raise AttachmentTooLarge(
            f"A ticket's attachments may be {in_megabytes(limit)} together at most; "
            f"these would make {in_megabytes(total)}."
        )


def in_megabytes(size: int) -> str:
    """A size as people read it.

    >>> in_megabytes(10 * 1024 * 1024)
    '10 MB'
    >>> in_megabytes(1536 * 1024)
    '1.5 MB'
    """
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def staff_uploader(user_id: str) -> str:
    """Who uploads, as upload forms and `take_uploads` name them: a staff user..."""
    return f"user:{user_id}"


def contact_uploader(contact_id: str) -> str:
    """... or a contact."""
    return f"contact:{contact_id}"


def uploader_hash(uploader: str) -> str:
    """The uploader's part of a staging key: says whose upload it is, not who they are."""
    return hashlib.sha256(uploader.encode()).hexdigest()[:32]


def staged_key(uploader: str, attachment_id: str) -> str:
    return f"{STAGED_PREFIX}{uploader_hash(uploader)}/{attachment_id}"


def ticket_key(ticket_number: int, attachment_id: str) -> str:
    return f"{TICKETS_PREFIX}{ticket_number}/{attachment_id}"


def _new_id() -> str:
    return secrets.token_hex(12)


def _is_id(attachment_id: str) -> bool:
    return len(attachment_id) == 24 and all(char in "0123456789abcdef" for char in attachment_id)


# --- the bucket ---------------------------------------------------------------------------------


def _bucket() -> str:
    return get_settings().attachments_bucket


def _signer() -> Any:
    """The client presigned URLs are made with: one whose URLs point where browsers reach the bucket."""
    settings = get_settings()
    if not settings.attachments_origin:
        return client("s3")
    return presigning_client(settings.attachments_origin, settings.attachments_bucket)


def upload_form(uploader: str, name: str, content_type: str, size: int) -> UploadForm:
    """A form to upload one file of at most `size` bytes, of this type and name, to the uploader's
    staging area; refused (413, 415, 422) when the file could not be attached anyway."""
    kept, kind = clean_name(name), check_type(content_type)
    check_size(size)
    attachment_id = _new_id()
    encoded_name = quote(kept, safe="")
    post = _signer().generate_presigned_post(
        _bucket(),
        staged_key(uploader, attachment_id),
        Fields={"Content-Type": kind, f"x-amz-meta-{NAME_METADATA}": encoded_name},
        Conditions=[
            {"Content-Type": kind},
            {f"x-amz-meta-{NAME_METADATA}": encoded_name},
            ["content-length-range", 0, max(size, 0)],
        ],
        ExpiresIn=FORM_SECONDS,
    )
    return UploadForm(
        attachment_id=attachment_id,
        url=post["url"],
        fields={key: str(value) for key, value in post["fields"].items()},
        expires_at=int(time.time()) + FORM_SECONDS,
    )


def take_uploads(
    uploader: str, attachment_ids: Sequence[str], ticket_number: int, already_bytes: int
) -> list[Attachment]:
    """Move the uploader's staged files to the ticket, after checking each again: it is there, of a
    type taken, no larger than a file may be, and the ticket's files stay within their total
    (`already_bytes`: what the ticket holds already). All are checked before any is moved."""
    s3 = client("s3")
    bucket = _bucket()
    found: list[Attachment] = []
    total = already_bytes
    for attachment_id in dict.fromkeys(attachment_ids):
        staged = staged_key(uploader, attachment_id)
        if not _is_id(attachment_id):
            raise UploadMissing(f"There is no upload {attachment_id[:40]!r} of yours to attach.")
        try:
            head = s3.head_object(Bucket=bucket, Key=staged)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise UploadMissing(
                    f"There is no upload {attachment_id!r} of yours to attach (it may have expired): upload it again."
                ) from error
            raise
        size, kind = int(head["ContentLength"]), check_type(head.get("ContentType", ""))
        check_size(size)
        total += size
        check_total(total)
        name = unquote(head.get("Metadata", {}).get(NAME_METADATA, "")) or attachment_id
        found.append(Attachment(attachment_id, clean_name(name), kind, size, staged))
    taken = []
    for upload in found:
        key = ticket_key(ticket_number, upload.id)
        s3.copy_object(
            Bucket=bucket,
            Key=key,
            CopySource={"Bucket": bucket, "Key": upload.key},
            ContentType=upload.content_type,
            Metadata={NAME_METADATA: quote(upload.name, safe="")},
            MetadataDirective="REPLACE",
        )
        s3.delete_object(Bucket=bucket, Key=upload.key)
        taken.append(Attachment(upload.id, upload.name, upload.content_type, upload.size, key))
    return taken


def store(ticket_number: int, name: str, content_type: str, body: bytes) -> Attachment:
    """Keep a file that came with an email or a chat transcript. A type Deskless does not take is
    kept as application/octet-stream (so it is only ever downloaded); too large a file is refused."""
    kept = clean_name(name)
    check_size(len(body))
    kind = content_type_of(content_type)
    kind = kind if kind in ALLOWED_TYPES else FALLBACK_TYPE
    attachment_id = _new_id()
    key = ticket_key(ticket_number, attachment_id)
    client("s3").put_object(
        Bucket=_bucket(), Key=key, Body=body, ContentType=kind, Metadata={NAME_METADATA: quote(kept, safe="")}
    )
    return Attachment(attachment_id, kept, kind, len(body), key)


def download_url(attachment: Attachment) -> str:
    """A link that downloads the file for 5 minutes: its Content-Type pinned, and a download
    (`attachment`) unless it is an image or a PDF; either way with its name."""
    disposition = "inline" if attachment.content_type in INLINE_TYPES else "attachment"
    url: str = _signer().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": _bucket(),
            "Key": attachment.key,
            "ResponseContentType": attachment.content_type,
            "ResponseContentDisposition": f"{disposition}; filename*=UTF-8''{quote(attachment.name, safe='')}",
        },
        ExpiresIn=DOWNLOAD_SECONDS,
    )
    return url
