"""Knowledge-base articles: their categories, their language variants, who may read them, their
history and their "Was this helpful?" votes. The one owner of these items:

    KBCATEGORIES / <category id>                 a category (ordered; counts its articles)
    ARTICLE#<id> / ARTICLE                       the article: category, tags, visibility, companies,
                                                 author, times, revision
    ARTICLE#<id> / ARTICLE#VARIANT#<lang>        one language: title, body (Markdown), its own state
                                                 (draft, published, archived), updated at and by, and
                                                 a copy of the article's settings: what a search
                                                 document needs, in one item of the stream
    ARTICLE#<id> / ARTICLE#VOTES                 the votes' counts
    ARTICLE#<id> / HISTORY#<ms>#<id>             one saved change: who, when, which language, what
    KBARTICLES / <category id>#<article id>      the staff list (a sort-key prefix: one category)
    KBSTATE#<state> / <ms>#<article id>#<lang>   the staff list of one state, latest change first
    KBPUBLISHED#<audience> / <category>#<id>     an article's published variants (titles) as one
                                                 audience sees them: `public`, `customers`, or
                                                 either `@<company id>` for one restricted to companies
    ARTICLEVOTE#<id>#<reader hash> / VOTE        one reader's vote (put if absent: once)

**Saving** is one transaction: the article conditional on the revision it was read at (409 when
another change came first, nothing stored), every variant (each carries the article's settings),
the history entry, the lists' items (those the article leaves deleted), and the categories'
counts (a category with articles cannot be deleted: its count is the condition). So the lists
are never behind the article, and a category never vanishes under one.

**Who reads what.** A reader (`Reader`) is signed out (on a portal, or the help centre) or a
signed-in contact of a company. `public` variants are for anyone, `customers` for signed-in
contacts, `internal` for staff only (never listed for readers); an article limited to companies
is listed only under those companies' audiences, and a signed-out reader on a company's portal
reads as that company. Anything a reader may not read answers the same NotFound as an article
that does not exist. Only published variants are ever shown to a reader.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

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
from .data import update_action as update
from .errors import Conflict, InvalidRequest, NotFound
from .fields import ONE_LINE, FullName, Label
from .knowledge_index import IndexedArticle
from .languages import LANGUAGES, Language
from .readers import Reader, Visibility, article_audiences
from .rendering import render_article
from .table import (
    ARTICLE_SORT,
    HISTORY_PREFIX,
    KB_CATEGORIES,
    STAFF_ARTICLES,
    Entity,
    article_history_key,
    article_key,
    article_partition,
    article_state_key,
    article_variant_key,
    article_vote_key,
    article_votes_key,
    articles_in_state,
    kb_category_key,
    published_article_key,
    published_articles,
    staff_article_key,
    stamped,
)

TITLE_CHARS = 200
BODY_CHARS = 100_000  # about 25 pages; with four languages an article stays well under 400 kB in all
MAX_TAGS = 20
MAX_COMPANIES = 10  # each a published list's item: a save stays far within a transaction's 100 actions
HISTORY_PAGE = 100
STAFF_PAGE = 200
_ID = re.compile(r"[a-f0-9]{16}")

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_CHARS), ONE_LINE]
Body = Annotated[str, StringConstraints(max_length=BODY_CHARS), Field(description="Markdown.")]
Tag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[^\s,#]{1,40}$"),
    Field(description="One word (no spaces, commas or #), lower case, at most 40 characters."),
]
CompanyId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
CategoryId = Annotated[str, StringConstraints(pattern=r"^[a-f0-9]{16}$")]
Order = Annotated[int, Field(ge=0, le=10_000, description="Lists sort by it, then by name.")]


class State(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


# --- models ---------------------------------------------------------------------------------------


class KbCategoryContent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: FullName = Field(description="What staff call it; readers read its label in their language, else this.")
    labels: dict[Language, Label] = Field(default_factory=dict, description="The name readers read, per language.")
    order: Order = 0


class KbCategoryChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: FullName | None = None
    labels: dict[Language, Label] | None = None
    order: Order | None = None


class KbCategory(KbCategoryContent):
    id: str
    articles: int = Field(default=0, description="How many articles it holds (only an empty one may be deleted).")

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.name  # type: ignore[call-overload]


class Person(BaseModel):
    id: str
    name: str


class VariantContent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    body: Body = ""
    state: State = Field(default=State.DRAFT, description="Only a published variant is shown to readers.")


class VariantChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    body: Body | None = None
    state: State | None = None


class Variant(VariantContent):
    language: Language
    updated_at: int = Field(description="When this language last changed (epoch milliseconds).")
    updated_by: Person


class ArticleSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category_id: CategoryId = Field(description="The knowledge-base category it is listed in.")
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    visibility: Visibility = Field(
        default=Visibility.PUBLIC,
        description="public: anyone on the portal, even signed out; customers: signed-in contacts; "
        "internal: staff only.",
    )
    companies: list[CompanyId] = Field(
        default_factory=list,
        max_length=MAX_COMPANIES,
        description="Only these companies' contacts (and their portals) see it; empty: every company.",
    )

    @model_validator(mode="after")
    def _without_repeats(self) -> Self:
        self.tags = list(dict.fromkeys(self.tags))
        self.companies = list(dict.fromkeys(self.companies))
        return self


class NewArticle(ArticleSettings):
    variants: dict[Language, VariantContent] = Field(
        min_length=1, description="Its languages (at least one), each with its own title, body and state."
    )


class ArticleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: int = Field(
        ge=1, description="The revision the change was made from: if the article changed since, it is refused (409)."
    )
    category_id: CategoryId | None = None
    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS)
    visibility: Visibility | None = None
    companies: list[CompanyId] | None = Field(default=None, max_length=MAX_COMPANIES)
    variants: dict[Language, VariantChange] = Field(
        default_factory=dict, description="Languages changed or added (a new one needs a title); others stay."
    )


class Votes(BaseModel):
    helpful: int = 0
    unhelpful: int = 0


class Article(ArticleSettings):
    id: str
    author: Person
    created_at: int = Field(description="Epoch milliseconds.")
    updated_at: int = Field(description="Epoch milliseconds.")
    revision: int = Field(description="Counts the changes stored; a change names the one it was made from.")
    variants: dict[Language, Variant]
    votes: Votes = Field(default_factory=Votes)


class VariantSummary(BaseModel):
    title: str
    state: State
    updated_at: int


class ArticleSummary(BaseModel):
    id: str
    category_id: str
    visibility: Visibility
    companies: list[str]
    tags: list[str]
    updated_at: int
    variants: dict[Language, VariantSummary]


class ArticlePage(BaseModel):
    articles: list[ArticleSummary]
    next: str | None = Field(default=None, description="Pass as `after` for the next page; null on the last.")


class FieldChange(BaseModel):
    language: Language | None = Field(default=None, description="The language changed; none: the article's settings.")
    field: str = Field(description="title, body, state, category, tags, visibility, companies, created")
    before: str | None = Field(default=None, description="What it was (a body's change says only that it changed).")
    after: str | None = None


class HistoryEntry(BaseModel):
    at: int = Field(description="Epoch milliseconds.")
    by: Person
    changes: list[FieldChange] = Field(description="What one save changed, language by language.")


class Preview(BaseModel):
    html: str = Field(description="The body as the portal shows it (an HTML fragment, safe to insert).")
    text: str = Field(description="The body as plain text (what search indexes).")


# --- categories -----------------------------------------------------------------------------------


def _category(item: Item) -> KbCategory:
    return KbCategory(
        id=item["category_id"],
        name=item["name"],
        labels=item.get("labels", {}),
        order=item.get("order", 0),
        articles=item.get("articles", 0),
    )


def list_kb_categories() -> list[KbCategory]:
    """The categories in order, then by name (one Query)."""
    categories = [_category(item) for item in table().query(KB_CATEGORIES, consistent=True)]
    return sorted(categories, key=lambda category: (category.order, category.name.casefold(), category.id))


def _no_category() -> NotFound:
    return NotFound("There is no such knowledge-base category.")


def create_kb_category(content: KbCategoryContent) -> KbCategory:
    category = KbCategory(id=secrets.token_hex(8), **content.model_dump())
    item = stamped(
        Entity.KB_CATEGORY,
        kb_category_key(category.id),
        category_id=category.id,
        **content.model_dump(mode="json"),
        articles=0,
    )
    table().put(item, condition=NEW_ITEM)
    return category


def update_kb_category(category_id: str, change: KbCategoryChange) -> KbCategory:
    """Rename or reorder a category (one conditional UpdateItem)."""
    if not _ID.fullmatch(category_id):
        raise _no_category()
    values = change.model_dump(mode="json", exclude_none=True)
    if not values:  # nothing to change: the category as it is
        item = table().get(kb_category_key(category_id), consistent=True)
        if item is None:
            raise _no_category()
        return _category(item)
    try:
        item = table().update(kb_category_key(category_id), set_values=values, condition=EXISTS)
    except ConditionFailed as error:
        raise _no_category() from error
    return _category(item)


def delete_kb_category(category_id: str) -> None:
    """Delete a category that holds no article (the count is the condition: no article slips in)."""
    if not _ID.fullmatch(category_id):
        raise _no_category()
    empty = Condition("attribute_exists(pk) AND articles = :none", values={":none": 0})
    try:
        table().delete(kb_category_key(category_id), condition=empty)
    except ConditionFailed as error:
        if table().get(kb_category_key(category_id), consistent=True) is None:
            raise _no_category() from error
        raise Conflict("This category holds articles: move or delete them first.") from error


def _counted(category_id: str, by: int) -> Action:
    return update(kb_category_key(category_id), add={"articles": by}, condition=EXISTS)


# --- articles: reading ----------------------------------------------------------------------------


def _no_article() -> NotFound:
    return NotFound("There is no such article.")


def _article(items: Iterable[Item]) -> Article | None:
    main: Item | None = None
    variants: dict[str, Variant] = {}
    votes = Votes()
    for item in items:
        kind = item.get("type")
        if kind == Entity.ARTICLE.value:
            main = item
        elif kind == Entity.ARTICLE_VARIANT.value:
            variants[item["language"]] = Variant(
                language=item["language"],
                title=item["title"],
                body=item.get("body", ""),
                state=item["state"],
                updated_at=item["updated_at"],
                updated_by=item["updated_by"],
            )
        elif kind == Entity.ARTICLE_VOTES.value:
            votes = Votes(helpful=item.get("helpful", 0), unhelpful=item.get("unhelpful", 0))
    if main is None:
        return None
    return Article(
        id=main["article_id"],
        category_id=main["category_id"],
        tags=main.get("tags", []),
        visibility=main["visibility"],
        companies=main.get("companies", []),
        author=main["author"],
        created_at=main["created_at"],
        updated_at=main["updated_at"],
        revision=main["revision"],
        variants={language: variants[language] for language in LANGUAGES if language in variants},
        votes=votes,
    )


def article_of(article_id: str, *, consistent: bool = True) -> Article | None:
    """An article with its variants and votes (one Query of its partition's ARTICLE items)."""
    if not _ID.fullmatch(article_id):
        return None
    items = table().query(article_partition(article_id), sort_prefix=ARTICLE_SORT, consistent=consistent)
    return _article(items)


def article_for_staff(article_id: str) -> Article:
    found = article_of(article_id)
    if found is None:
        raise _no_article()
    return found


def history_of(article_id: str) -> list[HistoryEntry]:
    """An article's saved changes, newest first (one Query; the latest HISTORY_PAGE)."""
    if article_of(article_id) is None:
        raise _no_article()
    items = table().query(
        article_partition(article_id), sort_prefix=HISTORY_PREFIX, newest_first=True, limit=HISTORY_PAGE
    )
    return [HistoryEntry(at=item["at"], by=item["by"], changes=item["changes"]) for item in items]


def _summary(item: Item) -> ArticleSummary:
    return ArticleSummary(
        id=item["article_id"],
        category_id=item["category_id"],
        visibility=item["visibility"],
        companies=item.get("companies", []),
        tags=item.get("tags", []),
        updated_at=item["updated_at"],
        variants=item["variants"],
    )


def staff_articles(category_id: str | None = None, after: str | None = None) -> ArticlePage:
    """Every article, or one category's, by category then id (one Query, a page at a time)."""
    prefix = f"{category_id}#" if category_id else None
    if prefix is not None and after is not None and not after.startswith(prefix):
        after = None
    items = table().query(
        STAFF_ARTICLES,
        sort_prefix=prefix if after is None else None,
        after=after,
        limit=STAFF_PAGE + 1,
    )
    if prefix is not None:  # `after` reads on past the category: where its items stop, the page does
        items = [item for item in items if item["sk"].startswith(prefix)]
    more = len(items) > STAFF_PAGE
    items = items[:STAFF_PAGE]
    return ArticlePage(articles=[_summary(item) for item in items], next=items[-1]["sk"] if more else None)


def articles_in(state: State, after: str | None = None) -> ArticlePage:
    """Articles with a variant in one state, latest change first (one Query, a page at a time; an
    article with two languages in that state is listed once)."""
    items = table().query(articles_in_state(state.value), newest_first=True, limit=STAFF_PAGE + 1, after=after)
    more = len(items) > STAFF_PAGE
    items = items[:STAFF_PAGE]
    unique = {item["article_id"]: item for item in reversed(items)}
    ordered = sorted(unique.values(), key=lambda item: item["sk"], reverse=True)
    return ArticlePage(articles=[_summary(item) for item in ordered], next=items[-1]["sk"] if more else None)


# --- articles: writing ----------------------------------------------------------------------------


def _person(who: Any) -> Person:
    return Person(id=who.user_id, name=who.name)


def audiences_of(article: Article) -> list[str]:
    """The published lists an article belongs in (none while internal)."""
    return article_audiences(article.visibility, article.companies)


def _settings(article: Article) -> dict[str, Any]:
    return {
        "category_id": article.category_id,
        "tags": article.tags,
        "visibility": article.visibility.value,
        "companies": article.companies,
    }


def _items(article: Article) -> dict[tuple[str, str], Item]:
    """Every item the article is stored as, by key (its history and votes aside)."""
    settings = _settings(article)
    when = {"created_at": article.created_at, "updated_at": article.updated_at}
    items = [
        stamped(
            Entity.ARTICLE,
            article_key(article.id),
            article_id=article.id,
            **settings,
            **when,
            author=article.author.model_dump(),
            revision=article.revision,
        )
    ]
    summaries = {
        language: {"title": variant.title, "state": variant.state.value, "updated_at": variant.updated_at}
        for language, variant in article.variants.items()
    }
    summary = {"article_id": article.id, **settings, "updated_at": article.updated_at, "variants": summaries}
    published: dict[str, str] = {}
    for language, variant in article.variants.items():
        items.append(
            stamped(
                Entity.ARTICLE_VARIANT,
                article_variant_key(article.id, language),
                article_id=article.id,
                language=language,
                title=variant.title,
                body=variant.body,
                state=variant.state.value,
                updated_at=variant.updated_at,
                updated_by=variant.updated_by.model_dump(),
                **settings,
            )
        )
        items.append(
            stamped(
                Entity.ARTICLE_LISTING,
                article_state_key(variant.state.value, variant.updated_at, article.id, language),
                **summary,
                language=language,
            )
        )
        if variant.state is State.PUBLISHED:
            published[language] = variant.title
    items.append(
        stamped(
            Entity.ARTICLE_LISTING,
            staff_article_key(article.category_id, article.id),
            **summary,
        )
    )
    if published:
        for audience in audiences_of(article):
            items.append(
                stamped(
                    Entity.ARTICLE_LISTING,
                    published_article_key(audience, article.category_id, article.id),
                    article_id=article.id,
                    category_id=article.category_id,
                    titles=published,
                    updated_at=article.updated_at,
                )
            )
    return {(item["pk"], item["sk"]): item for item in items}


def _history(article_id: str, at: int, by: Person, changes: list[FieldChange]) -> Item:
    return stamped(
        Entity.ARTICLE_HISTORY,
        article_history_key(article_id, at, secrets.token_hex(4)),
        article_id=article_id,
        at=at,
        by=by.model_dump(),
        changes=[change.model_dump(exclude_none=True) for change in changes],
    )


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def create_article(new: NewArticle, who: Any) -> Article:
    """Store a new article (one transaction: its items, its history's first entry, its category's count)."""
    at = _now_ms()
    by = _person(who)
    variants = {
        language: Variant(language=language, updated_at=at, updated_by=by, **content.model_dump())
        for language, content in new.variants.items()
    }
    article = Article(
        id=secrets.token_hex(8),
        **new.model_dump(include=set(ArticleSettings.model_fields)),
        author=by,
        created_at=at,
        updated_at=at,
        revision=1,
        variants=variants,
    )
    actions = [put_action(item, NEW_ITEM if item["sk"] == ARTICLE_SORT else None) for item in _items(article).values()]
    created = [
        FieldChange(language=language, field="created", after=variant.state) for language, variant in variants.items()
    ]
    actions.append(put_action(_history(article.id, at, by, created)))
    actions.append(_counted(article.category_id, 1))
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        raise InvalidRequest("There is no such knowledge-base category: choose one of the categories.") from error
    return article


def _listed(values: Sequence[str]) -> str:
    return ", ".join(values)


def _setting_changes(before: Article, after: Article) -> list[FieldChange]:
    changes = []
    if before.category_id != after.category_id:
        changes.append(FieldChange(field="category", before=before.category_id, after=after.category_id))
    if before.tags != after.tags:
        changes.append(FieldChange(field="tags", before=_listed(before.tags), after=_listed(after.tags)))
    if before.visibility != after.visibility:
        changes.append(FieldChange(field="visibility", before=before.visibility, after=after.visibility))
    if before.companies != after.companies:
        changes.append(FieldChange(field="companies", before=_listed(before.companies), after=_listed(after.companies)))
    return changes


def _variant_changes(before: Variant | None, after: Variant) -> list[FieldChange]:
    language = after.language
    if before is None:
        return [FieldChange(language=language, field="created", after=after.state.value)]
    changes = []
    if before.title != after.title:
        changes.append(FieldChange(language=language, field="title", before=before.title, after=after.title))
    if before.body != after.body:
        changes.append(FieldChange(language=language, field="body"))
    if before.state != after.state:
        changes.append(FieldChange(language=language, field="state", before=before.state, after=after.state))
    return changes


def _changed_meanwhile() -> Conflict:
    return Conflict("Someone else changed this article since you opened it; reload it and make your change again.")


def update_article(article_id: str, change: ArticleChange, who: Any) -> Article:
    """Change an article's settings and languages (a Query, then one transaction conditional on the
    revision read: a stale revision is refused with 409 and nothing is stored)."""
    before = article_for_staff(article_id)
    if change.revision != before.revision:
        raise _changed_meanwhile()
    at = _now_ms()
    by = _person(who)
    settings = {name: value for name, value in change.model_dump(include=set(ArticleSettings.model_fields)).items()}
    merged = ArticleSettings.model_validate(
        {
            **before.model_dump(include=set(ArticleSettings.model_fields)),
            **{k: v for k, v in settings.items() if v is not None},
        }
    )
    variants = dict(before.variants)
    changes: list[FieldChange] = []
    for language, wanted in change.variants.items():
        old = variants.get(language)
        if old is None and wanted.title is None:
            raise InvalidRequest(f"A new language ({language}) needs a title.")
        base = old.model_dump(include={"title", "body", "state"}) if old else {"body": "", "state": State.DRAFT}
        content = {**base, **wanted.model_dump(exclude_none=True)}
        candidate = Variant(language=language, updated_at=at, updated_by=by, **content)
        changed = _variant_changes(old, candidate)
        if changed:
            variants[language] = candidate
            changes += changed
    article = Article(
        **merged.model_dump(),
        id=article_id,
        author=before.author,
        created_at=before.created_at,
        updated_at=at,
        revision=before.revision + 1,
        variants={language: variants[language] for language in LANGUAGES if language in variants},
        votes=before.votes,
    )
    changes = _setting_changes(before, article) + changes
    if not changes:
        return before
    old_items, new_items = _items(before), _items(article)
    as_read = Condition("revision = :read", values={":read": before.revision})
    actions = [put_action(item, as_read if item["sk"] == ARTICLE_SORT else None) for item in new_items.values()]
    actions += [delete_action({"pk": pk, "sk": sk}) for pk, sk in old_items if (pk, sk) not in new_items]
    actions.append(put_action(_history(article_id, at, by, changes)))
    if before.category_id != article.category_id:
        actions += [_counted(before.category_id, -1), _counted(article.category_id, 1)]
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        if error.reasons[0] == "ConditionalCheckFailed":
            raise _changed_meanwhile() from error
        raise InvalidRequest("There is no such knowledge-base category: choose one of the categories.") from error
    return article


def delete_article(article_id: str, revision: int | None = None) -> None:
    """Delete an article, its lists' items and its counts (one transaction, on the revision read);
    then its history (a batch: nothing reads it once the article is gone)."""
    before = article_for_staff(article_id)
    if revision is not None and revision != before.revision:
        raise _changed_meanwhile()
    as_read = Condition("revision = :read", values={":read": before.revision})
    keys = list(_items(before))
    actions = [delete_action({"pk": pk, "sk": sk}, as_read if sk == ARTICLE_SORT else None) for pk, sk in keys]
    actions += [delete_action(article_votes_key(article_id)), _counted(before.category_id, -1)]
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        raise _changed_meanwhile() from error
    entries = table().query(article_partition(article_id), sort_prefix=HISTORY_PREFIX)
    table().write_batch(deletes=[{"pk": item["pk"], "sk": item["sk"]} for item in entries])


def preview(body: str) -> Preview:
    html, text = render_article(body)
    return Preview(html=html, text=text)


# --- search (the stream's view of an article) -----------------------------------------------------


def search_document(item: Mapping[str, Any]) -> IndexedArticle | None:
    """The search document of a stored item (a stream record's image, deserialized): an article
    variant's; None for any other item."""
    if item.get("type") != Entity.ARTICLE_VARIANT.value:
        return None
    _, text = render_article(item.get("body", ""))
    return IndexedArticle(
        article_id=item["article_id"],
        language=item["language"],
        title=item["title"],
        body=text,
        state=item["state"],
        visibility=item["visibility"],
        companies=tuple(item.get("companies", [])),
        category_id=item["category_id"],
        tags=tuple(item.get("tags", [])),
        updated_at=item["updated_at"],
    )


def every_search_document() -> list[IndexedArticle]:
    """Every language of every article, to index them all again: the staff list's pages, then one
    Query per article."""
    listed = table().query(STAFF_ARTICLES)
    return [document for item in listed for document in search_documents(str(item["article_id"]))]


def search_documents(article_id: str) -> list[IndexedArticle]:
    """Every language of one article as search documents (one Query): to index it again."""
    if not _ID.fullmatch(article_id):
        return []
    items = table().query(article_partition(article_id), sort_prefix=ARTICLE_SORT, consistent=True)
    return [document for item in items if (document := search_document(item)) is not None]


# --- readers --------------------------------------------------------------------------------------

SLUG_CHARS = 60


def slug_of(title: str) -> str:
    """The words of a title for an address: lower case, without diacritics, joined by hyphens; the
    id keeps the address stable, so a changed title only makes an old slug stale (redirected).

    >>> slug_of("Přihlášení do portálu: krok 1/2")
    'prihlaseni-do-portalu-krok-1-2'
    """
    plain = unicodedata.normalize("NFKD", title.replace("ß", "ss")).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain.lower())
    slug = "-".join(words)[:SLUG_CHARS].rstrip("-")
    return slug or "article"


