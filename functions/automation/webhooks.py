"""A rule's webhook: the ticket, the change and the rule POSTed as JSON to an HTTPS address, signed
so the receiver can tell it came from this deployment:

    X-Deskless-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">

under the webhook secret (deskless.automation_rules.webhook_secret: HMAC(signing key,
"automation-webhook") in hex, which admins read at GET /api/automation/webhook-secret and a
receiver uses as its key). Each try waits 5 s at most; 3 tries with a short backoff, then the
action fails. Only https, and never to an address that resolves to a private, loopback, link-local
or otherwise internal network (asked after resolving, so a name pointing inside is refused too);
the local platform also allows plain http to loopback, so tests can run a receiver.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

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


def check_address(url: str) -> None:
    """Refuse what a webhook may not call (see the module's docstring)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        raise WebhookRefused("The webhook's address names no host.")
    addresses = _resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
    loopback_only = all(address.is_loopback for address in addresses)
    if _local() and loopback_only and parts.scheme in ("http", "https"):
        return
    if parts.scheme != "https":
        raise WebhookRefused("A webhook's address must be https.")
    inside = [str(a) for a in addresses if not a.is_global or a.is_multicast]
    if inside:
        raise WebhookRefused(f"The webhook's host {host} resolves to an internal address ({inside[0]}).")


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise WebhookRefused(f"The webhook's host {host} does not resolve.") from error
    return [ipaddress.ip_address(str(entry[4][0]).split("%", 1)[0]) for entry in found]


def call(url: str, payload: Mapping[str, Any], *, now: float | None = None) -> int:
    """POST the payload, signed; the status of the answer that succeeded (2xx). WebhookRefused
    before any try for an address it may not call; WebhookFailed after the last failed try."""
    check_address(url)
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    key = webhook_key()
    reason = ""
    for attempt in range(TRIES):
        if attempt:
            time.sleep(BACKOFF_S[attempt - 1])
        at = int(time.time() if now is None else now)
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(body, at, key)}
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (http(s) only: check_address)
        try:
            with _OPENER.open(request, timeout=TIMEOUT_S) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            reason = f"it answered {error.code}"
        except (OSError, ValueError) as error:  # refused, timed out, reset, a malformed answer
            reason = f"{type(error).__name__}: {error}"
    raise WebhookFailed(f"The webhook failed {TRIES} times; the last time: {reason}.")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new address to call: it could point inside the network."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)
