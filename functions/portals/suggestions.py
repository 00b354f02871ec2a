"""Articles that may help, suggested to a contact's ticket form while it is typed (issue 13):

    POST /api/portal/knowledge/suggestions   up to five articles the contact may read, for the
                                             title and description typed so far
    POST /api/portal/knowledge/opened        the contact opened one of them (in place, on the form)

The form (assets/tickets.js) makes a random draft id when it loads and sends it with each request
and with the ticket; deskless.deflection records, per draft, which articles were shown and opened
(only the contact who started a draft adds to it: another contact's draft id changes nothing, and
the answer is the same), and counts them into the week's figures.

What is searched (`query_of`): the title, then the description's first DESCRIPTION_WORDS words. The
title is the subject and a description's first sentences say the problem; the search reads 32
words at most anyway, and analysing a description of 20,000 characters on every pause in the
typing would cost milliseconds for words it drops. The last word counts as a prefix only while
it is typed (the text ends with it): a description cut after its first words ends with a space,
so the last word kept counts whole.

Suggestions are throttled per session (deskless.throttle), generously: the form asks 300 ms after
each pause in the typing.
"""

from __future__ import annotations

from pydantic import UUID4, BaseModel, Field

from deskless import deflection
from deskless.credentials import CustomerSession
from deskless.errors import NotFound
from deskless.languages import Language
from deskless.readers import Reader
from deskless.search_text import WORD
from deskless.throttle import Limit, spend

from .article_pages import article_href, marked, plain

SUGGESTED = 5
DESCRIPTION_WORDS = 24  # after the title's; the search reads 32 words in all
SUGGESTIONS = Limit("kb_suggestions", count=120, window_seconds=60)  # per session: two a second, every second


class DraftText(BaseModel):
    """What a contact has typed so far in the ticket form."""

    title: str = Field(default="", max_length=200, description="The ticket's title so far.")
    description: str = Field(
        default="", max_length=20000, description="The description so far (its first words are searched)."
    )
    draft: UUID4 = Field(description="The form's draft id (random, made when the form loads; sent with the ticket).")
    language: Language | None = Field(
        default=None, description="The page's language: articles in it come first (else the visit's language)."
    )


class Suggestion(BaseModel):
    """An article that may help, as the form lists it."""

    id: str = Field(description="The article's id.")
    language: Language = Field(description="The language of this variant (the reader's if published in it).")
    title_html: str = Field(description="The title: HTML-escaped text, each matching word in <mark>; no other markup.")
    snippet_html: str = Field(description="The body's best matching part, made like the title.")
    url: str = Field(description="The article's page on this portal.")


class Suggestions(BaseModel):
    articles: list[Suggestion] = Field(description=f"At most {SUGGESTED}, best first; none when nothing matches.")


class Opening(BaseModel):
    """An article opened from the suggestions of one form."""

    draft: UUID4 = Field(description="The form's draft id, as sent for the suggestions.")
    article_id: str = Field(max_length=40, description="The suggested article that was opened.")


def query_of(title: str, description: str) -> str:
    """The title and the first DESCRIPTION_WORDS words of the description.

    >>> query_of("Printer jams", "It stops at page two")
    'Printer jams\\nIt stops at page two'
    >>> query_of("Printer", " ".join(str(n) for n in range(30)))[-9:]
    '21 22 23 '
    """
    words = list(WORD.finditer(description))
    if len(words) > DESCRIPTION_WORDS:
        description = description[: words[DESCRIPTION_WORDS - 1].end()] + " "  # its last word is whole
    return f"{title}\n{description}" if description else title


def suggest(session: CustomerSession, typed: DraftText, language: Language) -> Suggestions:
    """The articles the contact may read that match what they typed, recorded as shown to the draft."""
    spend(SUGGESTIONS, f"{session.contact.id}:{session.secret_hash[:16]}")
    query = query_of(typed.title, typed.description)
    if not query.strip():
        return Suggestions(articles=[])
    from deskless.search_index import find  # tantivy: imported by the routes that search, not by every page

    reader = Reader(signed_in=True, company_id=session.company_id)
    hits = find(query, language=language, audience=reader, limit=SUGGESTED)
    deflection.suggested(str(typed.draft), session.contact.id, [hit.article_id for hit in hits])
    return Suggestions(
        articles=[
            Suggestion(
                id=hit.article_id,
                language=hit.language,
                title_html=str(marked(hit.title)),
                snippet_html=str(marked(hit.snippet)),
                url=article_href(hit.article_id, hit.language, plain(hit.title)),
            )
            for hit in hits
        ]
    )


def record_opening(session: CustomerSession, opening: Opening) -> None:
    """Count an article opened from the form's suggestions; one that was not suggested to this
    contact's draft is NotFound, and nothing is counted."""
    if not deflection.opened(str(opening.draft), session.contact.id, opening.article_id):
        raise NotFound("No such article among this form's suggestions.")
