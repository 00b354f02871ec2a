"""Email in local mode: what SES would send (the outbox) and what it would receive (SMTP).

- Outbox: every email sent through SES (v1 or v2) lands in moto's SES backend; the outbox reads it
  from moto (over HTTP: moto may run in a process of its own) and lists each message as JSON and
  as a page.
- SmtpListener: an SMTP server on loopback that does what the stack's SES receipt rule does: store
  the raw message in the inbound bucket under INBOUND_MAIL_PREFIX + its message id (the S3
  action), then invoke `inbound_email` with the SES receipt event (the Lambda action, which
  carries headers only). A message is answered 250 once stored, even if the function then fails,
  because SES has accepted it by then (the failure is logged); a message that cannot be stored is
  answered 451, so the sender tries again.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
import secrets
import string
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, make_msgid
from html.parser import HTMLParser
from typing import Any

import httpx
from aiosmtpd.controller import Controller

from deskless.catalog import INBOUND_MAIL_PREFIX
from local.moto_app import SENT_MAIL_PATH
from local.services import ACCOUNT, REGION, local_client

log = logging.getLogger(__name__)

INBOUND_FUNCTION = "inbound_email"
INBOUND_FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:deskless-{INBOUND_FUNCTION}"
_MESSAGE_ID_ALPHABET = string.ascii_lowercase + string.digits

Invoke = Callable[[str, dict[str, Any]], Any]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- SES receipt event ----------------------------------------------------------------------------


def new_message_id() -> str:
    """An id shaped like those SES gives received mail (40 lowercase letters and digits)."""
    return "".join(secrets.choice(_MESSAGE_ID_ALPHABET) for _ in range(40))


def _parse(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def _addresses(message: EmailMessage, name: str) -> list[str]:
    header = message.get(name)
    if header is None:
        return []
    found = getattr(header, "addresses", None)
    if found is None:  # not parsed as an address header
        return [f"{n} <{a}>" if n else a for n, a in getaddresses([str(header)]) if a]
    return [str(address) for address in found]


def ses_receipt_event(
    raw: bytes,
    *,
    message_id: str,
    recipients: Sequence[str],
    source: str | None = None,
    destination: Sequence[str] | None = None,
    received_at: datetime | None = None,
    processing_time_ms: int = 1,
    function_arn: str = INBOUND_FUNCTION_ARN,
) -> dict[str, Any]:
    """The event SES's Lambda action sends for a received message (headers only, no body).

    raw: the message as stored; recipients: the envelope recipients the receipt rule matched;
    source: the envelope sender (MAIL FROM), by default the From address; destination: every
    envelope recipient, by default the recipients.
    """
    message = _parse(raw)
    senders = _addresses(message, "from")
    if source is None:
        source = _bare(senders[0]) if senders else ""
    received_at = received_at or datetime.now(UTC)
    return_path = str(message.get("return-path", "")).strip().strip("<>") or source
    common: dict[str, Any] = {
        "returnPath": return_path,
        "from": senders,
        "date": str(message.get("date", "")) or format_datetime(received_at),
        "to": _addresses(message, "to"),
        "messageId": str(message.get("message-id", "")) or make_msgid(domain="deskless.local"),
        "subject": str(message.get("subject", "")),
    }
    for header, name in (("cc", "cc"), ("bcc", "bcc"), ("sender", "sender"), ("reply-to", "replyTo")):
        if message.get(header) is not None:
            common[name] = _addresses(message, header)
    verdict = {"status": "PASS"}
    return {
        "Records": [
            {
                "eventSource": "aws:ses",
                "eventVersion": "1.0",
                "ses": {
                    "mail": {
                        "timestamp": _iso(received_at),
                        "source": source,
                        "messageId": message_id,
                        "destination": list(destination if destination is not None else recipients),
                        "headersTruncated": False,
                        "headers": [{"name": name, "value": str(value)} for name, value in message.items()],
                        "commonHeaders": common,
                    },
                    "receipt": {
                        "timestamp": _iso(received_at),
                        "processingTimeMillis": max(1, processing_time_ms),
                        "recipients": list(recipients),
                        "spamVerdict": dict(verdict),
                        "virusVerdict": dict(verdict),
                        "spfVerdict": dict(verdict),
                        "dkimVerdict": dict(verdict),
                        "dmarcVerdict": dict(verdict),
                        "action": {"type": "Lambda", "functionArn": function_arn, "invocationType": "Event"},
                    },
                },
            }
        ]
    }


def _bare(address: str) -> str:
    return getaddresses([address])[0][1] or address


# --- SMTP listener --------------------------------------------------------------------------------


class _Controller(Controller):
    """aiosmtpd's controller, able to listen on port 0 (it connects to its own port once started)."""

    def _trigger_server(self) -> None:
        sockets = getattr(self.server, "sockets", None)
        if sockets:
            self.port = sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


