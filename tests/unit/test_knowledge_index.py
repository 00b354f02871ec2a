"""The knowledge base's index on small built indexes (deskless.knowledge_index): what ranks first,
which language answers, who may read what, and how hits are highlighted."""

from __future__ import annotations

from dataclasses import replace

from deskless.knowledge_index import Hit, IndexedArticle, Staff, apply, build, search
from deskless.readers import SIGNED_OUT, Reader, Visibility

ARTICLE = IndexedArticle(
    article_id="a",
    language="en",
    title="Untitled",
    body="",
    tags=(),
    category_id=None,
    state="published",
    visibility=Visibility.PUBLIC,
    companies=(),
    updated_at=1_796_558_400_000,
)


def article(article_id: str, title: str, body: str = "", **changes: object) -> IndexedArticle:
    return replace(ARTICLE, article_id=article_id, title=title, body=body, **changes)  # type: ignore[arg-type]


def ids(hits: list[Hit]) -> list[str]:
    return [hit.article_id for hit in hits]


def test_a_title_match_ranks_above_a_body_only_match() -> None:
    index = build(
        [
            article("body", "Printer setup", "Before you reset the password of the printer, switch it off."),
            article("title", "Reset a password", "Follow these steps."),
        ]
    )

    assert ids(search(index, "password ", language="en", audience=SIGNED_OUT)) == ["title", "body"]


def test_tags_count() -> None:
    index = build(
        [article("plain", "Office network", "Ask us."), article("tagged", "Office network", "Ask us.", tags=("vpn",))]
    )

    assert ids(search(index, "vpn ", language="en", audience=SIGNED_OUT)) == ["tagged"]


def test_more_query_words_matched_rank_higher() -> None:
    index = build(
        [
            article("one", "Printer jams", "Paper is stuck."),
            article("both", "Printer driver", "Install the driver for the printer."),
        ]
    )

    assert ids(search(index, "printer driver ", language="en", audience=SIGNED_OUT))[0] == "both"


def test_the_last_word_matches_as_a_prefix_while_typed_and_earlier_words_do_not() -> None:
    index = build([article("pw", "Change your password", "Any time.")])

    assert ids(search(index, "change pass", language="en", audience=SIGNED_OUT)) == ["pw"]
    assert ids(search(index, "pass ", language="en", audience=SIGNED_OUT)) == []  # a finished word is whole
    assert ids(search(index, "pass change", language="en", audience=SIGNED_OUT)) == ["pw"]  # by "change" only


def test_the_readers_language_answers_first_and_others_fill_in() -> None:
    index = build(
        [
            article("reset", "Reset your password", "Choose Forgot password."),
            article("reset", "Passwort zurücksetzen", "Passwort vergessen wählen.", language="de"),
            article("vpn", "VPN password", "Only in English."),
        ]
    )

    german = search(index, "passw", language="de", audience=SIGNED_OUT)
    english = search(index, "password", language="en", audience=SIGNED_OUT)

    assert [(hit.article_id, hit.language) for hit in german] == [("reset", "de"), ("vpn", "en")]
    assert {(hit.article_id, hit.language) for hit in english} == {("reset", "en"), ("vpn", "en")}


def test_an_article_answers_once_in_its_best_other_language_when_not_in_the_readers() -> None:
    index = build(
        [
            article("printer", "Printer offline", "The printer shows offline."),
            article("printer", "Impresora sin conexión", "La impresora (printer) no conecta.", language="es"),
        ]
    )

    hits = search(index, "printer", language="cs", audience=SIGNED_OUT)

    assert [(hit.article_id, hit.language) for hit in hits] == [("printer", "en")]


def test_a_new_version_replaces_the_old_and_a_deleted_variant_is_gone() -> None:
    index = build([article("a", "Printer offline"), article("b", "Scanner offline")])

    apply(index, [article("a", "Toner empty")], [("b", "en")])

    assert ids(search(index, "offline", language="en", audience=Staff())) == []
    assert ids(search(index, "toner", language="en", audience=Staff())) == ["a"]
    assert index.documents == 1


def test_a_search_may_keep_to_one_category() -> None:
    index = build(
        [article("net", "VPN setup", category_id="network"), article("acct", "VPN password", category_id="accounts")]
    )

    assert ids(search(index, "vpn", language="en", audience=SIGNED_OUT, category_id="accounts")) == ["acct"]
    assert sorted(ids(search(index, "vpn", language="en", audience=SIGNED_OUT))) == ["acct", "net"]


# --- who may read what ---------------------------------------------------------------------------------

ACME, GLOBEX = "company-acme", "company-globex"
LIBRARY = [
    article("public", "VPN public guide"),
    article("customers", "VPN for customers", visibility="customers"),
    article("internal", "VPN internal notes", visibility="internal"),
    article("draft", "VPN draft", state="draft"),
    article("archived", "VPN archived", state="archived"),
    article("acme", "VPN for Acme", visibility="customers", companies=(ACME,)),
    article("acme-public", "VPN for Acme, public", companies=(ACME,)),
]


def readable(audience: Staff | Reader) -> set[str]:
    return set(ids(search(build(LIBRARY), "vpn", language="en", audience=audience, limit=20)))


def test_signed_out_readers_see_only_published_public_articles_for_every_company() -> None:
    assert readable(SIGNED_OUT) == {"public"}


