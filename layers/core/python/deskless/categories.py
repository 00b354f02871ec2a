"""Ticket categories with their own fields, and product areas: what an admin sets up so that the
ticket form asks the right questions, and what the server checks a ticket's values against.

    CATEGORIES / <category id>       a category with its fields (a few kB: tens of them in all)
    PRODUCTAREAS / <area id>         a product area

The portal's ticket form and the console read them on every ticket, so each list is one Query
of one partition (one page holds 1 MB: about 60 categories of 10 fields with 8 choices each in
four languages, 15 kB apiece; a category is at most 200 kB). A category names a default team;
the team records it (deskless.teams `category_uses`, in the category's transaction), so a team
in use cannot be deleted.

**A field** has a key (a slug, unique in its category), a kind, a label per language (English
required), help per language, whether it is required, choices for the choice kinds (each a key
and labels), and limits: a maximum length for text, a minimum and maximum for numbers.

**Checking a ticket's values** (`check_values`) answers the cleaned values or raises
InvalidFieldValues (422) with, for each field key, what is wrong: "Required", "Choose one of:
...", "At most 200 characters", "Not a field of this category". Cleaned: text trimmed, numbers as
int or as a float of at most 15 significant digits (stored as a DynamoDB number exactly as
given), dates as `YYYY-MM-DD`, choices by key (several in the category's order).
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError, model_validator

from .data import (
    EXISTS,
    NEW_ITEM,
    Action,
    Condition,
    ConditionFailed,
    Item,
    TransactionCanceled,
    delete_action,
    put_action,
    table,
)
from .errors import Conflict, InvalidFieldValues, InvalidRequest, NotFound
from .fields import LINES, ONE_LINE, FullName, Label
from .languages import Language
from .table import PRODUCT_AREAS, TICKET_CATEGORIES, Entity, product_area_key, stamped, ticket_category_key
from .teams import category_stops_using, category_uses

MAX_FIELDS = 30
MAX_CHOICES = 50
SHORT_TEXT_CHARS = 200
LONG_TEXT_CHARS = 10_000
HELP_CHARS = 500
DESCRIPTION_CHARS = 500
MAX_ORDER = 10_000
MAX_CATEGORY_BYTES = 200_000  # one item, read on every ticket form: well under DynamoDB's 400 kB
SIGNIFICANT_DIGITS = 15  # what a float keeps exactly through Decimal(str(value)), as DynamoDB stores it
LARGEST = 10**15  # a number field's values and limits stay within +-LARGEST (DynamoDB's own range is far wider)
SMALLEST = Decimal("1e-15")  # and nearer zero than this is zero or refused
_ID = re.compile(r"[a-f0-9]{16}")

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$"),
    Field(description="Lower-case letters, digits and _, starting with a letter (1-40 characters)."),
]
Help = Annotated[str, StringConstraints(strip_whitespace=True, max_length=HELP_CHARS), ONE_LINE]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=DESCRIPTION_CHARS), ONE_LINE]
TeamId = Annotated[str, StringConstraints(pattern=r"^[a-f0-9]{16}$")]
Order = Annotated[int, Field(ge=0, le=MAX_ORDER, description="Lists sort by it, then by name.")]


class FieldKind(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    CHECKBOX = "checkbox"
    DATE = "date"


CHOICE_KINDS = frozenset({FieldKind.SINGLE_CHOICE, FieldKind.MULTIPLE_CHOICE})
TEXT_KINDS = {FieldKind.SHORT_TEXT: SHORT_TEXT_CHARS, FieldKind.LONG_TEXT: LONG_TEXT_CHARS}


def _english_required(labels: dict[Language, str]) -> dict[Language, str]:
    if not labels.get("en"):
        raise ValueError("an English label is required")
    return labels


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Slug
    labels: dict[Language, Label] = Field(description="What the choice reads, per language (English required).")

    @model_validator(mode="after")
    def _english(self) -> Self:
        _english_required(self.labels)
        return self


class CategoryField(BaseModel):
    """One question of a category's form."""

    model_config = ConfigDict(extra="forbid")

    key: Slug = Field(description="Names the value in a ticket; unique in its category.")
    kind: FieldKind
    labels: dict[Language, Label] = Field(description="The question, per language (English required).")
    help: dict[Language, Help] = Field(default_factory=dict, description="Help under the question, per language.")
    required: bool = Field(default=False, description="A value must be given (a required checkbox must be ticked).")
    choices: list[Choice] = Field(
        default_factory=list, max_length=MAX_CHOICES, description="The choices of a choice field (none for others)."
    )
    max_length: int | None = Field(
        default=None,
        ge=1,
        le=LONG_TEXT_CHARS,
        description=f"Text fields: at most this many characters (short text at most {SHORT_TEXT_CHARS}, long text "
        f"{LONG_TEXT_CHARS}; none: those).",
    )
    minimum: int | float | None = Field(
        default=None, ge=-LARGEST, le=LARGEST, allow_inf_nan=False, description="Number fields: the least."
    )
    maximum: int | float | None = Field(
        default=None, ge=-LARGEST, le=LARGEST, allow_inf_nan=False, description="Number fields: the most."
    )

    @model_validator(mode="after")
    def _fits_its_kind(self) -> Self:
        _english_required(self.labels)
        if self.kind in CHOICE_KINDS and not self.choices:
            raise ValueError(f"a {self.kind.value} field needs choices")
        if self.kind not in CHOICE_KINDS and self.choices:
            raise ValueError(f"a {self.kind.value} field has no choices")
        if len({choice.key for choice in self.choices}) != len(self.choices):
            raise ValueError("each choice key must be listed once")
        if self.max_length is not None and self.kind not in TEXT_KINDS:
            raise ValueError("only text fields have a maximum length")
        if self.max_length is not None and self.max_length > TEXT_KINDS[self.kind]:
            raise ValueError(f"a {self.kind.value} field holds at most {TEXT_KINDS[self.kind]} characters")
        if (self.minimum is not None or self.maximum is not None) and self.kind != FieldKind.NUMBER:
            raise ValueError("only number fields have a minimum or a maximum")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("the minimum must not be above the maximum")
        return self

    @property
    def longest(self) -> int:
        return self.max_length or TEXT_KINDS.get(self.kind, 0)


