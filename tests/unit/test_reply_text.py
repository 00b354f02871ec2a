"""An emailed reply shows on its ticket as what the customer wrote, without the history their mail
program quoted or their signature; a message that is all quote is kept whole, never emptied."""

from __future__ import annotations

import pytest

from deskless.reply_text import HTML_READ_CHARS, READ_CHARS, text_of_html, visible_reply

QUOTED = "> We restarted the print server.\n> Please try again.\n"

REPLIES = {
    "gmail": (
        "Thanks, the printer works again.\n\n"
        "On Fri, Dec 4, 2026 at 10:12 AM Deskless Support <support@mail.example.com> wrote:\n\n" + QUOTED
    ),
    "outlook underscores": (
        "Still broken here.\r\n\r\n"
        "________________________________\r\n"
        "From: Deskless Support <support@mail.example.com>\r\n"
        "Sent: Friday, December 4, 2026 10:12 AM\r\n"
        "To: Jane Doe <jane.doe@acme.example>\r\n"
        "Subject: [#1001] Printer broken\r\n\r\n"
        "We restarted the print server.\r\n"
    ),
    "outlook original message": (
        "Still broken.\n\n"
        "-----Original Message-----\n"
        "From: Deskless Support [mailto:support@mail.example.com]\n"
        "Sent: Friday, December 4, 2026 10:12 AM\n"
        "To: Jane Doe\n"
        "Subject: RE: [#1001] Printer broken\n\n"
        "We restarted it.\n"
    ),
    "apple mail": (
        "It works, thank you!\n\n"
        "> On 4 Dec 2026, at 10:12, Deskless Support <support@mail.example.com> wrote:\n>\n" + QUOTED
    ),
    "german": (
        "Danke, der Drucker geht wieder.\n\n"
        "Am Fr., 4. Dez. 2026 um 10:12 Uhr schrieb Deskless Support <support@mail.example.com>:\n"
        "> Wir haben den Druckserver neu gestartet.\n"
    ),
    "german outlook": (
        "Geht immer noch nicht.\n\n"
        "Von: Deskless Support <support@mail.example.com>\n"
        "Gesendet: Freitag, 4. Dezember 2026 10:12\n"
        "An: Jana Müller\n"
        "Betreff: [#1001] Drucker defekt\n\n"
        "Wir haben den Druckserver neu gestartet.\n"
    ),
    "spanish gmail": (
        "Gracias, ya funciona.\n\n"
        "El vie, 4 dic 2026 a las 10:12, Deskless Support (<support@mail.example.com>) escribió:\n"
        "> Hemos reiniciado el servidor de impresión.\n"
    ),
    "spanish outlook": (
        "Sigue sin funcionar.\n\n"
        "De: Deskless Support <support@mail.example.com>\n"
        "Enviado: viernes, 4 de diciembre de 2026 10:12\n"
        "Para: Juana Pérez\n"
        "Asunto: [#1001] Impresora rota\n\n"
        "Hemos reiniciado el servidor.\n"
    ),
    "czech gmail": (
        "Díky, tiskárna už funguje.\n\n"
        "pá 4. 12. 2026 v 10:12 odesílatel Deskless Support <support@mail.example.com> napsal:\n"
        "> Restartovali jsme tiskový server.\n"
    ),
    "czech thunderbird": (
        "Díky, tiskárna už funguje.\n\nDne 4. 12. 2026 v 10:12 Deskless Support napsal(a):\n"
        "> Restartovali jsme tiskový server.\n"
    ),
}
WRITTEN = {
    "gmail": "Thanks, the printer works again.",
    "outlook underscores": "Still broken here.",
    "outlook original message": "Still broken.",
    "apple mail": "It works, thank you!",
    "german": "Danke, der Drucker geht wieder.",
    "german outlook": "Geht immer noch nicht.",
    "spanish gmail": "Gracias, ya funciona.",
    "spanish outlook": "Sigue sin funcionar.",
    "czech gmail": "Díky, tiskárna už funguje.",
    "czech thunderbird": "Díky, tiskárna už funguje.",
}


