"""What a JSON body from outside must be before any logic meets it, for HTTP and WebSocket alike:
parseable, no deeper than the parser goes, and text that can be stored and sent back (a lone
UTF-16 surrogate such as `"\\ud800"` is valid JSON, but no UTF-8 can carry it, so DynamoDB, an
email or an answer would fail on it later)."""

from __future__ import annotations

import json
import re
from typing import Any

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
