"""The knowledge base for staff: articles in four languages (each language its own title, body and
state), their history and votes, the categories admins keep, a preview of a body as the portal
will show it, search over every article (the knowledge index, deskless.search_index) and, for
admins, the deflection figures per week (deskless.deflection). The entity and its rules are the
shared package's (deskless.articles): the portals function reads the published articles too."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from deskless.articles import (
    Article,
    ArticleChange,
    ArticlePage,
    Body,
    CategoryId,
    HistoryEntry,
    KbCategory,
    KbCategoryChange,
    KbCategoryContent,
    NewArticle,
    Preview,
    State,
    article_for_staff,
    articles_in,
    create_article,
    create_kb_category,
    delete_article,
    delete_kb_category,
    history_of,
    list_kb_categories,
    preview,
    staff_articles,
    update_article,
    update_kb_category,
)
from deskless.deflection import recent_weeks
from deskless.errors import Conflict, InvalidRequest, NotFound
from deskless.http import Api, SignedIn
from deskless.knowledge_index import ARTICLE_STATES, Staff
from deskless.languages import DEFAULT_LANGUAGE, Language
from deskless.search_index import find

api = Api("knowledge")
Cursor = Annotated[str, StringConstraints(min_length=1, max_length=120)]


SEARCH_HITS = 20  # a page of a technician's search: the best twenty
Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SearchHit(BaseModel):
    article_id: str = Field(description="The article (its editor: GET /api/articles/{article_id}).")
    language: Language = Field(description="The language of the variant found.")
    title: str = Field(description="HTML: the variant's title, escaped, the words that matched in <mark>.")
    snippet: str = Field(description="HTML: the best part of the body, escaped, the words that matched in <mark>.")
    state: State = Field(description="The variant's state.")


class DeflectionWeek(BaseModel):
    """One ISO week's figures, counted for the ticket forms that started in it (deskless.deflection)."""

    week: str = Field(description='The ISO week, like "2026-W49".')
    forms: int = Field(description="Ticket forms on the portal that were shown at least one suggestion.")
    suggested: int = Field(description="Articles suggested, each counted once per form.")
    opened: int = Field(description="Suggested articles opened, each counted once per form.")
    forms_opened: int = Field(description="Forms from which at least one suggested article was opened.")
    submitted_after_opening: int = Field(description="Of those, forms whose ticket was submitted all the same.")
    abandoned: int = Field(description="Of those, forms left without a ticket for a day: solved by the knowledge base.")


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Body


# --- articles -------------------------------------------------------------------------------------


@api.route("GET /api/articles")
def articles(
    category_id: Annotated[CategoryId | None, Query(description="Only this category's articles.")] = None,
    state: Annotated[State | None, Query(description="Articles with a language in this state, latest first.")] = None,
    after: Annotated[Cursor | None, Query(description="The previous page's `next`.")] = None,
) -> ArticlePage:
    return articles_in(state, after) if state is not None else staff_articles(category_id, after)


@api.route("POST /api/articles", status_code=201, errors=[InvalidRequest])
def create(new: NewArticle, caller: SignedIn) -> Article:
    return create_article(new, caller)


@api.route("POST /api/articles/preview")
def render_preview(request: PreviewRequest) -> Preview:
    return preview(request.body)


# before /api/articles/{article_id}, which would take "search" for an id
@api.route("GET /api/articles/search")
def search(
    q: Annotated[Question, Query(description="What to look for: words, the last one may be only begun.")],
    language: Annotated[Language, Query(description="Searched first; other languages fill the rest.")] = (
        DEFAULT_LANGUAGE
    ),
    state: Annotated[State | None, Query(description="Only variants in this state (else every state).")] = None,
    category_id: Annotated[CategoryId | None, Query(description="Only this category's articles.")] = None,
) -> list[SearchHit]:
    """Every article, in any state, best first (the knowledge index: a change shows within seconds)."""
    audience = Staff((state.value,)) if state is not None else Staff(ARTICLE_STATES)
    hits = find(q, language=language, audience=audience, limit=SEARCH_HITS, category_id=category_id)
    return [SearchHit(**{name: getattr(hit, name) for name in SearchHit.model_fields}) for hit in hits]


@api.route("GET /api/articles/{article_id}", errors=[NotFound])
def article(article_id: str) -> Article:
    return article_for_staff(article_id)


@api.route("PATCH /api/articles/{article_id}", errors=[NotFound, Conflict, InvalidRequest])
def change(article_id: str, change: ArticleChange, caller: SignedIn) -> Article:
    return update_article(article_id, change, caller)


@api.route("DELETE /api/articles/{article_id}", status_code=204, response_class=Response, errors=[NotFound, Conflict])
def delete(
    article_id: str,
    revision: Annotated[int | None, Query(ge=1, description="Refused (409) if it changed since.")] = None,
) -> Response:
    delete_article(article_id, revision)
    return Response(status_code=204)


@api.route("GET /api/articles/{article_id}/history", errors=[NotFound])
def history(article_id: str) -> list[HistoryEntry]:
    return history_of(article_id)


# --- categories -----------------------------------------------------------------------------------


@api.route("GET /api/knowledge/categories")
def categories() -> list[KbCategory]:
    return list_kb_categories()


@api.route("POST /api/knowledge/categories", status_code=201)
def create_category(content: KbCategoryContent) -> KbCategory:
    return create_kb_category(content)


@api.route("PATCH /api/knowledge/categories/{category_id}", errors=[NotFound])
def change_category(category_id: str, change: KbCategoryChange) -> KbCategory:
    return update_kb_category(category_id, change)


@api.route(
    "DELETE /api/knowledge/categories/{category_id}",
    status_code=204,
    response_class=Response,
    errors=[NotFound, Conflict],
)
def delete_category(category_id: str) -> Response:
    delete_kb_category(category_id)
    return Response(status_code=204)


# --- deflection -----------------------------------------------------------------------------------


@api.route("GET /api/knowledge/deflection")
def deflection(
    weeks: Annotated[int, Query(ge=1, le=104, description="How many of the latest weeks with figures.")] = 12,
) -> list[DeflectionWeek]:
    """How often suggested articles answered customers before they submitted a ticket, per week,
    newest first (one Query); weeks without any figure are not listed."""
    return [DeflectionWeek(**vars(week)) for week in recent_weeks(weeks)]
