"""Local-only endpoints under /_local/: what AWS's consoles would show, for people and tests.

GET    /_local/outbox          every email sent through SES, as JSON (oldest first)
DELETE /_local/outbox          forget them
GET    /_local/outbox/page     the same as a page
POST   /_local/ttl/advance     {"seconds": n}: move the TTL clock forward
POST   /_local/ttl/sweep       delete expired items now (as DynamoDB's TTL would, eventually)
POST   /_local/clock           {"advance_seconds": n}: move the platform's clock forward, as the
                               scheduler reads it (time-based automation rules come due); the TTL
                               reaper keeps its own (above), so items do not expire with it
GET    /_local/dead-letters    stream records that could not be delivered
GET    /_local/widget-demo     a stand-in for a customer's website with Acme's chat widget on it
                               (its origin, the platform's own, is on Acme's allowed list)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from anyio import to_thread

from deskless.edge import portal_url
from deskless.settings import get_settings
from local.mail import Outbox
from local.scheduler import LocalScheduler
from local.seed import DEMO_COMPANY, DEMO_SUBDOMAIN
from local.streams import StreamPoller
from local.ttl import TtlReaper

Answer = tuple[int, str, bytes]
JSON = "application/json"


def _json(status: int, data: Any) -> Answer:
    return status, JSON, json.dumps(data).encode()


@dataclass
class LocalTools:
    outbox: Outbox
    reaper: TtlReaper
    poller: StreamPoller
    scheduler: LocalScheduler | None = None

    async def __call__(self, method: str, path: str, body: bytes) -> Answer | None:
        route = (method, path.rstrip("/"))
        # The outbox asks moto (over HTTP): not on the event loop.
        if route == ("GET", "/_local/outbox"):
            return _json(200, await to_thread.run_sync(self.outbox.messages))
        if route == ("DELETE", "/_local/outbox"):
            await to_thread.run_sync(self.outbox.clear)
            return _json(200, {"cleared": True})
        if route == ("GET", "/_local/outbox/page"):
            return 200, "text/html; charset=utf-8", (await to_thread.run_sync(self.outbox.page)).encode()
        if route == ("POST", "/_local/ttl/advance"):
            try:
                seconds = float(json.loads(body or b"{}")["seconds"])
            except (ValueError, KeyError, TypeError):
                return _json(400, {"error": "invalid_request", "message": 'Send {"seconds": <number>}.'})
            self.reaper.advance(seconds)
            return _json(200, {"now": self.reaper.now()})
        if route == ("POST", "/_local/ttl/sweep"):
            return _json(200, {"deleted": await to_thread.run_sync(self.reaper.sweep), "now": self.reaper.now()})
        if route == ("POST", "/_local/clock") and self.scheduler is not None:
            try:
                seconds = float(json.loads(body or b"{}")["advance_seconds"])
            except (ValueError, KeyError, TypeError):
                return _json(400, {"error": "invalid_request", "message": 'Send {"advance_seconds": <number>}.'})
            if seconds < 0:
                return _json(400, {"error": "invalid_request", "message": "The clock only moves forward."})
            now = self.scheduler.advance(seconds)
            fired = await to_thread.run_sync(self.scheduler.fire_due)
            return _json(200, {"now": now, "fired": fired})
        if route == ("GET", "/_local/dead-letters"):
            return _json(200, self.poller.dead_letters)
        if route == ("GET", "/_local/widget-demo"):
            return 200, "text/html; charset=utf-8", widget_demo().encode()
        return None


def widget_demo() -> str:
    """A page that embeds the demo portal's widget exactly as the admin's snippet tells a customer to."""
    portal = portal_url(DEMO_SUBDOMAIN, get_settings().public_url)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{DEMO_COMPANY} Inc. (a customer's website)</title></head>"
        '<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">'
        f"<h1>{DEMO_COMPANY} Inc.</h1><p>A stand-in for a customer's website. The chat launcher in the corner "
        f"is {DEMO_COMPANY}'s Deskless widget, embedded with one script tag:</p>"
        f'<pre>&lt;script src="{portal}/widget.js" async&gt;&lt;/script&gt;</pre>'
        f'<script src="{portal}/widget.js" async></script></body></html>'
    )
