"""Ticket automation rules: what an admin writes (a trigger, conditions, actions), what a rule may
say (the vocabulary tables below, which the validation, the engine and the editor's options all
read: one place), and where rules are stored, in the admin's order.

    AUTORULES / RULE#<id>     a rule: its content, revision, preset name, times
    AUTORULES / ORDER         the rules' order (`rule_ids`) and its revision

Listing the rules is one Query of the partition. The first listing writes the presets (shipped
inactive) together with the order item, in one transaction conditional on the order's absence,
so they are written once whatever runs at the same time. A rule's change is conditional on the
revision the admin read (else Conflict, 409); adding or deleting a rule moves the order in the
same transaction; a reorder is one conditional write of the order item.

A rule is refused with the reason (RuleRefused, a 400 naming the condition or action and why, its
`details` saying where each is in the rule) when an operator does not fit its property, a parameter
is missing or extra, a "changed" condition is given a trigger that changes nothing (created,
time-based), a pattern does not compile, a webhook is not HTTPS, or an email template, quick reply,
team, category or staff user does not exist.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any

import regex
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from .data import (
    EXISTS,
    NEW_ITEM,
    ConditionFailed,
    Item,
    TransactionCanceled,
    delete_action,
    put_action,
    table,
    update_action,
)
from .data import Action as Write
from .data import Condition as WriteCondition
from .errors import Conflict, InvalidRequest, NotFound, RuleRefused
from .fields import LINES, FullName
from .priorities import Level, Priority
from .settings import get_settings
from .table import AUTOMATION_ORDER_KEY, AUTOMATION_RULE_PREFIX, AUTOMATION_RULES, Entity, automation_rule_key, stamped
from .template_defaults import PORTAL_CREDENTIALS, TICKET_RECEIVED
from .tickets import Source, Status

MAX_RULES = 200
MAX_CONDITIONS = 20
MAX_GROUPS = 5
MAX_GROUP_CONDITIONS = 10
MAX_ACTIONS = 20
PATTERN_CHARS = 200
VALUE_CHARS = 1000
NOTE_CHARS = 10_000
MESSAGE_CHARS = 500
MAX_TAGS = 20
TAG_CHARS = 40
ROUND_ROBIN = "round_robin"
_ATTEMPTS = 3  # an add or delete that meets another's change of the order is made again, this often


# --- the vocabulary -------------------------------------------------------------------------------


class TriggerKind(StrEnum):
    TICKET_CREATED = "ticket_created"
    STATUS_CHANGED = "status_changed"
    CLOSED_OR_RESOLVED = "closed_or_resolved"
    ASSIGNEE_CHANGED = "assignee_changed"
    TEAM_CHANGED = "team_changed"
    CUSTOMER_RESPONDED = "customer_responded"
    TICKET_UPDATED = "ticket_updated"
    NO_PUBLIC_REPLY = "no_public_reply"  # hours
    PENDING_FOR = "pending_for"  # days
    DUE_PASSED = "due_passed"


TIME_BASED = frozenset({TriggerKind.NO_PUBLIC_REPLY, TriggerKind.PENDING_FOR, TriggerKind.DUE_PASSED})
NOTHING_CHANGED_FROM = TIME_BASED | {TriggerKind.TICKET_CREATED}  # `changed*` conditions make no sense there


class Property(StrEnum):
    TITLE = "title"
    DESCRIPTION = "description"
    REQUESTER = "requester"
    REQUESTER_DOMAIN = "requester_domain"
    DESTINATION = "destination"
    STATUS = "status"
    PRIORITY = "priority"
    IMPACT = "impact"
    URGENCY = "urgency"
    SOURCE = "source"
    CATEGORY = "category"
    COMPANY = "company"
    TEAM = "team"
    ASSIGNEE = "assignee"
    TAGS = "tags"
    PRODUCT_AREAS = "product_areas"
    CATEGORY_FIELD = "category_field"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


class ValueKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    ORDINAL = "ordinal"  # a choice with an order: impact, urgency, priority
    SET = "set"
    FIELD = "field"  # a category field's value: text, numbers compared as numbers
    TIME = "time"


class Operator(StrEnum):
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"
    STARTS_WITH = "starts_with"
    ENDS_WITH = "ends_with"
    ANY_OF = "any_of"
    NONE_OF = "none_of"
    MATCHES = "matches"
    IS_EMPTY = "is_empty"
    IS_NOT_EMPTY = "is_not_empty"
    CHANGED = "changed"
    CHANGED_FROM = "changed_from"
    CHANGED_TO = "changed_to"
    GREATER_THAN = "greater_than"
    LESS_THAN = "less_than"
    WITHIN_LAST_HOURS = "within_last_hours"
    OLDER_THAN_HOURS = "older_than_hours"


class Operand(StrEnum):
    """What an operator compares with: nothing, one value, a list, a number, a number of hours."""

    NONE = "none"
    ONE = "one"
    MANY = "many"
    NUMBER = "number"
    HOURS = "hours"


PROPERTY_KINDS: Mapping[Property, ValueKind] = {
    Property.TITLE: ValueKind.TEXT,
    Property.DESCRIPTION: ValueKind.TEXT,
    Property.REQUESTER: ValueKind.TEXT,
    Property.REQUESTER_DOMAIN: ValueKind.TEXT,
    Property.DESTINATION: ValueKind.TEXT,
    Property.STATUS: ValueKind.CHOICE,
    Property.PRIORITY: ValueKind.ORDINAL,
    Property.IMPACT: ValueKind.ORDINAL,
    Property.URGENCY: ValueKind.ORDINAL,
    Property.SOURCE: ValueKind.CHOICE,
    Property.CATEGORY: ValueKind.CHOICE,
    Property.COMPANY: ValueKind.CHOICE,
    Property.TEAM: ValueKind.CHOICE,
    Property.ASSIGNEE: ValueKind.CHOICE,
    Property.TAGS: ValueKind.SET,
    Property.PRODUCT_AREAS: ValueKind.SET,
    Property.CATEGORY_FIELD: ValueKind.FIELD,
    Property.CREATED_AT: ValueKind.TIME,
    Property.UPDATED_AT: ValueKind.TIME,
}

_CHANGES = (Operator.CHANGED, Operator.CHANGED_FROM, Operator.CHANGED_TO)
CHANGE_OPERATORS = frozenset(_CHANGES)
_TEXT = (
    Operator.EQUALS,
    Operator.NOT_EQUALS,
    Operator.CONTAINS,
    Operator.NOT_CONTAINS,
    Operator.STARTS_WITH,
    Operator.ENDS_WITH,
    Operator.ANY_OF,
    Operator.NONE_OF,
    Operator.MATCHES,
    Operator.IS_EMPTY,
    Operator.IS_NOT_EMPTY,
    *_CHANGES,
)
_CHOICE = (
    Operator.EQUALS,
    Operator.NOT_EQUALS,
    Operator.ANY_OF,
    Operator.NONE_OF,
    Operator.IS_EMPTY,
    Operator.IS_NOT_EMPTY,
    *_CHANGES,
)
# Which operators fit each kind of property (the editor offers these; others are refused).
OPERATORS: Mapping[ValueKind, tuple[Operator, ...]] = {
    ValueKind.TEXT: _TEXT,
    ValueKind.CHOICE: _CHOICE,
    ValueKind.ORDINAL: (*_CHOICE, Operator.GREATER_THAN, Operator.LESS_THAN),
    ValueKind.SET: (
        Operator.CONTAINS,
        Operator.NOT_CONTAINS,
        Operator.ANY_OF,
        Operator.NONE_OF,
        Operator.IS_EMPTY,
        Operator.IS_NOT_EMPTY,
        Operator.CHANGED,
    ),
    ValueKind.FIELD: (*_TEXT, Operator.GREATER_THAN, Operator.LESS_THAN),
    ValueKind.TIME: (Operator.WITHIN_LAST_HOURS, Operator.OLDER_THAN_HOURS),
}

OPERANDS: Mapping[Operator, Operand] = {
    Operator.EQUALS: Operand.ONE,
    Operator.NOT_EQUALS: Operand.ONE,
    Operator.CONTAINS: Operand.ONE,
    Operator.NOT_CONTAINS: Operand.ONE,
    Operator.STARTS_WITH: Operand.ONE,
    Operator.ENDS_WITH: Operand.ONE,
    Operator.ANY_OF: Operand.MANY,
    Operator.NONE_OF: Operand.MANY,
    Operator.MATCHES: Operand.ONE,
    Operator.IS_EMPTY: Operand.NONE,
    Operator.IS_NOT_EMPTY: Operand.NONE,
    Operator.CHANGED: Operand.NONE,
    Operator.CHANGED_FROM: Operand.ONE,
    Operator.CHANGED_TO: Operand.ONE,
    Operator.GREATER_THAN: Operand.NUMBER,
    Operator.LESS_THAN: Operand.NUMBER,
    Operator.WITHIN_LAST_HOURS: Operand.HOURS,
    Operator.OLDER_THAN_HOURS: Operand.HOURS,
}

# The values a choice may take, where they are known in advance (ordinal ones lowest first).
CHOICES: Mapping[Property, tuple[str, ...]] = {
    Property.STATUS: tuple(Status),
    Property.PRIORITY: tuple(Priority),
    Property.IMPACT: tuple(Level),
    Property.URGENCY: tuple(Level),
    Property.SOURCE: tuple(Source),
}


class ActionKind(StrEnum):
    SEND_EMAIL = "send_email"
    SET_STATUS = "set_status"
    SET_PRIORITY = "set_priority"
    SET_IMPACT = "set_impact"
    SET_URGENCY = "set_urgency"
    SET_CATEGORY = "set_category"
    SET_TEAM = "set_team"
    SET_ASSIGNEE = "set_assignee"
    ADD_TAGS = "add_tags"
    REMOVE_TAGS = "remove_tags"
    ADD_NOTE = "add_note"
    ADD_REPLY = "add_reply"
    NOTIFY = "notify"
    WEBHOOK = "webhook"


class Recipient(StrEnum):
    """Whom send_email mails."""

    REQUESTER = "requester"
    CC = "cc"
    ASSIGNEE = "assignee"
    TEAM = "team"
    ADDRESS = "address"


class Audience(StrEnum):
    """Whom notify tells, in the console."""

    FOLLOWERS = "followers"
    ASSIGNEE = "assignee"
    TEAM = "team"
    ALL_STAFF = "all_staff"


# The parameters each action takes (every other must be absent); `address` only when to=address.
PARAMETERS: Mapping[ActionKind, tuple[str, ...]] = {
    ActionKind.SEND_EMAIL: ("to", "template_id", "address"),
    ActionKind.SET_STATUS: ("value",),
    ActionKind.SET_PRIORITY: ("value",),
    ActionKind.SET_IMPACT: ("value",),
    ActionKind.SET_URGENCY: ("value",),
    ActionKind.SET_CATEGORY: ("value",),
    ActionKind.SET_TEAM: ("value",),
    ActionKind.SET_ASSIGNEE: ("value",),
    ActionKind.ADD_TAGS: ("tags",),
    ActionKind.REMOVE_TAGS: ("tags",),
    ActionKind.ADD_NOTE: ("body",),
    ActionKind.ADD_REPLY: ("quick_reply_id",),
    ActionKind.NOTIFY: ("message", "to"),
    ActionKind.WEBHOOK: ("url",),
}
OPTIONAL_PARAMETERS: Mapping[ActionKind, frozenset[str]] = {ActionKind.SEND_EMAIL: frozenset({"address"})}

# What an action sets: two rules' actions on the same property conflict (tags: per tag).
SETS: Mapping[ActionKind, str] = {
    ActionKind.SET_STATUS: "status",
    ActionKind.SET_PRIORITY: "priority",
    ActionKind.SET_IMPACT: "impact",
    ActionKind.SET_URGENCY: "urgency",
    ActionKind.SET_CATEGORY: "category",
    ActionKind.SET_TEAM: "team",
    ActionKind.SET_ASSIGNEE: "assignee",
}

# The values a set_* action may give, where they are known in advance (merging is not an action's).
VALUES: Mapping[ActionKind, tuple[str, ...]] = {
    ActionKind.SET_STATUS: tuple(status for status in Status if status is not Status.MERGED),
    ActionKind.SET_PRIORITY: tuple(Priority),
    ActionKind.SET_IMPACT: tuple(Level),
    ActionKind.SET_URGENCY: tuple(Level),
}
PARAMETER_CHOICES: Mapping[ActionKind, Mapping[str, tuple[str, ...]]] = {
    ActionKind.SEND_EMAIL: {"to": tuple(Recipient)},
    ActionKind.NOTIFY: {"to": tuple(Audience)},
    **{kind: {"value": values} for kind, values in VALUES.items()},
}


# --- the models -----------------------------------------------------------------------------------

# Visible text over lines, which may be left empty.
Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=1000),
    AfterValidator(lambda text: LINES.func(text) if text else text),
]
Text = Annotated[str, StringConstraints(max_length=VALUE_CHARS)]
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class Trigger(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: TriggerKind = Field(description="What starts the rule: a change of a ticket, or a moment passed.")
    hours: int | None = Field(default=None, ge=1, le=8760, description="no_public_reply only: after this many hours.")
    days: int | None = Field(default=None, ge=1, le=365, description="pending_for only: after this many days.")


class RuleCondition(BaseModel):
    """One test of the ticket as the change left it (and, for changed*, as it was before)."""

    model_config = ConfigDict(extra="forbid")

    property: Property
    operator: Operator = Field(description="It must fit the property (GET /api/automation/options says which do).")
    value: Text | float | list[Annotated[str, StringConstraints(max_length=200)]] | None = Field(
        default=None,
        description="What the operator compares with: one text, a list (any_of, none_of), a number "
        "(greater_than, less_than, hours), or nothing (is_empty, is_not_empty, changed).",
    )
    field: Id | None = Field(default=None, description="category_field only: the category field's key.")


class RuleAction(BaseModel):
    """One thing a holding rule does; only the parameters its kind takes are given."""

    model_config = ConfigDict(extra="forbid")

    kind: ActionKind
    to: str | None = Field(
        default=None,
        description="send_email: requester, cc, assignee, team or address; notify: "
        "followers, assignee, team or all_staff.",
    )
    template_id: str | None = Field(default=None, max_length=64, description="send_email: the email template.")
    address: str | None = Field(default=None, max_length=254, description="send_email to an address: the address.")
    value: str | None = Field(
        default=None, max_length=64, description="set_*: the value (set_assignee: a staff id or round_robin)."
    )
    tags: list[Annotated[str, StringConstraints(max_length=100)]] | None = Field(
        default=None, max_length=MAX_TAGS, description="add_tags, remove_tags: the tags."
    )
    body: str | None = Field(default=None, max_length=NOTE_CHARS, description="add_note: the note (Markdown).")
    quick_reply_id: str | None = Field(default=None, max_length=64, description="add_reply: a shared quick reply.")
    message: str | None = Field(default=None, max_length=MESSAGE_CHARS, description="notify: what staff read.")
    url: str | None = Field(default=None, max_length=2000, description="webhook: the HTTPS address it posts to.")


# The design's names for them (deskless.data's Condition and Action are its writes').
Condition = RuleCondition
Action = RuleAction


class RuleContent(BaseModel):
    """What an admin writes."""

    model_config = ConfigDict(extra="forbid")

    name: FullName
    description: Description = ""
    trigger: Trigger
    active: bool = Field(default=False, description="Inactive rules do nothing.")
    ignore_flow: bool = Field(
        default=False,
        description="Apply this rule's actions even when an earlier rule (in order) set the same property.",
    )
    stop_processing: bool = Field(default=False, description="When this rule holds, the rules after it are not run.")
    conditions: list[RuleCondition] = Field(
        default_factory=list, max_length=MAX_CONDITIONS, description="All must hold."
    )
    any_groups: list[Annotated[list[RuleCondition], Field(min_length=1, max_length=MAX_GROUP_CONDITIONS)]] = Field(
        default_factory=list, max_length=MAX_GROUPS, description="In each group, at least one must hold."
    )
    actions: list[RuleAction] = Field(min_length=1, max_length=MAX_ACTIONS, description="Done in order.")


class RuleChange(RuleContent):
    revision: int = Field(ge=0, description="The revision the change was made from: a stale one is refused (409).")


class RuleSwitch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool
    revision: int = Field(ge=0, description="The revision the change was made from: a stale one is refused (409).")


class Rule(RuleContent):
    id: str
    revision: int = Field(description="Counts the changes stored.")
    position: int = Field(description="Its place in the admin's order, from 0.")
    preset: str | None = Field(default=None, description="The preset it started as (Deskless ships them inactive).")
    created_at: int = Field(description="Milliseconds since the epoch.")
    updated_at: int = Field(description="Milliseconds since the epoch.")
    order_revision: int = Field(
        default=0, description="The revision of the rules' order as read: PUT /api/automation/order names it."
    )


class RuleOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule_ids: list[Id] = Field(max_length=MAX_RULES, description="Every rule's id, in the order wanted.")
    revision: int = Field(ge=0, description="The order's revision as read (GET the rules): a stale one is 409.")


# --- validation -----------------------------------------------------------------------------------

_TAG = re.compile(r"^[^\s,][^,]{0,38}[^\s,]$|^[^\s,]$")
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normal_tag(tag: str) -> str:
    """A tag as kept: lower case, trimmed, inner spaces as one."""
    return " ".join(tag.split()).lower()


def _label(index: int, group: int | None) -> str:
    return f"Condition {index + 1}" if group is None else f"Any-of group {group + 1}, condition {index + 1}"


def _place(index: int, group: int | None) -> str:
    """Where a condition is in the rule, as a refusal's `details` name it: conditions.0, any_groups.1.0."""
    return f"conditions.{index}" if group is None else f"any_groups.{group}.{index}"


