"""A rule's webhook: the ticket, the change and the rule POSTed as JSON to an HTTPS address, signed
so the receiver can tell it came from this deployment:

    X-Deskless-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">

under the webhook secret (deskless.automation_rules.webhook_secret: HMAC(signing key,
"automation-webhook") in hex, which admins read at GET /api/automation/webhook-secret and a
receiver uses as its key). Each try waits 5 s at most; 3 tries with a short backoff, then the
action fails. Only https, and never to an address that resolves to a private, loopback, link-local
or otherwise internal network (asked after resolving, so a name pointing inside is refused too);
the local platform also allows plain http to loopback, so tests can run a receiver. The name is
resolved once: every try connects to the address that was checked (the TLS handshake still names
the host, and its certificate must match it), so a name that resolves elsewhere a moment later
(DNS rebinding) cannot lead a try inside. A redirect is an answer, not a new address to call.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any
from urllib.parse import SplitResult, urlsplit

from deskless.automation_rules import webhook_secret
from deskless.settings import get_settings

TIMEOUT_S = 5.0
TRIES = 3
BACKOFF_S = (0.5, 1.0)  # before the second and the third try
SIGNATURE_HEADER = "X-Deskless-Signature"


class WebhookRefused(Exception):
    """The address may not be called (not https, or it resolves inside a private network)."""


class WebhookFailed(Exception):
    """Every try failed: the last reason is the message."""


def webhook_key() -> bytes:
    return webhook_secret().encode()


def signature(body: bytes, at: int, key: bytes) -> str:
    digest = hmac.new(key, f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def _local() -> bool:
    return get_settings().stage == "local"


def check_address(url: str) -> list[str]:
    """The addresses to call for `url` (in the order the resolver gave them), once resolved and
    checked; WebhookRefused for what a webhook may not call (see the module's docstring)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        raise WebhookRefused("The webhook's address names no host.")
    addresses = _resolve(host, _port(parts))
    loopback_only = all(address.is_loopback for address in addresses)
    if _local() and loopback_only and parts.scheme in ("http", "https"):
        return [str(address) for address in addresses]
    if parts.scheme != "https":
        raise WebhookRefused("A webhook's address must be https.")
    inside = [str(a) for a in addresses if not a.is_global or a.is_multicast]
    if inside:
        raise WebhookRefused(f"The webhook's host {host} resolves to an internal address ({inside[0]}).")
    return [str(address) for address in addresses]


def _port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise WebhookRefused(f"The webhook's host {host} does not resolve.") from error
    found_in_order = dict.fromkeys(str(entry[4][0]).split("%", 1)[0] for entry in found)
    return [ipaddress.ip_address(address) for address in found_in_order]


def call(url: str, payload: Mapping[str, Any], *, now: float | None = None) -> int:
    """POST the payload, signed; the status of the answer that succeeded (2xx). WebhookRefused
    before any try for an address it may not call; WebhookFailed after the last failed try."""
    parts = urlsplit(url)
    addresses = check_address(url)
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    key = webhook_key()
    reason = ""
    for attempt in range(TRIES):
        if attempt:
            time.sleep(BACKOFF_S[attempt - 1])
        at = int(time.time() if now is None else now)
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(body, at, key)}
        try:
            status = _post(parts, addresses, body, headers)
        except (OSError, http.client.HTTPException, ValueError) as error:  # refused, timed out, reset, malformed
            reason = f"{type(error).__name__}: {error}"
            continue
        if 200 <= status < 300:
            return status
        reason = f"it answered {status}"
    raise WebhookFailed(f"The webhook failed {TRIES} times; the last time: {reason}.")


def _post(parts: SplitResult, addresses: Sequence[str], body: bytes, headers: Mapping[str, str]) -> int:
    """One POST to the first of `addresses` that connects, for the URL's host (its Host header,
    and TLS's name): the status."""
    pinned = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = pinned(parts.hostname or "", _port(parts), addresses=addresses, timeout=TIMEOUT_S)
    try:
        connection.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), body, headers)
        return connection.getresponse().status
    finally:
        connection.close()


def _connected(addresses: Sequence[str], port: int, timeout: float | None) -> socket.socket:
    """A socket to the first of `addresses` that answers (as socket.create_connection tries a
    name's addresses in turn: an IPv6 address first may be unreachable from where this runs)."""
    failure: OSError = OSError("The webhook's host has no address.")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as error:
            failure = error
    raise failure


@cache
def _tls() -> ssl.SSLContext:
    """The system's CAs, the host's name checked: made once (loading the CAs costs tens of ms of
    CPU), when a first webhook calls over TLS."""
    return ssl.create_default_context()


class _PinnedHTTP(http.client.HTTPConnection):
    """A connection to the addresses checked, whatever the host's name resolves to by now."""

    def __init__(self, host: str, port: int, *, addresses: Sequence[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _connected(self.addresses, self.port, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """The same over TLS: the handshake names the host (SNI), and the certificate must be its."""

    def __init__(self, host: str, port: int, *, addresses: Sequence[str], timeout: float) -> None:
        self.tls = _tls()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.addresses = addresses

    def connect(self) -> None:
        plain = _connected(self.addresses, self.port, self.timeout)
        self.sock = self.tls.wrap_socket(plain, server_hostname=self.host)
