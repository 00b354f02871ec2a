"""`python -m bench.automation_delay`: how long, in local mode (`deskless dev`), from a ticket
created (its POST answered) to its automation rule's email in the outbox: the stream poller, the
automation function (the rules read, evaluated, the email rendered and sent once) and moto's SES,
end to end. An admin adds one active rule through the API ("New ticket created", title starts with
this run's mark: send the "ticket received" template to an address); tickets are then opened one
after the other (the time includes the POST), each waited for (the outbox looked at every 20 ms,
and emptied after each), and the percentiles printed. Locally the stream poller polls the stream
four times a second and delivers each mapping's batches side by side, as in AWS."""

from __future__ import annotations

import argparse
import sys
import time
import uuid

from bench.dev import ADMIN, client, percentile, platform

POLL_S = 0.02


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.automation_delay", description=__doc__)
    parser.add_argument("--tickets", type=int, default=100, help="tickets opened, one after the other")
    args = parser.parse_args(argv)
    with platform() as announced:
        return _run(int(announced["port"]), args.tickets)


def _run(port: int, count: int) -> int:
    run = uuid.uuid4().hex[:8]
    watcher = f"rules-{run}@example.com"
    with client(port) as anonymous:
        token = anonymous.post("/api/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]}).json()["token"]
    with client(port, token=token) as api:
        contact = api.post("/api/contacts", json={"name": "Bench Customer", "emails": [f"bench-{run}@example.com"]})
        contact.raise_for_status()
        rule = {
            "name": f"Bench {run}",
            "trigger": {"kind": "ticket_created"},
            "active": True,
            "conditions": [{"property": "title", "operator": "starts_with", "value": f"bench {run}"}],
            "actions": [{"kind": "send_email", "to": "address", "address": watcher, "template_id": "ticket-received"}],
        }
        api.post("/api/automation/rules", json=rule).raise_for_status()
        delays: list[float] = []
        for n in range(count):
            started = time.perf_counter()
            opened = api.post(
                "/api/tickets",
                json={"requester_id": contact.json()["id"], "title": f"bench {run} {n}", "description": "Timed."},
            )
            opened.raise_for_status()
            tag = f"[#{opened.json()['ticket']['number']}]"
            while not any(
                tag in mail["subject"] for mail in api.get("/_local/outbox").json() if mail["to"] == [watcher]
            ):
                time.sleep(POLL_S)
            delays.append(time.perf_counter() - started)
            api.delete("/_local/outbox").raise_for_status()  # each look reads the whole outbox: keep it small
    print(
        f"\nFrom a ticket created to its rule's email in the outbox, local mode, {count} tickets one after the other:"
    )
    print(
        f"  p50 {percentile(delays, 50):.0f} ms, p99 {percentile(delays, 99):.0f} ms, max {max(delays) * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
