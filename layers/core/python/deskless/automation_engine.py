"""The automation rules' engine: which triggers a ticket change fires, which rules hold, which of
their actions are planned and which are skipped (and why), and when time-based rules fall due.

Pure: no reads, no writes, no clock unless given one, so the same change gives the same result
wherever and however often it is evaluated (a redelivered stream record, a batch cut another
way), and the dry run is the real evaluation. The runtime (the automation function) reads the
rules and the change, and applies what is planned.

Fast: `compile_rules` turns each condition into a closure once (the property's getter and the
operator's test, the value folded, a pattern compiled) and indexes the rules by trigger, so a
change looks only at the rules of the triggers it fired. Results are slotted dataclasses (a
pydantic model per condition would cost more than the evaluation itself); pydantic serializes
them for the API and the traces all the same.

Semantics (issue 14):
- Conditions see the ticket as the change left it (and as it was, for changed*), never what
  earlier rules plan: the result does not depend on what else is in a batch.
- Rules are walked in the admin's order; an action setting what an earlier holding rule's action
  set (its `SETS` key; tags per tag) is skipped as a conflict, unless its rule ignores the flow
  (then it applies, and of two such the later wins when the runtime applies them in order). A
  holding rule with stop_processing stops the rules after it.
- A write made by a rule (`changed_by_rule` set) fires nothing: rules never start rules.
- Status triggers fire on transitions; editing a resolved ticket does not fire closed_or_resolved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Annotated, Any

import regex
from pydantic import BaseModel, Field, TypeAdapter

from .automation_rules import (
    CHOICES,
    OPERANDS,
    OPERATORS,
    PARAMETER_CHOICES,
    PARAMETERS,
    PROPERTY_KINDS,
    SETS,
    TIME_BASED,
    ActionKind,
    Operand,
    Operator,
    Property,
    Rule,
    RuleAction,
    RuleCondition,
    TriggerKind,
    ValueKind,
    normal_tag,
)

Ticket = Mapping[str, Any]
PATTERN_TIMEOUT_S = 0.05
SEARCHED_CHARS = 10_000
_HOUR_MS = 3_600_000
_DAY_MS = 86_400_000
_ACTIVE = frozenset({"new", "open", "pending"})
_DONE = frozenset({"resolved", "closed"})
# What a change of which fires ticket_updated (replies alone do not: customer_responded does).
_WATCHED = (
    "title",
    "description",
    "status",
    "priority",
    "impact",
    "urgency",
    "source",
    "category_id",
    "fields",
    "product_areas",
    "company_id",
    "requester",
    "team_id",
    "assignee",
    "tags",
    "due_at",
    "cc",
    "destination",
)


# --- the evaluation's shape -------------------------------------------------------------------------


class RuleOutcome(StrEnum):
    MATCHED = "matched"
    NOT_MATCHED = "not_matched"
    STOPPED = "stopped"


class ActionOutcome(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"
    DRY_RUN = "dry_run"


class SkipReason(StrEnum):
    NONE = ""
    CONFLICT = "conflict"
    STOPPED = "stopped"
    CAP = "cap"
    NO_RECIPIENT = "no_recipient"
    ERROR = "error"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class ConditionResult:
    index: Annotated[int, Field(description="Its place in its list, from 0.")]
    group: Annotated[int | None, Field(description="Its any-of group, from 0; null: one of the conditions.")]
    held: bool
    detail: Annotated[str, Field(description="What was tested, and why it did not hold when it could not be.")]


@dataclass(slots=True)
class ActionResult:
    index: Annotated[int, Field(description="Its place in the rule's actions, from 0.")]
    kind: ActionKind
    outcome: ActionOutcome
    reason: SkipReason = SkipReason.NONE
    detail: str = ""


@dataclass(slots=True)
class RuleResult:
    rule_id: str
    name: str
    position: int
    outcome: RuleOutcome
    detail: str
    conditions: list[ConditionResult]
    actions: list[ActionResult]
    rule: Annotated[Rule | None, Field(exclude=True)] = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class Evaluation:
    change_id: Annotated[str, Field(description="The change evaluated (a stream record's id, or a schedule's).")]
    number: Annotated[int, Field(description="The ticket's number.")]
    at: Annotated[int, Field(description="When the change was made, in milliseconds since the epoch.")]
    triggers: list[TriggerKind]
    rules: list[RuleResult]


@dataclass(frozen=True, slots=True)
class Change:
    change_id: str  # the stream record's eventID, or "schedule:<number>:<rule>:<basis>"
    old: Ticket | None  # the ticket item's previous version (JSON shape), None when created
    new: Ticket
    at: int  # ms
    fired: TriggerKind | None = None  # a time-based trigger that fired (then only `only_rule` is evaluated)
    only_rule: str | None = None


@dataclass(frozen=True, slots=True)
class Due:
    due: int  # ms: when the rule falls due
    basis: int  # ms: the moment it counts from; a firing whose basis moved since does nothing
    trigger: TriggerKind


# --- reading a ticket ---------------------------------------------------------------------------------


def _fold(value: Any) -> str:
    return "" if value is None else str(value).strip().casefold()


# A ticket keeps its created_at in seconds, every other time in milliseconds.
_SECONDS = 1000


def _ms(value: Any, scale: int = 1) -> int | None:
    """A ticket's time in ms (`scale`: _SECONDS for created_at)."""
    return None if value is None else int(value) * scale


