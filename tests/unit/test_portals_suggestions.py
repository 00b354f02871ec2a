"""What the ticket form's suggestions search for, and how a hit's highlighted HTML is made again
before a page or the form shows it (functions/portals/suggestions.py, article_pages.py)."""

from __future__ import annotations

from deskless.search_text import query_terms
from functions.portals.article_pages import marked, plain
from functions.portals.suggestions import DESCRIPTION_WORDS, query_of


def test_the_title_and_the_descriptions_first_words_are_searched() -> None:
    description = " ".join(f"w{n}" for n in range(100))

    query = query_of("Printer jams", description)

    words = [term.word for term in query_terms(query, "en")]
    assert words[:2] == ["printer", "jams"]
    assert words[2:] == [f"w{n}" for n in range(DESCRIPTION_WORDS)]


def test_the_last_word_is_a_prefix_only_while_it_is_typed() -> None:
    typing_title = query_terms(query_of("Print", ""), "en")
    typing_description = query_terms(query_of("Printer", "the dri"), "en")
    cut = query_terms(query_of("Printer", " ".join(["driver"] * 30) + " sca"), "en")

    assert typing_title[-1].prefix
    assert (typing_description[-1].word, typing_description[-1].prefix) == ("dri", True)
    assert not any(term.prefix for term in cut)  # the description was cut after a whole word
    assert query_of("", "") == ""


def test_a_hit_is_made_again_of_escaped_text_and_marks_only() -> None:
    hit = "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Print</mark>ing &amp; <mark>scan</mark>"

    assert str(marked(hit)) == hit
    assert plain(hit) == "<script>alert(1)</script> Printing & scan"


def test_markup_a_hit_should_not_hold_is_escaped_all_the_same() -> None:
    assert str(marked('<img src=x onerror="alert(1)"><mark><b>x</b></mark>')) == (
        "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;<mark>&lt;b&gt;x&lt;/b&gt;</mark>"
    )
    assert str(marked("<mark>unclosed")) == "<mark>unclosed</mark>"