class Refusal(str):
    """A reason a rule is refused, in words that name its part ("Condition 1: ..."), knowing where
    that part is in the rule (`field`: "conditions.0", "actions.1", "trigger.hours"): the editor
    says it next to that part."""

    field: str

    def __new__(cls, field: str, words: str) -> Refusal:
        made = super().__new__(cls, words)
        made.field = field
        return made


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _condition_problem(condition: RuleCondition, trigger: TriggerKind) -> str | None:
    kind = PROPERTY_KINDS[condition.property]
    fits = OPERATORS[kind]
    if condition.operator not in fits:
        return (
            f"{condition.operator.value} does not fit {condition.property.value} ({kind.value}); "
            f"it takes {', '.join(op.value for op in fits)}"
        )
    if (condition.field is not None) != (condition.property is Property.CATEGORY_FIELD):
        return "a field is given with category_field only, and category_field needs one"
    if condition.operator in CHANGE_OPERATORS and trigger in NOTHING_CHANGED_FROM:
        return f"{condition.operator.value} needs a change, and the trigger {trigger.value} changes nothing"
    operand, value = OPERANDS[condition.operator], condition.value
    if operand is Operand.NONE:
        return None if value is None else f"{condition.operator.value} takes no value"
    if operand is Operand.MANY:
        if not isinstance(value, list) or not value or not all(item.strip() for item in value):
            return f"{condition.operator.value} takes a list of values"
        return _unknown_choice(condition.property, value)
    if operand is Operand.HOURS:
        if not _is_number(value) or not 0 < float(value) <= 8760 * 10:  # type: ignore[arg-type]
            return f"{condition.operator.value} takes a number of hours above 0"
        return None
    if operand is Operand.NUMBER:
        if kind is ValueKind.ORDINAL:
            if not isinstance(value, str):
                return f"{condition.operator.value} on {condition.property.value} takes one of its levels"
            return _unknown_choice(condition.property, [value])
        return None if _is_number(value) else f"{condition.operator.value} takes a number"
    if _is_number(value) and kind is ValueKind.FIELD and condition.operator is Operator.EQUALS:
        return None
    if not isinstance(value, str) or not value.strip():
        return f"{condition.operator.value} takes a value"
    if condition.operator is Operator.MATCHES:
        return _pattern_problem(value)
    return _unknown_choice(condition.property, [value])