def _email(ticket: Ticket) -> str:
    requester = ticket.get("requester") or {}
    return _fold(requester.get("email"))


def _assignee(ticket: Ticket) -> str:
    assignee = ticket.get("assignee") or {}
    return _fold(assignee.get("id"))


def _plain(name: str) -> Callable[[Ticket], str]:
    return lambda ticket: _fold(ticket.get(name))


def _set(name: str) -> Callable[[Ticket], frozenset[str]]:
    return lambda ticket: frozenset(_fold(item) for item in ticket.get(name) or ())


def _time(name: str, scale: int = 1) -> Callable[[Ticket], int | None]:
    return lambda ticket: _ms(ticket.get(name), scale)


_GETTERS: Mapping[Property, Callable[[Ticket], Any]] = {
    Property.TITLE: _plain("title"),
    Property.DESCRIPTION: _plain("description"),
    Property.REQUESTER: _email,
    Property.REQUESTER_DOMAIN: lambda ticket: _email(ticket).rpartition("@")[2],
    Property.DESTINATION: _plain("destination"),
    Property.STATUS: _plain("status"),
    Property.PRIORITY: _plain("priority"),
    Property.IMPACT: _plain("impact"),
    Property.URGENCY: _plain("urgency"),
    Property.SOURCE: _plain("source"),
    Property.CATEGORY: _plain("category_id"),
    Property.COMPANY: _plain("company_id"),
    Property.TEAM: _plain("team_id"),
    Property.ASSIGNEE: _assignee,
    Property.TAGS: _set("tags"),
    Property.PRODUCT_AREAS: _set("product_areas"),
    Property.CREATED_AT: _time("created_at", _SECONDS),
    Property.UPDATED_AT: _time("updated_at"),
}
# What patterns search: the text as written (a pattern says itself what case it wants).
_RAW: Mapping[Property, Callable[[Ticket], Any]] = {
    Property.TITLE: lambda ticket: ticket.get("title"),
    Property.DESCRIPTION: lambda ticket: ticket.get("description"),
}


def _field_getter(key: str) -> Callable[[Ticket], Any]:
    def value(ticket: Ticket) -> Any:
        found = (ticket.get("fields") or {}).get(key)
        if isinstance(found, list):
            return _fold(", ".join(str(item) for item in found))
        if isinstance(found, bool):
            return "true" if found else "false"
        return _fold(found)

    return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


# --- compiling a condition ------------------------------------------------------------------------------


