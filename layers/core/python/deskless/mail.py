"""Sending email through SES (v2), with text and HTML parts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .aws import client
from .settings import get_settings


def send_email(to: Sequence[str], subject: str, text: str, html: str) -> str:
    settings = get_settings()
    request: dict[str, Any] = {
        "FromEmailAddress": settings.mail_from,
        "Destination": {"ToAddresses": list(to)},
        "Content": {
            "Simple": {
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": text, "Charset": "UTF-8"}, "Html": {"Data": html, "Charset": "UTF-8"}},
            }
        },
    }
    if settings.ses_configuration_set:
        request["ConfigurationSetName"] = settings.ses_configuration_set
    return str(client("sesv2").send_email(**request)["MessageId"])