def _pattern_problem(pattern: str) -> str | None:
    if len(pattern) > PATTERN_CHARS:
        return f"a pattern has at most {PATTERN_CHARS} characters"
    try:
        regex.compile(pattern)
    except regex.error as error:
        return f"the pattern does not compile: {error}"
    return None


def _unknown_choice(prop: Property, values: Sequence[str]) -> str | None:
    known = CHOICES.get(prop)
    if known is None:
        return None
    unknown = [value for value in values if value.strip().lower() not in known]
    return f"{', '.join(unknown)} is not a {prop.value}; it is one of {', '.join(known)}" if unknown else None


def _action_problem(action: RuleAction) -> str | None:
    takes = PARAMETERS[action.kind]
    optional = OPTIONAL_PARAMETERS.get(action.kind, frozenset())
    given = {name for name in RuleAction.model_fields if name != "kind" and getattr(action, name) is not None}
    extra = sorted(given - set(takes))
    if extra:
        return f"{action.kind.value} takes {', '.join(takes)}, not {', '.join(extra)}"
    missing = [name for name in takes if name not in given and name not in optional]
    if missing:
        return f"{action.kind.value} needs {', '.join(missing)}"
    for name, choices in PARAMETER_CHOICES.get(action.kind, {}).items():
        if getattr(action, name) not in choices:
            return f"{name} of {action.kind.value} is one of {', '.join(choices)}"
    if action.kind is ActionKind.SEND_EMAIL:
        if (action.to == Recipient.ADDRESS) != (action.address is not None):
            return "an address is given when sending to an address, and only then"
        if action.address is not None and not _ADDRESS.fullmatch(action.address):
            return f"{action.address} is not an email address"
    if action.tags is not None:
        if not action.tags:
            return f"{action.kind.value} needs at least one tag"
        refused = [tag for tag in action.tags if not _TAG.fullmatch(normal_tag(tag))]
        if refused:
            return f"a tag has 1 to {TAG_CHARS} characters and no comma: {', '.join(refused)}"
    for text in (action.body, action.message):
        if text is not None and not text.strip():
            return f"{action.kind.value} needs some text"
    if action.url is not None:
        return _url_problem(action.url)
    return None


