"""The knowledge base's search index: one document per article variant (an article in one language),
ranked by BM25 (tantivy), readable only as the reader may read it.

`build` makes an index from articles, `apply` puts new versions in and takes deleted ones out,
`search` answers a query for an audience. The index knows nothing of S3 or the table: it is a
directory (deskless.search_index stores it and keeps readers up to date).

How a query is asked (`_question`): every word of the query (deskless.search_text: stemmed, folded,
the last one a prefix while it is typed) is looked for in the title (boost 3), the tags (2) and the
body (1); a document matching more words, or rarer ones, or in its title, scores higher. What the
audience may read is a filter (a Must clause that adds no score): staff read every state they ask
for; a reader on a portal (deskless.readers.Reader) reads published articles of their audiences,
the same names the portal's lists use, so search finds an article exactly where it may be read.
The reader's language is searched first; other languages fill the rest, one variant per article
(the best-scoring), so an article not yet translated is still found.

Highlighting is done here, from the same analysis as the query (tantivy's snippet generator would
tokenize the stored text its own way): the title, and the part of the body with the most matching
words, HTML-escaped with each matching word wrapped in <mark>.
"""

from __future__ import annotations

import html
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

import tantivy

from .languages import Language, spoken
from .readers import Reader, Visibility, article_audiences
from .search_text import Term, matches, query_terms, terms

ArticleState = Literal["draft", "published", "archived"]
ARTICLE_STATES: tuple[ArticleState, ...] = ("draft", "published", "archived")

TITLE_BOOST = 3.0
TAGS_BOOST = 2.0
BODY_BOOST = 1.0
PREFIX_SCORE = 0.3  # a word only begun scores this (times the field's boost); whole words score by BM25
SNIPPET_CHARS = 180  # about two lines of a suggestion
SNIPPET_SCAN_CHARS = 5000  # a snippet comes from the body's beginning: highlighting is Python, ~0.3 ms per 100 words
COMMON_SHARE = 0.5  # a word in more than this share of a language's articles tells nothing (see _telling)
COMMON_MIN_DOCUMENTS = 20
WRITER_HEAP_BYTES = 50_000_000  # tantivy's writer memory; 15 MB is its floor, Lambda has 512 MB


@dataclass(frozen=True)
class IndexedArticle:
    """What the index holds of one article variant (the lead's articles module fills it)."""

    article_id: str
    language: Language
    title: str
    body: str  # plain text (the rendered Markdown's text)
    tags: tuple[str, ...]
    category_id: str | None
    state: ArticleState
    visibility: Visibility
    companies: tuple[str, ...]  # empty: every company
    updated_at: int  # ms

    @property
    def key(self) -> tuple[str, str]:
        return (self.article_id, self.language)


@dataclass(frozen=True)
class Staff:
    """A technician or admin: every article, in the states asked for."""

    states: tuple[ArticleState, ...] = ARTICLE_STATES


Audience = Staff | Reader  # a reader on a portal (deskless.readers): published articles of their audiences


@dataclass(frozen=True)
class Hit:
    article_id: str
    language: Language
    title: str  # HTML: escaped, matching words in <mark>
    snippet: str  # HTML: the body's best part, escaped, matching words in <mark>
    score: float
    state: ArticleState  # the variant's, as indexed (staff see every state)


@dataclass
class Index:
    """A tantivy index and where it lives (None: in memory)."""

    engine: tantivy.Index
    directory: Path | None = None
    schema: tantivy.Schema = field(init=False)

    def __post_init__(self) -> None:
        self.schema = self.engine.schema

    @property
    def documents(self) -> int:
        return int(self.engine.searcher().num_docs)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in ("key", "article_id", "language", "state", "audience", "category"):
        builder.add_text_field(name, stored=name in ("article_id", "language", "state"), tokenizer_name="raw")
    for name in ("title", "tags", "body"):
        builder.add_text_field(name, stored=False, index_option="position")  # pre-tokenized: the analysis's keys
    builder.add_bytes_field("title_text", stored=True)  # what highlighting reads back
    builder.add_bytes_field("body_text", stored=True)
    return builder.build()


def empty(directory: Path | None = None) -> Index:
    """An index with no document, in `directory` (made if missing) or in memory."""
    if directory is None:
        return Index(tantivy.Index(_schema()))
    directory.mkdir(parents=True, exist_ok=True)
    return Index(tantivy.Index(_schema(), path=str(directory)), directory)


def open_directory(directory: Path) -> Index:
    """An index a writer left in `directory`."""
    return Index(tantivy.Index.open(str(directory)), directory)


