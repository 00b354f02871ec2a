"""Knowledge-base articles: staff write them through the knowledge function (a language per
variant, each with its own state; a stale revision is refused and nothing stored; every save in
the history), admins keep the categories (only an empty one may be deleted), and readers read the
published ones on the portal through the portals function: a draft, an archived language, an
internal article, one limited to another company, and a `customers` one for a signed-out reader
are each the same 404 as a missing article, on the page and on the vote. Votes count once per
reader.

Handlers run in this process with real-shaped HTTP API events against moto; each operation's
DynamoDB requests are counted as AWS would bill them."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest

from deskless.auth import Principal
from deskless.contacts import Contact
from deskless.credentials import SESSION_COOKIE
from deskless.table import article_partition
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, HttpResult, add_staff, call_http, current, http_event, invoke, ok, refused
from tests.integration.test_portal_accounts import ACME, GLOBEX, HELP, contact


class KnowledgeApi:
    def __init__(self, aws: LocalAws) -> None:
        self.origin_secret = aws.origin_secret

    def call(
        self, route_key: str, *, caller: Principal = TECHNICIAN, body: Any = None, query: dict[str, str] | None = None
    ) -> HttpResult:
        base = "http_staff_create" if body is not None else "http_staff_list"
        event = http_event(base, origin_secret=self.origin_secret, principal=caller, body=body, route_key=route_key)
        if body is None:
            event.pop("body", None)
        event["rawQueryString"] = urlencode(query or {})
        event["queryStringParameters"] = query or None
        return call_http("knowledge", event)

    def category(self, name: str = "Printing", **more: Any) -> Any:
        return ok(self.call("POST /api/knowledge/categories", caller=ADMIN, body={"name": name, **more}), 201)

    def article(self, category_id: str, **more: Any) -> Any:
        body = {
            "category_id": category_id,
            "variants": {"en": {"title": "Printing from a laptop", "body": "# Steps\n\n1. Open", "state": "published"}},
            **more,
        }
        return ok(self.call("POST /api/articles", body=body), 201)


@dataclass
class Reader:
    """A browser on one host reading the knowledge base: it keeps its cookies and sends forms as a
    page of that host does (with its Origin)."""

    aws: LocalAws
    host: str
    ip: str = "198.51.100.9"
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, route_key: str, form: dict[str, str] | None = None, **query: str) -> HttpResult:
        post = route_key.startswith("POST ")
        headers = {
            "x-deskless-host": self.host,
            "x-deskless-viewer-ip": self.ip,
            "accept-language": "en",
            **({"origin": f"http://{self.host}", "content-type": "application/x-www-form-urlencoded"} if post else {}),
        }
        event = http_event(
            "http_portal_home",
            origin_secret=self.aws.origin_secret,
            route_key=route_key,
            body=urlencode(form) if form is not None else None,
            headers=headers,
        )
        event["cookies"] = [f"{name}={value}" for name, value in self.cookies.items()]
        event["rawQueryString"] = urlencode(query)
        event["queryStringParameters"] = query or None
        result = invoke("portals", event)
        for cookie in [*result.get("cookies", []), result.get("headers", {}).get("set-cookie", "")]:
            name, _, rest = cookie.partition("=")
            if name:
                self.cookies[name] = rest.split(";", 1)[0]
        return HttpResult(result["statusCode"], result.get("headers", {}), result.get("body", ""))

    def page(self, article: dict[str, Any], language: str = "en") -> HttpResult:
        return self.request(f"GET /help/articles/{article['id']}/{language}")

    def vote(self, article: dict[str, Any], helpful: str = "yes", language: str = "en") -> HttpResult:
        return self.request(f"POST /help/articles/{article['id']}/{language}/vote", {"helpful": helpful})

    def sign_in(self, email: str) -> None:
        from tests.integration.test_portal_accounts import PASSWORD

        answer = self.request("POST /help/sign-in", {"email": email, "password": PASSWORD})
        assert answer.status == 303, answer.body
        assert SESSION_COOKIE in self.cookies


@contextmanager
def dynamodb_requests() -> Iterator[Counter[str]]:
    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        yield calls


@pytest.fixture
def api(aws: LocalAws) -> KnowledgeApi:
    add_staff(ADMIN, TECHNICIAN)
    return KnowledgeApi(aws)


@pytest.fixture
def carla(aws: LocalAws) -> Contact:
    """A contact of Acme, whose portal is acme.localhost."""
    return contact("Acme", "carla@acme.example.com", subdomain="acme")


def titles(page: HttpResult) -> list[str]:
    return re.findall(r'<li><a href="/help/articles/[0-9a-f]+/\w\w/[a-z0-9-]+"[^>]*>([^<]+)</a></li>', page.body)


# --- staff: writing -------------------------------------------------------------------------------


def test_a_technician_writes_an_article_in_two_languages_in_one_transaction(api: KnowledgeApi) -> None:
    category = api.category()
    body = {
        "category_id": category["id"],
        "tags": ["Printer", "wifi", "printer"],
        "variants": {
            "en": {"title": "Printing from a laptop", "body": "Open **Settings**.", "state": "published"},
            "cs": {"title": "Tisk z notebooku", "body": "Otevřete **Nastavení**."},
        },
    }

    with dynamodb_requests() as calls:
        article = ok(api.call("POST /api/articles", body=body), 201)

    assert calls == {"TransactWriteItems": 1}
    assert article["revision"] == 1
    assert article["tags"] == ["printer", "wifi"]
    assert article["visibility"] == "public"
    assert article["author"] == {"id": TECHNICIAN.user_id, "name": TECHNICIAN.name}
    assert {language: variant["state"] for language, variant in article["variants"].items()} == {
        "en": "published",
        "cs": "draft",
    }
    with dynamodb_requests() as calls:
        read = ok(api.call(f"GET /api/articles/{article['id']}"))
    assert calls == {"Query": 1}
    assert read == article
    assert ok(api.call("GET /api/knowledge/categories"))[0]["articles"] == 1


def test_an_article_needs_a_category_that_exists(api: KnowledgeApi) -> None:
    body = {"category_id": "0123456789abcdef", "variants": {"en": {"title": "Lost"}}}

    assert refused(api.call("POST /api/articles", body=body)) == (400, "invalid_request")
    assert ok(api.call("GET /api/articles"))["articles"] == []


def test_publishing_a_variant_is_one_query_and_one_transaction_and_is_in_the_history(api: KnowledgeApi) -> None:
    category = api.category()
    article = api.article(category["id"], variants={"en": {"title": "Wi-Fi", "body": "Join the network."}})
    change = {"revision": 1, "variants": {"en": {"state": "published"}, "de": {"title": "WLAN", "body": "Verbinden."}}}

    with dynamodb_requests() as calls:
        published = ok(api.call(f"PATCH /api/articles/{article['id']}", body=change))

    assert calls == {"Query": 1, "TransactWriteItems": 1}
    assert published["revision"] == 2
    assert published["variants"]["en"]["state"] == "published"
    assert published["variants"]["de"]["state"] == "draft"
    history = ok(api.call(f"GET /api/articles/{article['id']}/history"))
    assert [entry["changes"] for entry in history] == [
        [
            {"language": "en", "field": "state", "before": "draft", "after": "published"},
            {"language": "de", "field": "created", "before": None, "after": "draft"},
        ],
        [{"language": "en", "field": "created", "before": None, "after": "draft"}],
    ]
    assert all(entry["by"]["name"] == TECHNICIAN.name for entry in history)


def test_a_change_from_a_stale_revision_is_refused_and_nothing_is_stored(api: KnowledgeApi) -> None:
    category = api.category()
    article = api.article(category["id"])
    ok(api.call(f"PATCH /api/articles/{article['id']}", body={"revision": 1, "tags": ["first"]}))

    stale = {"revision": 1, "variants": {"en": {"title": "Overwritten"}}, "visibility": "internal"}
    answer = api.call(f"PATCH /api/articles/{article['id']}", body=stale)

    assert refused(answer) == (409, "conflict")
    stored = ok(api.call(f"GET /api/articles/{article['id']}"))
    assert stored["revision"] == 2
    assert stored["variants"]["en"]["title"] == "Printing from a laptop"
    assert stored["visibility"] == "public"
    assert len(ok(api.call(f"GET /api/articles/{article['id']}/history"))) == 2


def test_staff_list_articles_by_category_and_by_state_in_one_query(api: KnowledgeApi) -> None:
    printing, network = api.category("Printing"), api.category("Network")
    first = api.article(printing["id"])
    api.article(network["id"], variants={"en": {"title": "VPN"}})

    with dynamodb_requests() as calls:
        in_printing = ok(api.call("GET /api/articles", query={"category_id": printing["id"]}))
    with dynamodb_requests() as state_calls:
        drafts = ok(api.call("GET /api/articles", query={"state": "draft"}))

    assert calls == {"Query": 1}
    assert state_calls == {"Query": 1}
    assert [article["id"] for article in in_printing["articles"]] == [first["id"]]
    assert [article["variants"]["en"]["title"] for article in drafts["articles"]] == ["VPN"]
    assert len(ok(api.call("GET /api/articles"))["articles"]) == 2


def test_the_preview_renders_markdown_as_the_portal_will_with_script_and_javascript_links_inert(
    api: KnowledgeApi,
) -> None:
    body = "## Steps\n\n<script>alert(1)</script> [click](javascript:alert(1)) [docs](https://docs.example)"

    shown = ok(api.call("POST /api/articles/preview", body={"body": body}))

    assert "<h3>Steps</h3>" in shown["html"]
    assert "<script>" not in shown["html"]
    assert "&lt;script&gt;" in shown["html"]
    assert 'href="javascript' not in shown["html"]
    assert '<a href="https://docs.example"' in shown["html"]
    assert "docs (https://docs.example)" in shown["text"]


def test_technicians_may_not_keep_the_categories(api: KnowledgeApi) -> None:
    assert refused(api.call("POST /api/knowledge/categories", body={"name": "Mine"})) == (403, "forbidden")


def test_an_admin_renames_and_reorders_a_category_and_an_unknown_one_is_not_found(api: KnowledgeApi) -> None:
    category = api.category("Printing", order=5)
    path = f"/api/knowledge/categories/{category['id']}"

    renamed = ok(api.call(f"PATCH {path}", caller=ADMIN, body={"name": "Printers", "labels": {"de": "Drucker"}}))
    unchanged = ok(api.call(f"PATCH {path}", caller=ADMIN, body={}))
    unknown = api.call("PATCH /api/knowledge/categories/0123456789abcdef", caller=ADMIN, body={})
    unknown_change = api.call("PATCH /api/knowledge/categories/0123456789abcdef", caller=ADMIN, body={"order": 1})

    assert renamed == {**category, "name": "Printers", "labels": {"de": "Drucker"}}
    assert unchanged == renamed
    assert refused(unknown) == (404, "not_found")
    assert refused(unknown_change) == (404, "not_found")


def test_only_an_empty_category_is_deleted(api: KnowledgeApi) -> None:
    category = api.category()
    article = api.article(category["id"])

    held = api.call(f"DELETE /api/knowledge/categories/{category['id']}", caller=ADMIN)
    ok(api.call(f"DELETE /api/articles/{article['id']}", query={"revision": "1"}), 204)
    emptied = api.call(f"DELETE /api/knowledge/categories/{category['id']}", caller=ADMIN)

    assert refused(held) == (409, "conflict")
    assert emptied.status == 204
    assert ok(api.call("GET /api/knowledge/categories")) == []
    assert refused(api.call(f"GET /api/articles/{article['id']}")) == (404, "not_found")


def test_moving_an_article_moves_its_count_and_its_place_in_the_lists(api: KnowledgeApi) -> None:
    printing, network = api.category("Printing", order=1), api.category("Network", order=2)
    article = api.article(printing["id"])

    ok(api.call(f"PATCH /api/articles/{article['id']}", body={"revision": 1, "category_id": network["id"]}))

    counts = {category["name"]: category["articles"] for category in ok(api.call("GET /api/knowledge/categories"))}
    assert counts == {"Printing": 0, "Network": 1}
    assert ok(api.call("GET /api/articles", query={"category_id": printing["id"]}))["articles"] == []
    assert len(ok(api.call("GET /api/articles", query={"category_id": network["id"]}))["articles"]) == 1


# --- readers on the portal ------------------------------------------------------------------------


def test_a_signed_out_reader_reads_a_published_article_and_the_list_in_few_requests(
    aws: LocalAws, api: KnowledgeApi, carla: Contact
) -> None:
    category = api.category("Printing", labels={"es": "Impresión"})
    article = api.article(
        category["id"],
        variants={
            "en": {"title": "Printing from a laptop", "body": "Open **Settings**.", "state": "published"},
            "es": {"title": "Imprimir desde un portátil", "body": "Abra **Ajustes**.", "state": "published"},
            "cs": {"title": "Tisk z notebooku", "body": "Koncept."},
        },
    )
    reader = Reader(aws, ACME)

    with dynamodb_requests() as calls:
        page = reader.page(article)
    with dynamodb_requests() as list_calls:
        index = reader.request("GET /help/articles")
    spanish = reader.request("GET /help/articles", lang="es")

    assert page.status == 200, page.body
    assert "<strong>Settings</strong>" in page.body
    # the switcher: the published languages, each at its address
    assert f'href="/help/articles/{article["id"]}/es/imprimir-desde-un-portatil"' in page.body
    assert f"/help/articles/{article['id']}/cs" not in page.body
    assert re.search(r"img-src [^;]*https:;", page.headers["content-security-policy"])
    # the portal (its subdomain, its company), the article, the categories
    assert calls == {"GetItem": 1, "Query": 3}
    assert index.status == 200
    assert titles(index) == ["Printing from a laptop"]
    # the portal, the categories, and what a signed-out reader of Acme's portal sees: public, public@acme
    assert list_calls == {"GetItem": 1, "Query": 4}
    assert titles(spanish) == ["Imprimir desde un portátil"]
    assert "Impresión" in spanish.body


def test_an_address_with_a_stale_slug_leads_to_the_current_one_and_never_reveals_a_hidden_article(
    aws: LocalAws, api: KnowledgeApi, carla: Contact
) -> None:
    category = api.category()
    article = api.article(category["id"])
    hidden = api.article(category["id"], visibility="internal")
    reader = Reader(aws, ACME)
    ok(api.call(f"PATCH /api/articles/{article['id']}", body={"revision": 1, "variants": {"en": {"title": "Print"}}}))

    current_page = reader.request(f"GET /help/articles/{article['id']}/en/print")
    stale = reader.request(f"GET /help/articles/{article['id']}/en/printing-from-a-laptop")
    listed = reader.request("GET /help/articles")
    hidden_page = reader.request(f"GET /help/articles/{hidden['id']}/en/anything")

    assert current_page.status == 200
    assert stale.status == 301
    assert stale.headers["location"] == f"/help/articles/{article['id']}/en/print"
    assert f'href="/help/articles/{article["id"]}/en/print"' in listed.body
    assert hidden_page.status == 404


def test_a_reader_lists_one_category_in_one_query_per_audience(
    aws: LocalAws, api: KnowledgeApi, carla: Contact
) -> None:
    printing, network = api.category("Printing"), api.category("Network")
    api.article(printing["id"])
    api.article(network["id"], variants={"en": {"title": "VPN", "state": "published"}})
    reader = Reader(aws, ACME)

    with dynamodb_requests() as calls:
        listed = reader.request("GET /help/articles", category=network["id"])

    assert listed.status == 200
    assert titles(listed) == ["VPN"]
    assert 'id="all-articles" href="/help/articles"' in listed.body
    # the portal, the categories, and the category's part of each audience's list: public, public@acme
    assert calls == {"GetItem": 1, "Query": 4}
    assert sorted(titles(reader.request("GET /help/articles"))) == ["Printing from a laptop", "VPN"]


@pytest.mark.parametrize(
    ("settings", "language"),
    [
        ({"variants": {"en": {"title": "Draft", "state": "draft"}}}, "en"),
        ({"variants": {"en": {"title": "Old", "state": "archived"}}}, "en"),
        ({"visibility": "internal"}, "en"),
        ({"companies": ["0000000000000000"]}, "en"),
        ({"visibility": "customers"}, "en"),
        ({}, "cs"),  # published in English only
        ({}, "fr"),
    ],
    ids=["draft", "archived", "internal", "another-company", "customers-signed-out", "no-such-language", "fr"],
)
def test_what_a_reader_may_not_read_is_the_same_404_as_a_missing_article_on_the_page_and_the_vote(
    aws: LocalAws, api: KnowledgeApi, carla: Contact, settings: dict[str, Any], language: str
) -> None:
    category = api.category()
    article = api.article(category["id"], **settings)
    reader = Reader(aws, ACME)
    missing = reader.page({"id": "0123456789abcdef"}, language)

    page = reader.page(article, language)
    voted = reader.vote(article, language=language)

    assert missing.status == 404
    assert page.status == 404
    assert page.body == missing.body
    assert voted.status == 404
    assert voted.body == missing.body
    if language == "en":  # nor is it listed
        assert titles(reader.request("GET /help/articles")) == []
    assert ok(api.call(f"GET /api/articles/{article['id']}"))["votes"] == {"helpful": 0, "unhelpful": 0}


@pytest.mark.parametrize(
    "change",
    [
        {"variants": {"en": {"state": "draft"}}},
        {"variants": {"en": {"state": "archived"}}},
        {"visibility": "internal"},
        {"visibility": "customers"},
        {"companies": ["0000000000000000"]},
    ],
    ids=["unpublished", "archived", "made-internal", "for-customers", "limited-to-another-company"],
)
def test_a_change_takes_an_article_off_the_portal_at_once(
    aws: LocalAws, api: KnowledgeApi, carla: Contact, change: dict[str, Any]
) -> None:
    article = api.article(api.category()["id"])
    reader = Reader(aws, ACME)
    assert reader.page(article).status == 200

    ok(api.call(f"PATCH /api/articles/{article['id']}", body={"revision": 1, **change}))

    assert reader.page(article).status == 404
    assert titles(reader.request("GET /help/articles")) == []


def test_a_deleted_article_leaves_nothing_behind(aws: LocalAws, api: KnowledgeApi, carla: Contact) -> None:
    article = api.article(api.category()["id"])
    assert Reader(aws, ACME).vote(article).status == 303

    ok(api.call(f"DELETE /api/articles/{article['id']}"), 204)

    table = current("deskless.data").table()
    left = table.query(article_partition(article["id"]), consistent=True)
    assert left == []
    assert ok(api.call("GET /api/articles"))["articles"] == []
    assert ok(api.call("GET /api/articles", query={"state": "published"}))["articles"] == []
    assert Reader(aws, ACME).page(article).status == 404
    assert refused(api.call(f"GET /api/articles/{article['id']}/history")) == (404, "not_found")


def test_a_signed_in_contact_reads_customers_articles_and_their_companys_but_not_anothers(
    aws: LocalAws, api: KnowledgeApi, carla: Contact
) -> None:
    category = api.category()
    for_customers = api.article(category["id"], visibility="customers")
    for_acme = api.article(
        category["id"], companies=[carla.company_id], variants={"en": {"title": "Acme only", "state": "published"}}
    )
    for_others = api.article(
        category["id"], companies=["0000000000000000"], variants={"en": {"title": "Not Acme", "state": "published"}}
    )
    reader = Reader(aws, ACME)
    reader.sign_in("carla@acme.example.com")

    assert reader.page(for_customers).status == 200
    assert reader.page(for_acme).status == 200
    assert reader.page(for_others).status == 404
    assert sorted(titles(reader.request("GET /help/articles"))) == ["Acme only", "Printing from a laptop"]


def test_a_signed_out_reader_on_a_companys_portal_reads_its_public_articles_but_not_on_anothers(
    aws: LocalAws, api: KnowledgeApi, carla: Contact
) -> None:
    contact("Globex", "gina@globex.example.com", subdomain="globex")
    category = api.category()
    for_acme = api.article(category["id"], companies=[carla.company_id])

    assert Reader(aws, ACME).page(for_acme).status == 200
    assert Reader(aws, GLOBEX).page(for_acme).status == 404
    assert Reader(aws, HELP).page(for_acme).status == 404


def test_a_reader_votes_once_per_article_and_staff_see_the_counts(
    aws: LocalAws, api: KnowledgeApi, carla: Contact
) -> None:
    category = api.category()
    article = api.article(category["id"])
    reader, other = Reader(aws, ACME), Reader(aws, ACME, ip="198.51.100.10")

    first = reader.vote(article, "yes")
    again = reader.vote(article, "no")
    theirs = other.vote(article, "no")
    thanked = reader.request(f"GET /help/articles/{article['id']}/en", done="voted")

    assert first.status == 303
    assert first.headers["location"] == f"/help/articles/{article['id']}/en?done=voted"
    assert "__Host-deskless-reader" in reader.cookies
    assert again.status == 303
    assert theirs.status == 303
    assert 'id="voted"' in thanked.body
    assert ok(api.call(f"GET /api/articles/{article['id']}"))["votes"] == {"helpful": 1, "unhelpful": 1}


def test_a_vote_from_another_site_is_refused(aws: LocalAws, api: KnowledgeApi, carla: Contact) -> None:
    article = api.article(api.category()["id"])
    event = http_event(
        "http_portal_home",
        origin_secret=aws.origin_secret,
        route_key=f"POST /help/articles/{article['id']}/en/vote",
        body="helpful=yes",
        headers={
            "x-deskless-host": ACME,
            "origin": "https://evil.example",
            "content-type": "application/x-www-form-urlencoded",
        },
    )

    assert invoke("portals", event)["statusCode"] == 403
    assert ok(api.call(f"GET /api/articles/{article['id']}"))["votes"] == {"helpful": 0, "unhelpful": 0}


def test_votes_from_one_address_are_throttled(aws: LocalAws, api: KnowledgeApi, carla: Contact) -> None:
    article = api.article(api.category()["id"])
    reader = Reader(aws, ACME, ip="198.51.100.77")
    answers = [reader.vote(article).status for _ in range(article_pages_votes())]

    blocked = reader.vote(article)

    assert set(answers) == {303}
    assert blocked.status == 429
    assert int(blocked.headers["retry-after"]) > 0


def article_pages_votes() -> int:
    return int(current("functions.portals.article_pages").VOTES.count)


def test_each_language_is_a_search_document_with_who_may_find_it(api: KnowledgeApi) -> None:
    articles = current("deskless.articles")
    category = api.category()
    article = api.article(
        category["id"],
        tags=["printer"],
        visibility="customers",
        companies=["0123456789abcdef"],
        variants={
            "en": {
                "title": "Printing",
                "body": "Open **Settings** and [the guide](https://example.com).",
                "state": "published",
            },
            "cs": {"title": "Tisk", "body": "Otevřete *Nastavení*."},
        },
    )

    with dynamodb_requests() as calls:
        documents = {document.language: document for document in articles.search_documents(article["id"])}

    assert calls == {"Query": 1}
    english, czech = documents["en"], documents["cs"]
    assert english.title == "Printing"
    assert english.body == "Open Settings and the guide (https://example.com).\n"
    assert (english.category_id, english.tags, english.companies) == (
        category["id"],
        ("printer",),
        ("0123456789abcdef",),
    )
    assert (english.visibility, english.state) == ("customers", "published")
    assert czech.body == "Otevřete Nastavení.\n"
    assert czech.state == "draft"  # found by staff only
