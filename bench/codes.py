"""Session codes under load, on the local platform, and what each code operation costs in
DynamoDB requests.

    python -m bench.codes [--clients 50] [--codes 2]

1. Throughput and latency: starts `deskless dev` on free ports (as tests/e2e does), creates
   `--clients` technicians through the admin API (raising their own code limit if `--codes` is
   over the global one), then runs `--clients` threads at once (httpx), each a technician
   creating `--codes` codes; then the same number of customer threads redeem every code on the
   portal's host. Four codes are created and redeemed at once before the clock starts (the
   function's cold starts are not counted, in any run). It prints codes created per second and
   the p50/p99 latency of each call, measured at the client. The platform is started three
   times, side by side in the report (the first column is the platform as it was when the
   benchmark was written):
   - moto as it is (`deskless dev --moto as-is`: its TransactWriteItems deep-copies every table a
     transaction names, its Query lists and sorts the whole table, so both cost time in proportion
     to all the table holds; each DynamoDB request takes its turn from its first byte to its
     last), with every function in the platform's process (`--workers 0`);
   - local mode's fast paths (`--moto fast`: see local.moto_app.moto_app), the functions in the
     platform's process: the default;
   - the fast paths, and the functions in 4 worker processes (`--workers 4`: local.workers).
2. DynamoDB requests per operation: measured, not copied from the tests. In this process,
   against a fresh moto server, each codes route is invoked through the catalog's handler with
   the event the local gateway builds, and a botocore `before-call` hook counts the requests of
   the functions' DynamoDB client (local.metering.count_requests, as the tests count).

Everything is local: moto answers DynamoDB from one Python process, so the figures say how the
code behaves under concurrency and what it asks of DynamoDB, not how fast DynamoDB is.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.dev import PORTAL, Timings, client, platform, technicians
from local.metering import count_requests

# --- 1. the platform under load ------------------------------------------------------------------

WARM_UP_PAUSE_S = 2.0
WORKERS = 4  # the worker processes of the last run; as many warm-up calls go at once
RUNS = {  # the report's heading of each run: its `deskless dev` options
    "moto as it is, functions in the platform's process": ("--moto", "as-is", "--workers", "0"),
    "local fast paths, functions in the platform's process (the default)": (),
    f"local fast paths, functions in {WORKERS} worker processes": ("--workers", str(WORKERS)),
}


def load(port: int, clients: int, per_client: int) -> dict[str, Any]:
    started = time.perf_counter()
    tokens = technicians(port, clients, per_client)
    setup_seconds = time.perf_counter() - started
    creates, redemptions = Timings(), Timings()

    def create_codes(token: str) -> list[str]:
        made = []
        with client(port, token=token) as console:
            for n in range(per_client):
                started = time.perf_counter()
                response = creates.add(started, console.post("/api/codes", json={"name": f"c{n}", "portal": PORTAL}))
                if response.status_code == 201:
                    made.append(str(response.json()["code"]))
        return made

    def redeem(codes: list[str]) -> None:
        with client(port, host=f"{PORTAL}.localhost") as customer:
            for code in codes:
                started = time.perf_counter()
                redemptions.add(started, customer.post("/api/join", json={"code": code, "name": "Bench Customer"}))

    warm_up(port, tokens[:WORKERS])
    with ThreadPoolExecutor(max_workers=clients) as pool:
        started = time.perf_counter()
        made = list(pool.map(create_codes, tokens))
        create_seconds = time.perf_counter() - started
        started = time.perf_counter()
        list(pool.map(redeem, made))
        redeem_seconds = time.perf_counter() - started
    return {
        "creates": creates,
        "redemptions": redemptions,
        "create_seconds": create_seconds,
        "redeem_seconds": redeem_seconds,
        "created": sum(len(codes) for codes in made),
        "setup_seconds": setup_seconds,
    }


def warm_up(port: int, tokens: Sequence[str]) -> None:
    """Codes created and redeemed at once, one per technician of `tokens`, untimed: the codes
    function is imported (its cold start: once per platform in-process, once per worker process
    with workers, hence as many calls at once as the most workers of any run) before the clock
    starts, in every run alike; and so is the events function, which the stream poller (four polls
    a second) hands the new sessions' records within the pause."""

    def create_and_redeem(token: str) -> None:
        with client(port, token=token) as console:
            code = console.post("/api/codes", json={"name": "warm-up", "portal": PORTAL}).json()["code"]
        with client(port, host=f"{PORTAL}.localhost") as customer:
            customer.post("/api/join", json={"code": code, "name": "Warm-up"}).raise_for_status()

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        list(pool.map(create_and_redeem, tokens))
    time.sleep(WARM_UP_PAUSE_S)


# --- 2. DynamoDB requests per operation, in this process ------------------------------------------


def requests_per_operation() -> list[tuple[str, Counter[str], int]]:
    """Each code operation through the codes handler, against a fresh moto; (what, requests, status)."""
    from local.functions import FunctionRegistry
    from local.services import local_run

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request
    with local_run(log_level="ERROR") as run:
        return _measure(FunctionRegistry(reload=False), run.origin_secret)