def build(articles: Iterable[IndexedArticle], directory: Path | None = None) -> Index:
    """An index of these articles, in `directory` or in memory."""
    index = empty(directory)
    apply(index, articles, ())
    return index


def apply(index: Index, upserts: Iterable[IndexedArticle], deleted_keys: Iterable[tuple[str, str]]) -> None:
    """Put each upserted variant in (replacing the version indexed before) and take deleted ones out:
    one commit, merged and with unused files removed, so the directory is ready to be stored."""
    writer = index.engine.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
    for article_id, language in deleted_keys:
        writer.delete_documents_by_term("key", _key(article_id, language))
    for article in upserts:
        writer.delete_documents_by_term("key", _key(article.article_id, article.language))
        writer.add_document(_document(article))
    writer.commit()
    writer.wait_merging_threads()
    index.engine.reload()


def search(
    index: Index,
    text: str,
    *,
    language: Language,
    audience: Audience,
    limit: int = 5,
    category_id: str | None = None,
) -> list[Hit]:
    """The best `limit` articles for a query, as the audience may read them (and of one category, if
    given): the reader's language's variants first, then the best variant in another language of
    articles not found in theirs."""
    searcher = index.engine.searcher()
    words = _telling(searcher, index.schema, query_terms(text, language), language)
    if not words or limit <= 0:
        return []
    matching = _question(index.schema, words)
    allowed = _allowed(index.schema, audience)
    if category_id is not None:
        allowed.append(_term(index.schema, "category", category_id))
    in_language = _filtered(matching, allowed, _term(index.schema, "language", language))
    found: list[tuple[float, tantivy.Document]] = [
        (score, searcher.doc(address)) for score, address in searcher.search(in_language, limit).hits
    ]
    if len(found) < limit:
        seen = [_first(doc, "article_id") for _, doc in found]
        excluded = [_term(index.schema, "language", language)]
        if seen:
            excluded.append(tantivy.Query.term_set_query(index.schema, "article_id", seen))
        others = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, matching),
                *[(tantivy.Occur.Must, _constant(query)) for query in allowed],
                *[(tantivy.Occur.MustNot, query) for query in excluded],
            ]
        )
        best: dict[str, tuple[float, tantivy.Document]] = {}
        for score, address in searcher.search(others, (limit - len(found)) * 3).hits:
            doc = searcher.doc(address)
            best.setdefault(_first(doc, "article_id"), (score, doc))
        found += list(best.values())[: limit - len(found)]
    return [_hit(score, doc, words) for score, doc in found]


def _telling(searcher: tantivy.Searcher, schema: tantivy.Schema, words: list[Term], language: Language) -> list[Term]:
    """The words of a query that tell articles apart. A whole word found in the bodies of more than
    COMMON_SHARE of the articles in the reader's language ("the", "und", "je": what a stopword list
    would hold, learned from the articles themselves, so none is kept per language) would match
    nearly everything, and is left out of the question and the highlighting, unless every word is
    such. A knowledge base of fewer than COMMON_MIN_DOCUMENTS articles in that language says too
    little to judge: every word counts there. The word being typed always counts."""
    counted = searcher.search(_term(schema, "language", language), 1, count=True)
    in_language = int(counted.count or 0)  # type: ignore[attr-defined]  # the binding's stub omits `count`
    if in_language < COMMON_MIN_DOCUMENTS:
        return words
    telling = [
        word for word in words if word.prefix or searcher.doc_freq("body", word.word) <= COMMON_SHARE * in_language
    ]
    return telling if any(not word.prefix for word in telling) or len(telling) == len(words) else words


# --- documents ---------------------------------------------------------------------------------------


def _key(article_id: str, language: str) -> str:
    return f"{article_id}/{language}"


def _document(article: IndexedArticle) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("key", _key(article.article_id, article.language))
    doc.add_text("article_id", article.article_id)
    doc.add_text("language", article.language)
    doc.add_text("state", article.state)
    for audience in article_audiences(article.visibility, article.companies):
        doc.add_text("audience", audience)
    if article.category_id is not None:
        doc.add_text("category", article.category_id)
    doc.add_pre_tokenized_text("title", _tokens(article.title, article.language))
    doc.add_pre_tokenized_text("tags", _tokens(" ".join(article.tags), article.language))
    doc.add_pre_tokenized_text("body", _tokens(article.body, article.language))
    doc.add_bytes("title_text", article.title.encode())
    doc.add_bytes("body_text", article.body.encode())
    return doc


