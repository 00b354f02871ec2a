"""Snippets: the `{[...]}` placeholders of email and quick-reply templates, and the values they
stand for when a template is rendered.

`SNIPPETS` is the one registry of known snippets. A template that names any other is refused when
it is saved (and previewed), naming each unknown one and listing the known ones
(`unknown_in`, deskless.templates), so no customer ever receives a `{[Ticket Nmuber]}` verbatim.

What a snippet renders as comes from a `SnippetContext` (deskless.rendering renders with one):

- plain values (`SnippetValues`): the contact's, company's, ticket's and technician's fields and
  the portal address and username. The parts that know them fill them in (contacts, portal
  credentials, tickets); a preview takes them as sample values.
- issued credentials, `{[Portal Password]}` and `{[Portal Password Link]}`: nothing stored holds
  them. When a mail or reply is really sent, the sender passes a `CredentialIssuer`, asked at that
  moment, at most once per rendering, for a new temporary password or set-password link; a preview
  passes none and shows a placeholder instead, so previewing never issues anything.

A value that is absent renders as a visible placeholder in a preview (`[Contact Name]`, so the
author sees where it goes) and as nothing in what is sent. Values are one line of plain text:
line breaks and other control, bidi and zero-width characters in them become spaces, whatever the
template around them is (a subject stays one line; a value cannot start a paragraph or a list).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from .errors import CredentialsUnavailable, UnknownSnippet
from .fields import BIDI_CONTROLS, ZERO_WIDTH


class SnippetGroup(StrEnum):
    CREDENTIALS = "Portal credentials"
    CONTACT = "Contact"
    COMPANY = "Company"
    TICKET = "Ticket"
    TECHNICIAN = "Technician"


class Issued(StrEnum):
    """A credential issued at the moment a mail is sent (never stored in clear, never previewed)."""

    PASSWORD = "password"
    PASSWORD_LINK = "password_link"


@dataclass(frozen=True)
class Snippet:
    name: str  # what goes between {[ and ]}
    group: SnippetGroup
    description: str
    value: str = ""  # the SnippetValues field it renders, for a plain value
    issued: Issued | None = None  # for a credential issued when sent
    link: bool = False  # its value is a URL, which may stand as a link's target
    lines: bool = False  # its value keeps its line breaks in a body (a reply's text); one line elsewhere

    @property
    def token(self) -> str:
        return "{[" + self.name + "]}"


SNIPPETS: tuple[Snippet, ...] = (
    Snippet(
        "Portal Address",
        SnippetGroup.CREDENTIALS,
        "The address where the contact signs in: their company's portal, or the help centre.",
        value="portal_address",
        link=True,
    ),
    Snippet(
        "Portal Username", SnippetGroup.CREDENTIALS, "The email the contact signs in with.", value="portal_username"
    ),
    Snippet(
        "Portal Password",
        SnippetGroup.CREDENTIALS,
        "A new temporary password, issued when the email is sent; it must be changed at the first sign-in. "
        "Prefer the password link.",
        issued=Issued.PASSWORD,
    ),
    Snippet(
        "Portal Password Link",
        SnippetGroup.CREDENTIALS,
        "A single-use link to set a password, made when the email is sent (the safer choice).",
        issued=Issued.PASSWORD_LINK,
        link=True,
    ),
    Snippet("Contact First Name", SnippetGroup.CONTACT, "The contact's first name.", value="contact_first_name"),
    Snippet("Contact Name", SnippetGroup.CONTACT, "The contact's full name.", value="contact_name"),
    Snippet("Contact Email", SnippetGroup.CONTACT, "The contact's email address.", value="contact_email"),
    Snippet("Company Name", SnippetGroup.COMPANY, "The name of the contact's company.", value="company_name"),
    Snippet("Ticket Number", SnippetGroup.TICKET, "The ticket's number.", value="ticket_number"),
    Snippet("Ticket Title", SnippetGroup.TICKET, "The ticket's title.", value="ticket_title"),
    Snippet("Ticket Status", SnippetGroup.TICKET, "The ticket's status.", value="ticket_status"),
    Snippet("Ticket Link", SnippetGroup.TICKET, "The ticket's address on the portal.", value="ticket_link", link=True),
    Snippet(
        "Ticket Reply",
        SnippetGroup.TICKET,
        "The text of the technician's reply, its lines kept.",
        value="ticket_reply",
        lines=True,
    ),
    Snippet(
        "Technician Name", SnippetGroup.TECHNICIAN, "The name of the technician who writes.", value="technician_name"
    ),
)
BY_NAME: dict[str, Snippet] = {snippet.name: snippet for snippet in SNIPPETS}

# {[ anything but brackets and line breaks ]}: what a template names as a snippet, known or not.
SNIPPET_PATTERN = re.compile(r"\{\[([^\[\]{}\r\n]{1,80})\]\}")


def named_in(text: str) -> list[str]:
    """The snippet names a text holds, in order, each once (whether known or not).

    >>> named_in("Hello {[Contact Name]}, {[ Nope ]} {[Contact Name]}")
    ['Contact Name', ' Nope ']
    """
    return list(dict.fromkeys(match.group(1) for match in SNIPPET_PATTERN.finditer(text)))


def unknown_in(text: str) -> list[str]:
    """The snippets a text names that are not in the registry (names match exactly, case included).

    >>> unknown_in("{[Contact Name]} {[contact name]} {[Ticket Nmuber]}")
    ['contact name', 'Ticket Nmuber']
    """
    return [name for name in named_in(text) if name not in BY_NAME]


def known_list() -> str:
    """The known snippets, as a refusal lists them."""
    return ", ".join(snippet.token for snippet in SNIPPETS)


def refusal(unknown: Iterable[str]) -> str:
    """What a refusal says of unknown snippets: each one, then the known ones.

    >>> refusal(["Ticket Nmuber"]).split(". ")[0]
    'Unknown snippet {[Ticket Nmuber]}'
    """
    names = list(unknown)
    listed = ", ".join("{[" + name + "]}" for name in names)
    return f"Unknown snippet{'s' if len(names) > 1 else ''} {listed}. The known snippets are: {known_list()}."


def check_known(texts: Mapping[str, str]) -> None:
    """Refuse texts that name unknown snippets (UnknownSnippet, 400): the message names every
    unknown one and lists the known ones; `details` says which field (the keys of `texts`, such
    as "variants.es.body") holds which."""
    problems: list[dict[str, str]] = []
    everywhere: list[str] = []
    for where, text in texts.items():
        if unknown := unknown_in(text):
            problems.append({"field": where, "problem": refusal(unknown)})
            everywhere += unknown
    if problems:
        raise UnknownSnippet(refusal(dict.fromkeys(everywhere)), problems)


class SnippetValues(BaseModel):
    """The plain values snippets render: filled in by whoever sends (contacts, tickets, ...), or
    sample values for a preview. Each is optional; an absent one renders as described above."""

    model_config = ConfigDict(extra="forbid")

    portal_address: str | None = Field(default=None, max_length=500, description="{[Portal Address]}")
    portal_username: str | None = Field(default=None, max_length=320, description="{[Portal Username]}")
    contact_first_name: str | None = Field(default=None, max_length=100, description="{[Contact First Name]}")
    contact_name: str | None = Field(default=None, max_length=200, description="{[Contact Name]}")
    contact_email: str | None = Field(default=None, max_length=320, description="{[Contact Email]}")
    company_name: str | None = Field(default=None, max_length=200, description="{[Company Name]}")
    ticket_number: str | None = Field(default=None, max_length=40, description="{[Ticket Number]}")
    ticket_title: str | None = Field(default=None, max_length=300, description="{[Ticket Title]}")
    ticket_status: str | None = Field(default=None, max_length=80, description="{[Ticket Status]}")
    ticket_link: str | None = Field(default=None, max_length=500, description="{[Ticket Link]}")
    ticket_reply: str | None = Field(default=None, max_length=2000, description="{[Ticket Reply]}")
    technician_name: str | None = Field(default=None, max_length=200, description="{[Technician Name]}")


class CredentialIssuer(Protocol):
    """Issues a contact's portal credentials at the moment a mail is really sent.

    The part that owns portal credentials implements it (a temporary password stored hashed,
    single use and expiring; a single-use set-password link); the renderer asks for each at most
    once per rendering, and only for the snippets the rendered template names."""

    def temporary_password(self) -> str: ...

    def password_link(self) -> str: ...


# What a preview shows for a credential: visible, and plainly not a credential.
PREVIEW_PLACEHOLDERS: dict[Issued, str] = {
    Issued.PASSWORD: "[temporary password: issued when sent]",
    Issued.PASSWORD_LINK: "[set-password link: made when sent]",
}

_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029" + "".join(sorted(BIDI_CONTROLS | ZERO_WIDTH)) + "]",
)


_MANY_BLANK = re.compile(r"\n{3,}")


def flat(value: str) -> str:
    """A value as one line of plain text: control, line-breaking, bidi and zero-width characters
    become spaces, and runs of spaces one.

    >>> flat("Eve\\r\\nBcc: x@y\\u2028 \\u202eevil")
    'Eve Bcc: x@y evil'
    """
    return " ".join(_UNSAFE.sub(" ", value).split())


@dataclass
class SnippetContext:
    """What each snippet renders as, for one rendering (a subject, a body and its text part share
    one, so a credential is issued once for all three)."""

    values: SnippetValues = field(default_factory=SnippetValues)
    issuer: CredentialIssuer | None = None
    preview: bool = False
    _issued: dict[Issued, str] = field(default_factory=dict)

    @classmethod
    def for_preview(cls, values: SnippetValues | None = None) -> SnippetContext:
        return cls(values=values or SnippetValues(), preview=True)

    @classmethod
    def for_sending(cls, values: SnippetValues, issuer: CredentialIssuer | None = None) -> SnippetContext:
        return cls(values=values, issuer=issuer)

    def value_of(self, snippet: Snippet) -> str:
        """The snippet's value as one line of plain text (to be escaped for where it goes)."""
        if snippet.issued is not None:
            return self._credential(snippet.issued)
        raw = getattr(self.values, snippet.value)
        if raw is None or not flat(raw):
            return f"[{snippet.name}]" if self.preview else ""
        if snippet.lines:
            return _MANY_BLANK.sub("\n\n", "\n".join(flat(line) for line in raw.splitlines())).strip("\n")
        return flat(raw)

    def _credential(self, kind: Issued) -> str:
        if self.preview:
            return PREVIEW_PLACEHOLDERS[kind]
        if kind not in self._issued:
            if self.issuer is None:
                what = "temporary password" if kind is Issued.PASSWORD else "set-password link"
                raise CredentialsUnavailable(f"This template issues a portal {what}: it is sent to a contact only.")
            issued = self.issuer.temporary_password() if kind is Issued.PASSWORD else self.issuer.password_link()
            self._issued[kind] = flat(issued)
        return self._issued[kind]


def issues_credentials(texts: Iterable[str]) -> bool:
    """Whether any of the texts names a credential snippet (its sender must pass an issuer)."""
    return any(BY_NAME[name].issued is not None for text in texts for name in named_in(text) if name in BY_NAME)
