"""`python -m bench.automation`: what the automation rules' engine costs in-process
(deskless.automation_engine): evaluation only, the rules compiled once, no I/O.

It builds 50 active rules of mixed triggers, conditions (text, choices, ordinal levels, tags,
category fields, any-of groups, a few patterns) and actions, and generates ticket histories (a
fixed seed): each ticket created, then status moves, assignments, team moves, customer and staff
replies, edits of its title, priority and tags, so at least 10,000 changes. It prints the
compile time and the changes evaluated per second against the 50 rules (the issue's target:
10,000 changes x 50 active rules per second)."""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from typing import Any

SEED = 14
RULES = 50
TARGET = 10_000

_TITLES = (
    "[Portal Credentials]",
    "Printer on floor 3 jams",
    "VPN drops every hour",
    "Invoice 2026-118 is wrong",
    "URGENT: server down",
    "Password reset for the portal",
    "New laptop for Anna",
    "Outlook keeps asking for the password",
)
_STATUSES = ("new", "open", "pending", "resolved", "closed")
_LEVELS = ("very_low", "low", "medium", "high", "very_high")
_TAGS = ("vip", "billing", "hardware", "network", "urgent", "follow-up")
_DOMAINS = ("example.com", "acme.test", "contoso.test", "mail.test")


def rules() -> list[Any]:
    from deskless.automation_rules import Rule

    made = []
    rng = random.Random(SEED)
    for position in range(RULES):
        made.append(
            Rule.model_validate(
                {
                    **_content(rng, position),
                    "id": f"r{position}",
                    "revision": 1,
                    "position": position,
                    "created_at": 0,
                    "updated_at": 0,
                }
            )
        )
    return made


def _content(rng: random.Random, position: int) -> dict[str, Any]:
    shape = position % 10
    base = {
        "name": f"Rule {position}",
        "active": True,
        "ignore_flow": position % 7 == 0,
        "stop_processing": position % 23 == 22,
    }
    if shape == 0:
        return {
            **base,
            "trigger": {"kind": "ticket_created"},
            "conditions": [{"property": "title", "operator": "equals", "value": rng.choice(_TITLES)}],
            "actions": [{"kind": "send_email", "to": "requester", "template_id": "ticket-received"}],
        }
    if shape == 1:
        return {
            **base,
            "trigger": {"kind": "ticket_created"},
            "conditions": [
                {"property": "requester_domain", "operator": "any_of", "value": list(_DOMAINS[:2])},
                {"property": "assignee", "operator": "is_empty"},
            ],
            "actions": [{"kind": "set_team", "value": f"team{position}"}, {"kind": "add_tags", "tags": ["vip"]}],
        }
    if shape == 2:
        return {
            **base,
            "trigger": {"kind": "status_changed"},
            "conditions": [{"property": "status", "operator": "changed_to", "value": "pending"}],
            "any_groups": [
                [
                    {"property": "priority", "operator": "greater_than", "value": "medium"},
                    {"property": "tags", "operator": "contains", "value": "vip"},
                ]
            ],
            "actions": [{"kind": "notify", "to": "assignee", "message": "Waiting on the customer"}],
        }
    if shape == 3:
        return {
            **base,
            "trigger": {"kind": "customer_responded"},
            "conditions": [{"property": "status", "operator": "any_of", "value": ["pending", "resolved"]}],
            "actions": [{"kind": "set_status", "value": "open"}],
        }
    if shape == 4:
        return {
            **base,
            "trigger": {"kind": "ticket_updated"},
            "conditions": [
                {"property": "priority", "operator": "changed"},
                {"property": "impact", "operator": "greater_than", "value": "low"},
            ],
            "actions": [{"kind": "add_note", "body": "Priority moved"}, {"kind": "set_urgency", "value": "high"}],
        }
    if shape == 5:
        return {
            **base,
            "trigger": {"kind": "ticket_updated"},
            "conditions": [
                {"property": "title", "operator": "matches", "value": r"(urgent|down|asap)\b"},
                {"property": "tags", "operator": "none_of", "value": ["urgent"]},
            ],
            "actions": [{"kind": "add_tags", "tags": ["urgent"]}, {"kind": "set_priority", "value": "high"}],
        }
    if shape == 6:
        return {
            **base,
            "trigger": {"kind": "assignee_changed"},
            "conditions": [
                {"property": "assignee", "operator": "is_not_empty"},
                {"property": "description", "operator": "contains", "value": "password"},
            ],
            "actions": [{"kind": "send_email", "to": "assignee", "template_id": "ticket-updated"}],
        }
    if shape == 7:
        return {
            **base,
            "trigger": {"kind": "closed_or_resolved"},
            "conditions": [
                {"property": "source", "operator": "not_equals", "value": "chat"},
                {"property": "created_at", "operator": "older_than_hours", "value": 1},
            ],
            "actions": [
                {"kind": "webhook", "url": "https://hooks.example.com/deskless"},
                {"kind": "remove_tags", "tags": ["follow-up"]},
            ],
        }
    if shape == 8:
        return {
            **base,
            "trigger": {"kind": "team_changed"},
            "conditions": [{"property": "category_field", "field": "seats", "operator": "greater_than", "value": 10}],
            "actions": [{"kind": "set_assignee", "value": "round_robin"}],
        }
    return {
        **base,
        "trigger": {"kind": "ticket_updated"},
        "conditions": [
            {"property": "title", "operator": "starts_with", "value": "invoice"},
            {"property": "urgency", "operator": "any_of", "value": ["high", "very_high"]},
        ],
        "any_groups": [
            [
                {"property": "company", "operator": "equals", "value": "c1"},
                {"property": "product_areas", "operator": "any_of", "value": ["billing", "payments"]},
            ]
        ],
        "actions": [
            {"kind": "set_category", "value": "billing"},
            {"kind": "notify", "to": "team", "message": "Invoice question"},
        ],
    }


