"""The visit (functions/portals/visit.py): which portal a request's host names, which language it
is answered in (the lang parameter, else the browser's Accept-Language by its q-values, else the
visit's own defaults: an invitation's language, then the portal's; else English), and the portal's
state (inactive, available or unavailable, with who is available). Pages, the widget and the
portal's API all start from it.

The portal and who is available are read through deskless.companies and deskless.presence, here
plain fakes that count their calls."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from deskless.companies import Company, Portal, PortalStatus
from deskless.errors import NotFound
from deskless.presence import Notifications, OperatorPresence, Status
from deskless.settings import Settings
from deskless.users import Channel
from functions.portals import visit as module
from functions.portals.visit import State, accepted, language, visit

# What the portals function reads of the settings: where portals live, the console, the WebSocket API
SETTINGS = Settings.model_construct(
    support_domain="support.example.com",
    public_url="https://support.example.com/",
    websocket_url="wss://ws.support.example.com",
)


def company_with_portal(
    subdomain: str = "acme", *, language: str = "en", status: PortalStatus = PortalStatus.ACTIVE
) -> tuple[Company, Portal]:
    company = Company(id="c-1", name="Acme", technician_ids=["tina", "tom"], created_at=1)
    portal = Portal(company_id="c-1", company_name="Acme", subdomain=subdomain, status=status, language=language)
    return company, portal


def presence(user_id: str) -> OperatorPresence:
    return OperatorPresence(
        user_id=user_id,
        status=Status.ONLINE,
        reason="",
        auto_away=False,
        assigned=[Channel.CHAT],
        channels={Channel.CHAT: True},
        locked=False,
        notify=Notifications(),
        heartbeat_at=1,
    )


@dataclass
class Directory:
    """deskless.companies and deskless.presence as the visit sees them: who has which subdomain,
    who is available, and what was asked."""

    portals: dict[str, tuple[Company, Portal]] = field(default_factory=dict)
    available: list[str] = field(default_factory=list)
    looked_up: list[str] = field(default_factory=list)
    presence_reads: int = 0

    def company_by_subdomain(self, label: str) -> tuple[Company, Portal] | None:
        self.looked_up.append(label)
        return self.portals.get(label)

    def who_is_available(self, technician_ids: list[str], channel: Channel) -> list[OperatorPresence]:
        assert channel == Channel.CHAT  # what a portal promises is a chat
        self.presence_reads += 1
        return [presence(user_id) for user_id in technician_ids if user_id in self.available]


@pytest.fixture
def directory(monkeypatch: pytest.MonkeyPatch) -> Directory:
    directory = Directory(portals={"acme": company_with_portal()})
    monkeypatch.setattr(module, "get_settings", lambda: SETTINGS)
    monkeypatch.setattr(module, "company_by_subdomain", directory.company_by_subdomain)
    monkeypatch.setattr(module, "available", directory.who_is_available)
    return directory


# --- which portal ----------------------------------------------------------------------------


def test_a_portals_host_names_its_portal_whatever_the_case_and_port(directory: Directory) -> None:
    for host in ("acme.support.example.com", "ACME.Support.Example.com:443"):
        here = visit(host)

        assert here.portal is not None
        assert (here.subdomain, here.portal.subdomain, here.company_name) == ("acme", "acme", "Acme")
        assert not here.unknown_portal
        assert not here.console


def test_an_unknown_subdomain_names_a_portal_that_is_not_there(directory: Directory) -> None:
    here = visit("globex.support.example.com")

    assert (here.subdomain, here.portal, here.company) == ("globex", None, None)
    assert here.unknown_portal
    with pytest.raises(NotFound):
        here.found()


@pytest.mark.parametrize(
    ("host", "console"),
    [
        ("support.example.com", True),  # the console's own (the public URL's)
        ("SUPPORT.example.com", True),
        ("d111111abcdef8.cloudfront.net", False),  # the distribution's own domain
        ("deep.acme.support.example.com", False),
        ("acme.example.org", False),
        ("", False),
    ],
)
def test_a_host_that_names_no_portal_has_none_and_reads_nothing(directory: Directory, host: str, console: bool) -> None:
    here = visit(host)

    assert (here.subdomain, here.portal, here.company) == (None, None, None)
    assert not here.unknown_portal  # not a portal that is missing: no portal is named at all
    assert here.console is console
    assert directory.looked_up == []
    with pytest.raises(NotFound):
        here.found()


# --- which language --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", []),
        ("de", ["de"]),
        ("de-DE,de;q=0.9,en;q=0.8", ["de", "en"]),
        ("en;q=0.5, cs", ["cs", "en"]),  # by quality, not by position
        ("es-MX, es;q=0.9, *;q=0.1", ["es"]),  # a region counts as its language; * names none
        ("fr;q=0, de;q=0.3", ["de"]),  # q=0 means "not this"
        ("cs;q=nonsense, de", ["de"]),
        ("  EN-gb ;q=0.7 , De ", ["de", "en"]),
    ],
)
def test_accept_language_is_read_by_quality(header: str, expected: list[str]) -> None:
    assert accepted(header) == expected


def test_the_lang_parameter_wins_over_the_browser_and_the_defaults() -> None:
    assert language("cs", "de-DE,de;q=0.9", "es") == "cs"
    assert language("ES", "de") == "es"
    assert language("de-AT", "") == "de"


def test_a_lang_deskless_does_not_speak_is_ignored() -> None:
    assert language("fr", "es") == "es"
    assert language("<script>", "") == "en"
    assert language('"><b>', "") == "en"


def test_the_browser_wins_over_the_defaults_and_skips_what_deskless_does_not_speak() -> None:
    assert language(None, "fr-FR, fr;q=0.9, de;q=0.8", "es") == "de"


def test_the_first_default_deskless_speaks_comes_next() -> None:
    assert language(None, "fr, it;q=0.5", None, "xx", "cs", "es") == "cs"


def test_english_when_nothing_else_is_known() -> None:
    assert language(None, "") == "en"
    assert language("", "ja", None) == "en"


def test_a_visit_speaks_the_parameter_then_the_browser_then_its_portals_language(directory: Directory) -> None:
    directory.portals["bodega"] = company_with_portal("bodega", language="es")
    host = "bodega.support.example.com"

    assert visit(host, "cs", "de").language == "cs"
    assert visit(host, None, "de-DE, fr;q=0.5").language == "de"
    assert visit(host, "xx", "fr-FR").language == "es"
    assert visit("support.example.com", None, "fr").language == "en"  # no portal: no portal's language


def test_a_visits_own_default_comes_before_its_portals(directory: Directory) -> None:
    directory.portals["bodega"] = company_with_portal("bodega", language="es")
    here = visit("bodega.support.example.com", None, "fr")

    invited = here.speaking_by_default("de")  # an invitation in German

    assert (here.language, invited.language) == ("es", "de")
    assert visit("bodega.support.example.com", None, "cs").speaking_by_default("de").language == "cs"
    assert here.speaking_by_default(None).language == "es"  # an invitation without one


def test_the_visit_speaks_the_words_of_its_language(directory: Directory) -> None:
    assert visit("acme.support.example.com", "de").text["join_title"] == "An einer Support-Sitzung teilnehmen"


# --- which state -----------------------------------------------------------------------------


def test_someone_available_makes_the_portal_available_with_who_it_is(directory: Directory) -> None:
    directory.available = ["tom"]
    here = visit("acme.support.example.com")

    assert here.state == State.AVAILABLE
    assert [operator.user_id for operator in here.available] == ["tom"]


def test_nobody_available_makes_the_portal_unavailable(directory: Directory) -> None:
    here = visit("acme.support.example.com")

    assert here.state == State.UNAVAILABLE
    assert here.available == ()
    assert here.active


def test_an_inactive_portal_is_inactive_whoever_is_available_and_nobody_is_asked(directory: Directory) -> None:
    directory.portals["acme"] = company_with_portal(status=PortalStatus.INACTIVE)
    directory.available = ["tina", "tom"]
    here = visit("acme.support.example.com")

    assert here.state == State.INACTIVE
    assert here.available == ()
    assert not here.active
    assert directory.presence_reads == 0


def test_who_is_available_is_read_once_a_visit_and_only_when_asked(directory: Directory) -> None:
    directory.available = ["tina"]
    here = visit("acme.support.example.com")
    assert directory.presence_reads == 0  # the portal is read at once; who is available, not yet

    states = [here.state, here.state, here.state]

    assert states == [State.AVAILABLE] * 3
    assert directory.presence_reads == 1


def test_there_is_no_state_where_there_is_no_portal(directory: Directory) -> None:
    for host in ("globex.support.example.com", "support.example.com"):
        here = visit(host)

        assert not here.active
        with pytest.raises(NotFound):
            _ = here.state
    assert directory.presence_reads == 0
