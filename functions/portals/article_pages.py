"""The knowledge base on a portal or at the help centre, for anyone (signed in or not):

    GET  /help/articles                       the categories and their published articles the
                                              reader may read, each in the reader's language if
                                              published in it, else English, else another
    GET  /help/articles?q=...                 a search of the same articles (deskless.search_index,
                                              the reader's language first), titles and snippets
                                              highlighted; `category` keeps it to one category
    GET  /help/articles/{id}/{lang}[/{slug}]  one published language of an article (its stable
                                              address: the id; the slug, the title's words, is
                                              redirected to the current one when the title
                                              changed); the switcher lists its other published ones
    POST /help/articles/{id}/{lang}/vote      "Was this helpful?": once per reader and article

Who reads (deskless.readers.Reader): a contact signed in on this host, as their company; else a
signed-out reader, as the company whose portal this is (none at the help centre). A draft, an
archived language, an internal article, one limited to other companies and a `customers` one for
a signed-out reader are the same 404 page as an article that does not exist.

A search result's title and snippet come from the index as HTML (deskless.knowledge_index.Hit:
escaped text, each matching word in <mark>). The page does not trust that string: `marked` makes it
again from its text, every piece escaped, <mark> the only element (the ticket form's suggestions
are made the same way).

A vote is a plain form (no script): it must come from a page of this host (its Origin), is
throttled per source, and counts once per reader: a signed-in contact by id, a signed-out reader
by a random cookie given with their first vote (stored as a hash).
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup, escape

from deskless.articles import (
    article_for_reader,
    list_kb_categories,
    published_for,
    reader_hash,
    slug_of,
    vote,
)
from deskless.errors import NotFound, TooManyRequests
from deskless.languages import LANGUAGES
from deskless.readers import Reader
from deskless.throttle import Limit, spend

from .account import BASE, help_page, session_here, unavailable, where
from .pages import Page, error_page
from .text import LANGUAGE_NAMES
from .visit import Visit

READER_COOKIE = "__Host-deskless-reader"
READER_COOKIE_DAYS = 365
VOTES = Limit("article_vote", count=30, window_seconds=3600)  # per source: a reader does not vote 30 times an hour
SEARCH_RESULTS = 20
MAX_QUERY = 200  # characters of a search (the search reads 32 words at most)


def reader_of(here: Visit, cookie: str | None) -> tuple[Reader, str | None]:
    """Who reads, and the signed-in contact's id (None when signed out)."""
    session = session_here(here, cookie)
    if session is not None and not session.must_change_password:
        return Reader(signed_in=True, company_id=session.contact.company_id), session.contact.id
    return Reader(signed_in=False, company_id=here.company.id if here.company else None), None


def article_href(article_id: str, language: str, title: str = "") -> str:
    """An article's address in one language: stable by its id, with its title's words if given."""
    slug = f"/{slug_of(title)}" if title else ""
    return f"{BASE}articles/{article_id}/{language}{slug}"


def marked(found: str) -> Markup:
    """A hit's title or snippet (escaped text, matching words in <mark>) made again from its text:
    each piece unescaped and escaped anew, <mark> the only element, whatever the string held.

    >>> str(marked("&lt;b&gt; <mark>Print</mark>ing &amp; more"))
    '&lt;b&gt; <mark>Print</mark>ing &amp; more'
    >>> str(marked("<script>x</script>"))
    '&lt;script&gt;x&lt;/script&gt;'
    """
    pieces: list[Markup] = []
    for number, part in enumerate(found.split("<mark>")):
        inside, _, after = part.partition("</mark>") if number else ("", "", part)
        if inside:
            pieces.append(Markup("<mark>{}</mark>").format(html.unescape(inside)))
        pieces.append(escape(html.unescape(after)))
    return Markup("").join(pieces)


def plain(found: str) -> str:
    """A hit's title or snippet as text (for an address's slug)."""
    return html.unescape(found.replace("<mark>", "").replace("</mark>", ""))


def search_page(here: Visit, session_cookie: str | None, query: str, category_id: str = "") -> Page:
    """The articles the reader may read that match `query` (of one category, if given), best first,
    in the reader's language first."""
    if where(here) is None:
        return unavailable(here)
    from deskless.search_index import find  # tantivy: imported by the pages that search, not by every page

    reader, _ = reader_of(here, session_cookie)
    hits = find(
        query[:MAX_QUERY],
        language=here.language,
        audience=reader,
        limit=SEARCH_RESULTS,
        category_id=category_id or None,
    )
    results = [
        {
            "href": article_href(hit.article_id, hit.language, plain(hit.title)),
            "title": marked(hit.title),
            "snippet": marked(hit.snippet),
            "lang": hit.language,
        }
        for hit in hits
    ]
    return help_page(
        here,
        "articles.html",
        here.text["kb_results"].format(query=query),
        query=query,
        results=results,
        searched=True,
        results_heading=here.text["kb_results"].format(query=query),
        category_id=category_id,
        kept_lang=here.language if here.lang else "",
        index_href=f"{BASE}articles",
    )


