"""S3's checks of a browser's upload through a presigned POST, which moto stores without making:
the signed policy's expiry and its conditions (each field exactly as signed, nothing unsigned
added, and the file's size within `content-length-range`). Without them local mode would take a
file larger than declared, or of another type, that S3 refuses (deskless.attachments relies on
S3 refusing them). The signature itself is not checked: moto checks no signature either.

A WSGI middleware in front of moto: a multipart POST that carries a `policy` field is checked and,
if S3 would refuse it, answered with S3's error (EntityTooLarge 400, AccessDenied 403) and CORS
headers like S3's, so the browser's script can read it; anything else passes untouched.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

StartResponse = Callable[..., Any]

# Fields S3 does not ask the policy to name (AWS's "Creating a POST policy").
_UNSIGNED = frozenset({"policy", "x-amz-signature", "file", "awsaccesskeyid", "signature"})


class PostPolicyChecks:
    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or "multipart/form-data" not in environ.get("CONTENT_TYPE", ""):
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        from werkzeug.formparser import parse_form_data

        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        copy = {**environ, "wsgi.input": io.BytesIO(body)}
        _, form, files = parse_form_data(copy)
        environ["wsgi.input"] = io.BytesIO(body)
        if "policy" not in form:
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        fields = {name.lower(): value for name, value in form.items()}
        bucket = environ.get("PATH_INFO", "/").strip("/").split("/", 1)[0]
        file = files.get("file")
        size = len(file.read()) if file is not None else 0
        refusal = refusal_of(fields, bucket, size)
        if refusal is None:
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        status, code, message = refusal
        xml = f"<?xml version='1.0'?><Error><Code>{code}</Code><Message>{escape(message)}</Message></Error>"
        headers = [("Content-Type", "application/xml")]
        if origin := environ.get("HTTP_ORIGIN"):
            headers.append(("Access-Control-Allow-Origin", origin))
        start_response(status, headers)
        return [xml.encode()]


def refusal_of(
    fields: Mapping[str, str], bucket: str, size: int, now: datetime | None = None
) -> tuple[str, str, str] | None:
    """S3's answer to an upload with these form fields (names in lower case) and a file of `size`
    bytes, if it refuses it: (status, error code, message)."""
    try:
        policy = json.loads(base64.b64decode(fields["policy"]))
        expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
        conditions = policy["conditions"]
    except (KeyError, ValueError, TypeError):
        return "400 Bad Request", "InvalidPolicyDocument", "Invalid Policy: Invalid JSON."
    if (now or datetime.now(UTC)) > expires:
        return "403 Forbidden", "AccessDenied", "Invalid according to Policy: Policy expired."
    signed = {"bucket"}
    values = {**fields, "bucket": bucket}
    for condition in conditions:
        if isinstance(condition, dict):
            ((name, expected),) = condition.items()
            test = ["eq", f"${name}", expected]
        else:
            test = list(condition)
        operator = str(test[0]).lower()
        if operator == "content-length-range":
            if not int(test[1]) <= size <= int(test[2]):
                return "400 Bad Request", "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"
            continue
        name = str(test[1]).removeprefix("$").lower()
        signed.add(name)
        value = values.get(name, "")
        passes = value == test[2] if operator == "eq" else value.startswith(str(test[2]))
        if not passes:
            return "403 Forbidden", "AccessDenied", f"Invalid according to Policy: Policy Condition failed: {test}"
    extra = sorted(
        name for name in fields if name not in signed and name not in _UNSIGNED and not name.startswith("x-ignore-")
    )
    if extra:
        return "403 Forbidden", "AccessDenied", f"Invalid according to Policy: Extra input fields: {', '.join(extra)}"
    return None
