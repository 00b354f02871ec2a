"""The knowledge base in the console, in a real browser (Debian's Chromium through Playwright) on
`deskless dev`: a technician searches the Knowledge base view and sees the hit highlighted, and a
category longer than a page is listed whole through Show more; on a
ticket whose title matches a published article the "Suggested articles" panel lists it, and
"Insert link" puts a Markdown link to the article on the requester's portal into the reply at its
cursor; an admin sees the deflection figures per week.

The knowledge index follows the articles from the table's stream: a test first waits (polling the
API, no set sleep) until its article is searchable. Each test uses its own names."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import APIResponse, Page, Route, expect

from deskless.deflection import week_of
from deskless.table import TYPE_ATTRIBUTE, Entity, kb_deflection_key
from local.seed import DEMO_STAFF
from tests.e2e.conftest import TECHNICIAN_PASSWORD, Platform, bearer, hire, unique, wait_for
from tests.e2e.console import email_of, heard, open_console, sign_in
from tests.e2e.test_portal_browser import found_company

pytestmark = pytest.mark.browser

ADMIN, ALICE = DEMO_STAFF[0], DEMO_STAFF[1]


def word() -> str:
    """One word no other article has: "kb1a2b3c4d"."""
    return unique("kb").replace("-", "")


def written(api: httpx.Client, category: str, title: str, body: str, state: str = "draft") -> dict[str, Any]:
    """An article in English, in a new category of its own: the API's answer."""
    made = api.post("/api/knowledge/categories", json={"name": category})
    assert made.status_code == 201, made.text
    variant = {"title": title, "body": body, "state": state}
    created = api.post("/api/articles", json={"category_id": made.json()["id"], "variants": {"en": variant}})
    assert created.status_code == 201, created.text
    article: dict[str, Any] = created.json()
    return article


def published(api: httpx.Client, title: str, body: str) -> dict[str, Any]:
    """A published public article, once the knowledge index finds it."""
    article = written(api, f"Printing {unique('c')}", title, body, "published")
    searched = title.split()[-1]
    wait_for(
        lambda: any(
            hit["article_id"] == article["id"] for hit in api.get("/api/articles/search", params={"q": searched}).json()
        )
    )
    return article


def test_a_technician_searches_the_knowledge_base_and_sees_the_hit_highlighted(
    platform: Platform, admin_token: str, api: httpx.Client, console: Page
) -> None:
    term = word()
    article = published(api, f"Toner smudges {term}", f"Clean the drum; {term} models need a new one.")
    technician = hire(platform, admin_token, f"Sam {term}")

    # Given a technician on the Knowledge base view
    sign_in(console, platform, technician)
    console.get_by_role("link", name="Knowledge base").click()
    expect(console.get_by_role("heading", name="Knowledge base")).to_be_visible()
    expect(console.get_by_role("heading", name="Deflection")).to_have_count(0)  # admins' only

    # When they type the article's word in the search box
    console.get_by_role("searchbox", name="Search").fill(term)

    # Then the hit shows, its word highlighted in the title and the snippet, and opens the editor
    hits = console.get_by_role("list", name="Search results")
    hit = hits.get_by_role("listitem").filter(has_text=f"Toner smudges {term}")
    expect(hit.locator(".kb-hit-title mark")).to_have_text(term)
    expect(hit.locator(".kb-snippet mark")).to_have_text(term)
    expect(hit).to_contain_text("Published")
    expect(console.get_by_role("searchbox", name="Search")).to_be_focused()  # the results drew around the box
    hit.get_by_role("link").click()
    expect(console.get_by_role("heading", name=f"Toner smudges {term}")).to_be_visible()
    assert console.url.endswith(f"#/knowledge/{article['id']}")