def _url_problem(url: str) -> str | None:
    if url.startswith("https://") and len(url) > len("https://"):
        return None
    if re.match(r"^http://(127\.0\.0\.1|localhost)(:\d+)?(/|$)", url) and get_settings().stage == "local":
        return None  # the local platform's own receivers
    return "a webhook's address is https://..."


def problems(content: RuleContent) -> list[Refusal]:
    """Every reason the rule is refused, naming its condition or action (pure: no reads)."""
    found = []
    trigger = content.trigger
    if (trigger.hours is not None) != (trigger.kind is TriggerKind.NO_PUBLIC_REPLY):
        found.append(Refusal("trigger.hours", "Trigger: hours are given with no_public_reply, and it needs them"))
    if (trigger.days is not None) != (trigger.kind is TriggerKind.PENDING_FOR):
        found.append(Refusal("trigger.days", "Trigger: days are given with pending_for, and it needs them"))
    placed: list[tuple[int, int | None, RuleCondition]] = [
        (index, None, condition) for index, condition in enumerate(content.conditions)
    ]
    for number, conditions in enumerate(content.any_groups):
        placed += [(index, number, condition) for index, condition in enumerate(conditions)]
    for index, group, condition in placed:
        problem = _condition_problem(condition, trigger.kind)
        if problem:
            found.append(Refusal(_place(index, group), f"{_label(index, group)}: {problem}"))
    for index, action in enumerate(content.actions):
        problem = _action_problem(action)
        if problem:
            found.append(Refusal(f"actions.{index}", f"Action {index + 1}: {problem}"))
    return found


