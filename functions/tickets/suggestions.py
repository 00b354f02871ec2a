"""Articles a technician may suggest on a ticket: what the knowledge base finds for the ticket's
title and the beginning of its description, among the articles its REQUESTER may read (their
`Reader`: signed in, as their company), so a link put in a reply opens for them. Each comes with
its address on the requester's portal in the article's language, built as `{[Ticket Link]}` is
(deskless.contact_mail.recipient: their company's portal if it is active, else the help centre).

Requests: a GetItem of the ticket, a GetItem of its requester and, when anything is found, a Query
of the requester's company (its portal); the index costs a GetItem of its pointer at most every
few seconds (deskless.search_index)."""

from __future__ import annotations

import html
import re

from pydantic import BaseModel, Field

from deskless.contact_mail import recipient
from deskless.credentials import account_base
from deskless.languages import Language
from deskless.readers import Reader
from deskless.search_index import find
from deskless.ticket_intake import requester_of
from deskless.tickets import ticket_of

SUGGESTED = 5
DESCRIPTION_CHARS = 300  # the beginning of the description: what the ticket is about, before the details
_MARK = re.compile(r"</?mark>")


class SuggestedArticle(BaseModel):
    article_id: str
    language: Language = Field(description="The language of the variant suggested (the requester's, if it has one).")
    title: str = Field(description="The variant's title, plain text (for a link's words).")
    snippet: str = Field(description="HTML: the best part of the body, escaped, the words that matched in <mark>.")
    url: str = Field(description="The article's address on the requester's portal, in that language.")


def plain(highlighted: str) -> str:
    """The text of a highlighted title: escaped text with <mark> tags, so exactly the original.

    >>> plain("<mark>Printing</mark> &amp; scanning")
    'Printing & scanning'
    """
    return html.unescape(_MARK.sub("", highlighted))


def suggested_articles(number: int) -> list[SuggestedArticle]:
    """Up to SUGGESTED published articles for the ticket that its requester may read, in their
    language first (NotFound for a ticket that does not exist)."""
    ticket = ticket_of(number, consistent=False)
    requester = requester_of(ticket)
    if requester is None:
        return []
    # A space at the end: the ticket's words are whole, none is matched as a prefix.
    question = f"{ticket.title}\n{ticket.description[:DESCRIPTION_CHARS]} "
    reader = Reader(signed_in=True, company_id=requester.company_id)
    hits = find(question, language=requester.language, audience=reader, limit=SUGGESTED)
    if not hits:
        return []
    pages = account_base(recipient(requester).address)
    return [
        SuggestedArticle(
            article_id=hit.article_id,
            language=hit.language,
            title=plain(hit.title),
            snippet=hit.snippet,
            url=f"{pages}articles/{hit.article_id}/{hit.language}",
        )
        for hit in hits
    ]