def test_a_tickets_suggested_article_is_inserted_as_a_link_into_the_reply(
    platform: Platform, admin_token: str, api: httpx.Client, console: Page
) -> None:
    term = word()
    title = f"Paper jam {term}"
    article = published(api, title, "Open the back door and pull the sheet out slowly.")
    technician = hire(platform, admin_token, f"Pia {term}")
    crew = found_company(platform, admin_token, f"Jam Works {term}", (technician,))
    requester = api.post(
        "/api/contacts",
        json={"name": "Jo Jammer", "emails": [f"jo-{term}@example.com"], "company_id": crew.company_id},
    )
    assert requester.status_code == 201, requester.text
    ticket = api.post(
        "/api/tickets",
        json={"requester_id": requester.json()["id"], "title": f"Paper jam {term} again", "description": "Stuck."},
    )
    assert ticket.status_code == 201, ticket.text
    number = ticket.json()["ticket"]["number"]

    # Given the technician on the ticket's page, with the start of a reply typed
    open_console(console, platform, email_of(platform, technician), TECHNICIAN_PASSWORD, f"tickets/{number}")
    message = console.get_by_label("Message", exact=True)
    message.fill("Hello Jo, see: ")

    # Then the suggested articles list the one that matches, for the requester's portal
    suggested = console.get_by_role("region", name="Suggested articles")
    item = suggested.get_by_role("listitem").filter(has_text=title)
    url = f"http://{crew.subdomain}.localhost:{platform.port}/help/articles/{article['id']}/en"
    expect(item.get_by_role("link", name=title)).to_have_attribute("href", url)

    # When they insert its link
    item.get_by_role("button", name=f"Insert a link to {title}").click()

    # Then the reply holds a Markdown link to it where the cursor was, and the cursor after it
    expect(message).to_have_value(f"Hello Jo, see: [{title}]({url})")
    expect(message).to_be_focused()


def test_an_admin_sees_the_deflection_figures_per_week(platform: Platform, console: Page) -> None:
    # Given this week has figures (added to whatever the suite counted already)
    week = week_of(time.time())
    platform.aws("dynamodb").update_item(
        TableName=platform.names.table,
        Key={name: {"S": value} for name, value in kb_deflection_key(week).items()},
        UpdateExpression="SET #type = :type, week = :week ADD forms :one, suggested :two, opened :one, abandoned :one",
        ExpressionAttributeNames={"#type": TYPE_ATTRIBUTE},
        ExpressionAttributeValues={
            ":type": {"S": Entity.KB_DEFLECTION.value},
            ":week": {"S": week},
            ":one": {"N": "1"},
            ":two": {"N": "2"},
        },
    )
    with platform.http() as client:
        token = platform.login(ADMIN.email, ADMIN.password)
        figures = next(
            row for row in client.get("/api/knowledge/deflection", headers=bearer(token)).json() if row["week"] == week
        )

    # When an admin opens the Knowledge base view
    open_console(console, platform, ADMIN.email, ADMIN.password, "knowledge")

    # Then the week's row shows its figures in the table's order
    table = console.get_by_role("table", name="Deflection per week")
    row = table.get_by_role("row").filter(has=console.get_by_role("rowheader", name=week))
    cells = [figures[name] for name in ("forms", "suggested", "opened", "abandoned", "submitted_after_opening")]
    expect(row.get_by_role("cell")).to_have_text([str(value) for value in cells])
    assert figures["forms"] >= 1
    assert figures["abandoned"] >= 1


def test_an_admin_renames_a_knowledge_category_in_its_dialog_and_a_refusal_stays_in_it(
    platform: Platform, api: httpx.Client, console: Page
) -> None:
    name = f"Scanning {unique('c')}"
    created = api.post("/api/knowledge/categories", json={"name": name})
    assert created.status_code == 201, created.text

    # Given an admin editing the category
    open_console(console, platform, ADMIN.email, ADMIN.password, "kb-categories")
    console.get_by_role("button", name=f"Edit {name}").click()
    dialog = console.get_by_role("dialog", name=f"Edit {name}")
    expect(dialog.get_by_label("Name", exact=True)).to_be_focused()

    # When the name is emptied and saved, the API's refusal stays in the dialog, by the field
    dialog.get_by_label("Name", exact=True).fill("")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator("[data-error-for=name]")).to_be_visible()

    # When a new name is saved
    dialog.get_by_label("Name", exact=True).fill(f"{name} and copying")
    dialog.get_by_role("button", name="Save").click()

    # Then the dialog closes and the list shows it, as the API stores it
    expect(dialog).to_have_count(0)
    table = console.get_by_role("table", name="Knowledge-base categories")
    expect(table.get_by_role("rowheader", name=f"{name} and copying")).to_be_visible()
    stored = next(c for c in api.get("/api/knowledge/categories").json() if c["id"] == created.json()["id"])
    assert stored["name"] == f"{name} and copying"


