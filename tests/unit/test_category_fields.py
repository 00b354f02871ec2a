"""A category's fields and a ticket's values for them: each kind cleans what it is given (text
trimmed, numbers DynamoDB-safe, dates ISO, choices by key) or says, per field, what is wrong;
a field that does not fit its kind is refused when the admin saves it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from deskless.categories import Category, CategoryContent, CategoryField, check_values
from deskless.errors import InvalidFieldValues


def field(key: str, kind: str, **more: Any) -> dict[str, Any]:
    return {"key": key, "kind": kind, "labels": {"en": key.replace("_", " ").title()}, **more}


def choices(*keys: str) -> list[dict[str, Any]]:
    return [{"key": key, "labels": {"en": key.title()}} for key in keys]


FIELDS = [
    field("summary", "short_text", required=True),
    field("steps", "long_text", max_length=50),
    field("seats", "number", minimum=1, maximum=500),
    field("os", "single_choice", choices=choices("windows", "macos", "linux"), required=True),
    field("modules", "multiple_choice", choices=choices("billing", "crm", "reports")),
    field("agree", "checkbox", required=True),
    field("newsletter", "checkbox"),
    field("since", "date"),
]
CATEGORY = Category(id="0123456789abcdef", name="Software", fields=FIELDS, revision=1, updated_at=0)  # type: ignore[arg-type]
MINIMAL = {"summary": "It crashes", "os": "linux", "agree": True}


def problems(values: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidFieldValues) as refused:
        check_values(CATEGORY, values)
    assert refused.value.status == 422
    assert refused.value.code == "invalid_field_values"
    assert refused.value.details == [{"field": k, "problem": p} for k, p in refused.value.problems.items()]
    return refused.value.problems


def test_values_of_every_kind_come_back_cleaned_in_the_fields_order() -> None:
    values = {
        "since": " 2026-02-28 ",
        "newsletter": False,
        "modules": ["reports", "billing"],
        "os": "macos",
        "seats": "12.50",
        "steps": "  1. open\n2. click  ",
        "summary": "  It crashes  ",
        "agree": True,
    }

    cleaned = check_values(CATEGORY, values)

    assert cleaned == {
        "summary": "It crashes",
        "steps": "1. open\n2. click",
        "seats": 12.5,
        "os": "macos",
        "modules": ["billing", "reports"],  # the category's order
        "agree": True,
        "newsletter": False,
        "since": "2026-02-28",
    }
    assert list(cleaned) == [f["key"] for f in FIELDS]


def test_blank_optional_values_are_left_out() -> None:
    cleaned = check_values(CATEGORY, {**MINIMAL, "steps": "   ", "seats": None, "modules": [], "since": ""})

    assert cleaned == MINIMAL


def test_every_required_field_left_blank_is_named() -> None:
    assert problems({"summary": " ", "agree": False}) == {"summary": "Required", "os": "Required", "agree": "Required"}


def test_an_unknown_key_is_refused() -> None:
    assert problems({**MINIMAL, "colour": "red"}) == {"colour": "Not a field of this category"}


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("summary", "x" * 201, "At most 200 characters"),
        ("summary", 42, "Text expected"),
        ("summary", "one\nline", "Must be one line of visible text; it holds U+000A"),
        ("steps", "y" * 51, "At most 50 characters"),
        ("seats", 0, "At least 1"),
        ("seats", 501, "At most 500"),
        ("seats", "twelve", "A number expected"),
        ("seats", True, "A number expected"),
        ("seats", "NaN", "A number expected"),
        ("seats", "Infinity", "A number expected"),
        ("seats", "1.2345678901234567", "At most 15 significant digits"),
        ("seats", "1e200", "A number between"),
        ("seats", "-1e-200", "A number between"),
        ("os", "beos", "Choose one of: windows, macos, linux"),
        ("os", ["linux"], "Choose one of: windows, macos, linux"),
        ("modules", ["crm", "hr"], "Choose any of: billing, crm, reports"),
        ("modules", "crm", "Choose any of: billing, crm, reports"),
        ("modules", ["crm", "crm"], "Choose each choice once"),
        ("newsletter", "yes", "true or false expected"),
        ("since", "28/02/2026", "A date as YYYY-MM-DD"),
        ("since", "2026-02-30", "Not a date in the calendar"),
        ("since", 20260228, "A date as YYYY-MM-DD"),
    ],
)
def test_a_value_that_does_not_fit_its_field_says_why(key: str, value: Any, problem: str) -> None:
    found = problems({**MINIMAL, key: value})

    assert list(found) == [key]
    assert found[key].startswith(problem), found[key]


def test_numbers_are_kept_as_integers_when_whole() -> None:
    assert check_values(CATEGORY, {**MINIMAL, "seats": 12.0})["seats"] == 12
    assert isinstance(check_values(CATEGORY, {**MINIMAL, "seats": "7"})["seats"], int)


# --- a field as the admin saves it --------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        (field("os", "single_choice"), "a single_choice field needs choices"),
        (field("notes", "short_text", choices=choices("a")), "a short_text field has no choices"),
        (field("os", "multiple_choice", choices=choices("a", "a")), "each choice key must be listed once"),
        (field("seats", "number", max_length=3), "only text fields have a maximum length"),
        (field("notes", "short_text", max_length=201), "a short_text field holds at most 200 characters"),
        (field("notes", "short_text", minimum=1), "only number fields have a minimum or a maximum"),
        (field("seats", "number", minimum=5, maximum=1), "the minimum must not be above the maximum"),
        ({**field("notes", "short_text"), "labels": {"de": "Notizen"}}, "an English label is required"),
        (field("Bad Key", "short_text"), "String should match pattern"),
        (field("notes", "colour"), "Input should be"),
        (field("seats", "number", maximum=1e300), "less than or equal to"),
        (field("seats", "number", minimum=-(10**40)), "greater than or equal to"),
    ],
)
def test_a_field_that_does_not_fit_its_kind_is_refused(given: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError) as refused:
        CategoryField.model_validate(given)

    assert problem in str(refused.value)


def test_a_key_used_twice_in_a_category_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        CategoryContent.model_validate({"name": "Billing", "fields": [field("x", "date"), field("x", "checkbox")]})

    assert "repeated: x" in str(refused.value)


def test_a_category_too_large_to_store_as_one_item_is_refused() -> None:
    many = [{"key": f"c{n}", "labels": {lang: "ž" * 80 for lang in ("en", "es", "de", "cs")}} for n in range(50)]
    fields = [field(f"f{n}", "multiple_choice", choices=many) for n in range(30)]

    with pytest.raises(ValidationError) as refused:
        CategoryContent.model_validate({"name": "Huge", "fields": fields})

    assert "a category holds at most 200 kB of text" in str(refused.value)