def _reference_problems(content: RuleContent) -> list[Refusal]:
    """What the rule names that does not exist (a read per owner asked)."""
    from .categories import category_of
    from .teams import team_of
    from .templates import email_template, shared_quick_reply
    from .users import staff_of

    found = []
    staff_ids = {
        a.value for a in content.actions if a.kind is ActionKind.SET_ASSIGNEE and a.value and a.value != ROUND_ROBIN
    }
    active_staff = {user.id for user in staff_of(sorted(staff_ids)) if user.active} if staff_ids else set()
    for index, action in enumerate(content.actions):
        label, place = f"Action {index + 1}", f"actions.{index}"
        if action.kind is ActionKind.SEND_EMAIL and action.template_id is not None:
            try:
                email_template(action.template_id)
            except NotFound:
                found.append(Refusal(place, f"{label}: there is no email template {action.template_id}"))
        elif action.kind is ActionKind.ADD_REPLY and action.quick_reply_id is not None:
            if shared_quick_reply(action.quick_reply_id) is None:
                found.append(Refusal(place, f"{label}: there is no shared quick reply {action.quick_reply_id}"))
        elif action.kind is ActionKind.SET_TEAM and action.value is not None and team_of(action.value) is None:
            found.append(Refusal(place, f"{label}: there is no team {action.value}"))
        elif action.kind is ActionKind.SET_CATEGORY and action.value is not None and category_of(action.value) is None:
            found.append(Refusal(place, f"{label}: there is no ticket category {action.value}"))
        elif action.kind is ActionKind.SET_ASSIGNEE and action.value in staff_ids and action.value not in active_staff:
            found.append(Refusal(place, f"{label}: {action.value} is not an active staff user"))
    return found + _named_in_conditions(content)