class _Handler:
    def __init__(self, listener: SmtpListener) -> None:
        self._listener = listener

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if not self._listener.accepts(address):
            return "550 5.1.1 Mailbox does not exist"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        peer = session.peer[0] if session.peer else "127.0.0.1"
        try:
            message_id = await asyncio.get_running_loop().run_in_executor(
                None,
                lambda: self._listener.deliver(
                    bytes(raw), mail_from=envelope.mail_from or "", recipients=list(envelope.rcpt_tos), peer=peer
                ),
            )
        except Exception:
            log.exception("SMTP: could not store a received message")
            return "451 4.3.0 Could not store the message; try again later"
        return f"250 Ok {message_id}"


class SmtpListener:
    """SES's inbound side on loopback: SMTP in, S3 object and `inbound_email` invocation out."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        endpoint_url: str,
        bucket: str,
        invoke: Invoke,
        recipients_domain: str | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._bucket = bucket
        self._invoke = invoke
        self._domain = recipients_domain.lower().lstrip("@") if recipients_domain else None
        self._s3 = local_client("s3", endpoint_url)
        self._controller: _Controller | None = None

    def accepts(self, address: str) -> bool:
        """Whether a recipient is one the receipt rule covers (any, without a recipients_domain)."""
        return self._domain is None or address.lower().rsplit("@", 1)[-1] == self._domain

    def start(self) -> int:
        """Listen; returns the bound port (a free one when the port given was 0)."""
        if self._controller is None:
            # server_hostname: the banner's name, given so aiosmtpd does not look up this host's FQDN.
            self._controller = _Controller(
                _Handler(self), hostname=self._host, port=self._port, server_hostname="localhost"
            )
            self._controller.start()
        return int(self._controller.port)

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def port(self) -> int | None:
        return int(self._controller.port) if self._controller else None

    def deliver(self, raw: bytes, *, mail_from: str, recipients: Sequence[str], peer: str = "127.0.0.1") -> str:
        """Receive one message as SES would: store it, then invoke the function; returns its id."""
        started = time.monotonic()
        received_at = datetime.now(UTC)
        message_id = new_message_id()
        stored = _received_headers(mail_from, recipients, peer, message_id, received_at) + raw
        self._s3.put_object(Bucket=self._bucket, Key=INBOUND_MAIL_PREFIX + message_id, Body=stored)
        event = ses_receipt_event(
            stored,
            message_id=message_id,
            recipients=[r for r in recipients if self.accepts(r)],
            destination=list(recipients),
            source=mail_from,
            received_at=received_at,
            processing_time_ms=int((time.monotonic() - started) * 1000),
        )
        try:
            self._invoke(INBOUND_FUNCTION, event)
        except Exception:
            # SES has accepted the message (it is in S3): the sender is told 250 all the same.
            log.exception("SMTP: %s failed on message %s", INBOUND_FUNCTION, message_id)
        return message_id


def _received_headers(
    mail_from: str, recipients: Sequence[str], peer: str, message_id: str, received_at: datetime
) -> bytes:
    """The headers SES puts on top of a message it stores."""
    lines = [
        f"Return-Path: <{mail_from}>",
        f"Received: from [{peer}] by inbound-smtp.deskless.local with SMTP id {message_id}"
        f" for {', '.join(recipients)}; {format_datetime(received_at)}",
        "X-SES-Spam-Verdict: PASS",
        "X-SES-Virus-Verdict: PASS",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


# --- Outbox ---------------------------------------------------------------------------------------


class _TextOf(HTMLParser):
    """The readable text of an HTML part (moto keeps only the HTML of a Simple message that has both)."""

    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    @classmethod
    def of(cls, markup: str) -> str:
        parser = cls()
        parser.feed(markup)
        parser.close()
        lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(parser.parts).splitlines())
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_LOOKS_LIKE_HTML = re.compile(r"<(?:!doctype|html|body|p|div|br|table|a|span|h[1-6]|strong|em|b|i|ul|ol)\b", re.I)
_PLACEHOLDER = re.compile(r"\{\{\s*([\w.-]+)\s*\}\}")


def _render(template: str | None, data: Mapping[str, Any]) -> str:
    return _PLACEHOLDER.sub(lambda m: str(data.get(m.group(1), "")), template or "")


class Outbox:
    """Every email sent through moto's SES (v1 and v2), newest last, as local mode's moto exports
    it (local.moto_app, GET /_deskless/sent-mail): read over HTTP, wherever moto runs."""

    def __init__(self, moto_url: str) -> None:
        self._url = moto_url.rstrip("/") + SENT_MAIL_PATH

    def _call(self, method: str) -> Any:
        answer = httpx.request(method, self._url, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def messages(self) -> list[dict[str, Any]]:
        return [_described(message) for message in self._call("GET")]

    def clear(self) -> None:
        self._call("DELETE")

    def page(self) -> str:
        """The outbox as a plain HTML page, newest first; each HTML part in a sandboxed frame."""
        messages = list(reversed(self.messages()))
        articles = "\n".join(_article(message) for message in messages) or "<p>No email has been sent yet.</p>"
        count = f"{len(messages)} message{'s' if len(messages) != 1 else ''}"
        return _PAGE.format(count=count, articles=articles)


def _described(message: Mapping[str, Any]) -> dict[str, Any]:
    """What a message moto holds says: its addresses, subject and parts (moto keeps a Simple
    message's HTML part only, when it has both: its text is read from the HTML)."""
    described: dict[str, Any] = {
        "id": message["id"],
        "from": message["source"],
        "to": [],
        "cc": [],
        "bcc": [],
        "subject": "",
        "text": "",
        "html": "",
        "sent_at": _iso(datetime.fromtimestamp(message["sent_at"], UTC)),
    }
    if "raw" in message:
        described |= _from_raw(message["raw"], message["destinations"])
    elif "template" in message:
        described |= _from_template(message["template"], message["template_data"], message["destinations"])
    else:
        described |= _from_simple(message["subject"], message["body"], message["destinations"])
    return described


def _from_template(template: Mapping[str, str | None], data_json: str | None, destinations: Any) -> dict[str, Any]:
    try:
        data = json.loads(data_json or "{}")
    except ValueError:
        data = {}
    destinations = destinations if isinstance(destinations, Mapping) else {}
    return {
        "to": list(destinations.get("ToAddresses", [])),
        "cc": list(destinations.get("CcAddresses", [])),
        "bcc": list(destinations.get("BccAddresses", [])),
        "subject": _render(template.get("subject"), data),
        "text": _render(template.get("text"), data),
        "html": _render(template.get("html"), data),
    }


def _from_simple(subject: str, body: str, destinations: Mapping[str, Any]) -> dict[str, Any]:
    is_html = bool(_LOOKS_LIKE_HTML.search(body or ""))
    return {
        "to": list(destinations.get("ToAddresses", [])),
        "cc": list(destinations.get("CcAddresses", [])),
        "bcc": list(destinations.get("BccAddresses", [])),
        "subject": subject or "",
        "text": _TextOf.of(body) if is_html else body or "",
        "html": body if is_html else "",
    }


def _from_raw(raw: str | bytes, destinations: Sequence[str]) -> dict[str, Any]:
    message = _parse(raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw)
    to, cc = _addresses(message, "to"), _addresses(message, "cc")
    shown = {_bare(address).lower() for address in to + cc}
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    markup = _lines(html_part.get_content()) if html_part is not None else ""
    described: dict[str, Any] = {
        "to": to or list(destinations),
        "cc": cc,
        "bcc": [address for address in destinations if _bare(address).lower() not in shown] if to else [],
        "subject": str(message.get("subject", "")),
        "text": _lines(text_part.get_content()) if text_part is not None else _TextOf.of(markup),
        "html": markup,
    }
    if message.get("from") is not None:
        described["from"] = str(message["from"])
    return described


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n")


def _article(message: Mapping[str, Any]) -> str:
    e = html.escape
    rows = [("From", message["from"]), ("To", ", ".join(message["to"]))]
    if message["cc"]:
        rows.append(("Cc", ", ".join(message["cc"])))
    if message["bcc"]:
        rows.append(("Bcc", ", ".join(message["bcc"])))
    rows.append(("Sent", message["sent_at"]))
    meta = "".join(f"<dt>{e(name)}</dt><dd>{e(str(value))}</dd>" for name, value in rows)
    parts = [f"<h2>{e(message['subject'] or '(no subject)')}</h2>", f"<dl>{meta}</dl>"]
    if message["text"]:
        parts.append(f"<details open><summary>Text</summary><pre>{e(message['text'])}</pre></details>")
    if message["html"]:
        parts.append(
            "<details open><summary>HTML</summary>"
            f'<iframe sandbox="" referrerpolicy="no-referrer" title="{e(message["subject"])}"'
            f' srcdoc="{e(message["html"], quote=True)}"></iframe></details>'
        )
    return f'<article id="{e(message["id"])}">{"".join(parts)}</article>'


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; img-src data: http: https:">
<title>Outbox · Deskless (local)</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; color: #1d2330; }}
header p {{ color: #5b6272; }}
article {{ border: 1px solid #d6dae3; border-radius: 6px; padding: 0 1rem 1rem; margin: 1rem 0; }}
h2 {{ font-size: 1.15rem; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: .15rem .8rem; margin: 0 0 .6rem; }}
dt {{ color: #5b6272; }} dd {{ margin: 0; overflow-wrap: anywhere; }}
pre {{ white-space: pre-wrap; background: #f5f6f9; padding: .6rem; border-radius: 4px; }}
iframe {{ width: 100%; height: 22rem; border: 1px solid #d6dae3; border-radius: 4px; background: #fff; }}
summary {{ cursor: pointer; color: #5b6272; margin: .3rem 0; }}
</style>
</head>
<body>
<header><h1>Outbox</h1><p>Every email sent through SES in local mode, newest first: {count}.</p></header>
<main>
{articles}
</main>
</body>
</html>
"""