def test_a_category_longer_than_a_page_is_listed_whole_through_show_more(
    platform: Platform, api: httpx.Client, console: Page
) -> None:
    category = api.post("/api/knowledge/categories", json={"name": f"Paged {unique('c')}"})
    assert category.status_code == 201, category.text
    category_id = category.json()["id"]
    for number in range(3):
        variant = {"title": f"Paged {word()} {number}", "body": "Draft.", "state": "draft"}
        created = api.post("/api/articles", json={"category_id": category_id, "variants": {"en": variant}})
        assert created.status_code == 201, created.text

    # the server's page is 200 articles: the browser gets the category's one article a page
    def one_a_page(route: Route) -> None:
        query = parse_qs(urlsplit(route.request.url).query)
        if query.get("category_id") != [category_id]:
            route.fallback()
            return
        whole = route.fetch(url=urlsplit(route.request.url)._replace(query=f"category_id={category_id}").geturl())
        articles = whole.json()["articles"]
        at = int(query.get("after", ["0"])[0])
        route.fulfill(json={"articles": articles[at : at + 1], "next": str(at + 1) if at + 1 < len(articles) else None})

    console.route("**/api/articles?*", one_a_page)
    open_console(console, platform, ADMIN.email, ADMIN.password, "knowledge")
    rows = console.get_by_role("table", name="Articles").locator("tbody tr")
    more = console.get_by_role("button", name="Show more")

    # Given the category chosen: its first page, and Show more
    console.get_by_label("Category").select_option(label=category.json()["name"])
    expect(rows).to_have_count(1)

    # When Show more is clicked until it goes, every article of the category is listed, in order
    more.click()
    expect(rows).to_have_count(2)
    more.click()
    expect(rows).to_have_count(3)
    expect(more).to_be_hidden()
    listed = api.get("/api/articles", params={"category_id": category_id}).json()["articles"]
    expect(rows.locator("th")).to_have_text([article["variants"]["en"]["title"] for article in listed])


def test_an_article_left_before_it_came_is_not_drawn_over_the_next_view(
    platform: Platform, api: httpx.Client, console: Page
) -> None:
    term = word()
    article = written(api, f"Slow {term}", f"Slow article {term}", "Wait for it.")
    held: list[tuple[Route, APIResponse]] = []  # the article, as the server answered

    def hold_the_article(route: Route) -> None:
        held.append((route, route.fetch()))

    console.route(f"**/api/articles/{article['id']}", hold_the_article)

    # Given a technician opening the article, which is slow to come
    open_console(console, platform, ALICE.email, ALICE.password, f"knowledge/{article['id']}")
    heard(console, held)

    # When they go to the Contacts view before it comes, and then it comes
    console.get_by_role("link", name="Contacts").click()
    expect(console.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
    ((route, answer),) = held
    with console.expect_event("requestfinished", lambda finished: finished == route.request):
        route.fulfill(response=answer)
    assert console.evaluate("fetch('/api/config').then((response) => response.ok)")  # the page has taken it in

    # Then the Contacts view stays, and the article's editor is nowhere
    expect(console.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
    expect(console.get_by_role("heading", name=f"Slow article {term}")).to_have_count(0)
    assert console.url.endswith("#/contacts")


def test_the_preview_shows_the_body_typed_last_whichever_answer_comes_last(
    platform: Platform, api: httpx.Client, console: Page
) -> None:
    term = word()
    article = written(api, f"Preview {term}", f"Preview {term}", "Start.")
    held: list[tuple[Route, APIResponse]] = []  # the preview of the first draft, as the server answered

    def hold_the_first_draft(route: Route) -> None:
        if "First draft" in (route.request.post_data or ""):
            held.append((route, route.fetch()))
        else:
            route.fallback()

    console.route("**/api/articles/preview", hold_the_first_draft)
    open_console(console, platform, ALICE.email, ALICE.password, f"knowledge/{article['id']}")
    body = console.get_by_label("Body (Markdown)").and_(console.locator("[name=body-en]"))
    preview = console.locator("#kb-panel-en .kb-preview")
    expect(preview).to_have_text("Start.")

    # Given a body typed, whose preview is slow to come
    body.fill("First draft")
    heard(console, held)

    # When the body is typed on, its preview comes, and then the first one
    body.fill("Second draft")
    expect(preview).to_have_text("Second draft")
    ((route, answer),) = held
    with console.expect_event("requestfinished", lambda finished: finished == route.request):
        route.fulfill(response=answer)
    assert console.evaluate("fetch('/api/config').then((response) => response.ok)")  # the page has taken it in

    # Then the preview is of what was typed last
    expect(preview).to_have_text("Second draft")