class View(dict[Callable[[Ticket], Any], Any]):
    """A ticket version's properties as the conditions read them, each read (and folded) once per
    change however many rules test it: keyed by the property's getter."""

    __slots__ = ("ticket",)

    def __init__(self, ticket: Ticket) -> None:
        super().__init__()
        self.ticket = ticket

    def __missing__(self, get: Callable[[Ticket], Any]) -> Any:
        value = self[get] = get(self.ticket)
        return value


# A compiled test: (old version or None, new version, now in ms) -> held, or None when a pattern
# took longer than PATTERN_TIMEOUT_S on the text (the condition does not hold, and says why).
Test = Callable[[View | None, View, int], bool | None]


def _text_test(operator: Operator, get: Callable[[Ticket], Any], value: Any) -> Test:
    wanted = _fold(value) if isinstance(value, str) else value
    if operator is Operator.EQUALS:
        number = _number(value)
        if number is not None:  # category fields: numbers compare as numbers
            return lambda old, new, now: new[get] == wanted or _number(new[get]) == number
        return lambda old, new, now: new[get] == wanted
    if operator is Operator.NOT_EQUALS:
        return lambda old, new, now: new[get] != wanted
    if operator is Operator.CONTAINS:
        return lambda old, new, now: wanted in new[get]
    if operator is Operator.NOT_CONTAINS:
        return lambda old, new, now: wanted not in new[get]
    if operator is Operator.STARTS_WITH:
        return lambda old, new, now: new[get].startswith(wanted)
    if operator is Operator.ENDS_WITH:
        return lambda old, new, now: new[get].endswith(wanted)
    if operator in (Operator.ANY_OF, Operator.NONE_OF):
        among = frozenset(_fold(item) for item in value)
        if operator is Operator.ANY_OF:
            return lambda old, new, now: new[get] in among
        return lambda old, new, now: new[get] not in among
    raise ValueError(operator)


def _set_test(operator: Operator, get: Callable[[Ticket], frozenset[str]], value: Any) -> Test:
    if operator is Operator.CONTAINS:
        tag = _fold(normal_tag(value))
        return lambda old, new, now: tag in new[get]
    if operator is Operator.NOT_CONTAINS:
        tag = _fold(normal_tag(value))
        return lambda old, new, now: tag not in new[get]
    among = frozenset(_fold(normal_tag(item)) for item in value)
    if operator is Operator.ANY_OF:
        return lambda old, new, now: not among.isdisjoint(new[get])
    if operator is Operator.NONE_OF:
        return lambda old, new, now: among.isdisjoint(new[get])
    raise ValueError(operator)


def _pattern_test(get: Callable[[Ticket], Any], pattern: str) -> Test:
    compiled = regex.compile(pattern, regex.IGNORECASE)

    def test(old: View | None, new: View, now: int) -> bool | None:
        found = new[get]
        text = "" if found is None else str(found).strip()[:SEARCHED_CHARS]
        try:
            return compiled.search(text, timeout=PATTERN_TIMEOUT_S) is not None
        except TimeoutError:
            return None

    return test


def _rank(prop: Property) -> Callable[[Any], int | None]:
    order = {choice: rank for rank, choice in enumerate(CHOICES[prop])}
    return lambda value: order.get(_fold(value))


def _comparison(operator: Operator, prop: Property, get: Callable[[Ticket], Any], value: Any) -> Test:
    if PROPERTY_KINDS[prop] is ValueKind.ORDINAL:
        rank = _rank(prop)
        measure: Callable[[Any], float | int | None] = rank
        bound: float | int | None = rank(value)
    else:
        measure, bound = _number, _number(value)

    def test(old: View | None, new: View, now: int) -> bool:
        found = measure(new[get])
        if found is None or bound is None:
            return False
        return found > bound if operator is Operator.GREATER_THAN else found < bound

    return test


def _age_test(operator: Operator, get: Callable[[Ticket], int | None], hours: float) -> Test:
    span = hours * _HOUR_MS

    def test(old: View | None, new: View, now: int) -> bool:
        moment: int | None = new[get]
        if moment is None:
            return False
        return now - moment <= span if operator is Operator.WITHIN_LAST_HOURS else now - moment > span

    return test


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == frozenset()


