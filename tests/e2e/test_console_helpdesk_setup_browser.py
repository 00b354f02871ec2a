"""The help desk's setup in a real browser (Debian's Chromium through Playwright) on `deskless
dev`: the demo admin creates a team with a member, a ticket category with a required
single-choice field going to that team, and changes the priority matrix; each is read back
through the API as the tickets function and the portal's form will read it.

Names are unique per run; the settings are put back as they were (they are global to the test
platform)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from local.seed import DEMO_STAFF
from tests.e2e.conftest import Platform, hire, unique, wait_for
from tests.e2e.console import confirm, console_url, open_console

pytestmark = pytest.mark.browser

ADMIN = DEMO_STAFF[0]


def dialog(page: Page) -> Locator:
    return page.get_by_role("dialog")


def row(page: Page, name: str) -> Locator:
    return page.locator("tr").filter(has=page.get_by_role("rowheader", name=name, exact=True))


@pytest.fixture
def settings_restored(api: httpx.Client) -> Iterator[dict[str, Any]]:
    before: dict[str, Any] = api.get("/api/settings").json()
    yield before
    restored = api.patch("/api/settings", json={"priority_matrix": before["priority_matrix"]})
    assert restored.status_code == 200, restored.text


def test_an_admin_sets_up_a_team_a_category_with_a_required_choice_and_the_priority_matrix(
    platform: Platform, admin_token: str, api: httpx.Client, console: Page, settings_restored: dict[str, Any]
) -> None:
    label = unique("s")
    member = hire(platform, admin_token, f"Mia {label}")
    team_name, category_name = f"Apps {label}", f"Software {label}"
    open_console(console, platform, ADMIN.email, ADMIN.password, "teams")

    # When the admin creates a team with one member
    console.get_by_role("button", name="New team").click()
    dialog(console).get_by_label("Team name").fill(team_name)
    dialog(console).get_by_label(member.name).check()
    dialog(console).get_by_role("button", name="Create team").click()

    # Then it is listed with its member
    expect(row(console, team_name)).to_contain_text(member.name)

    # When they create a category going to that team, with a required single-choice field
    console.goto(console_url(platform) + "#/categories")
    console.get_by_role("button", name="New category").click()
    form = dialog(console)
    form.get_by_label("Category name").fill(category_name)
    form.get_by_label("Default team").select_option(label=team_name)
    form.get_by_role("button", name="Add a field").click()
    field = form.get_by_role("group", name="Field 1")
    expect(field.get_by_label("Key")).to_be_focused()
    field.get_by_label("Key").fill("os")
    field.get_by_label("Kind").select_option(label="Single choice")
    field.get_by_label("Required").check()
    field.get_by_label("Question (English)").fill("Operating system")
    for number, (key, text) in enumerate((("windows", "Windows"), ("linux", "Linux")), start=1):
        field.get_by_role("button", name="Add a choice").click()
        field.get_by_label(f"Choice {number} key").fill(key)
        field.get_by_label(f"Choice {number} label (English)").fill(text)
    form.get_by_role("button", name="Create category").click()

    # Then it is listed with its field and its team
    listed = row(console, category_name)
    expect(listed).to_contain_text("os")
    expect(listed).to_contain_text(team_name)

    # When they make "very urgent, very high impact" major in the priority matrix and save
    console.goto(console_url(platform) + "#/settings")
    cell = console.get_by_label("Priority when urgency is very high and impact is very high")
    expect(cell).to_have_value("very_high")  # GLPI's default
    cell.select_option(label="Major")
    console.get_by_role("button", name="Save settings").click()
    expect(console.get_by_text("Settings saved.")).to_be_visible()

    # Then the API reads back what the admin set up
    team = next(t for t in api.get("/api/teams").json() if t["name"] == team_name)
    assert team["members"] == [member.id]
    category = next(c for c in api.get("/api/ticket-categories").json() if c["name"] == category_name)
    assert category["default_team_id"] == team["id"]
    assert category["fields"] == [
        {
            "key": "os",
            "kind": "single_choice",
            "labels": {"en": "Operating system"},
            "help": {},
            "required": True,
            "choices": [
                {"key": "windows", "labels": {"en": "Windows"}},
                {"key": "linux", "labels": {"en": "Linux"}},
            ],
            "max_length": None,
            "minimum": None,
            "maximum": None,
        }
    ]
    matrix = api.get("/api/settings").json()["priority_matrix"]
    assert matrix["very_high"]["very_high"] == "major"
    assert {u: {i: p for i, p in row.items() if (u, i) != ("very_high", "very_high")} for u, row in matrix.items()} == {
        u: {i: p for i, p in row.items() if (u, i) != ("very_high", "very_high")}
        for u, row in settings_restored["priority_matrix"].items()
    }

    # And "Reset to default" brings GLPI's matrix back (the notice of the first save may still show:
    # the API says when the second is stored)
    console.get_by_role("button", name="Reset to default").click()
    expect(cell).to_have_value("very_high")
    console.get_by_role("button", name="Save settings").click()
    wait_for(
        lambda: api.get("/api/settings").json()["priority_matrix"]["very_high"]["very_high"] == "very_high", timeout=15
    )


def test_a_team_in_use_is_not_deleted_and_the_console_says_why(
    platform: Platform, api: httpx.Client, console: Page
) -> None:
    label = unique("s")
    team = api.post("/api/teams", json={"name": f"Net {label}"}).json()
    made = api.post("/api/ticket-categories", json={"name": f"Network {label}", "default_team_id": team["id"]})
    assert made.status_code == 201, made.text
    open_console(console, platform, ADMIN.email, ADMIN.password, "teams")

    row(console, team["name"]).get_by_role("button", name=f"Delete {team['name']}").click()
    confirm(console, "Delete")

    expect(console.get_by_role("alert").filter(has_text="choose another default team")).to_be_visible()
    expect(row(console, team["name"])).to_be_visible()


def test_an_admin_reorders_categories_and_edits_a_categorys_fields(
    platform: Platform, api: httpx.Client, console: Page
) -> None:
    label = unique("s")
    first, second = f"Alpha {label}", f"Beta {label}"
    fields = [
        {"key": "summary", "kind": "short_text", "labels": {"en": "Summary"}},
        {"key": "seats", "kind": "number", "labels": {"en": "Seats"}, "minimum": 1},
        {"key": "since", "kind": "date", "labels": {"en": "Since"}},
    ]
    for name in (first, second):
        made = api.post("/api/ticket-categories", json={"name": name, "order": 9000, "fields": fields})
        assert made.status_code == 201, made.text
    open_console(console, platform, ADMIN.email, ADMIN.password, "categories")

    # When the admin moves the second category up
    row(console, second).get_by_role("button", name=f"Move {second} up").click()

    # Then it is listed, and read, before the first
    names = console.get_by_role("rowheader")
    expect(names.filter(has_text=label)).to_have_text([second, first])
    ordered = [c["name"] for c in api.get("/api/ticket-categories").json() if label in c["name"]]
    assert ordered == [second, first]

    # When they edit the first one: the date moves above the number, the summary goes, it is hidden
    row(console, first).get_by_role("button", name=f"Edit {first}").click()
    form = dialog(console)
    form.get_by_role("button", name="Move field 3 up").click()
    expect(form.get_by_role("button", name="Move field 2 up")).to_be_focused()
    form.get_by_role("button", name="Remove field 1").click()
    form.get_by_label("Offered on the ticket form").uncheck()
    form.get_by_role("button", name="Save category").click()

    # Then the category keeps the two fields in their new order, and the form no longer offers it
    expect(row(console, first)).to_contain_text("Hidden")
    saved = next(c for c in api.get("/api/ticket-categories").json() if c["name"] == first)
    assert [(f["key"], f.get("minimum")) for f in saved["fields"]] == [("since", None), ("seats", 1)]
    offered = api.get("/api/ticket-categories", params={"active_only": "true"}).json()
    assert first not in [c["name"] for c in offered]


def test_an_admin_keeps_product_areas(platform: Platform, api: httpx.Client, console: Page) -> None:
    label = unique("s")
    open_console(console, platform, ADMIN.email, ADMIN.password, "product-areas")

    # When the admin adds a product area, then renames it
    console.get_by_label("Name").fill(f"Billing {label}")
    console.get_by_role("button", name="Add product area").click()
    row(console, f"Billing {label}").get_by_role("button", name=f"Edit Billing {label}").click()
    dialog(console).get_by_label("Name").fill(f"Invoices {label}")
    dialog(console).get_by_role("button", name="Save").click()

    # Then the list and the API show the new name
    expect(row(console, f"Invoices {label}")).to_be_visible()
    assert f"Invoices {label}" in [a["name"] for a in api.get("/api/product-areas").json()]

    # When they delete it, it is gone
    row(console, f"Invoices {label}").get_by_role("button", name=f"Delete Invoices {label}").click()
    confirm(console, "Delete")
    expect(row(console, f"Invoices {label}")).to_have_count(0)
    assert f"Invoices {label}" not in [a["name"] for a in api.get("/api/product-areas").json()]


def test_a_form_dialog_opens_on_its_first_field_cancels_with_escape_saves_with_enter_and_keeps_its_errors(
    platform: Platform, api: httpx.Client, console: Page
) -> None:
    # Given a team whose name is taken
    label = unique("d")
    taken, dropped, fresh = f"Taken {label}", f"Dropped {label}", f"Fresh {label}"
    assert api.post("/api/teams", json={"name": taken}).status_code == 201
    open_console(console, platform, ADMIN.email, ADMIN.password, "teams")
    create = console.get_by_role("button", name="New team")

    # When the admin opens New team, types a name and presses Escape
    create.click()
    name = dialog(console).get_by_label("Team name")
    expect(name).to_be_focused()
    name.fill(dropped)
    name.press("Escape")

    # Then the dialog is gone, the focus is back on New team, and nothing was saved
    expect(dialog(console)).to_have_count(0)
    expect(create).to_be_focused()

    # When they try the taken name in another case, with Enter
    create.click()
    dialog(console).get_by_label("Team name").fill(taken.upper())
    dialog(console).get_by_label("Team name").press("Enter")

    # Then the dialog stays open, says why next to the name, and may be sent again
    expect(dialog(console).locator('[data-error-for="name"]')).to_contain_text("already")
    expect(dialog(console).get_by_role("alert")).to_have_text("Not saved: see the field marked.")
    expect(dialog(console).get_by_label("Team name")).to_be_focused()
    expect(dialog(console).get_by_role("button", name="Create team")).to_be_enabled()

    # When they give another name
    dialog(console).get_by_label("Team name").fill(fresh)
    dialog(console).get_by_role("button", name="Create team").click()

    # Then the dialog closes and the team is listed; the one dropped never was
    expect(dialog(console)).to_have_count(0)
    expect(row(console, fresh)).to_be_visible()
    names = {team["name"] for team in api.get("/api/teams").json()}
    assert fresh in names
    assert dropped not in names