def test_a_signed_out_reader_on_acmes_portal_also_sees_acmes_public_articles() -> None:
    assert readable(Reader(signed_in=False, company_id=ACME)) == {"public", "acme-public"}


def test_a_contact_sees_public_and_customers_articles_and_their_own_companys() -> None:
    assert readable(Reader(signed_in=True, company_id=ACME)) == {"public", "customers", "acme", "acme-public"}


def test_another_companys_contact_never_sees_an_article_restricted_to_acme() -> None:
    assert readable(Reader(signed_in=True, company_id=GLOBEX)) == {"public", "customers"}


def test_staff_see_every_article_and_may_ask_for_some_states() -> None:
    assert readable(Staff()) == {article.article_id for article in LIBRARY}
    assert readable(Staff(states=("draft", "archived"))) == {"draft", "archived"}


def test_drafts_archived_and_internal_articles_never_reach_a_customer_in_any_language() -> None:
    index = build(
        [
            article("draft", "Borrador VPN", language="es", state="draft"),
            article("internal", "Interní VPN", language="cs", visibility="internal"),
            article("archived", "VPN archiviert", language="de", state="archived"),
        ]
    )

    for language in ("en", "es", "de", "cs"):
        assert search(index, "vpn", language=language, audience=Reader(signed_in=True, company_id=ACME)) == []


# --- highlighting -------------------------------------------------------------------------------------


def test_titles_and_snippets_mark_matching_words_and_escape_everything_else() -> None:
    index = build(
        [
            article(
                "xss",
                "Passwords & <b>you</b>",
                "Never paste <script>alert('password')</script> into the password box.",
            )
        ]
    )

    [hit] = search(index, "password", language="en", audience=SIGNED_OUT)

    assert hit.title == "<mark>Passwords</mark> &amp; &lt;b&gt;you&lt;/b&gt;"
    assert hit.snippet == (
        "Never paste &lt;script&gt;alert(&#x27;<mark>password</mark>&#x27;)&lt;/script&gt; "
        "into the <mark>password</mark> box."
    )


def test_a_snippet_is_the_part_of_a_long_body_where_the_words_are() -> None:
    filler = "Lorem ipsum dolor sit amet. " * 40
    index = build([article("long", "Office", filler + "Restart the router and wait. " + filler)])

    [hit] = search(index, "router", language="en", audience=SIGNED_OUT)

    assert "<mark>router</mark>" in hit.snippet
    assert hit.snippet.startswith("… ")
    assert hit.snippet.endswith(" …")
    assert len(hit.snippet) < 260


def test_a_prefix_being_typed_is_highlighted_in_the_words_it_begins() -> None:
    index = build([article("pw", "Přihlášení do portálu", language="cs")])

    [hit] = search(index, "prihl", language="cs", audience=SIGNED_OUT)

    assert hit.title == "<mark>Přihlášení</mark> do portálu"


def test_a_query_without_diacritics_finds_words_with_them_in_each_language() -> None:
    index = build(
        [
            article("cs", "Přihlášení k účtu", language="cs"),
            article("es", "Restablecer la contraseña", language="es"),
            article("de", "Passwort zurücksetzen", language="de"),
        ]
    )

    assert ids(search(index, "prihlaseni uctu ", language="cs", audience=SIGNED_OUT)) == ["cs"]
    assert ids(search(index, "contrasena ", language="es", audience=SIGNED_OUT)) == ["es"]
    assert ids(search(index, "zurucksetzen ", language="de", audience=SIGNED_OUT)) == ["de"]


# --- words that tell nothing -------------------------------------------------------------------------

FILLER = [
    article(f"filler-{n}", f"The {topic} guide", f"This is the guide to the {topic} and how it is set up.")
    for n, topic in enumerate(
        [
            "router",
            "switch",
            "modem",
            "firewall",
            "laptop",
            "tablet",
            "phone",
            "scanner",
            "monitor",
            "keyboard",
            "mouse",
            "dock",
            "camera",
            "headset",
            "speaker",
            "projector",
            "server",
            "backup",
            "mailbox",
            "calendar",
        ]
    )
]


def test_words_in_most_articles_are_left_out_so_unrelated_articles_are_not_suggested() -> None:
    # Given twenty articles that all say "the", "is", "guide", and one about a printer
    index = build([*FILLER, article("printer", "Printer offline", "The printer is offline after a paper jam.")])

    # When a customer describes their problem in a sentence
    hits = search(index, "the printer is offline ", language="en", audience=SIGNED_OUT)

    # Then only the printer article is suggested, its common words not highlighted
    assert ids(hits) == ["printer"]
    assert "<mark>The</mark>" not in hits[0].snippet
    assert "<mark>printer</mark>" in hits[0].snippet


def test_a_query_of_common_words_only_still_finds_and_a_small_knowledge_base_keeps_every_word() -> None:
    index = build([*FILLER, article("printer", "Printer offline", "The printer is offline.")])
    assert len(search(index, "the guide ", language="en", audience=SIGNED_OUT)) == 5

    small = build([*FILLER[:3], article("printer", "Printer offline", "The printer is offline.")])
    assert len(search(small, "the printer ", language="en", audience=SIGNED_OUT)) == 4
