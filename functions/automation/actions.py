"""The planned actions of one evaluated change, done once each (once.py) in the rules' order, and
the evaluation given their outcomes: `done`, `failed` (with the error), or `skipped` (`cap`: every
recipient was over the hourly mail cap; `no_recipient`: nobody to send or assign to).

The actions that set the ticket's fields (status, priority, impact, urgency, category, team,
assignee, tags) are one change of the ticket (`change_ticket`, by the rule as its author, so the
version it makes is marked `changed_by_rule` and starts no new round), asked at the revision the
change left, and at the current one if the ticket moved on meanwhile. A failing action is recorded
on the ticket's timeline (`automation_failed`) and never stops the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from deskless.automation_engine import ActionOutcome, Evaluation, SkipReason, planned
from deskless.automation_rules import Action, ActionKind, Rule
from deskless.errors import TicketChanged
from deskless.observability import logger
from deskless.priorities import Level, Priority
from deskless.realtime import connections_of, push
from deskless.snippets import SnippetContext
from deskless.teams import team_of
from deskless.templates import render_reply, shared_quick_reply
from deskless.ticket_intake import requester_of
from deskless.ticket_lists import listed
from deskless.ticket_people import addressed, followers
from deskless.tickets import (
    Author,
    AuthorKind,
    Changes,
    EntryKind,
    Status,
    Ticket,
    add_reply,
    change_ticket,
    record_failed_action,
    ticket_of,
)
from deskless.users import get_staff, list_staff

from . import emails, webhooks
from .assignment import next_member
from .once import Outcome, once

FIELD_KINDS = frozenset(
    {
        ActionKind.SET_STATUS,
        ActionKind.SET_PRIORITY,
        ActionKind.SET_IMPACT,
        ActionKind.SET_URGENCY,
        ActionKind.SET_CATEGORY,
        ActionKind.SET_TEAM,
        ActionKind.SET_ASSIGNEE,
        ActionKind.ADD_TAGS,
        ActionKind.REMOVE_TAGS,
    }
)
ROUND_ROBIN = "round_robin"
NOTICE = "ticket.automation"  # the console's notification of a rule's `notify`
_ATTEMPTS = 3

Planned = tuple[Rule, int, Action]


def done(detail: str = "") -> Outcome:
    return {"outcome": "done", "reason": "", "detail": detail}


def skipped(reason: str, detail: str) -> Outcome:
    return {"outcome": "skipped", "reason": reason, "detail": detail}


def failed(detail: str) -> Outcome:
    return {"outcome": "failed", "reason": "error", "detail": detail[:500]}


def rule_author(rule: Rule) -> Author:
    return Author(kind=AuthorKind.RULE, id=rule.id, name=rule.name)


def apply(evaluation: Evaluation, ticket: Ticket, payload_change: dict[str, Any]) -> Evaluation:
    """Do the evaluation's planned actions once each, in order; the evaluation with their outcomes."""
    plan = planned(evaluation)
    fields = [step for step in plan if step[2].kind in FIELD_KINDS]
    outcomes: dict[tuple[str, int], Outcome] = {}
    for rule, index, action in plan:
        if action.kind in FIELD_KINDS:
            if (rule.id, index) not in outcomes:
                first_rule, first_index, _ = fields[0]
                work = _guarded(ticket.number, first_rule, "set fields", lambda: _set_fields(ticket, fields))
                merged = once(evaluation.change_id, first_rule.id, first_index, work)
                for step_rule, step_index, _ in fields:
                    outcomes[(step_rule.id, step_index)] = merged.get(_key(step_rule, step_index), merged)
            continue
        perform = _performer(ticket, rule, index, action, evaluation, payload_change)
        work = _guarded(ticket.number, rule, action.kind.value, perform)
        outcomes[(rule.id, index)] = once(evaluation.change_id, rule.id, index, work)
    return with_outcomes(evaluation, outcomes)


def with_outcomes(evaluation: Evaluation, outcomes: dict[tuple[str, int], Outcome]) -> Evaluation:
    """The evaluation, its planned actions given the outcomes they had (in place)."""
    for result in evaluation.rules:
        for action in result.actions:
            outcome = outcomes.get((result.rule_id, action.index))
            if outcome is not None:
                action.outcome = ActionOutcome(outcome["outcome"])
                action.reason = SkipReason(outcome["reason"])
                action.detail = str(outcome["detail"])
    return evaluation


def _key(rule: Rule, index: int) -> str:
    return f"{rule.id}:{index}"


def _guarded(number: int, rule: Rule, what: str, work: Callable[[], Outcome]) -> Callable[[], Outcome]:
    """`work`, its failure turned into a `failed` outcome and an event on the ticket's timeline."""

    def guarded() -> Outcome:
        try:
            return work()
        except Exception as error:
            detail = f"{what}: {error}"
            logger.warning("automation action failed", extra={"number": number, "rule": rule.id, "detail": detail})
            record_failed_action(number, rule_author(rule), detail)
            return failed(str(error))

    return guarded


# --- fields -------------------------------------------------------------------------------------