def _named_in_conditions(content: RuleContent) -> list[Refusal]:
    """The teams, categories, category fields and staff users conditions compare with that do not
    exist (a condition naming one could never hold): a GetItem per team or category, one
    BatchGetItem of staff, one Query of the categories for their fields."""
    from .categories import category_of, list_categories
    from .teams import team_of
    from .users import staff_of

    placed: list[tuple[tuple[int, int | None], RuleCondition]] = [
        ((i, None), condition) for i, condition in enumerate(content.conditions)
    ]
    for number, group in enumerate(content.any_groups):
        placed += [((i, number), condition) for i, condition in enumerate(group)]
    named: dict[Property, dict[str, tuple[int, int | None]]] = {
        Property.TEAM: {},
        Property.CATEGORY: {},
        Property.ASSIGNEE: {},
    }
    for where, condition in placed:
        if condition.property in named and OPERANDS[condition.operator] in (Operand.ONE, Operand.MANY):
            values = condition.value if isinstance(condition.value, list) else [str(condition.value)]
            for value in values:
                named[condition.property].setdefault(value.strip(), where)

    def refused(where: tuple[int, int | None], why: str) -> Refusal:
        return Refusal(_place(*where), f"{_label(*where)}: {why}")

    staff = named[Property.ASSIGNEE]
    known_staff = {user.id for user in staff_of(sorted(staff))} if staff else set()
    found = [
        refused(where, f"there is no staff user {value}") for value, where in staff.items() if value not in known_staff
    ]
    found += [
        refused(where, f"there is no team {value}")
        for value, where in named[Property.TEAM].items()
        if team_of(value) is None
    ]
    found += [
        refused(where, f"there is no ticket category {value}")
        for value, where in named[Property.CATEGORY].items()
        if category_of(value) is None
    ]
    fields = {condition.field: where for where, condition in placed if condition.field is not None}
    if fields:
        known_fields = {field.key for category in list_categories(False) for field in category.fields}
        found += [
            refused(where, f"no ticket category has a field {key}")
            for key, where in fields.items()
            if key not in known_fields
        ]
    return found


def check_rule(content: RuleContent) -> None:
    """RuleRefused (400 invalid_request) with every reason, and where each is, if the rule is refused."""
    found = problems(content) or _reference_problems(content)
    if found:
        raise RuleRefused(
            "This rule cannot be saved. " + "; ".join(found) + ".",
            [{"field": refusal.field, "problem": str(refusal)} for refusal in found],
        )


# --- presets ----------------------------------------------------------------------------------------


def _preset(
    name: str, description: str, trigger: TriggerKind, conditions: list[dict[str, Any]], actions: list[dict[str, Any]]
) -> RuleContent:
    return RuleContent.model_validate(
        {
            "name": name,
            "description": description,
            "trigger": {"kind": trigger},
            "conditions": conditions,
            "actions": actions,
        }
    )