class CategoryContent(BaseModel):
    """What an admin writes: a category and its fields."""

    model_config = ConfigDict(extra="forbid")

    name: FullName = Field(description="What staff call it; customers read its label in their language, else this.")
    labels: dict[Language, Label] = Field(default_factory=dict, description="The name customers read, per language.")
    description: Description = ""
    order: Order = 0
    active: bool = Field(default=True, description="Offered on the ticket form (an inactive one stays on its tickets).")
    default_team_id: TeamId | None = Field(default=None, description="The team a new ticket of this category goes to.")
    fields: list[CategoryField] = Field(default_factory=list, max_length=MAX_FIELDS, description="Its form, in order.")

    @model_validator(mode="after")
    def _distinct_keys(self) -> Self:
        keys = [field.key for field in self.fields]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise ValueError(f"each field key must be used once in a category; repeated: {', '.join(repeated)}")
        size = len(json.dumps(self.model_dump(mode="json"), ensure_ascii=False).encode())
        if size > MAX_CATEGORY_BYTES:
            limit = MAX_CATEGORY_BYTES // 1000
            raise ValueError(f"a category holds at most {limit} kB of text; this one {size // 1000}")
        return self


class CategoryChange(CategoryContent):
    revision: int | None = Field(
        default=None,
        ge=1,
        description="The revision the change was made from: if the category changed since, the change is refused "
        "(409). Absent: the change is made whatever the revision.",
    )


class Category(CategoryContent):
    id: str
    revision: int = Field(description="Counts the changes stored.")
    updated_at: int