def index_page(here: Visit, session_cookie: str | None, category_id: str = "") -> Page:
    """Every category's articles, or one category's (`category_id`; an unknown one lists nothing)."""
    if where(here) is None:
        return unavailable(here)
    reader, _ = reader_of(here, session_cookie)
    listed = published_for(reader, category_id or None)
    kept = f"&lang={here.language}" if here.lang else ""
    sections = []
    for category in list_kb_categories():
        if category_id and category.id != category_id:
            continue
        articles = [
            {"href": article_href(item.id, shown, item.titles[shown]), "title": item.titles[shown], "lang": shown}
            for item in listed
            if item.category_id == category.id
            for shown in (item.in_language(here.language),)
        ]
        if articles:
            sections.append(
                {
                    "id": category.id,
                    "label": category.label(here.language),
                    "href": f"{BASE}articles?category={category.id}{kept}",
                    "articles": articles,
                }
            )
    kept_query: dict[str, Any] = {"keep_query": f"category={category_id}"} if category_id else {}  # the switcher's
    return help_page(
        here,
        "articles.html",
        here.text["kb_title"],
        sections=sections,
        query="",
        searched=False,
        category_id=category_id,
        kept_lang=here.language if here.lang else "",
        index_href=f"{BASE}articles" if category_id else "",
        **kept_query,
    )


def article_page(
    here: Visit, session_cookie: str | None, article_id: str, language: str, done: str = "", slug: str | None = None
) -> Page:
    """The page of one published language; by an address with a stale slug (the title changed), a
    redirect to the current one, once the reader is known to be allowed it (else the same 404)."""
    if where(here) is None:
        return unavailable(here)
    reader, _ = reader_of(here, session_cookie)
    try:
        if language not in LANGUAGES:
            raise NotFound("There is no such article.")
        article, variant = article_for_reader(article_id, language, reader)
    except NotFound:  # not there, not published in this language, or not this reader's: one answer
        return error_page(here, 404, here.text["article_missing"])
    if slug is not None and slug != slug_of(variant.title):
        query = f"?lang={here.language}" if here.lang and here.lang != language else ""
        return Page(301, "", {"location": article_href(article.id, language, variant.title) + query})
    from deskless.rendering import render_article

    rendered, _ = render_article(variant.body)
    others = [
        {"code": code, "name": LANGUAGE_NAMES[code], "href": article_href(article.id, code, other.title)}
        for code, other in article.variants.items()
        if other.state.value == "published"
    ]
    categories = {category.id: category for category in list_kb_categories()}
    category = categories.get(article.category_id)
    updated = datetime.fromtimestamp(variant.updated_at / 1000, UTC)
    return help_page(
        here,
        "article.html",
        variant.title,
        article_lang=language,
        title_text=variant.title,
        body=Markup(rendered),  # noqa: S704  (rendered by deskless.rendering: raw HTML off, links checked)
        category=category.label(here.language) if category else "",
        tags=article.tags,
        variants=others,
        updated={"iso": updated.strftime("%Y-%m-%dT%H:%M:%SZ"), "text": updated.strftime("%Y-%m-%d")},
        vote_action=f"{article_href(article.id, language)}/vote",
        voted=here.text["vote_thanks"] if done == "voted" else "",
        index_href=f"{BASE}articles",
        img_src="https:",  # an article's images: https only (deskless.rendering)
    )


def vote_submit(
    here: Visit,
    cookies: Mapping[str, str],
    session_cookie: str | None,
    article_id: str,
    language: str,
    helpful: str,
    *,
    same_origin: bool,
    source: str,
) -> Page:
    """Count a reader's vote and go back to the article (303), or the article's 404."""
    if where(here) is None:
        return unavailable(here)
    if not same_origin:
        return error_page(here, 403, here.text["error_form_expired"])
    if language not in LANGUAGES or helpful not in ("yes", "no"):
        return error_page(here, 404, here.text["article_missing"])
    reader, contact_id = reader_of(here, session_cookie)
    try:
        spend(VOTES, source)
    except TooManyRequests as error:
        minutes = max(1, -(-error.retry_after // 60))
        page = error_page(here, 429, here.text["error_blocked"].format(minutes=minutes))
        return Page(page.status, page.html, {**page.headers, "retry-after": str(error.retry_after)})
    headers: dict[str, str] = {}
    if contact_id is not None:
        who = reader_hash("contact", contact_id)
    else:
        token = cookies.get(READER_COOKIE) or ""
        if not (16 <= len(token) <= 64 and token.isalnum()):
            token = secrets.token_hex(16)
            age = READER_COOKIE_DAYS * 86400
            headers["set-cookie"] = f"{READER_COOKIE}={token}; Max-Age={age}; Path=/; Secure; HttpOnly; SameSite=Lax"
        who = reader_hash("reader", token)
    try:
        vote(article_id, language, reader, who, helpful == "yes")
    except NotFound:
        return error_page(here, 404, here.text["article_missing"])
    location = f"{article_href(article_id, language)}?done=voted"
    return Page(303, "", {"location": location, "cache-control": "no-store", **headers})
