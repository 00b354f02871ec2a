"""`deskless bench`: every benchmark, one after the other (each prints its own figures)."""

from __future__ import annotations

import sys

from bench import codes, coldstart, console, portals, tickets, websocket

if __name__ == "__main__":
    sys.exit(
        coldstart.main(sys.argv[1:]) or codes.main([]) or portals.main([]) or websocket.main([]) or console.main([]) or tickets.main([])
    )
