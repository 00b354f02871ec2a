"""What a customer wrote in an emailed reply, without the history their mail program quoted
below it or their signature: the text a ticket's timeline shows for that reply.

The cutting is mail-parser-reply's (an improved port of GitHub's and Zapier's email_reply_parser):
it finds the quote headers mail programs write ("On <date>, X wrote:", Outlook's "From: ... Sent:"
block and its line of underscores, "-----Original Message-----", and their German, Spanish and
Czech forms: "Am ... schrieb", "El ... escribió", "Dne ... napsal(a)") and the usual signatures
("-- ", "Sent from my iPhone", "Best regards", disclaimers), and keeps what stands before them.
Answers written between quoted lines are kept as the library keeps them. Quoted lines ("> ")
that end the message with no header above them are cut too, as GitHub's email_reply_parser does.

A message with HTML only is turned into text first, with the standard library's HTML parser (no
regular expression reads HTML): blocks and line breaks become lines, a `<blockquote>` becomes
lines starting with "> " as a text mail program would quote it, scripts and styles are dropped.

Whatever the cutting leaves, a message that had text never becomes empty: if nothing is left (a
reply that is all quote, a forward), the whole text is kept.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from .languages import LANGUAGES

if TYPE_CHECKING:
    from mailparser_reply.parser import EmailReply

_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
        "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_UNSEEN = frozenset({"head", "script", "style", "template", "title", "noscript"})
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area", "base", "source"})
# What is read: the new part is on top, and a long thread's history below it would only cost time
# (the standard HTML parser takes about 2 ms a kilobyte of HTML; the library, on lines starting
# "On ", up to 20 ms a kilobyte). Past READ_CHARS, a message in which no quote header was found is
# kept whole.
READ_CHARS = 16_000  # of text, searched for quote headers
HTML_READ_CHARS = 100_000  # of an HTML-only message's HTML, read as text
LONG_LINE = 200  # characters; a longer line is never a quote header (see _masked)
_STAND_IN = "\ue000"  # a private-use character: no mail program writes it
_STAND_INS = re.compile(f"{_STAND_IN}(\\d+){_STAND_IN}")
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


class _TextOfHtml(HTMLParser):
    """Lines of text from HTML: one per block or line break, quoted ("> ") inside blockquotes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._words: list[str] = []
        self._depth = 0  # blockquotes around what is being read
        self._unseen = 0  # script, style, head... around it
        self._pre = 0

    def _flush(self, *, blank_allowed: bool = False) -> None:
        line = "".join(self._words) if self._pre else _SPACES.sub(" ", "".join(self._words)).strip()
        self._words = []
        if line or (blank_allowed and self.lines and self.lines[-1].strip("> ")):
            self.lines.append(f"{'> ' * self._depth}{line}".rstrip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _UNSEEN:
            self._unseen += 1
        elif tag == "br":
            self._flush(blank_allowed=True)
        elif tag in _BLOCKS:
            self._flush()
            self._depth += tag == "blockquote"
            self._pre += tag == "pre"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._flush(blank_allowed=True)
        elif tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _UNSEEN:
            self._unseen = max(0, self._unseen - 1)
        elif tag in _BLOCKS and tag not in _VOID:
            self._flush()
            if tag == "blockquote":
                self._depth = max(0, self._depth - 1)
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
            if tag in {"p", "blockquote", "table"}:
                self._flush(blank_allowed=True)

    def handle_data(self, data: str) -> None:
        if not self._unseen:
            self._words.append(data)

    def text(self) -> str:
        self.close()
        self._flush()
        return "\n".join(self.lines).strip()


def text_of_html(html: str) -> str:
    """The text a reader sees in an HTML mail, quoted parts marked "> " (module docstring)."""
    reader = _TextOfHtml()
    reader.feed(html)
    return reader.text()


# Quote headers the library's own patterns miss (1.36: its Spanish pattern asks for two spaces
# before "escribió", its Czech one knows only Thunderbird's "Dne ... napsal(a):"), written as mail
# programs write them: Gmail's and Outlook's Spanish, Gmail's Czech ("pá 4. 12. 2026 v 10:12
# odesílatel Jana <jana@example.cz> napsal:"). One group each, the whole line, as the library's.
_MORE_HEADERS = (
    r"^(?:> ?)*(El\s.+?\sescribi[óo]:)$",
    r"^(?:> ?)*((?:Dne\s.+?|.+?\sodes[íi]latel\s.+?)\snapsal(?:\(a\))?:)$",
)


@cache
def _header_pattern() -> re.Pattern[str]:
    from mailparser_reply.parser import EmailMessage  # imported on first use: only mail reading needs it

    own = EmailMessage(text="", languages=list(LANGUAGES)).HEADER_REGEX.pattern
    return re.compile("|".join((own, *_MORE_HEADERS)), flags=re.MULTILINE | re.IGNORECASE)


def _replies(text: str) -> list[EmailReply]:
    from mailparser_reply.parser import EmailMessage

    # `_header_regex` is the message's header pattern, taken as given when set (the library builds
    # it from its languages otherwise): the library's own, with the ones above added.
    # keep_hyphen_lists: a line starting "- " is a customer's list of steps, not a signature.
    message = EmailMessage(
        text=text, languages=list(LANGUAGES), keep_hyphen_lists=True, _header_regex=_header_pattern()
    )
    return list(message.read().replies)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def visible_reply(text: str | None, html: str | None) -> str:
    """The new part of an emailed reply: its text part (else its HTML as text) without quoted
    history and signatures; the whole text if cutting would leave nothing; "" only for a message
    with no text at all."""
    whole = _tidy(text) if text and text.strip() else _tidy(text_of_html((html or "")[:HTML_READ_CHARS]))
    if not whole:
        return ""
    head, long_lines = _masked(whole[:READ_CHARS])
    replies = _replies(head)
    first = replies[0] if replies else None
    if first is None or not (len(replies) > 1 or first.headers or first.signatures or first.disclaimers):
        kept = whole  # nothing found to cut in what was read
    else:
        kept = _tidy(_unmasked(first.body, long_lines))
    return _without_trailing_quote(kept) or whole


def _masked(text: str) -> tuple[str, list[str]]:
    """The text with each line longer than LONG_LINE replaced by a short stand-in, and those lines.

    No quote header is that long, and the library's English pattern takes time growing with the
    square of a line's length (a 30,000-character line starting "On " took 80 s): a customer's
    paragraph written as one line, or a hostile one, would otherwise stall the function."""
    long_lines: list[str] = []
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if len(line) > LONG_LINE:
            lines[number] = f"{_STAND_IN}{len(long_lines)}{_STAND_IN}"
            long_lines.append(line)
    return "\n".join(lines), long_lines


def _unmasked(text: str, long_lines: list[str]) -> str:
    if not long_lines:
        return text

    def line(found: re.Match[str]) -> str:
        number = int(found[1])
        return long_lines[number] if number < len(long_lines) else found[0]  # one the sender wrote

    return _STAND_INS.sub(line, text)


def _without_trailing_quote(text: str) -> str:
    """The text without the quoted lines ("> ...") that end it, as GitHub's email_reply_parser
    hides them: a quote with no header line above it (a blockquote in HTML, a terse mail program);
    quoted lines with answers after them stay. "" if the text is all quote."""
    lines = text.split("\n")
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith(">")):
        lines.pop()
    return "\n".join(lines).strip()
