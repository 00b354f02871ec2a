"""moto's server in a process of its own, so that the platform (gateway, functions, stream poller)
and moto work on two cores instead of taking turns at one interpreter's GIL.

    python -m local.moto_process [--port 0] [--moto fast|as-is] [--log-level L]

serves local.moto_app's application on 127.0.0.1 only (the fast paths, when chosen, switched on
in this process, where moto's backends are), writes {"port": N} as one line on its standard
output once it listens (port 0 picks a free one), and serves until its standard input ends. The parent holds the other
end of that pipe and nothing else does, so the server stops when its parent stops, however the
parent stops: on a crash or a kill -9 the kernel closes the pipe. It runs in a process group of
its own, so a Ctrl-C at the terminal reaches the parent only, which stops it when it is done with
it. Its log (and anything moto prints) goes to the parent's standard error.

`MotoProcess` is the parent's side; local.services.MotoServer decides when it is used.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from local.cli import MotoMode

HOST = "127.0.0.1"
START_TIMEOUT_S = 60  # importing moto on a busy machine takes seconds
STOP_TIMEOUT_S = 10


class MotoProcess:
    """The parent's handle on a moto server process."""

    def __init__(self, port: int = 0, *, moto: MotoMode = "fast", log_level: str = "WARNING") -> None:
        self._command = [sys.executable, "-m", "local.moto_process", "--port", str(port), "--moto", moto]
        self._command += ["--log-level", log_level]
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> str:
        """Start the process and wait until it listens; its URL."""
        process = subprocess.Popen(self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, process_group=0)
        self._process = process
        assert process.stdout is not None
        try:
            line = _read_line(process.stdout, time.monotonic() + START_TIMEOUT_S)
            port = int(json.loads(line)["port"])
        except (TimeoutError, ValueError, KeyError) as error:
            self.stop()
            raise RuntimeError(f"moto's server process did not start (exit code {process.returncode})") from error
        finally:
            process.stdout.close()
        return f"http://{HOST}:{port}"

    def stop(self) -> None:
        """Close its standard input (it stops serving and exits), and wait for it."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _read_line(pipe: IO[bytes], deadline: float) -> bytes:
    """One line from a pipe, by a deadline; what there is if the writer ends first."""
    data = b""
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        readable, _, _ = select.select([pipe], [], [], remaining)
        if readable:
            chunk = os.read(pipe.fileno(), 4096)
            if not chunk:
                break
            data += chunk
    return data


def serve(port: int, moto: MotoMode) -> None:
    """Serve moto until standard input ends; the port is reported on standard output first."""
    from werkzeug.serving import make_server

    from local.moto_app import moto_app

    app, handler = moto_app(moto)
    server = make_server(HOST, port, app, threaded=True, request_handler=handler)
    print(json.dumps({"port": server.port}), flush=True)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # from now on, whatever moto prints is logged

    def stop_when_parent_stops() -> None:
        while sys.stdin.buffer.read(4096):
            pass
        server.shutdown()

    threading.Thread(target=stop_when_parent_stops, name="moto-parent-watch", daemon=True).start()
    try:
        server.serve_forever()
    finally:
        server.server_close()


def main(argv: Sequence[str] | None = None) -> int:
    from local.cli import MOTO_MODES
    from local.logs import configure

    parser = argparse.ArgumentParser(prog="python -m local.moto_process", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--moto", choices=MOTO_MODES, default="fast")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    configure(args.log_level)
    serve(args.port, args.moto)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
