"""The knowledge base's analysis with real words of each language (deskless.search_text): a query's
word finds a document's word when they share a key, whatever their inflection, case or diacritics;
the last word of a query is a prefix while it is typed."""

from __future__ import annotations

import pytest

from deskless.languages import Language
from deskless.search_text import LANGUAGES, fold, query_terms, terms


def finds(query: str, document: str, language: Language) -> bool:
    """Whether a query (typed to its end: no prefix) matches a one-word document's word."""
    [word] = terms(document, language)
    return all(set(term.keys) & set(word.keys) for term in query_terms(query + " ", language))


def test_the_four_languages_are_deskless_own() -> None:
    assert LANGUAGES == ("en", "es", "de", "cs")


def test_words_are_letters_and_digits_with_their_offsets() -> None:
    text = "Wi-Fi 6E: reset (router)!"

    found = terms(text, "en")

    assert [text[t.start : t.end] for t in found] == ["Wi", "Fi", "6E", "reset", "router"]
    assert [t.position for t in found] == [0, 1, 2, 3, 4]


def test_folding_lowercases_and_drops_diacritics() -> None:
    assert fold("Přihlášení") == "prihlaseni"
    assert fold("Contraseña") == "contrasena"
    assert fold("ZURÜCKSETZEN") == "zurucksetzen"
    assert fold("Straße") == "strasse"  # casefolding writes ß as ss


@pytest.mark.parametrize(
    ("query", "document"), [("connecting", "connection"), ("connected", "connections"), ("passwords", "password")]
)
def test_english_inflections_share_a_stem(query: str, document: str) -> None:
    assert finds(query, document, "en")


@pytest.mark.parametrize(
    ("query", "document"),
    [
        ("contraseñas", "contraseña"),
        ("contrasena", "contraseñas"),
        ("conexion", "conexión"),
        ("conexiones", "conexión"),
        ("bateria", "batería"),  # the stemmer cuts "batería" to "bat", "bateria" to "bateri"
        ("baterías", "bateria"),
    ],
)
def test_spanish_inflections_and_missing_accents_find_the_word(query: str, document: str) -> None:
    assert finds(query, document, "es")


@pytest.mark.parametrize(
    ("query", "document"),
    [
        ("Verbindungen", "Verbindung"),
        ("zurucksetzen", "zurücksetzen"),
        ("zuruecksetzen", "zurücksetzen"),  # the German stemmer reads "ue" as "ü"
        ("Passwort", "Passwörter"),
        ("Strasse", "Straße"),
        ("Straße", "Strasse"),
    ],
)
def test_german_inflections_umlauts_and_sharp_s_find_the_word(query: str, document: str) -> None:
    assert finds(query, document, "de")


@pytest.mark.parametrize(
    ("query", "document"),
    [
        ("prihlaseni", "přihlášení"),  # typed without diacritics
        ("přihlásit", "přihlášení"),  # the verb finds its noun
        ("prihlasit", "přihlášení"),
        ("přihlaste", "přihlášení"),  # the imperative too
        ("heslo", "hesla"),
        ("hesel", "heslo"),  # the genitive plural's fleeting e
        ("heslo", "hesel"),
        ("nastaveni", "nastavit"),
        ("ucet", "účtu"),
        ("tiskaren", "tiskárna"),
        ("pocitace", "počítače"),  # the stemmer gives "počítač" with diacritics, "pocitak" without
        ("prohlizece", "prohlížeče"),
    ],
)
def test_czech_inflections_verbs_and_missing_diacritics_find_the_word(query: str, document: str) -> None:
    assert finds(query, document, "cs")


@pytest.mark.parametrize(
    ("query", "document", "language"),
    [
        ("printer", "password", "en"),
        ("heslo", "tiskárna", "cs"),
        ("Drucker", "Verbindung", "de"),
        ("red", "correo", "es"),
    ],
)
def test_different_words_do_not_match(query: str, document: str, language: Language) -> None:
    assert not finds(query, document, language)


def test_the_last_word_is_a_prefix_while_it_is_typed() -> None:
    typing = query_terms("reset pass", "en")
    finished = query_terms("reset pass ", "en")

    assert [(t.word, t.prefix) for t in typing] == [("reset", False), ("pass", True)]
    assert [(t.word, t.prefix) for t in finished] == [("reset", False), ("pass", False)]
    assert query_terms("pass reset", "en")[0].prefix is False  # a word before the last is whole
    assert query_terms("reset p", "en")[-1].prefix is False  # one letter is too short to be a prefix


def test_a_query_repeats_no_word_and_keeps_a_bounded_number_of_words() -> None:
    assert [t.word for t in query_terms("Printer printer PRINTER toner", "en")] == ["printer", "toner"]
    assert len(query_terms(" ".join(f"word{n}" for n in range(100)), "en")) == 32
