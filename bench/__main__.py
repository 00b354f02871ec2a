"""`deskless bench`: every benchmark, one after the other (each prints its own figures)."""

from __future__ import annotations

import sys

from bench import (
    automation,
    automation_delay,
    codes,
    coldstart,
    console,
    knowledge,
    portals,
    screen_share,
    tickets,
    websocket,
)

if __name__ == "__main__":
    benchmarks = (codes, portals, websocket, console, tickets, knowledge, automation, automation_delay, screen_share)
    sys.exit(coldstart.main(sys.argv[1:]) or next((code for b in benchmarks if (code := b.main([]))), 0))