def changes(count: int) -> list[Any]:
    """Ticket histories until `count` changes: created, then moves a ticket's life is made of."""
    from deskless.automation_engine import Change

    rng = random.Random(SEED)
    made: list[Any] = []
    number, at = 1000, 1_765_000_000_000
    while len(made) < count:
        number += 1
        at += 60_000
        ticket: dict[str, Any] = {
            "number": number,
            "title": rng.choice(_TITLES),
            "description": "I cannot sign in; the password fails.",
            "requester": {
                "kind": "contact",
                "id": f"c{number}",
                "name": "Ann",
                "email": f"ann{number}@{rng.choice(_DOMAINS)}",
            },
            "company_id": f"c{number % 5}",
            "source": rng.choice(("portal", "email", "chat", "api")),
            "category_id": None,
            "fields": {"seats": rng.randint(1, 40)},
            "product_areas": ["billing"],
            "impact": rng.choice(_LEVELS),
            "urgency": rng.choice(_LEVELS),
            "priority": rng.choice(_LEVELS),
            "status": "new",
            "created_at": at // 1000,
            "updated_at": at,
            "status_since": at,
            "tags": [],
            "revision": 1,
        }
        made.append(Change(f"e{len(made)}", None, dict(ticket), at))
        for _ in range(rng.randint(3, 12)):
            old = dict(ticket)
            at += rng.randint(60_000, 3_600_000)
            move = rng.random()
            if move < 0.3:
                ticket["status"] = rng.choice(_STATUSES[1:4])
                ticket["status_since"] = at
            elif move < 0.45:
                ticket["assignee"] = {"kind": "staff", "id": f"u{rng.randint(1, 9)}", "name": "Bob"}
            elif move < 0.55:
                ticket["team_id"] = f"team{rng.randint(1, 4)}"
            elif move < 0.75:
                ticket["last_customer_reply_at"] = at
            elif move < 0.85:
                ticket["last_staff_reply_at"] = at
            elif move < 0.92:
                ticket["priority"] = rng.choice(_LEVELS)
            else:
                ticket["tags"] = sorted(set(ticket["tags"]) | {rng.choice(_TAGS)})
                ticket["title"] = rng.choice(_TITLES)
            ticket["updated_at"], ticket["revision"] = at, ticket["revision"] + 1
            made.append(Change(f"e{len(made)}", old, dict(ticket), at))
    return made[:count]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.automation", description=__doc__)
    parser.add_argument("--changes", type=int, default=20_000, help="ticket changes evaluated")
    args = parser.parse_args(argv)

    from deskless.automation_engine import compile_rules, evaluate

    made = rules()
    started = time.perf_counter()
    compiled = compile_rules(made)
    compiling = time.perf_counter() - started
    history = changes(args.changes)
    started, cpu_started = time.perf_counter(), time.process_time()
    for change in history:
        evaluate(compiled, change)
    evaluating, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    looked_at = matched = 0  # counted apart, untimed
    for change in history:
        evaluation = evaluate(compiled, change)
        looked_at += len(evaluation.rules)
        matched += sum(1 for result in evaluation.rules if result.outcome == "matched")
    rate, cpu_rate = len(history) / evaluating, len(history) / cpu
    print("automation engine (in-process, evaluation only, rules compiled once)")
    print(f"  compile {len(made)} active rules       {compiling * 1000:8.2f} ms")
    print(
        f"  evaluate {len(history)} changes       {evaluating * 1000:8.1f} ms "
        f"({looked_at / len(history):.1f} rules looked at per change after the trigger index, {matched} held)"
    )
    print(f"  changes x {len(made)} rules per second  {rate:10,.0f}   (target {TARGET:,}; wall clock)")
    print(f"  changes x {len(made)} rules per CPU second {cpu_rate:7,.0f}   (this process's CPU time)")
    worst_rate, edits = _every_rule_looked_at(made, history)
    print(
        f'  every rule looked at: the same {len(made)} rules all on "ticket updated", '
        f"{edits} edits: {worst_rate:,.0f} changes x {len(made)} rules per second"
    )
    print(f"  load average at the end             {os.getloadavg()[0]:8.2f}   (on {os.cpu_count()} CPUs)")
    return 0


def _every_rule_looked_at(made: list[Any], history: list[Any]) -> tuple[float, int]:
    """The engine's worst case: no rule left out by the trigger index (every rule triggered by
    any edit, every edit evaluated against all of them)."""
    from deskless.automation_engine import compile_rules, evaluate
    from deskless.automation_rules import TriggerKind

    compiled = compile_rules(
        [
            rule.model_copy(update={"trigger": rule.trigger.model_copy(update={"kind": TriggerKind.TICKET_UPDATED})})
            for rule in made
        ]
    )
    edits = [change for change in history if change.old is not None]
    started = time.perf_counter()
    for change in edits:
        evaluate(compiled, change)
    return len(edits) / (time.perf_counter() - started), len(edits)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
