"""moto's server answering many requests on one connection (HTTP/1.1 keep-alive).

Written against Werkzeug 3.1 and moto 5.2.5 (pinned through moto[server]). moto's server is
Werkzeug's development server with moto's request handler (MotoRequestHandler), and Werkzeug's
handler closes every connection after one response, on purpose: it always sends
`Connection: close`, and after the response it reads and discards whatever the client sends for
the next 10 ms (so that a client whose body was not read sees the answer, not a reset), which on
a kept connection would swallow the next request. Setting protocol_version to "HTTP/1.1" does not
change either. So each request costs a TCP connection, and in moto's threaded server a new thread
that the accepting thread waits to see start: in local mode, all in one process whose threads
take turns at the GIL.

`KeepAliveRequestHandler` is moto's handler with its own run_wsgi for the requests it can answer
without guessing where they end: no `Expect: 100-continue`, no chunked body, and a
Content-Length when the method carries a body (botocore's requests all are). It reads the body
whole before the application runs (so nothing of it can be left for the next request), lets the
application answer, and writes it with a Content-Length (so the client knows where the answer
ends; with TCP_NODELAY, so headers and body are not held back for an acknowledgement on a kept
connection). Any other request goes to Werkzeug's own run_wsgi, which answers and closes the
connection, as before; an application that raises gets a 500, and the connection is closed.
http.server's handler reads request after request from a connection until the client closes it
or asks to.

tests/integration/test_moto_keep_alive.py checks that botocore's requests reuse a connection, that
requests of every kind get the bytes Werkzeug's handler gives, and that a request with a chunked
body is answered and its connection closed. Switched per process by local.moto_app.moto_app
with the other local fast paths (`deskless dev --moto as-is` keeps Werkzeug's handler).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import MotoRequestHandler

_NO_BODY_STATUSES = frozenset({204, 304})
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding"})  # this handler's to say


class KeepAliveRequestHandler(MotoRequestHandler):
    """moto's request handler, keeping the connection open after a request it can delimit."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def run_wsgi(self) -> None:
        length = self._body_length()
        if length is None:
            super().run_wsgi()  # Werkzeug's own: answers, then closes the connection
            return
        body = self.rfile.read(length) if length else b""
        environ = self.make_environ()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(length)
        try:
            status, headers, payload = self._application_answer(environ)
        except Exception as error:  # as Werkzeug answers an application that raised, then close
            self.server.log("error", f"Error on request: {error!r}")
            self.close_connection = True
            status, headers, payload = "500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")], b"Internal error"
        self._write(status, headers, payload)

    def _body_length(self) -> int | None:
        """How long the request's body is, or None if this handler leaves the request to Werkzeug."""
        headers = self.headers
        if headers.get("Expect", "").strip().lower() == "100-continue" or "Transfer-Encoding" in headers:
            return None
        declared = headers.get("Content-Length")
        if declared is None:
            return 0 if self.command in ("GET", "HEAD", "DELETE", "OPTIONS") else None
        try:
            length = int(declared)
        except ValueError:
            return None
        return length if length >= 0 else None

    def _application_answer(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        started: list[Any] = []
        written: list[bytes] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            started[:] = [status, headers]
            return written.append

        chunks: Iterable[bytes] = self.server.app(environ, start_response)
        try:
            written.extend(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        status, headers = started
        return status, headers, b"".join(written)

    def _write(self, status: str, headers: list[tuple[str, str]], payload: bytes) -> None:
        code_text, _, reason = status.partition(" ")
        code = int(code_text)
        self.send_response(code, reason)
        declared = False
        for name, value in headers:
            lowered = name.lower()
            if lowered in _HOP_BY_HOP:
                continue
            declared = declared or lowered == "content-length"
            self.send_header(name, value)
        if not declared:
            self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not (self.command == "HEAD" or code < 200 or code in _NO_BODY_STATUSES):
            self.wfile.write(payload)