def _change_test(operator: Operator, get: Callable[[Ticket], Any], value: Any) -> Test:
    if operator is Operator.CHANGED:
        return lambda old, new, now: old is not None and old[get] != new[get]
    wanted = _fold(value)
    if operator is Operator.CHANGED_FROM:
        return lambda old, new, now: old is not None and old[get] == wanted and old[get] != new[get]
    return lambda old, new, now: old is not None and new[get] == wanted and old[get] != new[get]


def compile_condition(condition: RuleCondition) -> Test:
    """The condition as one closure, its value folded and its pattern compiled once."""
    prop, operator, value = condition.property, condition.operator, condition.value
    kind = PROPERTY_KINDS[prop]
    get = _field_getter(condition.field or "") if prop is Property.CATEGORY_FIELD else _GETTERS[prop]
    if operator is Operator.IS_EMPTY:
        return lambda old, new, now: _empty(new[get])
    if operator is Operator.IS_NOT_EMPTY:
        return lambda old, new, now: not _empty(new[get])
    if operator in (Operator.CHANGED, Operator.CHANGED_FROM, Operator.CHANGED_TO):
        return _change_test(operator, get, value)
    if operator in (Operator.GREATER_THAN, Operator.LESS_THAN):
        return _comparison(operator, prop, get, value)
    if operator in (Operator.WITHIN_LAST_HOURS, Operator.OLDER_THAN_HOURS):
        return _age_test(operator, get, float(value))  # type: ignore[arg-type]
    if operator is Operator.MATCHES:
        return _pattern_test(_RAW.get(prop, get), str(value))
    if kind is ValueKind.SET:
        return _set_test(operator, get, value)
    return _text_test(operator, get, value)


def describe(condition: RuleCondition) -> str:
    """What a condition tests, as the trace shows it."""
    subject = f"{condition.property.value} {condition.field}" if condition.field else condition.property.value
    operand = OPERANDS[condition.operator]
    if operand is Operand.NONE:
        return f"{subject} {condition.operator.value}"
    shown = ", ".join(condition.value) if isinstance(condition.value, list) else condition.value
    return f"{subject} {condition.operator.value} {shown}"


# --- compiling the rules --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CompiledCondition:
    index: int
    group: int | None
    test: Test
    detail: str
    held: ConditionResult  # its results, made once (they are frozen): what evaluating it gives
    not_held: ConditionResult


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    rule: Rule
    position: int
    conditions: tuple[_CompiledCondition, ...]  # all must hold
    groups: tuple[tuple[_CompiledCondition, ...], ...]  # one of each must hold
    writes: tuple[tuple[str, ...], ...]  # per action: the keys it sets (its conflicts)
    kinds: tuple[ActionKind, ...]
    conflicts: str  # what a conflicting later rule's skipped action says
    # The rule's own, at hand (a model's attribute costs more to read in the loop).
    rule_id: str
    name: str
    ignore_flow: bool
    stops: str  # what the rules after it say when it holds and stops processing; "" if it does not


@dataclass(frozen=True)
class CompiledRules:
    """Active rules, compiled once, indexed by trigger (in order within each)."""

    by_trigger: Mapping[TriggerKind, tuple[_CompiledRule, ...]]
    by_id: Mapping[str, _CompiledRule]
    # The rules of each set of triggers fired together, in order (filled as changes fire them).
    by_triggers: dict[frozenset[TriggerKind], tuple[_CompiledRule, ...]] = field(default_factory=dict)


def writes_of(action: RuleAction) -> tuple[str, ...]:
    """The keys an action sets: two rules' actions on the same key conflict."""
    if action.kind in SETS:
        return (SETS[action.kind],)
    if action.kind in (ActionKind.ADD_TAGS, ActionKind.REMOVE_TAGS):
        return tuple(f"tag:{normal_tag(tag)}" for tag in action.tags or ())
    return ()