class NewProductArea(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: FullName
    order: Order = 0


class ProductAreaChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: FullName | None = None
    order: Order | None = None


class ProductArea(NewProductArea):
    id: str


# --- categories ---------------------------------------------------------------------------------


def _category(item: Item) -> Category:
    kept = {name: item[name] for name in CategoryContent.model_fields if name in item}
    return Category.model_validate(
        {**kept, "id": item["category_id"], "revision": item["revision"], "updated_at": item["updated_at"]}
    )


def _in_order(categories: Iterable[Category]) -> list[Category]:
    return sorted(categories, key=lambda category: (category.order, category.name.casefold(), category.id))


def category_of(category_id: str) -> Category | None:
    """One category (a GetItem), or None."""
    if not _ID.fullmatch(category_id):
        return None
    item = table().get(ticket_category_key(category_id), consistent=True)
    return _category(item) if item is not None else None


def list_categories(active_only: bool) -> list[Category]:
    """The categories in order (one Query); only the active ones, for a ticket form, read eventually
    consistent (half the cost, on the hot path; an admin's list reads what was just saved)."""
    items = table().query(TICKET_CATEGORIES, consistent=not active_only)
    listed = _in_order(_category(item) for item in items)
    return [category for category in listed if category.active or not active_only]


def _category_item(category: Category) -> Item:
    return stamped(
        Entity.TICKET_CATEGORY,
        ticket_category_key(category.id),
        category_id=category.id,
        **category.model_dump(mode="json", exclude={"id"}),
    )


def _unknown_team(team_id: str) -> InvalidRequest:
    return InvalidRequest(f"There is no team {team_id!r}: choose one of the teams as the default team.")


def create_category(content: CategoryContent) -> Category:
    """Store a new category (one transaction, with its default team recording it)."""
    category = Category(
        id=secrets.token_hex(8),
        revision=1,
        updated_at=int(time.time()),
        **content.model_dump(include=set(CategoryContent.model_fields)),
    )
    actions = [put_action(_category_item(category), NEW_ITEM)]
    if category.default_team_id is not None:
        actions.append(category_uses(category.default_team_id, category.id))
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        raise _unknown_team(str(category.default_team_id)) from error
    return category


def _changed_meanwhile() -> Conflict:
    return Conflict("Someone else changed this category since you opened it; reload it and make your change again.")


def _stored(category_id: str) -> Category:
    found = category_of(category_id)
    if found is None:
        raise NotFound("There is no such ticket category.")
    return found


def _team_moves(category_id: str, before: str | None, after: str | None) -> list[Action]:
    if before == after:
        return []
    moves = [category_stops_using(before, category_id)] if before is not None else []
    return moves + ([category_uses(after, category_id)] if after is not None else [])


def replace_category(category_id: str, change: CategoryChange) -> Category:
    """The category as the admin wrote it, fields and all (a GetItem, one transaction conditional on
    the revision read, which also moves the default team's record)."""
    before = _stored(category_id)
    if change.revision is not None and change.revision != before.revision:
        raise _changed_meanwhile()
    category = Category(
        id=category_id,
        revision=before.revision + 1,
        updated_at=int(time.time()),
        **change.model_dump(include=set(CategoryContent.model_fields)),
    )
    as_read = Condition("revision = :read", values={":read": before.revision})
    actions = [
        put_action(_category_item(category), as_read),
        *_team_moves(category_id, before.default_team_id, category.default_team_id),
    ]
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        if error.reasons[0] == "ConditionalCheckFailed":
            raise _changed_meanwhile() from error
        raise _unknown_team(str(category.default_team_id)) from error
    return category


def delete_category(category_id: str) -> None:
    """Delete a category (its default team forgets it, in the same transaction). Tickets keep the
    values they were given."""
    before = _stored(category_id)
    as_read = Condition("revision = :read", values={":read": before.revision})
    actions = [delete_action(ticket_category_key(category_id), as_read)]
    actions += _team_moves(category_id, before.default_team_id, None)
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        if category_of(category_id) is None:
            raise NotFound("There is no such ticket category.") from error
        raise _changed_meanwhile() from error


# --- a ticket's values ----------------------------------------------------------------------------

_ONE_LINE = TypeAdapter(Annotated[str, ONE_LINE])
_LINES = TypeAdapter(Annotated[str, LINES])
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _blank(value: object) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def _choices(field: CategoryField) -> str:
    return ", ".join(choice.key for choice in field.choices)


def _text(field: CategoryField, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("Text expected")
    text = value.strip()
    try:
        (_ONE_LINE if field.kind == FieldKind.SHORT_TEXT else _LINES).validate_python(text)
    except ValidationError as error:
        message = error.errors()[0]["msg"].removeprefix("Value error, ")
        raise ValueError(message[:1].upper() + message[1:]) from error
    if len(text) > field.longest:
        raise ValueError(f"At most {field.longest} characters")
    return text


def _number(field: CategoryField, value: object) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError("A number expected")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ValueError("A number expected") from error
    if not number.is_finite():
        raise ValueError("A number expected")
    if abs(number) > LARGEST or (number != 0 and abs(number) < SMALLEST):
        raise ValueError(f"A number between -{LARGEST} and {LARGEST}, at most 15 decimal places")
    if len(number.normalize().as_tuple().digits) > SIGNIFICANT_DIGITS:
        raise ValueError(f"At most {SIGNIFICANT_DIGITS} significant digits")
    if field.minimum is not None and number < Decimal(str(field.minimum)):
        raise ValueError(f"At least {field.minimum}")
    if field.maximum is not None and number > Decimal(str(field.maximum)):
        raise ValueError(f"At most {field.maximum}")
    return int(number) if number == number.to_integral_value() else float(number)


def _single(field: CategoryField, value: object) -> str:
    if not isinstance(value, str) or value not in {choice.key for choice in field.choices}:
        raise ValueError(f"Choose one of: {_choices(field)}")
    return value


def _multiple(field: CategoryField, value: object) -> list[str]:
    keys = [choice.key for choice in field.choices]
    if not isinstance(value, list) or not all(isinstance(key, str) and key in keys for key in value):
        raise ValueError(f"Choose any of: {_choices(field)}")
    if len(set(value)) != len(value):
        raise ValueError("Choose each choice once")
    return [key for key in keys if key in value]


def _checkbox(field: CategoryField, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false expected")
    if field.required and not value:
        raise ValueError("Required")
    return value


def _date(field: CategoryField, value: object) -> str:
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise ValueError("A date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError as error:
        raise ValueError("Not a date in the calendar") from error


_CLEANERS = {
    FieldKind.SHORT_TEXT: _text,
    FieldKind.LONG_TEXT: _text,
    FieldKind.NUMBER: _number,
    FieldKind.SINGLE_CHOICE: _single,
    FieldKind.MULTIPLE_CHOICE: _multiple,
    FieldKind.CHECKBOX: _checkbox,
    FieldKind.DATE: _date,
}


def check_values(category: Category, values: Mapping[str, object]) -> dict[str, object]:
    """A ticket's values for its category's fields, cleaned, in the fields' order (a value left
    blank is left out); InvalidFieldValues names each field whose value does not fit."""
    problems: dict[str, str] = {}
    cleaned: dict[str, object] = {}
    known = {field.key for field in category.fields}
    for key in values:
        if key not in known:
            problems[key] = "Not a field of this category"
    for field in category.fields:
        value = values.get(field.key)
        if _blank(value) or (field.kind == FieldKind.CHECKBOX and value is False and field.required):
            if field.required:
                problems[field.key] = "Required"
            continue
        try:
            cleaned[field.key] = _CLEANERS[field.kind](field, value)
        except ValueError as error:
            problems[field.key] = str(error)
    if problems:
        raise InvalidFieldValues.naming(problems)
    return cleaned


# --- product areas --------------------------------------------------------------------------------


def _area(item: Item) -> ProductArea:
    return ProductArea(id=item["area_id"], name=item["name"], order=item.get("order", 0))


def list_product_areas() -> list[ProductArea]:
    """The product areas in order, then by name (one Query)."""
    areas = [_area(item) for item in table().query(PRODUCT_AREAS, consistent=True)]
    return sorted(areas, key=lambda area: (area.order, area.name.casefold(), area.id))


def check_product_areas(ids: Iterable[str]) -> list[str]:
    """The ids without repeats, if each names a product area (one Query); else InvalidFieldValues
    naming the unknown ones."""
    wanted = list(dict.fromkeys(ids))
    known = {area.id for area in list_product_areas()}
    unknown = {area_id: "Not a product area" for area_id in wanted if area_id not in known}
    if unknown:
        raise InvalidFieldValues("Some product areas do not exist: " + ", ".join(unknown), unknown)
    return wanted


def _area_item(area: ProductArea) -> Item:
    return stamped(Entity.PRODUCT_AREA, product_area_key(area.id), area_id=area.id, name=area.name, order=area.order)


def create_product_area(new: NewProductArea) -> ProductArea:
    area = ProductArea(id=secrets.token_hex(8), name=new.name, order=new.order)
    table().put(_area_item(area), condition=NEW_ITEM)
    return area


def update_product_area(area_id: str, change: ProductAreaChange) -> ProductArea:
    """Rename or reorder a product area (one conditional UpdateItem)."""
    changes: dict[str, Any] = change.model_dump(exclude_none=True)
    if not _ID.fullmatch(area_id):
        raise NotFound("There is no such product area.")
    try:
        if not changes:
            item = table().get(product_area_key(area_id), consistent=True)
            if item is None:
                raise NotFound("There is no such product area.")
            return _area(item)
        return _area(table().update(product_area_key(area_id), set_values=changes, condition=EXISTS))
    except ConditionFailed as error:
        raise NotFound("There is no such product area.") from error


def delete_product_area(area_id: str) -> None:
    """Delete a product area (tickets keep the ids they were given)."""
    if not _ID.fullmatch(area_id):
        raise NotFound("There is no such product area.")
    try:
        table().delete(product_area_key(area_id), condition=EXISTS)
    except ConditionFailed as error:
        raise NotFound("There is no such product area.") from error