@dataclass(frozen=True)
class Listed:
    """A published article in a reader's list: its category and its published titles by language."""

    id: str
    category_id: str
    titles: Mapping[str, str]

    def in_language(self, language: str) -> str:
        """The language a reader reads it in: theirs if published, else English, else the first."""
        if language in self.titles:
            return language
        return "en" if "en" in self.titles else next(iter(self.titles))


def published_for(reader: Reader, category_id: str | None = None) -> list[Listed]:
    """The published articles a reader may read (one Query per audience: at most four), by category."""
    found: dict[str, Listed] = {}
    prefix = f"{category_id}#" if category_id else None
    for audience in reader.audiences:
        for item in table().query(published_articles(audience), sort_prefix=prefix):
            found[item["article_id"]] = Listed(item["article_id"], item["category_id"], item["titles"])
    return sorted(found.values(), key=lambda listed: (listed.category_id, listed.titles[listed.in_language("en")]))


def article_for_reader(article_id: str, language: str, reader: Reader) -> tuple[Article, Variant]:
    """The variant a reader asked for, if published and theirs to read (one Query); else the same
    NotFound as for an article that does not exist."""
    article = article_of(article_id, consistent=False)
    if article is None or not reader.may_read(article.visibility, article.companies):
        raise _no_article()
    variant = article.variants.get(language)  # type: ignore[call-overload]
    if variant is None or variant.state is not State.PUBLISHED:
        raise _no_article()
    return article, variant


def reader_hash(kind: str, value: str) -> str:
    """Who voted, stored as a hash: a contact's id, or a signed-out reader's cookie."""
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:32]


def vote(article_id: str, language: str, reader: Reader, who: str, helpful: bool) -> bool:
    """A reader's "Was this helpful?" (one transaction: their vote, put if absent, and the count).
    False if they had voted on this article already (the count is left as it was)."""
    article_for_reader(article_id, language, reader)
    ballot = stamped(
        Entity.ARTICLE_VOTE,
        article_vote_key(article_id, who),
        article_id=article_id,
        language=language,
        helpful=helpful,
        at=_now_ms(),
    )
    counted = update(
        article_votes_key(article_id),
        set_values=stamped(Entity.ARTICLE_VOTES, article_id=article_id),
        add={"helpful" if helpful else "unhelpful": 1},
    )
    try:
        table().transact([put_action(ballot, NEW_ITEM), counted])
    except TransactionCanceled:
        return False
    return True