def _compiled(rule: Rule, position: int) -> _CompiledRule:
    def one(index: int, group: int | None, condition: RuleCondition) -> _CompiledCondition:
        detail = describe(condition)
        return _CompiledCondition(
            index,
            group,
            compile_condition(condition),
            detail,
            ConditionResult(index, group, True, detail),
            ConditionResult(index, group, False, detail),
        )

    return _CompiledRule(
        rule=rule,
        position=position,
        conditions=tuple(one(index, None, condition) for index, condition in enumerate(rule.conditions)),
        groups=tuple(
            tuple(one(index, group, condition) for index, condition in enumerate(conditions))
            for group, conditions in enumerate(rule.any_groups)
        ),
        writes=tuple(writes_of(action) for action in rule.actions),
        kinds=tuple(action.kind for action in rule.actions),
        conflicts=f"the earlier rule {rule.name!r} set it",
        rule_id=rule.id,
        name=rule.name,
        ignore_flow=rule.ignore_flow,
        stops=f"the rule {rule.name!r} stops processing further rules" if rule.stop_processing else "",
    )


def compile_rules(rules: Sequence[Rule]) -> CompiledRules:
    """The active rules, compiled and indexed by trigger (cheap enough to do per batch)."""
    compiled = [_compiled(rule, rule.position) for rule in rules if rule.active]
    compiled.sort(key=lambda one: one.position)
    by_trigger: dict[TriggerKind, list[_CompiledRule]] = {}
    for one in compiled:
        by_trigger.setdefault(one.rule.trigger.kind, []).append(one)
    return CompiledRules(
        by_trigger={trigger: tuple(listed) for trigger, listed in by_trigger.items()},
        by_id={one.rule.id: one for one in compiled},
    )


# --- triggers -------------------------------------------------------------------------------------------


def triggers_of(old: Ticket | None, new: Ticket) -> frozenset[TriggerKind]:
    """The triggers a change from `old` to `new` fires (old None: created). A rule's own write
    fires nothing; status triggers fire on transitions, never on edits."""
    if new.get("changed_by_rule"):
        return frozenset()
    if old is None:
        return frozenset({TriggerKind.TICKET_CREATED})
    fired = set()
    before, after = old.get("status"), new.get("status")
    if before != after:
        fired.add(TriggerKind.STATUS_CHANGED)
        if after in _DONE and before not in _DONE:
            fired.add(TriggerKind.CLOSED_OR_RESOLVED)
    if _assignee(old) != _assignee(new):
        fired.add(TriggerKind.ASSIGNEE_CHANGED)
    if old.get("team_id") != new.get("team_id"):
        fired.add(TriggerKind.TEAM_CHANGED)
    replied = new.get("last_customer_reply_at")
    if replied is not None and replied != old.get("last_customer_reply_at"):
        fired.add(TriggerKind.CUSTOMER_RESPONDED)
    before_of, after_of = old.get, new.get
    for name in _WATCHED:
        if before_of(name) != after_of(name):
            fired.add(TriggerKind.TICKET_UPDATED)
            break
    return frozenset(fired)


# --- evaluating -----------------------------------------------------------------------------------------


def _timed_out(condition: _CompiledCondition) -> ConditionResult:
    detail = f"{condition.detail}: the pattern took too long on this text, so it does not hold"
    return ConditionResult(condition.index, condition.group, False, detail)


def _test(one: _CompiledRule, old: View | None, new: View, now: int) -> tuple[bool, list[ConditionResult], str]:
    """Whether the rule holds, with its conditions' results up to the first that decided it did
    not (those after it are not tested), and why not."""
    results = []
    for condition in one.conditions:
        held = condition.test(old, new, now)
        if held:
            results.append(condition.held)
            continue
        results.append(condition.not_held if held is not None else _timed_out(condition))
        return False, results, f"condition {condition.index + 1} did not hold"
    for group in one.groups:
        any_held = False
        for condition in group:
            held = condition.test(old, new, now)
            if held:
                results.append(condition.held)
                any_held = True
                break
            results.append(condition.not_held if held is not None else _timed_out(condition))
        if not any_held:
            return False, results, f"no condition of any-of group {group[0].group + 1} held"  # type: ignore[operator]
    return True, results, ""