@pytest.mark.parametrize("client", list(REPLIES))
def test_the_quoted_history_is_cut_below_the_quote_header(client: str) -> None:
    assert visible_reply(REPLIES[client], None) == WRITTEN[client]


def test_a_dash_dash_signature_is_cut() -> None:
    assert visible_reply("The printer is fine now.\n\n-- \nJane Doe\nAcme Ltd, +1 555 0100\n", None) == (
        "The printer is fine now."
    )


@pytest.mark.parametrize("footer", ["Sent from my iPhone", "Enviado desde mi iPhone", "Get Outlook for Android"])
def test_a_phones_footer_is_cut(footer: str) -> None:
    assert visible_reply(f"On my way to the office, will check.\n\n{footer}\n", None) == (
        "On my way to the office, will check."
    )


def test_a_list_of_steps_is_not_taken_for_a_signature() -> None:
    steps = "What I tried:\n- switched it off and on\n- another cable\nNothing helped."
    assert visible_reply(steps, None) == steps


def test_inline_answers_under_a_leading_quote_header_are_kept_with_their_questions() -> None:
    inline = (
        "On Fri, Dec 4, 2026 at 10:12 AM Deskless Support <support@mail.example.com> wrote:\n"
        "> Which model is it?\nHP LaserJet 4000\n> Is it on the network?\nYes, by cable.\n"
    )
    assert visible_reply(inline, None) == (
        "> Which model is it?\nHP LaserJet 4000\n> Is it on the network?\nYes, by cable."
    )


def test_inline_answers_below_a_first_line_are_cut_with_the_quote_as_the_library_does() -> None:
    # mail-parser-reply splits at the quote header, whatever follows it: what the timeline shows
    # is the first part; the stored message keeps the rest.
    inline = (
        "See my answers below.\n\n"
        "On Fri, Dec 4, 2026 at 10:12 AM Deskless Support <support@mail.example.com> wrote:\n"
        "> Which model is it?\nHP LaserJet 4000\n"
    )
    assert visible_reply(inline, None) == "See my answers below."


@pytest.mark.parametrize(
    "message",
    [
        QUOTED,
        "On Fri, Dec 4, 2026 at 10:12 AM Deskless Support <support@mail.example.com> wrote:\n" + QUOTED,
        "-- \nJane Doe\n",
    ],
)
def test_a_message_that_is_all_quote_or_signature_is_never_emptied(message: str) -> None:
    assert visible_reply(message, None) != ""


def test_a_message_that_is_all_quote_is_kept_whole() -> None:
    assert visible_reply(QUOTED, None) == QUOTED.strip()


@pytest.mark.parametrize(("text", "html"), [(None, None), ("", ""), (" \n\t", None), (None, "<p> </p>")])
def test_a_message_without_text_is_empty(text: str | None, html: str | None) -> None:
    assert visible_reply(text, html) == ""


def test_the_text_part_is_preferred_to_the_html() -> None:
    assert visible_reply("Plain words.", "<p>Rich words.</p>") == "Plain words."


GMAIL_HTML = (
    '<div dir="ltr">Thanks, that fixed it.<br><br>Jane</div><br>'
    '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Fri, Dec 4, 2026 at 10:12 AM Deskless '
    'Support &lt;<a href="mailto:support@mail.example.com">support@mail.example.com</a>&gt; wrote:<br></div>'
    '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">'
    '<div dir="ltr">We restarted the print server.<div>Please try again.</div></div></blockquote></div>'
)
OUTLOOK_HTML = (
    "<html><head><style>p{margin:0}</style></head><body>"
    '<p>Still broken &amp; offline.</p><div id="appendonsend"></div><hr style="display:inline-block">'
    '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>From:</b> Deskless Support '
    "&lt;support@mail.example.com&gt;<br><b>Sent:</b> Friday, December 4, 2026 10:12 AM<br>"
    "<b>To:</b> Jane Doe<br><b>Subject:</b> [#1001] Printer broken</font><div>&nbsp;</div></div>"
    "<div><p>We restarted it.</p></div></body></html>"
)


