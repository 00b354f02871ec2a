"""The files of a received message, for its ticket: what the sender attached and inline pictures
larger than a signature's logo, each with its name, type and bytes; never the message's bodies."""

from __future__ import annotations

import base64
from email.message import EmailMessage, Message
from email.parser import BytesParser

import pytest

from functions.inbound_email.attachments import SIGNATURE_IMAGE_BYTES, Attachment, attachments_of, safe_name
from functions.inbound_email.decoding import LENIENT

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40
LOGO = b"\x89PNG\r\n\x1a\n" + b"\x00" * 3000  # a signature's logo: 3 KB
SCREENSHOT = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 200  # 51 KB


def received(message: EmailMessage) -> Message:
    """The message as the inbound function reads it: its bytes parsed with the lenient policy."""
    return BytesParser(policy=LENIENT).parsebytes(message.as_bytes())


def reply(text: str = "See the attached invoice.") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Jane Doe <jane.doe@acme.example>"
    message["To"] = "help@mail.example.com"
    message["Subject"] = "Re: [#1001] Invoice"
    message.set_content(text)
    message.add_alternative(f"<p>{text}</p>", subtype="html")
    return message


def test_a_plain_message_has_no_files() -> None:
    assert attachments_of(received(reply())) == []


def test_an_attached_file_comes_with_its_name_type_and_bytes() -> None:
    message = reply()
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="invoice-2026-12.pdf")
    assert attachments_of(received(message)) == [
        Attachment("invoice-2026-12.pdf", "application/pdf", PDF, inline=False)
    ]


def test_a_name_in_any_script_is_decoded() -> None:
    message = reply()
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="Faktura č. 7, březen.pdf")
    raw = message.as_bytes()
    assert b"filename*=utf-8''" in raw  # RFC 2231, as mail programs write it
    [found] = attachments_of(received(message))
    assert found.name == "Faktura č. 7, březen.pdf"


def gmail_with_signature_and_screenshot() -> EmailMessage:
    """Gmail's shape: text, and HTML related to its inline pictures (a logo in the signature,
    a pasted screenshot), each named by a Content-ID the HTML links to."""
    message = reply("The error is in the screenshot.")
    html = message.get_body(preferencelist=("html",))
    assert isinstance(html, EmailMessage)
    html.add_related(LOGO, maintype="image", subtype="png", cid="<logo@acme>", filename="logo.png")
    html.add_related(SCREENSHOT, maintype="image", subtype="png", cid="<ii_m4x1>", filename="image.png")
    for part in html.iter_parts():
        if part.get_content_maintype() == "image":
            part.replace_header("Content-Disposition", "inline; filename=" + str(part.get_filename()))
    return message


def test_an_inline_screenshot_is_kept_and_a_signatures_logo_skipped() -> None:
    found = attachments_of(received(gmail_with_signature_and_screenshot()))
    assert found == [Attachment("image.png", "image/png", SCREENSHOT, inline=True, content_id="ii_m4x1")]


def test_a_small_picture_the_sender_attached_is_kept() -> None:
    message = reply()
    message.add_attachment(LOGO, maintype="image", subtype="png", filename="tiny.png")
    assert [(f.name, f.inline) for f in attachments_of(received(message))] == [("tiny.png", False)]


def test_the_threshold_is_the_size_of_the_picture() -> None:
    message = reply()
    html = message.get_body(preferencelist=("html",))
    assert isinstance(html, EmailMessage)
    html.add_related(b"x" * SIGNATURE_IMAGE_BYTES, maintype="image", subtype="gif", cid="<big@x>")
    html.add_related(b"x" * (SIGNATURE_IMAGE_BYTES - 1), maintype="image", subtype="gif", cid="<small@x>")
    assert [f.content_id for f in attachments_of(received(message))] == ["big@x"]


def test_a_forwarded_message_is_one_file_not_its_parts() -> None:
    forwarded = reply("The original problem report.")
    forwarded.replace_header("Subject", "Printer broken")
    forwarded.add_attachment(PDF, maintype="application", subtype="pdf", filename="report.pdf")
    message = reply("Forwarding Carl's report.")
    message.add_attachment(forwarded)
    [found] = attachments_of(received(message))
    assert found.content_type == "message/rfc822"
    assert found.name == "attachment-1.eml"
    inner = BytesParser(policy=LENIENT).parsebytes(found.data)
    assert inner["Subject"] == "Printer broken"


def test_apple_mails_text_split_around_a_picture_is_body_not_files() -> None:
    message = EmailMessage()
    message["From"] = "jane.doe@acme.example"
    message["Subject"] = "Re: [#1001] Printer"
    message.set_content("Before the picture.")
    message.add_attachment(SCREENSHOT, maintype="image", subtype="png", filename="IMG_0042.png", disposition="inline")
    message.add_attachment("After the picture.", subtype="plain", disposition="inline")
    found = attachments_of(received(message))
    assert [(f.name, f.inline) for f in found] == [("IMG_0042.png", True)]


def test_an_outlook_message_with_a_base64_attachment() -> None:
    encoded = base64.encodebytes(PDF).decode()
    raw = (
        'From: "Doe, Jane" <jane.doe@acme.example>\r\n'
        "To: help@mail.example.com\r\n"
        "Subject: AW: [#1001] Rechnung\r\n"
        'Content-Type: multipart/mixed; boundary="_004_AM9PR04_"\r\n'
        "MIME-Version: 1.0\r\n\r\n"
        "--_004_AM9PR04_\r\n"
        'Content-Type: text/plain; charset="iso-8859-1"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "Anbei die Rechnung.\r\n\r\n"
        "--_004_AM9PR04_\r\n"
        'Content-Type: application/pdf; name="=?iso-8859-1?Q?Rechnung_M=E4rz.pdf?="\r\n'
        "Content-Description: Rechnung =?iso-8859-1?Q?M=E4rz.pdf?=\r\n"
        'Content-Disposition: attachment; filename="=?iso-8859-1?Q?Rechnung_M=E4rz.pdf?="; size=10249\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{encoded.replace(chr(10), chr(13) + chr(10))}\r\n"
        "--_004_AM9PR04_--\r\n"
    )
    [found] = attachments_of(BytesParser(policy=LENIENT).parsebytes(raw.encode()))
    assert (found.name, found.content_type, found.data) == ("Rechnung März.pdf", "application/pdf", PDF)


@pytest.mark.parametrize(
    ("name", "content_type", "safe"),
    [
        ("..\\..\\windows\\boot.ini", "text/plain", "boot.ini"),
        ("../../etc/passwd", "text/plain", "passwd"),
        ("report\r\n.pdf", "application/pdf", "report.pdf"),
        ("  .hidden  ", "text/plain", "hidden"),
        (None, "image/png", "attachment-3.png"),
        ("", "application/x-unknown-kind", "attachment-3.bin"),
        ("/", "message/rfc822", "attachment-3.eml"),
        ("x" * 300 + ".pdf", "application/pdf", "x" * 200),
    ],
)
def test_a_name_is_never_a_path_nor_control_characters(name: str | None, content_type: str, safe: str) -> None:
    assert safe_name(name, content_type, 3) == safe
