"""Who may read a knowledge-base article, as one set of names both the portal's lists and the
search index use, so an article is found exactly where it may be read.

An article is read by audiences: `public` (anyone on a portal, even signed out), `customers`
(signed-in contacts), each optionally limited to companies (`public@<company id>`,
`customers@<company id>`); an `internal` article has none (staff only). A reader belongs to
`public`, to `customers` too when signed in, and to the same two limited to their company: the
contact's, or, signed out, the company whose portal they are on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Visibility(StrEnum):
    PUBLIC = "public"  # anyone on the portal, even signed out
    CUSTOMERS = "customers"  # signed-in contacts
    INTERNAL = "internal"  # staff only


def article_audiences(visibility: Visibility | str, companies: Iterable[str]) -> list[str]:
    """The audiences that may read an article (none while internal).

    >>> article_audiences("customers", ["acme"]), article_audiences("public", [])
    (['customers@acme'], ['public'])
    """
    kind = Visibility(visibility)
    if kind is Visibility.INTERNAL:
        return []
    return [f"{kind.value}@{company}" for company in companies] or [kind.value]


@dataclass(frozen=True)
class Reader:
    """Who reads the portal: signed in (a contact) or not, as one company (the contact's, or the
    portal's for a signed-out reader on a company's portal), or none (the help centre)."""

    signed_in: bool
    company_id: str | None

    @property
    def audiences(self) -> list[str]:
        kinds = [Visibility.PUBLIC.value, Visibility.CUSTOMERS.value] if self.signed_in else [Visibility.PUBLIC.value]
        company = [f"{kind}@{self.company_id}" for kind in kinds] if self.company_id else []
        return kinds + company

    def may_read(self, visibility: Visibility | str, companies: Iterable[str]) -> bool:
        return bool(set(article_audiences(visibility, companies)) & set(self.audiences))


SIGNED_OUT = Reader(signed_in=False, company_id=None)  # on the help centre: public articles for every company
