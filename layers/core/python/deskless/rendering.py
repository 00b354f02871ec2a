"""Rendering a template: a subject (one line of text), and a body written in Markdown, to HTML and
to plain text, with its snippets' values (deskless.snippets) put in.

The body is parsed by markdown-it-py (CommonMark, plus tables and strikethrough), with raw HTML
off: HTML written in a template shows as text, it is never markup. Values never pass through the
Markdown parser. Each snippet is first replaced by an inert marker (letters and digits, with a
random part no template can guess), the template is parsed, and only then are the markers in the
parsed tokens replaced by the values: in text, where the HTML renderer escapes them like any text;
in a link's target, where the result must still be an http(s) or mailto URL, or the link loses its
target. So a contact named `**Eve** <img src=x> [click](https://evil.example)` is printed as those
characters, in the HTML and in the text part alike, and a value can neither add markup nor start
a new line, paragraph or link.

The text part is made from the same parsed tokens: paragraphs and headings as lines, lists with
`-` or their numbers, quotes with `>`, a link as its text followed by its address in brackets.

A subject is one line whatever its values hold (deskless.snippets.flat), so it cannot add a header.

**Articles** (`render_article`: the knowledge base's bodies, deskless.articles) are Markdown with
no snippets, parsed by the same markdown-it (raw HTML off: `<script>` is text), headings one
level down (the page's title is its h1), tables and code. A link keeps its target only if it is
an http(s) or mailto URL, or a path or fragment of the portal itself (`/help/...`, `#part`):
`javascript:` and every other scheme lose it, the words stay. An image is shown only from an
https URL; any other is its alt text. The plain text (what search indexes) is made from the same
tokens as the HTML.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from .snippets import BY_NAME, SNIPPET_PATTERN, SnippetContext, check_known, flat

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

LINK_SCHEMES = ("http", "https", "mailto")


@dataclass(frozen=True)
class Rendered:
    """A rendered template: its subject (an email's) or title (a quick reply's), its body as a
    whole HTML document and as plain text."""

    subject: str
    html: str
    text: str


def render(subject: str, body: str, context: SnippetContext, *, language: str = "en") -> Rendered:
    """The subject and the Markdown body rendered with the context's values; an unknown snippet
    is refused (templates are checked when saved: this is the last guard)."""
    check_known({"subject": subject, "body": body})
    line = render_line(subject, context)
    fragment, text = render_body(body, context)
    return Rendered(subject=line, html=_document(fragment, line, language), text=text)


def render_line(template: str, context: SnippetContext) -> str:
    """A one-line template (a subject, a title) with its values: one line, whatever they hold."""
    check_known({"text": template})
    return flat(SNIPPET_PATTERN.sub(lambda match: context.value_of(BY_NAME[match.group(1)]), template))


def render_body(body: str, context: SnippetContext) -> tuple[str, str]:
    """The Markdown body as an HTML fragment and as plain text, with the values put in."""
    check_known({"body": body})
    nonce = secrets.token_hex(8)
    marker = re.compile(f"zq{nonce}([0-9]{{3}})q")
    found: list[str] = []

    def mark(match: re.Match[str]) -> str:
        found.append(match.group(1))
        return f"zq{nonce}{len(found) - 1:03d}q"

    md = _markdown()
    tokens = md.parse(SNIPPET_PATTERN.sub(mark, body))
    values = [context.value_of(BY_NAME[name]) for name in found]
    _fill(tokens, marker, found, values, md)
    html = md.renderer.render(tokens, md.options, {})
    return html, _plain_text(tokens)


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt  # imported by the functions that render, when they render

    # breaks: a line break in a template is one in the email, as its author sees it in the editor
    return MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])


def _fill(
    tokens: Sequence[Token], marker: re.Pattern[str], names: list[str], values: list[str], md: MarkdownIt
) -> None:
    """Replace the markers in the parsed tokens with the values (text) or link targets (URLs)."""
    for token in tokens:
        if token.content:
            token.content = marker.sub(lambda m: values[int(m.group(1))], token.content)
        for name in ("href", "src"):
            target = token.attrGet(name)
            if isinstance(target, str) and marker.search(target):
                _fill_target(token, name, target, marker, names, values, md)
        for name, value in list(token.attrs.items()):
            if name not in ("href", "src") and isinstance(value, str):
                token.attrSet(name, marker.sub(lambda m: values[int(m.group(1))], value))
        if token.children:
            _fill(token.children, marker, names, values, md)
            token.children = _broken(token.children)


def _broken(children: list[Token]) -> list[Token]:
    """Inline tokens with each line break a value brought (only a snippet that keeps its lines
    has any: a template's own are soft breaks already) made a hard break."""
    from markdown_it.token import Token

    result: list[Token] = []
    for child in children:
        if child.type != "text" or "\n" not in child.content:
            result.append(child)
            continue
        for number, line in enumerate(child.content.split("\n")):
            if number:
                result.append(Token("hardbreak", "br", 0))
            result.append(Token("text", "", 0, content=line))
    return result


def _fill_target(
    token: Token, name: str, target: str, marker: re.Pattern[str], names: list[str], values: list[str], md: MarkdownIt
) -> None:
    """A link's (or image's) target with the values in: a URL snippet as it is, any other value
    percent-encoded. What is not then an http(s) or mailto URL loses its target (the link's text
    stays), so no value makes a javascript: link; the text part still shows what was put in."""

    def value(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return values[index] if BY_NAME[names[index]].link else quote(values[index], safe="")

    url = marker.sub(value, target)
    token.meta = {**(token.meta or {}), "shown": url}
    if _linkable(url) and md.validateLink(url):
        token.attrSet(name, md.normalizeLink(url))
    else:
        del token.attrs[name]


def _linkable(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in LINK_SCHEMES and (parts.scheme.lower() == "mailto" or bool(parts.netloc))


# --- articles ----------------------------------------------------------------------------------

IMAGE_SCHEMES = ("https",)


def render_article(body: str) -> tuple[str, str]:
    """An article's Markdown body as an HTML fragment and as plain text (see the module's words)."""
    md = _article_markdown()
    tokens = md.parse(body)
    _article_tokens(tokens)
    return md.renderer.render(tokens, md.options, {}), _plain_text(tokens)


@cache
def _article_markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _article_tokens(tokens: Sequence[Token]) -> None:
    from markdown_it.token import Token

    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
        if token.type == "link_open":
            target = str(token.attrGet("href") or "")
            token.meta = {**(token.meta or {}), "shown": target}
            if _article_link(target):
                if urlsplit(target).scheme:
                    token.attrSet("rel", "nofollow noopener noreferrer")
            else:
                del token.attrs["href"]
        if not token.children:
            continue
        kept: list[Token] = []
        for child in token.children:
            if child.type == "image" and not _linkable_image(str(child.attrGet("src") or "")):
                kept.append(Token("text", "", 0, content=_inline_text(child.children or [])))
                continue
            kept.append(child)
        token.children = kept
        _article_tokens(token.children)


def _article_link(url: str) -> bool:
    if url.startswith("#") or (url.startswith("/") and not url.startswith("//") and "\\" not in url):
        return True
    return _linkable(url)


def _linkable_image(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in IMAGE_SCHEMES and bool(parts.netloc)


# --- the plain-text part ------------------------------------------------------------------------


def _plain_text(tokens: Sequence[Token]) -> str:
    writer = _TextWriter()
    for token in tokens:
        writer.take(token)
    return writer.result()


class _TextWriter:
    """Block tokens to lines of text: paragraphs apart, list items marked, quotes prefixed."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.quote = 0
        self.lists: list[list[Any]] = []  # [ordered, next number] per open list
        self.marker = ""  # the list item's marker, for its first line
        self.row: list[str] | None = None  # the cells of a table row being read

    def take(self, token: Token) -> None:
        kind = token.type
        if kind == "blockquote_open":
            self.quote += 1
        elif kind == "blockquote_close":
            self.quote -= 1
            self.blank()
        elif kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrGet("start")
            self.lists.append([kind == "ordered_list_open", int(start) if isinstance(start, int | str) else 1])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
            if not self.lists:
                self.blank()
        elif kind == "list_item_open":
            ordered, number = self.lists[-1]
            self.marker = f"{number}. " if ordered else "- "
            self.lists[-1][1] = number + 1
        elif kind == "tr_open":
            self.row = []
        elif kind == "tr_close":
            self.write(" | ".join(self.row or []))
            self.row = None
        elif kind == "table_close":
            self.blank()
        elif kind == "inline":
            text = _inline_text(token.children or [])
            if self.row is not None:
                self.row.append(text)
            else:
                self.write(text)
        elif kind in ("paragraph_close", "heading_close") and not token.hidden:
            self.blank()
        elif kind in ("fence", "code_block"):
            self.write(token.content.rstrip("\n"))
            self.blank()
        elif kind == "hr":
            self.write("-" * 20)
            self.blank()

    def write(self, text: str) -> None:
        depth = max(len(self.lists) - 1, 0)
        indent = "  " * depth
        prefix = "> " * self.quote
        for number, line in enumerate(text.split("\n")):
            if number == 0 and self.marker:
                lead, self.marker = indent + self.marker, ""
            else:
                lead = indent + ("  " if self.lists else "")
            self.lines.append((prefix + lead + line).rstrip())

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def result(self) -> str:
        return "\n".join(self.lines).strip("\n") + "\n"


def _inline_text(children: Iterable[Token]) -> str:
    parts: list[str] = []
    links: list[tuple[int, str]] = []
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "image":
            parts.append(_inline_text(child.children or []))
        elif kind == "link_open":
            shown = (child.meta or {}).get("shown") or child.attrGet("href") or ""
            links.append((len(parts), str(shown)))
        elif kind == "link_close" and links:
            start, url = links.pop()
            label = "".join(parts[start:])
            if url and url not in (label, f"mailto:{label}"):
                parts.append(f" ({url})")
    return "".join(parts)


# --- the HTML document --------------------------------------------------------------------------

_DOCUMENT = """<!doctype html>
<html lang="{{ language }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ subject }}</title>
</head>
<body>
{{ body }}</body>
</html>
"""


@cache
def _document_template() -> Any:
    from jinja2 import Environment

    return Environment(autoescape=True).from_string(_DOCUMENT)


def _document(fragment: str, subject: str, language: str) -> str:
    from markupsafe import Markup

    return str(_document_template().render(language=language, subject=subject, body=Markup(fragment)))  # noqa: S704
