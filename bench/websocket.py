"""Chat over the WebSocket API under load, on the local platform: how many messages arrive, lost,
twice or out of order, and how long each takes.

    python -m bench.websocket [--sessions 100] [--messages 10] [--per-technician 10]

Starts `deskless dev` on free ports, hires technicians through the admin API (each allowed
`--per-technician` active codes), and opens `--sessions` support sessions as the console and the
portal open them (tests/e2e/test_sessions.py): the technician creates a code, a customer redeems
it on the portal's host, a console connection of the technician sends `session.join`, and the
customer connects with the token the redemption gave. Then every client at once (two a session)
sends `--messages` `chat.send`, each once the server acknowledged the one before (`chat.sent`),
as a person types on. Each message should reach both participants: the other side, and the
sender's own screen (which shows the stored order). Whatever has not arrived 30 s after the
last acknowledgement is lost; a send not acknowledged within 30 s is counted, and the client sends
on. Latency is from the send to the other side's receipt, measured in this one process, so on
one clock.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from bench.dev import PORTAL, client, percentile, platform, technicians

SIDES = ("technician", "visitor")
LATE_S = 30.0  # lost: not delivered this long after the last acknowledgement; unacknowledged: likewise
OPENING_AT_ONCE = 16  # sessions whose connections are opened at the same time


@dataclass(frozen=True)
class Visit:
    """One support session, as its two clients hold it."""

    number: int
    session_id: str
    technician_token: str
    visitor_token: str


@dataclass
class Ledger:
    """What was sent, and what arrived where. A message is named `<session>/<side>/<n>`."""

    sent_at: dict[str, float] = field(default_factory=dict)
    arrivals: Counter[tuple[str, str]] = field(default_factory=Counter)  # (message, recipient side)
    out_of_order: int = 0
    latencies: list[float] = field(default_factory=list)  # send to the other side's receipt
    acknowledgements: list[float] = field(default_factory=list)  # send to chat.sent
    unacknowledged: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    last_seen: dict[tuple[str, str], int] = field(default_factory=dict)  # (sender, recipient side): last n

    def arrived(self, message: str, recipient: str, at: float) -> None:
        session, sender, n = message.split("/")
        self.arrivals[(message, recipient)] += 1
        if self.arrivals[(message, recipient)] > 1:
            return
        stream = (f"{session}/{sender}", recipient)
        if int(n) < self.last_seen.get(stream, -1):
            self.out_of_order += 1
        self.last_seen[stream] = max(int(n), self.last_seen.get(stream, -1))
        if sender != recipient:
            self.latencies.append(at - self.sent_at[message])

    def delivered(self) -> int:
        return len(self.arrivals)

    def duplicated(self) -> int:
        return sum(count - 1 for count in self.arrivals.values())


# --- opening the sessions (HTTP) -------------------------------------------------------------


def open_sessions(port: int, sessions: int, per_technician: int) -> list[Visit]:
    """Codes created by enough new technicians, redeemed on the portal: the sessions."""
    tokens = technicians(port, math.ceil(sessions / per_technician), per_technician)

    def open_one(number: int) -> Visit:
        token = tokens[number // per_technician]
        with client(port, token=token) as console:
            code = console.post("/api/codes", json={"name": f"Chat bench {number}", "portal": PORTAL})
            code.raise_for_status()
        with client(port, host=f"{PORTAL}.localhost") as customer:
            visit = customer.post("/api/join", json={"code": code.json()["code"], "name": f"Customer {number}"})
            visit.raise_for_status()
        return Visit(number, visit.json()["session_id"], token, visit.json()["token"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(open_one, range(sessions)))


# --- chatting (WebSocket) ----------------------------------------------------------------------


@dataclass
class Side:
    """One client of a session: its connection, and the acknowledgements it is waiting for."""

    visit: Visit
    name: str
    socket: ClientConnection
    acknowledged: asyncio.Queue[None] = field(default_factory=asyncio.Queue)


async def _next(socket: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(await socket.recv())
        if message.get("type") == kind:
            return message


async def _enter(url: str, visit: Visit, gate: asyncio.Semaphore) -> tuple[Side, Side]:
    """The console joins the session, then the customer connects (and joins on $connect)."""
    async with gate:
        console = await connect(f"{url}?token={visit.technician_token}", open_timeout=60, max_queue=None)
        await console.send(json.dumps({"action": "session.join", "session": visit.session_id}))
        await _next(console, "session.joined")
        customer = await connect(f"{url}?token={visit.visitor_token}", open_timeout=60, max_queue=None)
        await _next(console, "participant.joined")
    return Side(visit, "technician", console), Side(visit, "visitor", customer)


async def _listen(side: Side, ledger: Ledger) -> None:
    """Note every chat message and acknowledgement the client gets, until its connection closes."""
    async for raw in side.socket:
        message = json.loads(raw)
        kind = message.get("type")
        if kind == "chat.message":
            ledger.arrived(message["message"]["text"], side.name, time.perf_counter())
        elif kind == "chat.sent":
            side.acknowledged.put_nowait(None)
        elif kind is None:  # the function's {"error": ...}, or API Gateway's {"message": "Internal server error"}
            ledger.errors[str(message.get("error") or message.get("message"))] += 1
            side.acknowledged.put_nowait(None)  # no chat.sent will come for it


async def _talk(side: Side, messages: int, ledger: Ledger, go: asyncio.Event) -> None:
    await go.wait()
    for n in range(messages):
        name = f"{side.visit.number}/{side.name}/{n}"
        started = time.perf_counter()
        ledger.sent_at[name] = started
        await side.socket.send(json.dumps({"action": "chat.send", "session": side.visit.session_id, "text": name}))
        try:
            await asyncio.wait_for(side.acknowledged.get(), LATE_S)
        except TimeoutError:
            ledger.unacknowledged += 1
            continue
        ledger.acknowledgements.append(time.perf_counter() - started)


async def chat(url: str, visits: list[Visit], messages: int) -> tuple[Ledger, float]:
    """Every client sends its messages at once; the ledger, and how long the sending took."""
    ledger = Ledger()
    gate = asyncio.Semaphore(OPENING_AT_ONCE)
    pairs = await asyncio.gather(*(_enter(url, visit, gate) for visit in visits))
    sides = [side for pair in pairs for side in pair]
    listeners = [asyncio.create_task(_listen(side, ledger)) for side in sides]
    go = asyncio.Event()
    talkers = asyncio.gather(*(_talk(side, messages, ledger, go) for side in sides))
    started = time.perf_counter()
    go.set()
    await talkers
    sending_s = time.perf_counter() - started
    expected = len(ledger.sent_at) * 2
    deadline = time.monotonic() + LATE_S
    while ledger.delivered() < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # late duplicates, if any
    await asyncio.gather(*(side.socket.close() for side in sides))
    await asyncio.gather(*listeners, return_exceptions=True)
    return ledger, sending_s


# --- report ------------------------------------------------------------------------------------


def report(ledger: Ledger, sending_s: float, opening_s: float, sessions: int, messages: int) -> str:
    sent = len(ledger.sent_at)
    expected = sent * len(SIDES)
    errors = ", ".join(f"{error}: {n}" for error, n in sorted(ledger.errors.items())) or "none"
    return "\n".join(
        [
            f"WebSocket chat on `deskless dev`: {sessions} sessions, {sessions * len(SIDES)} clients, "
            f"{messages} messages each way per session ({os.cpu_count()} CPUs, Python {sys.version.split()[0]})",
            "",
            "| figure | value |",
            "|---|---:|",
            f"| messages sent | {sent} in {sending_s:.1f} s ({sent / sending_s:.0f} a second) |",
            f"| deliveries expected (each message to both participants) | {expected} |",
            f"| delivered | {ledger.delivered()} |",
            f"| lost | {expected - ledger.delivered()} |",
            f"| duplicated | {ledger.duplicated()} |",
            f"| out of order | {ledger.out_of_order} |",
            f"| latency, send to the other side's receipt, p50 / p99 ms | "
            f"{percentile(ledger.latencies, 50):.0f} / {percentile(ledger.latencies, 99):.0f} |",
            f"| latency, send to acknowledgement (chat.sent), p50 / p99 ms | "
            f"{percentile(ledger.acknowledgements, 50):.0f} / {percentile(ledger.acknowledgements, 99):.0f} |",
            f"| sends not acknowledged | {ledger.unacknowledged} |",
            f"| errors answered | {errors} |",
            f"| (hiring technicians and opening the {sessions} sessions over HTTP took) | {opening_s:.1f} s |",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.websocket", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=100, help="support sessions, two clients each (default 100)")
    parser.add_argument("--messages", type=int, default=10, help="messages each side sends (default 10)")
    parser.add_argument("--per-technician", type=int, default=10, help="sessions per technician (default 10)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with platform() as urls:
        port = int(urls["port"])
        opening = time.perf_counter()
        visits = open_sessions(port, args.sessions, args.per_technician)
        opening_s = time.perf_counter() - opening
        ledger, sending_s = asyncio.run(chat(f"ws://127.0.0.1:{port}/ws", visits, args.messages))
    print(report(ledger, sending_s, opening_s, args.sessions, args.messages))
    print(f"\n(measured in {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
