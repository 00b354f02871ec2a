"""The knowledge base for staff: articles in four languages (each language its own title, body and
state), their history and votes, the categories admins keep, and a preview of a body as the portal
will show it. The entity and its rules are the shared package's (deskless.articles): the portals
function reads the published articles too."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response
from pydantic import BaseModel, ConfigDict, StringConstraints

from deskless.articles import (
    Article,
    ArticleChange,
    ArticlePage,
    Body,
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
from deskless.errors import Conflict, InvalidRequest, NotFound
from deskless.http import Api, SignedIn

api = Api("knowledge")
Cursor = Annotated[str, StringConstraints(min_length=1, max_length=120)]
CategoryId = Annotated[str, StringConstraints(pattern=r"^[a-f0-9]{16}$")]


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
