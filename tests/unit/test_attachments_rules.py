"""What an attachment may be (deskless.attachments): a file name kept whole but for its folders and
invisible characters, a type from the allow-list (never one a browser would run as a page), and
sizes within the limits; and S3's checks of a presigned POST as local mode makes them
(local.moto_post_policy), since moto makes none."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from deskless.attachments import (
    NAME_LENGTH,
    Attachment,
    attachment_limits,
    check_size,
    check_total,
    check_type,
    clean_name,
    staged_key,
)
from deskless.aws import presigning_client
from deskless.errors import AttachmentNameRefused, AttachmentTooLarge, AttachmentTypeRefused
from deskless.settings import get_settings
from local.moto_post_policy import refusal_of

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "DESKLESS_TABLE_NAME": "t",
        "DESKLESS_SIGNING_SECRET_ID": "s",
        "DESKLESS_SUPPORT_DOMAIN": "localhost",
        "DESKLESS_PUBLIC_URL": "http://localhost:8000",
        "DESKLESS_WEBSOCKET_URL": "ws://localhost:8000/ws",
        "DESKLESS_WEBSOCKET_CALLBACK_URL": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "a",  # presigning needs credentials, not a network
        "AWS_SECRET_ACCESS_KEY": "b",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("report.pdf", "report.pdf"),
        ("C:\\Users\\jane\\Přehled 2026.xlsx", "Přehled 2026.xlsx"),
        ("../../etc/passwd", "passwd"),
        ("  screenshot .png  ", "screenshot .png"),
        ("名前.txt", "名前.txt"),
        ("evil\u202egnp.exe", "evilgnp.exe"),  # a bidi override would hide the real extension
        ("line\nbreak.txt", "line break.txt"),
        ("trailing dots...", "trailing dots"),
        ("Cafe\u0301.txt", "Café.txt"),  # NFC: one way to spell it
    ],
)
def test_a_file_name_keeps_its_last_segment_in_visible_unicode(sent: str, kept: str) -> None:
    assert clean_name(sent) == kept


@pytest.mark.parametrize("sent", ["", "   ", "..", "folder/", "\u200b\u200b", "C:\\"])
def test_a_name_that_leaves_nothing_is_refused(sent: str) -> None:
    with pytest.raises(AttachmentNameRefused):
        clean_name(sent)


def test_a_long_name_is_shortened_before_its_extension() -> None:
    kept = clean_name("x" * 400 + ".docx")

    assert len(kept) == NAME_LENGTH
    assert kept.endswith("x.docx")


@pytest.mark.parametrize(
    "content_type",
    [
        "image/png",
        "image/jpeg",
        "application/pdf",
        "text/plain",
        "text/plain; charset=utf-8",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/zip",
        "IMAGE/PNG",
    ],
)
def test_images_documents_text_and_archives_are_taken(content_type: str) -> None:
    assert check_type(content_type) == content_type.split(";")[0].lower()


@pytest.mark.parametrize(
    "content_type",
    ["text/html", "image/svg+xml", "application/javascript", "text/javascript", "application/xhtml+xml", "", "x"],
)
def test_what_a_browser_would_run_as_a_page_is_refused(content_type: str) -> None:
    with pytest.raises(AttachmentTypeRefused) as refusal:
        check_type(content_type)

    assert refusal.value.status == 415


def test_a_file_over_the_limit_is_refused_with_the_limit_in_words() -> None:
    check_size(10 * MB)
    with pytest.raises(AttachmentTooLarge) as refusal:
        check_size(10 * MB + 1)

    assert refusal.value.status == 413
    assert "10 MB at most" in refusal.value.message


def test_the_limits_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKLESS_ATTACHMENT_MAX_BYTES", str(2 * MB))
    monkeypatch.setenv("DESKLESS_TICKET_ATTACHMENTS_MAX_BYTES", str(3 * MB))
    get_settings.cache_clear()

    limits = attachment_limits()
    check_total(3 * MB)
    with pytest.raises(AttachmentTooLarge):
        check_size(2 * MB + 1)
    with pytest.raises(AttachmentTooLarge, match="3 MB together"):
        check_total(3 * MB + 1)
    assert (limits.max_file_bytes, limits.max_ticket_bytes) == (2 * MB, 3 * MB)
    assert "text/html" not in limits.content_types
    assert "application/pdf" in limits.content_types


def test_the_defaults_are_ten_megabytes_a_file_and_twenty_five_a_ticket() -> None:
    limits = attachment_limits()

    assert (limits.max_file_bytes, limits.max_ticket_bytes) == (10 * MB, 25 * MB)


def test_an_attachment_is_a_plain_item_and_back() -> None:
    attachment = Attachment("ab" * 12, "Přehled.xlsx", "application/zip", 1234, "tickets/1001/" + "ab" * 12)

    item = attachment.as_item()

    assert all(isinstance(value, str | int) for value in item.values())
    assert Attachment.from_item(item) == attachment


def test_staging_keys_name_the_uploader_by_a_hash() -> None:
    key = staged_key("contact:c0ffee", "ab" * 12)

    assert key.startswith("staged/")
    assert key.endswith("/" + "ab" * 12)
    assert "c0ffee" not in key
    assert staged_key("contact:other", "ab" * 12) != key


def test_in_aws_presigned_urls_point_at_the_buckets_regional_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    origin = "https://deskless-files-1.s3.eu-west-1.amazonaws.com"

    signer = presigning_client(origin, "deskless-files-1")
    download = signer.generate_presigned_url("get_object", Params={"Bucket": "deskless-files-1", "Key": "tickets/1/x"})
    upload = signer.generate_presigned_post("deskless-files-1", "staged/x")

    assert download.startswith(f"{origin}/tickets/1/x?")
    assert upload["url"].rstrip("/") == origin


def test_locally_they_point_at_moto_path_style(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    signer = presigning_client("http://127.0.0.1:5000", "deskless-attachments")

    assert signer.generate_presigned_post("deskless-attachments", "staged/x")["url"] == (
        "http://127.0.0.1:5000/deskless-attachments"
    )


# --- S3's checks of a presigned POST, as local mode makes them -------------------------------------


def policy(*conditions: object, expires: str = "2030-01-01T00:00:00Z") -> str:
    return base64.b64encode(json.dumps({"expiration": expires, "conditions": list(conditions)}).encode()).decode()


FIELDS = {"key": "staged/a/b", "content-type": "text/plain"}
SIGNED = ({"bucket": "files"}, {"key": "staged/a/b"}, {"Content-Type": "text/plain"}, ["content-length-range", 0, 5])


def test_an_upload_as_signed_passes() -> None:
    assert refusal_of({**FIELDS, "policy": policy(*SIGNED)}, "files", 5) is None


def test_a_file_larger_than_signed_is_entity_too_large() -> None:
    answer = refusal_of({**FIELDS, "policy": policy(*SIGNED)}, "files", 6)

    assert answer is not None
    assert answer[:2] == ("400 Bad Request", "EntityTooLarge")


def test_a_field_changed_or_added_is_access_denied() -> None:
    changed = refusal_of({**FIELDS, "content-type": "text/html", "policy": policy(*SIGNED)}, "files", 1)
    added = refusal_of({**FIELDS, "x-amz-meta-extra": "1", "policy": policy(*SIGNED)}, "files", 1)
    other_bucket = refusal_of({**FIELDS, "policy": policy(*SIGNED)}, "elsewhere", 1)

    assert changed is not None
    assert changed[1] == "AccessDenied"
    assert added is not None
    assert "Extra input fields: x-amz-meta-extra" in added[2]
    assert other_bucket is not None
    assert other_bucket[1] == "AccessDenied"


def test_an_expired_policy_is_access_denied() -> None:
    answer = refusal_of({**FIELDS, "policy": policy(*SIGNED, expires="2026-01-01T00:00:00Z")}, "files", 1)

    assert answer is not None
    assert answer[2].endswith("Policy expired.")
    assert refusal_of({**FIELDS, "policy": policy(*SIGNED)}, "files", 1, now=datetime(2029, 1, 1, tzinfo=UTC)) is None


def test_the_consoles_policy_lets_it_post_to_and_show_images_from_the_bucket() -> None:
    from deskless.edge import static_file_headers

    policy = static_file_headers("wss://a.example.com/live", "https://files.s3.eu-west-1.amazonaws.com")
    directives = {part.split()[0]: part.split()[1:] for part in policy.content_security_policy.split("; ")}

    for directive in ("connect-src", "form-action", "img-src"):
        assert "https://files.s3.eu-west-1.amazonaws.com" in directives[directive], directive
    assert "https://files.s3.eu-west-1.amazonaws.com" not in directives["script-src"]