def _measure(registry: Any, origin_secret: str) -> list[tuple[str, Counter[str], int]]:
    from deskless.auth import Principal, Role
    from deskless.aws import client
    from deskless.companies import create_company, create_portal
    from deskless.edge import ORIGIN_VERIFY_HEADER, PORTAL_HOST_HEADER
    from deskless.preferences import forget_cached
    from functions.codes.codes import forget_cached_portals
    from local.apigateway import Request, http_event

    create_portal(create_company("Acme"), PORTAL)
    technician = Principal(user_id="bench-technician", role=Role.TECHNICIAN, name="Bench Tech")

    def call(
        route_key: str, body: Any = None, *, caller: Principal | None = technician, source: str = "192.0.2.1"
    ) -> Any:
        method, path = route_key.split(" ", 1)
        path, _, query = path.partition("?")
        headers = [("host", "localhost:8000"), ("content-type", "application/json")]
        headers += [(ORIGIN_VERIFY_HEADER, origin_secret), (PORTAL_HOST_HEADER, f"{PORTAL}.localhost:8000")]
        request = Request(method, path, query, headers, source, json.dumps(body).encode() if body is not None else b"")
        context = caller.to_context() if caller is not None else None
        return registry.invoke("codes", http_event(request, route_key, {}, context))

    results: list[tuple[str, Counter[str], int]] = []
    dynamodb = client("dynamodb")

    def measure(what: str, operation: Callable[[], Any]) -> Any:
        with count_requests(dynamodb) as calls:
            result = operation()
        results.append((what, calls, int(result["statusCode"])))
        return result

    def created(name: str) -> str:
        return str(json.loads(call("POST /api/codes", {"name": name, "portal": PORTAL})["body"])["code"])

    call("POST /api/join", {"code": "000000000", "name": "warm"}, caller=None, source="192.0.2.250")  # secrets
    forget_cached()
    forget_cached_portals()
    measure(
        "create a code (cold: settings and portal not cached)",
        lambda: call("POST /api/codes", {"name": "a", "portal": PORTAL}),
    )
    measure("create a code", lambda: call("POST /api/codes", {"name": "b", "portal": PORTAL}))
    measure("list active codes", lambda: call("GET /api/codes"))
    code = created("c")
    measure("cancel a code", lambda: call(f"DELETE /api/codes/{code}"))
    code = created("d")
    measure("invitation text", lambda: call(f"GET /api/codes/{code}/invitation?language=de"))
    measure("invitation email", lambda: call(f"POST /api/codes/{code}/email", {"to": "c@customer.example"}))
    measure("redeem a code", lambda: call("POST /api/join", {"code": code, "name": "Carla"}, caller=None))
    measure("redeem a wrong code", lambda: call("POST /api/join", {"code": code, "name": "Carla"}, caller=None))
    for _ in range(9):
        call("POST /api/join", {"code": "000000000", "name": "Guesser"}, caller=None)
    measure(
        "redeem from a blocked source", lambda: call("POST /api/join", {"code": code, "name": "Carla"}, caller=None)
    )
    return results


# --- report --------------------------------------------------------------------------------------


def report(measured: dict[str, dict[str, Any]], counts: list[tuple[str, Counter[str], int]], clients: int) -> str:
    """The figures of each run (`measured`, by heading) side by side, then the counts."""
    runs = list(measured.values())

    def per_second(run: dict[str, Any]) -> float:
        return float(run["created"] / run["create_seconds"])

    first = per_second(runs[0])

    def row(figure: str, value: Callable[[dict[str, Any]], str]) -> str:
        return f"| {figure} | " + " | ".join(value(run) for run in runs) + " |"

    def percentiles(run: dict[str, Any], kind: str) -> str:
        timings: Timings = run[kind]
        return f"{timings.percentile(50):.0f} / {timings.percentile(99):.0f}"

    lines = [
        f"Session codes on `deskless dev`, {clients} concurrent clients "
        f"({os.cpu_count()} CPUs, Python {sys.version.split()[0]}); one column per run of `deskless dev`",
        "",
        "| figure | " + " | ".join(measured) + " |",
        "|---|" + "---:|" * len(runs),
        row("codes created", lambda run: f"{run['created']} in {run['create_seconds']:.1f} s"),
        row("codes created per second", lambda run: f"{per_second(run):.0f}"),
        row("codes created per second, against the first column", lambda run: f"{per_second(run) / first:.1f}x"),
        row("create latency p50 / p99 ms", lambda run: percentiles(run, "creates")),
        row(
            "redemptions per second",
            lambda run: f"{len(run['redemptions'].seconds) / run['redeem_seconds']:.0f}",
        ),
        row("redemption latency p50 / p99 ms", lambda run: percentiles(run, "redemptions")),
        row("create answers", lambda run: _statuses(run["creates"].statuses)),
        row("redemption answers", lambda run: _statuses(run["redemptions"].statuses)),
        row(f"(setting up {clients} technicians took)", lambda run: f"{run['setup_seconds']:.1f} s"),
        "",
        "DynamoDB requests per operation (measured in-process through the codes handler, botocore hook):",
        "",
        "| operation | HTTP status | DynamoDB requests |",
        "|---|---:|---|",
    ]
    for what, calls, status in counts:
        described = ", ".join(f"{operation} {n}" for operation, n in sorted(calls.items())) or "none"
        lines.append(f"| {what} | {status} | {described} |")
    return "\n".join(lines)


def _statuses(statuses: Counter[int]) -> str:
    return ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.codes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--codes", type=int, default=2, help="codes each client creates (default 2)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    measured = {}
    for heading, options in RUNS.items():
        with platform(*options) as urls:
            measured[heading] = load(int(urls["port"]), args.clients, args.codes)
    counts = requests_per_operation()
    print(report(measured, counts, args.clients))
    print(f"\n(measured in {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
