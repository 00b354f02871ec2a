"""The endpoints of the knowledge base's pages (article_pages.py): for anyone, signed in or not."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse

from deskless.errors import NotFound
from deskless.http import same_origin, viewer_address

from . import article_pages
from .account_api import Form, SessionCookie, html_response, page_answers
from .app import api
from .visit import visit_of

HTML: dict[str, Any] = {"response_class": HTMLResponse, "errors": [NotFound]}
ArticleId = Annotated[str, Path(max_length=40, description="The article's id.")]
Lang = Annotated[str, Path(max_length=10, description="The language of the article: en, es, de or cs.")]
MISSING = "No such article, not published in this language, or not one this reader may read: one answer."


@api.route("GET /help/articles", **HTML)
def articles(
    request: Request,
    session: SessionCookie = None,
    category: Annotated[str, Query(pattern=r"^([a-f0-9]{16})?$", description="Only this category's articles.")] = "",
    q: Annotated[
        str, Query(max_length=200, description="Words to search for: the matching articles, best first, highlighted.")
    ] = "",
    lang: str | None = None,
) -> Any:
    here = visit_of(request, lang)
    if q.strip():
        return html_response(article_pages.search_page(here, session, q.strip(), category))
    return html_response(article_pages.index_page(here, session, category))


@api.route("GET /help/articles/{article_id}/{lang}", **HTML, responses=page_answers(s404=MISSING))
def article(
    request: Request,
    article_id: ArticleId,
    lang: Lang,
    session: SessionCookie = None,
    done: Annotated[str, Query(max_length=20, description="voted: the page thanks the reader first.")] = "",
) -> Any:
    page = article_pages.article_page(visit_of(request, lang), session, article_id, lang, done)
    return html_response(page)


@api.route(
    "GET /help/articles/{article_id}/{lang}/{slug}",
    **HTML,
    responses={
        301: {"description": "The title changed: to the article's current address."},
        **page_answers(s404=MISSING),
    },
)
def article_by_slug(
    request: Request,
    article_id: ArticleId,
    lang: Lang,
    slug: Annotated[str, Path(max_length=100, description="The title's words; a stale one is redirected.")],
    session: SessionCookie = None,
    done: Annotated[str, Query(max_length=20, description="voted: the page thanks the reader first.")] = "",
) -> Any:
    page = article_pages.article_page(visit_of(request, lang), session, article_id, lang, done, slug)
    return html_response(page)


@api.route(
    "POST /help/articles/{article_id}/{lang}/vote",
    response_class=HTMLResponse,
    status_code=303,
    errors=[NotFound],
    responses=page_answers(
        s303="Counted (once per reader): back to the article.",
        s403="The form was not sent from a page of this host.",
        s404=MISSING,
        s429="Too many votes from this address: Retry-After says when to try again.",
    ),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "properties": {"helpful": {"type": "string", "enum": ["yes", "no"]}}}
                }
            }
        }
    },
)
def vote(request: Request, article_id: ArticleId, lang: Lang, form: Form, session: SessionCookie = None) -> Any:
    page = article_pages.vote_submit(
        visit_of(request, lang),
        request.cookies,
        session,
        article_id,
        lang,
        form.get("helpful", ""),
        same_origin=same_origin(request),
        source=viewer_address(request),
    )
    return html_response(page)
