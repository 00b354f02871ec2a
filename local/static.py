"""The console's static files, as the CDN serves them from the web-assets bucket: GET and HEAD of
/static/<path> from the repository's web/ folder, a folder's index.html for a path ending in
"/", a folder named without its slash redirected to it, and the headers of
deskless.edge.static_file_headers on every answer (tests/infra/test_edge.py runs the deployed
CloudFront Function and this on the same paths). The API's description is served the same way
from docs/, each file at its own path (deskless.edge.API_REFERENCE), and so are the repository's
files the console shares with the portals, from where they are (deskless.edge.SHARED_FILES).

Only files under the root are served: a path with a dot segment (`..` or `.`, also when
percent-encoded), an encoded slash or backslash, a NUL or an empty segment is refused, and so is
a file that resolves outside the root through a link. Dotfiles are not served.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from deskless.edge import API_REFERENCE, INDEX_FILE, SHARED_FILES, STATIC_PATH, StaticFileHeaders
from infra.paths import DOCS, REPOSITORY

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
    ".woff2": "font/woff2",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
    ".webp": "image/webp",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"
_ENCODED_SEPARATORS = ("%2f", "%5c", "%00")


@dataclass(frozen=True)
class StaticAnswer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def api_reference() -> dict[str, Path]:
    """The API's description: each path it is served at, and its file."""
    return {path: DOCS / name for path, name in API_REFERENCE.items()}


def shared_files() -> dict[str, Path]:
    """The repository's files served among the static files: each path, and its file."""
    return {path: REPOSITORY / name for path, name in SHARED_FILES.items()}


def files_of_their_own() -> dict[str, Path]:
    """Every file served at a path of its own rather than found under the web root."""
    return {**api_reference(), **shared_files()}


@dataclass(frozen=True)
class StaticFiles:
    root: Path
    headers: StaticFileHeaders
    files: Mapping[str, Path] = field(default_factory=files_of_their_own)  # served at a path of their own

    def serves(self, path: str) -> bool:
        return path.startswith(STATIC_PATH) or path in self.files

    def answer(self, method: str, path: str, raw_path: str, *, if_none_match: str = "") -> StaticAnswer:
        """The answer to a request for `path` (percent-decoded, as ASGI gives it; `raw_path` as sent)."""
        if method not in ("GET", "HEAD"):
            return self._text(405, "Method Not Allowed", allow="GET, HEAD")
        if path in self.files:
            return self._file(self.files[path], head=method == "HEAD", if_none_match=if_none_match)
        relative = path[len(STATIC_PATH) :] if path.startswith(STATIC_PATH) else None
        if relative is None or not _safe(relative, raw_path):
            return self._text(400, "Bad Request")
        target = self.root.joinpath(*relative.split("/")) if relative else self.root
        if not _inside(target, self.root) or any(part.startswith(".") for part in relative.split("/") if part):
            return self._text(404, "Not Found")
        if target.is_dir():
            if relative and not relative.endswith("/"):
                return self._text(301, "Moved Permanently", location=f"{raw_path}/")
            target = target / INDEX_FILE
        if not target.is_file() or not _inside(target, self.root):
            return self._text(404, "Not Found")
        return self._file(target, head=method == "HEAD", if_none_match=if_none_match)

    def _file(self, target: Path, *, head: bool, if_none_match: str) -> StaticAnswer:
        stat = target.stat()
        etag = '"' + hashlib.sha256(f"{stat.st_mtime_ns}-{stat.st_size}".encode()).hexdigest()[:32] + '"'
        headers = {**self.headers.as_dict(), "etag": etag}
        if etag in (tag.strip() for tag in if_none_match.split(",")):
            return StaticAnswer(304, headers)
        headers["content-type"] = CONTENT_TYPES.get(target.suffix.lower(), DEFAULT_CONTENT_TYPE)
        headers["content-length"] = str(stat.st_size)
        return StaticAnswer(200, headers, b"" if head else target.read_bytes())

    def _text(self, status: int, text: str, **extra: str) -> StaticAnswer:
        body = f"{text}\n".encode()
        headers = {**self.headers.as_dict(), "content-type": "text/plain; charset=utf-8", **extra}
        return StaticAnswer(status, {**headers, "content-length": str(len(body))}, body)


def _safe(relative: str, raw_path: str) -> bool:
    """No dot segment, empty segment, backslash or NUL, and no separator sent percent-encoded."""
    if any(encoded in raw_path.lower() for encoded in _ENCODED_SEPARATORS):
        return False
    if "\\" in relative or "\x00" in relative or relative.startswith("/"):
        return False
    segments = relative.split("/")
    inner = segments[:-1]  # the last one is empty for a folder ("console/")
    return all(unquote(segment) not in (".", "..") for segment in segments) and all(inner)


def _inside(target: Path, root: Path) -> bool:
    return target.resolve().is_relative_to(root.resolve())