def _tokens(text: str, language: Language) -> tantivy.PreTokenizedString:
    """Every key of every word at the word's position (tantivy counts each as an occurrence)."""
    return tantivy.PreTokenizedString(
        text,
        [
            tantivy.Token(key, term.position, term.start, term.end)
            for term in terms(text, language)
            for key in term.keys
        ],
    )


# --- questions ---------------------------------------------------------------------------------------

_FIELDS = (("title", TITLE_BOOST), ("tags", TAGS_BOOST), ("body", BODY_BOOST))


def _question(schema: tantivy.Schema, words: Sequence[Term]) -> tantivy.Query:
    """Any of the words, each in any field: per field, the best of the word's keys (so a word
    indexed under three keys counts once), boosted by the field's weight."""
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, _word(schema, word)) for word in words])


def _word(schema: tantivy.Schema, word: Term) -> tantivy.Query:
    per_field = []
    for name, boost in _FIELDS:
        alternatives = [tantivy.Query.term_query(schema, name, key) for key in word.keys]
        if word.prefix:
            begun = tantivy.Query.fuzzy_term_query(schema, name, word.word, distance=0, prefix=True)
            alternatives.append(tantivy.Query.boost_query(begun, PREFIX_SCORE))  # its score is constant: 1
        per_field.append(
            (tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.disjunction_max_query(alternatives), boost))
        )
    return tantivy.Query.boolean_query(per_field)


def _allowed(schema: tantivy.Schema, audience: Audience) -> list[tantivy.Query]:
    """What the audience may read, as queries a document must all match."""
    if isinstance(audience, Staff):
        return [tantivy.Query.term_set_query(schema, "state", list(audience.states))]
    return [
        _term(schema, "state", "published"),
        tantivy.Query.term_set_query(schema, "audience", audience.audiences),
    ]


def _filtered(matching: tantivy.Query, allowed: list[tantivy.Query], *more: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, matching), *[(tantivy.Occur.Must, _constant(query)) for query in (*allowed, *more)]]
    )


def _constant(query: tantivy.Query) -> tantivy.Query:
    """A filter: it must match, and adds nothing to the score."""
    return tantivy.Query.const_score_query(query, 0.0)


def _term(schema: tantivy.Schema, name: str, value: str) -> tantivy.Query:
    return tantivy.Query.term_query(schema, name, value)


def _first(doc: tantivy.Document, name: str) -> str:
    return str(doc.get_first(name))


# --- hits and their highlighting ---------------------------------------------------------------------


def _hit(score: float, doc: tantivy.Document, words: Sequence[Term]) -> Hit:
    language = spoken(_first(doc, "language"))
    title = bytes(doc.get_first("title_text") or b"").decode()
    body = bytes(doc.get_first("body_text") or b"").decode()
    return Hit(
        article_id=_first(doc, "article_id"),
        language=language,
        title=_highlighted(title, matches(title, language, words), 0, len(title)),
        snippet=_snippet(body, language, words),
        score=float(score),
        state=cast(ArticleState, _first(doc, "state")),
    )


def _snippet(body: str, language: Language, words: Sequence[Term]) -> str:
    """About SNIPPET_CHARS of the body around the most matches among its first SNIPPET_SCAN_CHARS
    (its start when nothing matches there)."""
    found = matches(body[:SNIPPET_SCAN_CHARS], language, words)
    start = 0
    if found:
        ends = [end for _, end in found]
        best = max(range(len(found)), key=lambda i: bisect_right(ends, found[i][0] + SNIPPET_CHARS) - i)
        before = body.rfind(" ", 0, max(found[best][0] - SNIPPET_CHARS // 4, 0))  # a little context before it
        start = 0 if before < 0 else before + 1
    end = min(len(body), start + SNIPPET_CHARS)
    if end < len(body) and (space := body.rfind(" ", start, end)) > start:
        end = space
    text = _highlighted(body, [(a, b) for a, b in found if start <= a and b <= end], start, end)
    return ("… " if start > 0 else "") + text + (" …" if end < len(body) else "")


def _highlighted(text: str, spans: Sequence[tuple[int, int]], start: int, end: int) -> str:
    """text[start:end] escaped, each span in it wrapped in <mark>."""
    parts, at = [], start
    for span_start, span_end in spans:
        parts += [html.escape(text[at:span_start]), "<mark>", html.escape(text[span_start:span_end]), "</mark>"]
        at = span_end
    parts.append(html.escape(text[at:end]))
    return "".join(parts)