PRESETS: Mapping[str, RuleContent] = {
    "portal-credentials": _preset(
        "[Portal Credentials]",
        "A contact who raises a ticket titled [Portal Credentials] gets their portal username and a new password.",
        TriggerKind.TICKET_CREATED,
        [{"property": "title", "operator": "equals", "value": "[Portal Credentials]"}],
        [{"kind": "send_email", "to": "requester", "template_id": PORTAL_CREDENTIALS}],
    ),
    "reopen-on-customer-response": _preset(
        "Reopen on customer response",
        "A pending or resolved ticket is open again when its customer answers.",
        TriggerKind.CUSTOMER_RESPONDED,
        [{"property": "status", "operator": "any_of", "value": ["pending", "resolved"]}],
        [{"kind": "set_status", "value": "open"}],
    ),
    "ticket-received-email": _preset(
        "Ticket received email",
        "The requester is told their ticket was received.",
        TriggerKind.TICKET_CREATED,
        [],
        [{"kind": "send_email", "to": "requester", "template_id": TICKET_RECEIVED}],
    ),
    "round-robin-assignment": _preset(
        "Round-robin assignment of new tickets",
        "A new ticket nobody is assigned to goes to the next online member of its team.",
        TriggerKind.TICKET_CREATED,
        [{"property": "assignee", "operator": "is_empty"}],
        [{"kind": "set_assignee", "value": ROUND_ROBIN}],
    ),
}


# --- storing ----------------------------------------------------------------------------------------


def _now_ms() -> int:
    return int(time.time() * 1000)


def _rule_item(rule: Rule) -> Item:
    attributes = rule.model_dump(mode="json", exclude={"id", "position", "order_revision"}, exclude_none=True)
    return stamped(Entity.AUTOMATION_RULE, automation_rule_key(rule.id), rule_id=rule.id, **attributes)


def _rule(item: Item, position: int, order_revision: int) -> Rule:
    kept = {name: item[name] for name in (*RuleContent.model_fields, *_STORED) if name in item}
    return Rule.model_validate({**kept, "id": item["rule_id"], "position": position, "order_revision": order_revision})


_STORED = ("revision", "preset", "created_at", "updated_at")


def _order_item(rule_ids: Sequence[str], revision: int) -> Item:
    return stamped(Entity.AUTOMATION_ORDER, AUTOMATION_ORDER_KEY, rule_ids=list(rule_ids), revision=revision)


def _in_order(items: Sequence[Item]) -> tuple[list[Rule], int] | None:
    """The rules in the order item's order, and its revision; None when there is no order yet."""
    order = next((item for item in items if item["sk"] == AUTOMATION_ORDER_KEY["sk"]), None)
    if order is None:
        return None
    by_id = {item["rule_id"]: item for item in items if item["sk"].startswith(AUTOMATION_RULE_PREFIX)}
    ids = [rule_id for rule_id in order.get("rule_ids", []) if rule_id in by_id]
    revision = int(order["revision"])
    return [_rule(by_id[rule_id], position, revision) for position, rule_id in enumerate(ids)], revision


def _seed() -> None:
    """The presets and the order that lists them, written once (conditional on no order)."""
    now = _now_ms()
    rules = [
        Rule(
            id=f"preset-{key}",
            revision=1,
            position=0,
            preset=key,
            created_at=now,
            updated_at=now,
            **content.model_dump(),
        )
        for key, content in PRESETS.items()
    ]
    actions = [put_action(_order_item([rule.id for rule in rules], 1), NEW_ITEM)]
    actions += [put_action(_rule_item(rule)) for rule in rules]
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        if error.reasons[0] != "ConditionalCheckFailed":
            raise  # else: seeded meanwhile by another request


def rules_with_order() -> tuple[list[Rule], int]:
    """Every rule in order, with the order's revision: one Query (the first time, the presets are
    written first, in one transaction, and read again)."""
    found = _in_order(table().query(AUTOMATION_RULES, consistent=True))
    if found is None:
        _seed()
        found = _in_order(table().query(AUTOMATION_RULES, consistent=True))
    assert found is not None
    return found


def list_rules() -> list[Rule]:
    """Every rule, in the admin's order (one Query; seeds the presets the first time)."""
    return rules_with_order()[0]


def active_rules() -> list[Rule]:
    """The active rules in order (one Query; nothing seeded: before the first listing there are none active)."""
    found = _in_order(table().query(AUTOMATION_RULES, consistent=True))
    return [rule for rule in found[0] if rule.active] if found else []


def rule_of(rule_id: str) -> Rule:
    """One rule with its position (one Query of the rules); NotFound."""
    for rule in list_rules():
        if rule.id == rule_id:
            return rule
    raise NotFound("There is no such automation rule.")