def _rules_for(compiled: CompiledRules, change: Change, triggers: frozenset[TriggerKind]) -> Sequence[_CompiledRule]:
    if change.fired is not None:
        one = compiled.by_id.get(change.only_rule or "")
        return [one] if one is not None and one.rule.trigger.kind is change.fired else []
    found = compiled.by_triggers.get(triggers)
    if found is None:  # the first change that fires these triggers: their rules in order, kept
        lists = [compiled.by_trigger[trigger] for trigger in triggers if trigger in compiled.by_trigger]
        found = compiled.by_triggers[triggers] = tuple(
            sorted((one for listed in lists for one in listed), key=lambda one: one.position)
        )
    return found


def evaluate(compiled: CompiledRules, change: Change, *, now_ms: int | None = None) -> Evaluation:
    """Which rules the change starts, which hold, and which of their actions are planned or
    skipped (and why), in order. `now_ms` (default: the change's time) is what ages count to."""
    now = change.at if now_ms is None else now_ms
    triggers = frozenset({change.fired}) if change.fired is not None else triggers_of(change.old, change.new)
    results: list[RuleResult] = []
    evaluation = Evaluation(change.change_id, int(change.new.get("number", 0)), change.at, sorted(triggers), results)
    if not triggers:
        return evaluation
    old, new = (View(change.old) if change.old is not None else None), View(change.new)
    set_by: dict[str, str] = {}  # key -> what a later conflicting action says (naming the rule that set it)
    stopped_by = ""
    for one in _rules_for(compiled, change, triggers):
        rule = one.rule
        if stopped_by:
            skipped = [ActionResult(i, kind, _SKIPPED, _STOPPED, stopped_by) for i, kind in enumerate(one.kinds)]
            results.append(
                RuleResult(one.rule_id, one.name, one.position, _STOPPED_RULE, stopped_by, [], skipped, rule)
            )
            continue
        if one.conditions or one.groups:
            holds, conditions, detail = _test(one, old, new, now)
            if not holds:
                results.append(
                    RuleResult(one.rule_id, one.name, one.position, _NOT_MATCHED, detail, conditions, [], rule)
                )
                continue
        else:
            conditions = []
        actions = []
        flows = not one.ignore_flow
        for index, keys in enumerate(one.writes):
            if keys:
                earlier = next((set_by[key] for key in keys if key in set_by), None) if flows and set_by else None
                if earlier is not None:
                    actions.append(ActionResult(index, one.kinds[index], _SKIPPED, _CONFLICT, earlier))
                    continue
                for key in keys:
                    set_by[key] = one.conflicts
            actions.append(ActionResult(index, one.kinds[index], _PLANNED, _NONE, ""))
        results.append(RuleResult(one.rule_id, one.name, one.position, _MATCHED, "", conditions, actions, rule))
        stopped_by = one.stops
    return evaluation


_PLANNED, _SKIPPED = ActionOutcome.PLANNED, ActionOutcome.SKIPPED
_CONFLICT, _STOPPED, _NONE = SkipReason.CONFLICT, SkipReason.STOPPED, SkipReason.NONE
_MATCHED, _NOT_MATCHED, _STOPPED_RULE = RuleOutcome.MATCHED, RuleOutcome.NOT_MATCHED, RuleOutcome.STOPPED


@cache
def _evaluation_shape() -> TypeAdapter[Evaluation]:
    return TypeAdapter(Evaluation)


def as_json(evaluation: Evaluation) -> dict[str, Any]:
    """The evaluation as JSON data (the API's and the traces' shape; the rules themselves left out)."""
    return dict(_evaluation_shape().dump_python(evaluation, mode="json"))


def planned(evaluation: Evaluation) -> list[tuple[Rule, int, RuleAction]]:
    """The actions to run, in order: (rule, action index, action)."""
    found = []
    for result in evaluation.rules:
        if result.rule is None:
            continue
        for action in result.actions:
            if action.outcome is ActionOutcome.PLANNED:
                found.append((result.rule, action.index, result.rule.actions[action.index]))
    return found


