"""What the local stand-ins of AWS's time-driven processes share (the TTL reaper, the scheduler):
a clock of their own (real time plus however far it was advanced, so tests and people need not
wait), one pass at a time, and a daemon thread passing every `interval_s` until stop(), which
logs a failed pass and goes on."""

from __future__ import annotations

import logging
import threading
import time

from botocore.exceptions import BotoCoreError, ClientError

log = logging.getLogger(__name__)


class Clocked:
    name = "clocked"  # its thread's name and what its log lines start with

    def __init__(self, *, interval_s: float) -> None:
        self._interval_s = interval_s
        self._offset_s = 0.0
        self._lock = threading.Lock()  # one pass at a time
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def now(self) -> float:
        """Its clock: real time plus however far it was advanced."""
        return time.time() + self._offset_s

    def advance(self, seconds: float) -> float:
        """Move the clock forward: what falls due before the new now is done at the next pass."""
        self._offset_s += seconds
        return self.now()

    def pass_once(self) -> None:
        """One pass (each subclass's own work, under the lock)."""
        raise NotImplementedError

    def start(self) -> None:
        """Pass every interval_s in a daemon thread until stop()."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=f"deskless-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self.pass_once()
            except (ClientError, BotoCoreError) as error:
                log.warning("%s: a pass failed: %s", self.name, error)
            except Exception:
                log.exception("%s: unexpected error; it goes on", self.name)