def _order_is(revision: int) -> WriteCondition:
    return WriteCondition("revision = :read", values={":read": revision})


def _moved_order(rule_ids: Sequence[str], revision: int) -> Write:
    return update_action(
        AUTOMATION_ORDER_KEY,
        set_values={"rule_ids": list(rule_ids), "revision": revision + 1},
        condition=_order_is(revision),
    )


def create_rule(content: RuleContent) -> Rule:
    """A new rule, placed last (a Query, then one transaction of the rule and the order)."""
    check_rule(content)
    now = _now_ms()
    rule_id = secrets.token_hex(8)
    for _ in range(_ATTEMPTS):
        rules, revision = rules_with_order()
        if len(rules) >= MAX_RULES:
            raise InvalidRequest(f"There are {MAX_RULES} rules already: delete one first.")
        rule = Rule(
            id=rule_id,
            revision=1,
            position=len(rules),
            created_at=now,
            updated_at=now,
            order_revision=revision + 1,
            **content.model_dump(),
        )
        try:
            table().transact(
                [put_action(_rule_item(rule), NEW_ITEM), _moved_order([r.id for r in rules] + [rule_id], revision)]
            )
        except TransactionCanceled:
            continue  # another change of the order came first: place it after that one
        return rule
    raise Conflict("The rules kept changing meanwhile; try again.")


def _changed_meanwhile() -> Conflict:
    return Conflict("Someone else changed this rule since you opened it; reload it and make your change again.")


def _write(before: Rule, rule: Rule) -> Rule:
    condition = WriteCondition("revision = :read", values={":read": before.revision})
    try:
        table().put(_rule_item(rule), condition=condition)
    except ConditionFailed as error:
        raise _changed_meanwhile() from error
    return rule


def replace_rule(rule_id: str, change: RuleChange) -> Rule:
    """The rule as changed (a Query, a conditional put); 409 if it changed since `revision`."""
    before = rule_of(rule_id)
    if change.revision != before.revision:
        raise _changed_meanwhile()
    content = RuleContent.model_validate(change.model_dump(exclude={"revision"}))
    check_rule(content)
    written = {name: getattr(content, name) for name in RuleContent.model_fields}
    return _write(
        before, before.model_copy(update={**written, "revision": before.revision + 1, "updated_at": _now_ms()})
    )


def switch_rule(rule_id: str, switch: RuleSwitch) -> Rule:
    """The rule made active or inactive (a Query, a conditional put); 409 if it changed since."""
    before = rule_of(rule_id)
    if switch.revision != before.revision:
        raise _changed_meanwhile()
    if switch.active:
        check_rule(before)  # what it names may have gone since it was saved
    return _write(
        before,
        before.model_copy(update={"active": switch.active, "revision": before.revision + 1, "updated_at": _now_ms()}),
    )


def delete_rule(rule_id: str) -> None:
    """Delete a rule and take it out of the order (a Query, one transaction)."""
    for _ in range(_ATTEMPTS):
        rules, revision = rules_with_order()
        if rule_id not in {rule.id for rule in rules}:
            raise NotFound("There is no such automation rule.")
        kept = [rule.id for rule in rules if rule.id != rule_id]
        try:
            table().transact([delete_action(automation_rule_key(rule_id), EXISTS), _moved_order(kept, revision)])
        except TransactionCanceled:
            continue
        return
    raise Conflict("The rules kept changing meanwhile; try again.")


def reorder_rules(order: RuleOrder) -> list[Rule]:
    """The rules in the order given (a Query, one conditional write of the order): 400 unless it
    names every rule once, 409 if the order changed since `revision`."""
    rules, revision = rules_with_order()
    if order.revision != revision:
        raise Conflict("Someone else changed the rules' order since you read it; reload them.")
    if sorted(order.rule_ids) != sorted(rule.id for rule in rules):
        raise InvalidRequest("The order must name every rule once, and no other.")
    try:
        table().update(
            AUTOMATION_ORDER_KEY,
            set_values={"rule_ids": order.rule_ids, "revision": revision + 1},
            condition=_order_is(revision),
        )
    except ConditionFailed as error:
        raise Conflict("Someone else changed the rules' order since you read it; reload them.") from error
    by_id = {rule.id: rule for rule in rules}
    moved = {"order_revision": revision + 1}
    return [by_id[rule_id].model_copy(update={"position": p, **moved}) for p, rule_id in enumerate(order.rule_ids)]


# --- webhooks ---------------------------------------------------------------------------------------


def webhook_secret() -> str:
    """The key webhooks are signed with: HMAC(signing key, "automation-webhook"), so no other use of
    the signing key can produce or reveal it. A receiver checks `X-Deskless-Signature:
    t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with it."""
    from .auth import signing_key

    return hmac.new(signing_key(), b"automation-webhook", hashlib.sha256).hexdigest()
