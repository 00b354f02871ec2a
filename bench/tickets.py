"""`python -m bench.tickets`: what tickets cost. The DynamoDB requests of opening a ticket, adding a
reply and reading a ticket page (the logic's own; the tests assert each route's whole count), and
the time to read one page of 50 from a list of 10,000 tickets, against moto as local mode runs it
(its own fast paths on, in a thread of this process).

The 10,000 tickets are stored as the events function leaves them (each ticket item and its whole
projection, deskless.ticket_lists.projection), straight into moto's table in this process, not
through the API one by one, which would take the better part of an hour locally and measure
something else."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from local.metering import count_requests
from local.services import local_run

PAGE = 50


def _counted(what: str, call: object) -> str:
    from deskless.aws import client

    with count_requests(client("dynamodb")) as calls:
        call()  # type: ignore[operator]
    return f"| {what} | " + " + ".join(f"{name} {n}" for name, n in sorted(calls.items())) + " |"


def _put_all(items: list[dict[str, object]]) -> None:
    """Store items straight into moto's table, in this process (its HTTP round trips would take
    the better part of the benchmark): the same items, and moto keeps them as it keeps any."""
    from moto.dynamodb.models import dynamodb_backends

    from deskless.data import serialize
    from deskless.settings import get_settings
    from local.services import ACCOUNT, REGION

    backend = dynamodb_backends[ACCOUNT][REGION]
    name = get_settings().table_name
    for item in items:
        backend.put_item(name, serialize(item))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tickets", description=__doc__)
    parser.add_argument("--tickets", type=int, default=10_000, help="tickets in the list read")
    parser.add_argument("--reads", type=int, default=50, help="pages read for the percentiles")
    args = parser.parse_args(argv)

    with local_run():
        return _run(args.tickets, args.reads)


def _run(count: int, reads: int) -> int:
    from bench.dev import percentile
    from deskless.contacts import CreatedVia, create_contact
    from deskless.data import table
    from deskless.priorities import Priority
    from deskless.ticket_intake import Submission, as_requester, submit
    from deskless.ticket_lists import list_tickets, projection
    from deskless.tickets import Source, Ticket, add_reply, ticket_from_item, ticket_with_timeline

    contact = create_contact("Carla Client", ["carla@acme.example.com"], created_via=CreatedVia.CONSOLE)
    opened: list[Ticket] = []
    rows = [
        _counted(
            "open a ticket", lambda: opened.append(submit(Submission("Printer", "It smokes."), contact, Source.API))
        ),
        _counted("add a reply", lambda: add_reply(opened[0].number, as_requester(contact), "Still smoking.")),
        _counted("read a ticket page", lambda: ticket_with_timeline(opened[0].number)),
    ]
    print("DynamoDB requests of the logic (an HTTP route adds its caller's session read, if any):\n")
    print("| operation | requests |\n|---|---|")
    print("\n".join(rows))

    template = ticket_from_item(table().get({"pk": f"TICKET#{opened[0].number}", "sk": "TICKET"}) or {})
    started = time.perf_counter()
    items: list[dict[str, object]] = []
    priorities = list(Priority)
    for n in range(count):
        ticket = template.model_copy(
            update={
                "number": 2000 + n,
                "title": f"Ticket {n} about printers",
                "priority": priorities[n % len(priorities)],
                "updated_at": template.updated_at + n,
            }
        )
        items.append(
            {
                **ticket.model_dump(mode="json", exclude_none=True),
                "pk": f"TICKET#{ticket.number}",
                "sk": "TICKET",
                "type": "ticket",
            }
        )
        items.extend(projection(ticket).values())
    _put_all(items)
    written = time.perf_counter() - started
    kinds = Counter(str(item["type"]) for item in items)

    seconds = []
    for _ in range(reads):
        began = time.perf_counter()
        page = list_tickets("all", "new", limit=PAGE)
        seconds.append(time.perf_counter() - began)
        assert len(page.tickets) == PAGE
    by_priority = []
    for _ in range(reads):
        began = time.perf_counter()
        list_tickets("all", "active", by_priority=True, limit=PAGE)
        by_priority.append(time.perf_counter() - began)
    print(
        f"\n{count} tickets ({kinds['ticket_listing']} listings, {kinds['ticket_word']} word entries) "
        f"written in {written:.1f} s\n"
    )
    print("| read | p50 ms | p99 ms |\n|---|---:|---:|")
    latest = f"{percentile(seconds, 50):.1f} | {percentile(seconds, 99):.1f}"
    print(f"| {PAGE} of {count}, latest change first (all, new) | {latest} |")
    print(
        f"| {PAGE} of {count}, highest priority first (all, active) | {percentile(by_priority, 50):.1f} | "
        f"{percentile(by_priority, 99):.1f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
