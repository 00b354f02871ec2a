"""What the benchmarks that drive `deskless dev` share: the platform on free ports, HTTP clients
as the console and the portal's pages are, technicians hired through the admin API, latency
percentiles."""

from __future__ import annotations

import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from local.launch import CLIENT_TLS, dev_process

ADMIN = ("admin@example.com", "deskless-admin")
PORTAL = "acme"
PASSWORD = "bench-technician-password"
TIMEOUT_S = 300  # a request queued behind moto's whole-table copies on a busy machine can wait minutes


@contextmanager
def platform(*options: str) -> Iterator[dict[str, Any]]:
    """`deskless dev` on free ports with more `options`, until the block ends; its ready file's
    contents (port, urls). No code reloading, and TTL sweeps too rare to interfere."""
    with (
        tempfile.TemporaryDirectory() as folder,
        dev_process(Path(folder), "--ttl-interval", "3600", "--no-reload", *options) as (_, announced),
    ):
        yield announced


def percentile(seconds: Sequence[float], p: float) -> float:
    """The p-th percentile of durations in seconds, in milliseconds (nearest rank)."""
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


@dataclass
class Timings:
    """Latencies of one kind of call, in seconds, and the statuses answered."""

    seconds: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def add(self, started: float, response: httpx.Response) -> httpx.Response:
        self.seconds.append(time.perf_counter() - started)
        self.statuses[response.status_code] += 1
        return response

    def percentile(self, p: float) -> float:
        return percentile(self.seconds, p)


def client(port: int, host: str | None = None, token: str | None = None) -> httpx.Client:
    """An HTTP client of the gateway; `host` is sent as the Host header (a portal's, say)."""
    headers = {"host": f"{host}:{port}"} if host else {}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=TIMEOUT_S, verify=CLIENT_TLS)


def technicians(port: int, count: int, codes: int) -> list[str]:
    """`count` new technicians, each allowed at least `codes` active codes; their tokens."""
    with client(port) as anonymous:
        admin = anonymous.post("/api/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]}).json()["token"]
    with client(port, token=admin) as admin_api:
        global_limit = int(admin_api.get("/api/settings").json()["code_limit"])
    run = uuid.uuid4().hex[:6]

    def make(n: int) -> str:
        with client(port, token=admin) as admin_api:
            email = f"bench-{run}-{n}@example.com"
            user = admin_api.post(
                "/api/staff",
                json={"email": email, "name": f"Bench Tech {n}", "role": "technician", "password": PASSWORD},
            )
            user.raise_for_status()
            if codes > global_limit:
                admin_api.patch(f"/api/staff/{user.json()['id']}", json={"code_limit": codes}).raise_for_status()
            login = admin_api.post("/api/auth/login", json={"email": email, "password": PASSWORD})
            login.raise_for_status()
            return str(login.json()["token"])

    with ThreadPoolExecutor(max_workers=min(count, 8)) as pool:
        return list(pool.map(make, range(count)))