def test_html_becomes_lines_with_blockquotes_quoted() -> None:
    assert text_of_html(GMAIL_HTML) == (
        "Thanks, that fixed it.\n\nJane\n\n"
        "On Fri, Dec 4, 2026 at 10:12 AM Deskless Support <support@mail.example.com> wrote:\n"
        "> We restarted the print server.\n> Please try again."
    )


def test_html_drops_what_a_reader_does_not_see() -> None:
    assert text_of_html("<head><title>t</title><style>p{}</style></head><script>alert(1)</script><p>Hi</p>") == "Hi"


def test_an_html_only_gmail_reply_keeps_what_was_written() -> None:
    assert visible_reply(None, GMAIL_HTML) == "Thanks, that fixed it.\n\nJane"


def test_an_html_only_outlook_reply_keeps_what_was_written() -> None:
    assert visible_reply(None, OUTLOOK_HTML) == "Still broken & offline."


def test_markup_in_html_text_stays_text() -> None:
    assert visible_reply(None, "<p>Use &lt;b&gt; for bold</p>") == "Use <b> for bold"


def test_a_long_history_is_cut_from_the_top() -> None:
    history = "> an old line of the thread, quoted again and again\n" * 2000
    long = "Fixed.\n\nOn Fri, Dec 4, 2026 at 10:12 AM Deskless Support <support@mail.example.com> wrote:\n" + history
    assert len(long) > READ_CHARS
    assert visible_reply(long, None) == "Fixed."


def test_a_long_message_without_quotes_is_kept_whole() -> None:
    long = "A very long report line.\n" * 2000
    assert len(long) > READ_CHARS
    assert visible_reply(long, None) == long.strip()


def test_quoted_lines_ending_a_message_without_a_header_are_cut() -> None:
    assert visible_reply("Fixed, thanks.\n\n" + QUOTED, None) == "Fixed, thanks."


def test_a_bare_blockquote_ending_an_html_reply_is_cut() -> None:
    html = "<div>Fixed, thanks.</div><blockquote><p>We restarted the print server.</p></blockquote>"
    assert visible_reply(None, html) == "Fixed, thanks."


def test_a_long_html_reply_is_read_from_the_top() -> None:
    html = "<div>Fixed, thanks.</div><blockquote>" + "<p>an old line of the thread</p>" * 10_000 + "</blockquote>"
    assert len(html) > HTML_READ_CHARS
    assert visible_reply(None, html) == "Fixed, thanks."


def test_a_long_message_ending_in_a_quote_keeps_all_it_wrote() -> None:
    written = "A very long report line.\n" * 2000
    assert visible_reply(written + "\n" + QUOTED, None) == written.strip()


def test_a_paragraph_written_as_one_long_line_is_kept_as_it_was() -> None:
    paragraph = "On Monday the printer " + "jammed again and again, " * 300
    reply = f"{paragraph}\n\nOn Fri, Dec 4, 2026 at 10:12 AM Deskless <support@mail.example.com> wrote:\n{QUOTED}"
    assert visible_reply(reply, None) == paragraph.strip()


def test_long_lines_in_the_history_are_cut_with_it() -> None:
    reply = "Fixed.\n\n-----Original Message-----\nFrom: Deskless\nSent: Friday\n\n" + "x" * 5000 + "\n"
    assert visible_reply(reply, None) == "Fixed."


def test_a_stand_in_the_sender_wrote_stays_as_it_was() -> None:
    reply = "Odd characters: \ue0007\ue000 here.\n" + "y" * 300 + "\n\n-- \nJane"
    assert visible_reply(reply, None) == "Odd characters: \ue0007\ue000 here.\n" + "y" * 300
