"""Articles' rules without a table: what an article's Markdown renders to (safely), what the models
take, and which readers an article's visibility and companies reach."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from deskless.articles import (
    Article,
    ArticleChange,
    NewArticle,
    Person,
    State,
    Variant,
    audiences_of,
    slug_of,
)
from deskless.readers import Reader, Visibility, article_audiences
from deskless.rendering import render_article

CATEGORY = "0123456789abcdef"


# --- rendering --------------------------------------------------------------------------------------


def test_an_articles_markdown_renders_headings_lists_code_tables_and_links() -> None:
    body = (
        "# Printing\n\nSteps:\n\n1. Open *Settings*\n2. Choose `Printers`\n\n"
        "```\nlpstat -p\n```\n\n| Model | Tray |\n|---|---|\n| HP | A4 |\n\n"
        "See [the guide](https://example.com/guide) or [your tickets](/help/tickets)."
    )

    html, text = render_article(body)

    assert "<h2>Printing</h2>" in html  # one level down: the page's title is its h1
    assert "<ol>\n<li>Open <em>Settings</em></li>" in html
    assert "<code>Printers</code>" in html
    assert "<pre><code>lpstat -p\n</code></pre>" in html
    assert "<td>HP</td>" in html
    assert '<a href="https://example.com/guide" rel="nofollow noopener noreferrer">the guide</a>' in html
    assert '<a href="/help/tickets">your tickets</a>' in html
    assert text.splitlines()[:4] == ["Printing", "", "Steps:", ""]
    assert "1. Open Settings" in text
    assert "Model | Tray" in text
    assert "the guide (https://example.com/guide)" in text


def test_a_script_in_an_article_is_text_never_markup() -> None:
    html, text = render_article('<script>alert("x")</script>\n\n<img src=x onerror=alert(1)>')

    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    assert '<script>alert("x")</script>' in text


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "vbscript:msgbox",
        "data:text/html,<b>x</b>",
        "ftp://host/file",
        "//evil.example/path",
    ],
)
def test_a_link_to_anything_but_the_web_mail_or_the_portal_loses_its_target(target: str) -> None:
    html, _ = render_article(f"[click]({target})")

    assert "href=" not in html
    assert "click" in html


def test_images_show_only_from_https() -> None:
    html, text = render_article(
        "![printer](https://cdn.example/p.png) ![old](http://cdn.example/o.png) ![raw](data:image/png;base64,AAAA)"
    )

    assert '<img src="https://cdn.example/p.png" alt="printer" />' in html
    assert html.count("<img") == 1
    assert "old" in html
    assert "raw" in html
    assert "printer old raw" in text


# --- slugs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Printing from a laptop", "printing-from-a-laptop"),
        ("Přihlášení do portálu", "prihlaseni-do-portalu"),
        ("¿Cómo imprimir? Paso 1/2", "como-imprimir-paso-1-2"),
        ("Große Dateien hochladen", "grosse-dateien-hochladen"),
        ("   --- !!! ---   ", "article"),
        ("日本語", "article"),
        ("a" * 80, "a" * 60),
    ],
)
def test_a_slug_is_the_titles_words_without_diacritics(title: str, slug: str) -> None:
    assert slug_of(title) == slug


# --- models -----------------------------------------------------------------------------------------


def test_a_new_article_needs_a_language_and_a_title_and_only_deskless_languages() -> None:
    with pytest.raises(ValidationError):
        NewArticle.model_validate({"category_id": CATEGORY, "variants": {}})
    with pytest.raises(ValidationError):
        NewArticle.model_validate({"category_id": CATEGORY, "variants": {"fr": {"title": "Bonjour"}}})
    with pytest.raises(ValidationError):
        NewArticle.model_validate({"category_id": CATEGORY, "variants": {"en": {"title": "  "}}})
    with pytest.raises(ValidationError):
        NewArticle.model_validate({"category_id": CATEGORY, "variants": {"en": {"title": "Two\nlines"}}})


def test_tags_are_single_lower_case_words_without_repeats() -> None:
    new = NewArticle.model_validate(
        {"category_id": CATEGORY, "tags": ["WiFi", "wifi", "vpn"], "variants": {"en": {"title": "Hi"}}}
    )

    assert new.tags == ["wifi", "vpn"]
    assert new.variants["en"].state is State.DRAFT
    with pytest.raises(ValidationError):
        NewArticle.model_validate({"category_id": CATEGORY, "tags": ["two words"], "variants": {"en": {"title": "x"}}})


def test_a_change_names_the_revision_it_was_made_from() -> None:
    with pytest.raises(ValidationError):
        ArticleChange.model_validate({"tags": ["x"]})
    assert ArticleChange.model_validate({"revision": 3}).variants == {}


# --- who reads what ---------------------------------------------------------------------------------


def article(visibility: Visibility, companies: list[str] | None = None) -> Article:
    ted = Person(id="7e7e7e7e7e7e7e7e", name="Ted")
    variant = Variant(language="en", title="Hi", state=State.PUBLISHED, updated_at=1, updated_by=ted)
    return Article(
        id="a" * 16,
        category_id=CATEGORY,
        visibility=visibility,
        companies=companies or [],
        author=ted,
        created_at=1,
        updated_at=1,
        revision=1,
        variants={"en": variant},
    )


SIGNED_OUT = Reader(signed_in=False, company_id=None)
ON_ACME = Reader(signed_in=False, company_id="acme")
CARLA_OF_ACME = Reader(signed_in=True, company_id="acme")
GINA_OF_GLOBEX = Reader(signed_in=True, company_id="globex")


@pytest.mark.parametrize(
    ("visibility", "companies", "readers"),
    [
        (Visibility.PUBLIC, [], {SIGNED_OUT, ON_ACME, CARLA_OF_ACME, GINA_OF_GLOBEX}),
        (Visibility.CUSTOMERS, [], {CARLA_OF_ACME, GINA_OF_GLOBEX}),
        (Visibility.INTERNAL, [], set()),
        (Visibility.PUBLIC, ["acme"], {ON_ACME, CARLA_OF_ACME}),
        (Visibility.CUSTOMERS, ["acme", "initech"], {CARLA_OF_ACME}),
    ],
)
def test_an_article_reaches_the_readers_its_visibility_and_companies_name(
    visibility: Visibility, companies: list[str], readers: set[Reader]
) -> None:
    everyone = {SIGNED_OUT, ON_ACME, CARLA_OF_ACME, GINA_OF_GLOBEX}
    shown = article(visibility, companies)

    assert {reader for reader in everyone if reader.may_read(shown.visibility, shown.companies)} == readers
    listed = {reader for reader in everyone if set(audiences_of(shown)) & set(reader.audiences)}
    assert listed == readers  # the lists a reader queries hold exactly what they may open


def test_only_an_article_variant_is_a_search_document() -> None:
    from deskless.articles import search_document

    assert search_document({"type": "article", "article_id": "a"}) is None
    found = search_document(
        {
            "type": "article_variant",
            "article_id": "a" * 16,
            "language": "de",
            "title": "Drucken",
            "body": "# Schritte\n\n<script>x</script>",
            "state": "published",
            "visibility": "public",
            "category_id": CATEGORY,
            "updated_at": 5,
        }
    )
    assert found is not None
    assert found.body == "Schritte\n\n<script>x</script>\n"
    assert article_audiences(found.visibility, found.companies) == ["public"]
