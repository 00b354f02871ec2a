"""What a body from outside must be before any logic meets it. JSON, for HTTP and WebSocket alike:
parseable, no deeper than the parser goes, and text that can be stored and sent back (a lone
UTF-16 surrogate such as `"\\ud800"` is valid JSON, but no UTF-8 can carry it, so DynamoDB, an
email or an answer would fail on it later). A form (application/x-www-form-urlencoded, the portal's
account pages): no more fields than the form has room for, read the same way wherever it is read."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from .errors import InvalidRequest

_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json(raw: str | bytes) -> Any:
    """The parsed value; InvalidRequest saying what is wrong otherwise."""
    try:
        value = json.loads(raw)
    except RecursionError as error:
        raise InvalidRequest("The JSON is nested too deeply.") from error
    except ValueError as error:
        raise InvalidRequest("The body is not valid JSON.") from error
    if _has_surrogate(value):
        raise InvalidRequest("The JSON holds a lone UTF-16 surrogate (such as \\ud800), which is not text.")
    return value


def parse_form(raw: bytes, *, max_fields: int) -> dict[str, str]:
    """A form's fields, the first value of each (bytes that are not UTF-8, raw or %-encoded, read as
    U+FFFD; a field without a name or a value is none); InvalidRequest when it has more than
    `max_fields` fields, counted as sent (`&`-separated), named or not."""
    if raw.count(b"&") >= max_fields:
        raise InvalidRequest(f"The form has more than {max_fields} fields.")
    fields: dict[str, str] = {}
    for name, value in parse_qsl(raw.decode("utf-8", "replace")):
        if name:
            fields.setdefault(name, value)
    return fields


def _has_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack += item.keys()
            stack += item.values()
        elif isinstance(item, list):
            stack += item
    return False
