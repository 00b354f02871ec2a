"""Portals and on-demand chat: what each visitor and technician operation costs in DynamoDB
requests, how that grows with the technicians a company has, and a race of technicians
accepting one chat request.

    python -m bench.portals [--technicians 10] [--racers 10]

In this process, against a fresh moto server, each operation runs through its catalog function's
Lambda handler with the event the local gateway builds; a botocore `before-call` hook counts the
requests of the functions' DynamoDB client (local.metering.count_requests, as the tests count).
Times are wall-clock medians in-process against moto: they show how the code behaves, not how
fast DynamoDB is.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from local.metering import count_requests

PORTAL = "bench-portal"
HOST = f"{PORTAL}.localhost:8000"
REPEATS = 5


@dataclass
class Figure:
    what: str
    requests: Counter[str]
    status: int
    median_ms: float


def run(technicians: int, racers: int) -> tuple[list[Figure], dict[str, Any]]:
    from local.functions import FunctionRegistry
    from local.services import local_run

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request
    with local_run(log_level="ERROR") as local:
        return _measure(FunctionRegistry(reload=False), local.origin_secret, technicians, racers)


def _measure(registry: Any, origin_secret: str, technicians: int, racers: int) -> tuple[list[Figure], dict[str, Any]]:
    from deskless.auth import Principal, Role
    from deskless.aws import client
    from deskless.companies import create_company, create_portal
    from deskless.edge import ORIGIN_VERIFY_HEADER, PORTAL_HOST_HEADER, VIEWER_IP_HEADER
    from deskless.preferences import update_preferences
    from deskless.presence import heartbeat
    from deskless.realtime import save_connection
    from deskless.users import create_staff
    from local.apigateway import Connection, Request, http_event, new_connection_id, websocket_message_event

    staff = [
        create_staff(f"tech{n}@bench.example", f"Tech {n}", Role.TECHNICIAN, "bench-password-123")
        for n in range(technicians)
    ]
    people = [Principal(user_id=u.id, role=u.role, name=u.name, email=u.email) for u in staff]
    company = create_company("Bench Co", [u.id for u in staff])
    create_portal(company, PORTAL)
    update_preferences({"chat_limit": REPEATS + 1})  # the first technician accepts REPEATS chats, then races
    dynamodb = client("dynamodb")
    figures: list[Figure] = []
    sources = iter(range(1, 1 << 16))

    def http(route_key: str, body: Any = None) -> Any:
        method, path = route_key.split(" ", 1)
        n = next(sources)
        source = f"198.18.{n >> 8}.{n & 255}"  # a fresh viewer each time: no throttling
        headers = [("host", HOST), ("content-type", "application/json"), (ORIGIN_VERIFY_HEADER, origin_secret)]
        headers += [(PORTAL_HOST_HEADER, HOST), (VIEWER_IP_HEADER, source)]
        request = Request(method, path, "", headers, source, json.dumps(body).encode() if body is not None else b"")
        return registry.invoke("portals", http_event(request, route_key, {}, None))

    def console(person: Principal) -> Connection:
        handshake = Request("GET", "/ws", "", [("host", "localhost:8000")], "127.0.0.1", b"")
        connection = Connection(new_connection_id(), handshake, authorizer=person.to_context())
        save_connection(connection.connection_id, person)
        return connection

    def ws(connection: Connection, action: str, **body: Any) -> Any:
        event = websocket_message_event(connection, action, json.dumps({"action": action, **body}))
        return registry.invoke("realtime", event)

    def measure(what: str, operation: Callable[[], Any]) -> Any:
        timings: list[float] = []
        for _ in range(REPEATS):  # each repeat is counted alike; the last one's count is kept
            with count_requests(dynamodb) as calls:
                started = time.perf_counter()
                result = operation()
                timings.append((time.perf_counter() - started) * 1000)
        figures.append(Figure(what, calls, int(result["statusCode"]), statistics.median(timings)))
        return result

    def ask() -> str:
        body = {"name": "Carla", "email": "carla@customer.example", "question": "The printer is on fire."}
        return str(json.loads(http("POST /api/portal/chat-requests", body)["body"])["request_id"])

    for person in people:
        heartbeat(person.user_id)
    http("GET /api/portal")  # warm: secrets, settings
    consoles = [console(person) for person in people]
    measure(f"portal home, {technicians} technicians serve the company", lambda: http("GET /"))
    measure("portal state (the widget polls it)", lambda: http("GET /api/portal"))
    measure(
        "chat request",
        lambda: http(
            "POST /api/portal/chat-requests",
            {"name": "Carla", "email": "carla@customer.example", "question": "The printer is on fire."},
        ),
    )
    measure("console heartbeat", lambda: ws(consoles[0], "heartbeat"))
    measure("queue list", lambda: ws(consoles[0], "queue.list"))
    requests = iter([ask() for _ in range(REPEATS)])
    measure("accept a chat request", lambda: ws(consoles[0], "chat.accept", request=next(requests)))

    # The race: every racer accepts the same request at the same moment.
    racing = ask()
    with ThreadPoolExecutor(max_workers=racers) as pool:
        started = time.perf_counter()
        answers = list(pool.map(lambda c: json.loads(ws(c, "chat.accept", request=racing)["body"]), consoles[:racers]))
        race_ms = (time.perf_counter() - started) * 1000
    outcome = Counter(answer.get("type") or answer.get("error") for answer in answers)
    return figures, {"racers": racers, "outcome": outcome, "ms": race_ms}


def report(figures: list[Figure], race: dict[str, Any], technicians: int) -> str:
    lines = [
        f"Portals and on-demand chat, in-process against moto (Python {sys.version.split()[0]}), "
        f"{technicians} technicians serve the company; median of {REPEATS}",
        "",
        "| operation | status | DynamoDB requests | median ms |",
        "|---|---:|---|---:|",
    ]
    for figure in figures:
        described = ", ".join(f"{name} {n}" for name, n in sorted(figure.requests.items())) or "none"
        lines.append(f"| {figure.what} | {figure.status} | {described} | {figure.median_ms:.0f} |")
    outcome = ", ".join(f"{kind}: {n}" for kind, n in sorted(race["outcome"].items()))
    lines += ["", f"{race['racers']} technicians accept one request at once: {outcome} ({race['ms']:.0f} ms in all)"]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.portals", description=__doc__.split("\n\n")[0])
    parser.add_argument("--technicians", type=int, default=10, help="technicians serving the company (default 10)")
    parser.add_argument("--racers", type=int, default=10, help="technicians accepting one request at once (default 10)")
    args = parser.parse_args(argv)
    if not 1 <= args.racers <= args.technicians:
        parser.error("--racers must be between 1 and --technicians")
    figures, race = run(args.technicians, args.racers)
    print(report(figures, race, args.technicians))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
