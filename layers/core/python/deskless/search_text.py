"""How the knowledge base's search reads text, in English, Spanish, German and Czech: the one
analysis both articles (when indexed) and readers' queries go through, so all four languages behave
alike (deskless.knowledge_index searches with it).

A text is split into words (runs of Unicode letters and digits), each lowercased (casefolded: German
"ß" becomes "ss", so "Straße" and "Strasse" are one word), stemmed by the Snowball project's stemmer
of the text's language (snowballstemmer), and folded: decomposed (NFKD) with its combining marks
dropped, so "prihlaseni" is "přihlášení" and "zurucksetzen" is "zurücksetzen".

A word is indexed under several keys at one position, because a reader types without diacritics
while the stemmers expect them: Spanish "batería" stems to "bat" but "bateria" to "bateri", Czech
"počítače" to "počítač" but "pocitace" to "pocitak". So each word's keys are its stem folded, the
stem of the word folded (which a query typed without diacritics always gives), and the folded word
itself (which the last word's prefix is matched against, and which makes an exact word match count
too). Czech's Snowball stemmer leaves verbs whole and keeps the fleeting e ("hesel", the genitive
plural of "heslo"); two light rules add keys for those (`_czech_keys`), so "přihlásit" finds
"přihlášení" and "hesel" finds "heslo". In German, "ß" and "ss" are one (casefolding), and so are
"ü" and "ue" where the German stemmer writes them alike ("zuruecksetzen" finds "zurücksetzen").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import TYPE_CHECKING, NamedTuple

from .languages import LANGUAGES, Language

if TYPE_CHECKING:
    from snowballstemmer import BaseStemmer  # type: ignore[import-untyped]

__all__ = ["LANGUAGES", "Term", "fold", "matches", "query_terms", "terms"]

WORD = re.compile(r"[^\W_]+")
MIN_PREFIX = 2  # a last word shorter than this is matched whole: one letter would match half the index
MAX_QUERY_WORDS = 32  # a query's words beyond these are ignored (a whole ticket description can be a query)

_SNOWBALL: dict[Language, str] = {"en": "english", "es": "spanish", "de": "german", "cs": "czech"}


class Term(NamedTuple):
    """One word of a text: where it is (character offsets into the text, and its position among the
    text's words) and the keys it is indexed and matched under (folded stems, then the folded word).
    A tuple: an article's analysis makes hundreds."""

    word: str  # the word as folded (lowercase, no diacritics), unstemmed: what a prefix is matched against
    keys: tuple[str, ...]  # every key of the word, the folded word last; a query's word matches a document's
    start: int  # character offsets of the word in the text
    end: int
    position: int
    prefix: bool = False  # a query's last word, still being typed: also matches words that start with it


def fold(text: str) -> str:
    """Lowercase and without diacritics: "Přihlášení" -> "prihlaseni"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def terms(text: str, language: Language) -> list[Term]:
    """The words of a text with their keys and offsets, as the index holds them."""
    return [
        Term(*_analysed(match.group(), language), match.start(), match.end(), position)
        for position, match in enumerate(WORD.finditer(text))
    ]


def matches(text: str, language: Language, query: Sequence[Term]) -> list[tuple[int, int]]:
    """Where the words of a text are that a query's words match (a key in common, or the prefix
    being typed begins them), as (start, end) character offsets: what a hit highlights. Each distinct
    word is decided once (a body is hundreds of words, far fewer of them distinct)."""
    keys = {key for term in query for key in term.keys}
    prefixes = tuple(term.word for term in query if term.prefix)
    decided: dict[str, bool] = {}
    found = []
    for match in WORD.finditer(text):
        raw = match.group()
        matched = decided.get(raw)
        if matched is None:
            word, word_keys = _analysed(raw, language)
            matched = decided[raw] = not keys.isdisjoint(word_keys) or (bool(prefixes) and word.startswith(prefixes))
        if matched:
            found.append(match.span())
    return found


def query_terms(text: str, language: Language) -> list[Term]:
    """A reader's query: its words (the first MAX_QUERY_WORDS, each once), the last one a prefix
    unless the text ends after it (a space or punctuation: the reader has finished the word)."""
    found = terms(text, language)
    words: dict[tuple[str, ...], Term] = {}
    for term in found[:MAX_QUERY_WORDS]:
        words.setdefault(term.keys, term)
    unique = list(words.values())
    if found and found[-1].end == len(text) and len(found[-1].word) >= MIN_PREFIX and len(found) <= MAX_QUERY_WORDS:
        last = found[-1]
        unique = [term for term in unique if term.keys != last.keys] + [
            Term(last.word, last.keys, last.start, last.end, last.position, prefix=True)
        ]
    return unique


@lru_cache(maxsize=65536)
def _analysed(word: str, language: Language) -> tuple[str, tuple[str, ...]]:
    """A word as written -> the word folded, and its keys (cached: words repeat, in an article and
    across articles)."""
    return fold(word), _keys(word.casefold(), language)


def _keys(word: str, language: Language) -> tuple[str, ...]:
    stemmer = _stemmer(language)
    folded = fold(word)
    stems = [fold(stemmer.stemWord(word)), stemmer.stemWord(folded)]
    if language == "cs":
        stems += [key for stem in stems for key in _czech_keys(stem)]
    keys = list(dict.fromkeys([*stems, folded]))
    return tuple(keys)


_FLEETING_E = re.compile(r"(.+[^aeiouy])e([lnkcrt])")
_CZECH_VERBAL = ("ovan", "ovat", "it", "et", "at", "en", "an")


def _czech_keys(stem: str) -> list[str]:
    """Keys Snowball's Czech stemmer leaves out, from a folded stem: the stem without its fleeting e
    ("hesel" -> "hesl", "tiskaren" -> "tiskarn", "ucet" -> "uct"), and the verb's root without a verbal
    ending, which its noun shares ("prihlasit", "prihlasen" (přihlášení), "prihlast" (přihlaste) ->
    "prihlas")."""
    keys = []
    if fleeting := _FLEETING_E.fullmatch(stem):
        keys.append(fleeting.group(1) + fleeting.group(2))
    for ending in _CZECH_VERBAL:
        if stem.endswith(ending) and len(stem) - len(ending) >= 3:
            keys.append(stem.removesuffix(ending))
            break
    else:
        if len(stem) >= 5 and stem.endswith("t") and stem[-2] not in "aeiouy":
            keys.append(stem[:-1])  # an imperative: "nastavte" -> "nastavt" -> "nastav"
    return keys


@cache
def _stemmer(language: Language) -> BaseStemmer:
    import snowballstemmer

    return snowballstemmer.stemmer(_SNOWBALL[language])