# --- time-based triggers ----------------------------------------------------------------------------


def due_moments(compiled: CompiledRules, ticket: Ticket) -> dict[str, Due]:
    """When each active time-based rule falls due for this ticket (rules not due now are absent)."""
    found: dict[str, Due] = {}
    status = ticket.get("status")
    for trigger in TIME_BASED:
        for one in compiled.by_trigger.get(trigger, ()):
            moment = _due(one.rule, ticket, status)
            if moment is not None:
                found[one.rule.id] = moment
    return found


def _due(rule: Rule, ticket: Ticket, status: Any) -> Due | None:
    kind = rule.trigger.kind
    if kind is TriggerKind.NO_PUBLIC_REPLY and status in ("new", "open"):
        created = _ms(ticket.get("created_at"), _SECONDS) or 0
        basis = max(created, _ms(ticket.get("last_customer_reply_at")) or 0)
        answered = _ms(ticket.get("last_staff_reply_at"))
        if answered is not None and answered > basis:
            return None
        return Due(basis + (rule.trigger.hours or 0) * _HOUR_MS, basis, kind)
    if kind is TriggerKind.PENDING_FOR and status == "pending":
        basis = _ms(ticket.get("status_since")) or _ms(ticket.get("updated_at")) or 0
        return Due(basis + (rule.trigger.days or 0) * _DAY_MS, basis, kind)
    if kind is TriggerKind.DUE_PASSED and status in _ACTIVE and ticket.get("due_at") is not None:
        basis = _ms(ticket["due_at"]) or 0
        return Due(basis, basis, kind)
    return None


# --- what the editor offers ----------------------------------------------------------------------------


class TriggerOption(BaseModel):
    kind: TriggerKind
    time_based: bool
    takes: str | None = Field(description="hours or days: the number the trigger needs; null: none.")


class PropertyOption(BaseModel):
    property: Property
    kind: ValueKind
    operators: list[Operator] = Field(description="The operators that fit it.")
    choices: list[str] = Field(description="The values it takes, where they are known in advance (lowest first).")
    needs_field: bool = Field(description="category_field: the condition names the category field.")


class OperatorOption(BaseModel):
    operator: Operator
    operand: Operand = Field(description="What it compares with: none, one value, many (a list), a number, hours.")


class ActionOption(BaseModel):
    kind: ActionKind
    parameters: list[str] = Field(description="The parameters it takes (send_email's address only with to=address).")
    choices: dict[str, list[str]] = Field(description="The values a parameter may take, where they are known.")
    sets: str | None = Field(description="What it sets (two rules' actions on it conflict); tags: each tag.")


class AutomationOptions(BaseModel):
    triggers: list[TriggerOption]
    properties: list[PropertyOption]
    operators: list[OperatorOption]
    actions: list[ActionOption]


_TAKES = {TriggerKind.NO_PUBLIC_REPLY: "hours", TriggerKind.PENDING_FOR: "days"}


def options() -> AutomationOptions:
    """What the rule editor offers, from the tables the validation and the engine use."""
    tags = (ActionKind.ADD_TAGS, ActionKind.REMOVE_TAGS)
    return AutomationOptions(
        triggers=[TriggerOption(kind=t, time_based=t in TIME_BASED, takes=_TAKES.get(t)) for t in TriggerKind],
        properties=[
            PropertyOption(
                property=prop,
                kind=kind,
                operators=list(OPERATORS[kind]),
                choices=list(CHOICES.get(prop, ())),
                needs_field=prop is Property.CATEGORY_FIELD,
            )
            for prop, kind in PROPERTY_KINDS.items()
        ],
        operators=[OperatorOption(operator=operator, operand=OPERANDS[operator]) for operator in Operator],
        actions=[
            ActionOption(
                kind=kind,
                parameters=list(PARAMETERS[kind]),
                choices={name: list(values) for name, values in PARAMETER_CHOICES.get(kind, {}).items()},
                sets="tag:<tag>" if kind in tags else SETS.get(kind),
            )
            for kind in ActionKind
        ],
    )