def _set_fields(ticket: Ticket, steps: Sequence[Planned]) -> Outcome:
    """One change of the ticket for every field action (each key: rule:index -> its outcome)."""
    outcomes: dict[str, Outcome] = {}
    changes: dict[str, Any] = {}
    tags = list(ticket.tags)
    team = ticket.team_id
    for rule, index, action in steps:
        value = action.value or ""
        match action.kind:
            case ActionKind.SET_STATUS:
                changes["status"] = Status(value)
            case ActionKind.SET_PRIORITY:
                changes["priority"] = Priority(value)
            case ActionKind.SET_IMPACT:
                changes["impact"] = Level(value)
            case ActionKind.SET_URGENCY:
                changes["urgency"] = Level(value)
            case ActionKind.SET_CATEGORY:
                changes["category_id"] = value
            case ActionKind.SET_TEAM:
                changes["team_id"] = team = value
            case ActionKind.SET_ASSIGNEE:
                chosen = _assignee(value, team)
                if chosen is None:
                    outcomes[_key(rule, index)] = skipped("no_recipient", "Nobody of the team is available.")
                    continue
                changes["assignee"] = chosen
            case ActionKind.ADD_TAGS:
                tags = [*tags, *(tag for tag in action.tags or [] if tag not in tags)]
            case ActionKind.REMOVE_TAGS:
                tags = [tag for tag in tags if tag not in set(action.tags or [])]
        outcomes[_key(rule, index)] = done()
    if tags != ticket.tags:
        changes["tags"] = tags
    if changes:
        names = list(dict.fromkeys(rule.name for rule, _, _ in steps))
        author = Author(kind=AuthorKind.RULE, id=steps[0][0].id, name=", ".join(names))
        _change(ticket, author, Changes(**changes))
    return outcomes


def _assignee(value: str, team_id: str | None) -> Author | None:
    user_id = value if value != ROUND_ROBIN else next_member(team_id) if team_id else None
    user = get_staff(user_id) if user_id else None
    if user is None or not user.active:
        return None
    return Author(kind=AuthorKind.STAFF, id=user.id, name=user.name, email=user.email)


def _change(ticket: Ticket, author: Author, changes: Changes) -> None:
    """At the revision the change left; if the ticket moved on meanwhile, at its current one."""
    revision = ticket.revision
    for _ in range(_ATTEMPTS):
        try:
            change_ticket(ticket.number, author, revision, changes)
            return
        except TicketChanged:
            revision = ticket_of(ticket.number).revision
    raise TicketChanged(f"Ticket #{ticket.number} keeps changing; the rule's changes were not made.")


# --- the others ---------------------------------------------------------------------------------


def _performer(
    ticket: Ticket, rule: Rule, index: int, action: Action, evaluation: Evaluation, change: dict[str, Any]
) -> Callable[[], Outcome]:
    def perform() -> Outcome:
        match action.kind:
            case ActionKind.SEND_EMAIL:
                return _send_email(ticket, rule, index, action, evaluation.change_id)
            case ActionKind.ADD_NOTE:
                add_reply(ticket.number, rule_author(rule), action.body or "", kind=EntryKind.NOTE)
                return done()
            case ActionKind.ADD_REPLY:
                return _add_reply(ticket, rule, action)
            case ActionKind.NOTIFY:
                return _notify(ticket, rule, action)
            case ActionKind.WEBHOOK:
                payload = {
                    "ticket": ticket.model_dump(mode="json"),
                    "change": change,
                    "rule": {"id": rule.id, "name": rule.name},
                }
                status = webhooks.call(action.url or "", payload)
                return done(f"It answered {status}.")
        return skipped("invalid", f"Nothing does {action.kind}.")

    return perform


def _send_email(ticket: Ticket, rule: Rule, index: int, action: Action, change_id: str) -> Outcome:
    mailed = emails.send(ticket, action, emails.mail_id(change_id, rule.id, index))
    if mailed.sent:
        capped = f" ({mailed.capped} over the hourly cap)" if mailed.capped else ""
        return done(f"Sent to {mailed.sent}{capped}.")
    if mailed.capped:
        return skipped("cap", "Every recipient had the hourly cap of automatic mail about this ticket.")
    return skipped("no_recipient", "Nobody to send it to.")


def _add_reply(ticket: Ticket, rule: Rule, action: Action) -> Outcome:
    reply = shared_quick_reply(action.quick_reply_id or "")
    if reply is None:
        return skipped("invalid", "The shared quick reply is gone.")
    requester = requester_of(ticket)
    to = addressed(ticket, ticket.requester.email, requester, requester, technician=rule.name)
    _, rendered = render_reply(reply.variants, SnippetContext.for_sending(to.values), to.language, to.portal_language)
    add_reply(ticket.number, rule_author(rule), rendered.text)
    return done()


def _notify(ticket: Ticket, rule: Rule, action: Action) -> Outcome:
    match action.to:
        case "assignee":
            users = [ticket.assignee.id] if ticket.assignee is not None else []
        case "team":
            team = team_of(ticket.team_id) if ticket.team_id else None
            users = sorted(team.members) if team is not None else []
        case "all_staff":
            users = [user.id for user in list_staff() if user.active]
        case _:
            users = followers(ticket)
    if not users:
        return skipped("no_recipient", "Nobody to notify.")
    consoles = [connection for user_id in users for connection in connections_of(user_id)]
    notice = {
        "type": NOTICE,
        "ticket": listed(ticket).model_dump(mode="json"),
        "rule": rule.name,
        "message": action.message or "",
        "alert": True,
    }
    delivery = push(consoles, notice)
    return done(f"Shown on {len(delivery.delivered)} console(s) of {len(users)} staff.")
