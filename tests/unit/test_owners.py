"""One owner per stored entity (ARCHITECTURE.md): every item is built by deskless.table.stamped,
which stamps the `type` the stream filters match on, and only the entity's owning module builds
its items. A new entity without an owner, or an item built elsewhere, fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from deskless.table import Entity

ROOT = Path(__file__).resolve().parents[2]
CORE = "layers/core/python/deskless"
OWNERS: dict[Entity, str] = {
    Entity.USER: f"{CORE}/users.py",
    Entity.EMAIL: f"{CORE}/users.py",
    Entity.CODE_LIMIT: f"{CORE}/users.py",
    Entity.PRESENCE: f"{CORE}/presence.py",
    Entity.CONNECTION: f"{CORE}/realtime.py",
    Entity.COMPANY: f"{CORE}/companies.py",
    Entity.PORTAL: f"{CORE}/companies.py",
    Entity.SUBDOMAIN: f"{CORE}/companies.py",
    Entity.COMPANY_DOMAIN: f"{CORE}/companies.py",
    Entity.CONTACT: f"{CORE}/contacts.py",
    Entity.CONTACT_EMAIL: f"{CORE}/contacts.py",
    Entity.CONTACT_ENTRY: f"{CORE}/contacts.py",
    Entity.CONTACT_PASSWORD: f"{CORE}/credentials.py",
    Entity.CREDENTIAL: f"{CORE}/credentials.py",
    Entity.CUSTOMER_SESSION: f"{CORE}/credentials.py",
    Entity.RESET_REQUEST: f"{CORE}/credentials.py",
    Entity.SESSION: f"{CORE}/sessions.py",
    Entity.MESSAGE: f"{CORE}/sessions.py",
    Entity.PARTICIPANT: f"{CORE}/sessions.py",
    Entity.CHAT_REQUEST: f"{CORE}/chat_requests.py",
    Entity.QUEUE_ENTRY: f"{CORE}/chat_requests.py",
    Entity.INVITATION: f"{CORE}/invitations.py",
    Entity.API_KEY: f"{CORE}/api_keys.py",
    Entity.SETTINGS: f"{CORE}/preferences.py",
    Entity.GUESSES: f"{CORE}/guessing.py",
    Entity.THROTTLE: f"{CORE}/throttle.py",
    Entity.EMAIL_TEMPLATE: f"{CORE}/templates.py",
    Entity.QUICK_REPLY: f"{CORE}/templates.py",
    Entity.CODE: "functions/codes/codes.py",
    Entity.CODE_SLOT: "functions/codes/codes.py",
    Entity.CODE_NAME: "functions/codes/codes.py",
    Entity.INBOUND_MAIL: "functions/inbound_email/receive.py",
    Entity.TEAM: f"{CORE}/teams.py",
    Entity.TEAM_NAME: f"{CORE}/teams.py",
    Entity.TEAM_MEMBERSHIP: f"{CORE}/teams.py",
    Entity.TICKET_CATEGORY: f"{CORE}/categories.py",
    Entity.PRODUCT_AREA: f"{CORE}/categories.py",
    Entity.MAIL_CAP: f"{CORE}/mail_caps.py",
    Entity.TICKET: f"{CORE}/tickets.py",
    Entity.TICKET_ENTRY: f"{CORE}/tickets.py",
    Entity.TICKET_COUNTER: f"{CORE}/tickets.py",
    Entity.TICKET_TIMER: f"{CORE}/tickets.py",
    Entity.TICKET_LISTING: f"{CORE}/ticket_lists.py",
    Entity.TICKET_WORD: f"{CORE}/ticket_lists.py",
    Entity.TICKET_NOTICE: f"{CORE}/tickets.py",
    Entity.KB_DRAFT: f"{CORE}/deflection.py",
    Entity.KB_ABANDONED: f"{CORE}/deflection.py",
    Entity.KB_DEFLECTION: f"{CORE}/deflection.py",
    Entity.KB_CATEGORY: f"{CORE}/articles.py",
    Entity.ARTICLE: f"{CORE}/articles.py",
    Entity.ARTICLE_VARIANT: f"{CORE}/articles.py",
    Entity.ARTICLE_HISTORY: f"{CORE}/articles.py",
    Entity.ARTICLE_LISTING: f"{CORE}/articles.py",
    Entity.ARTICLE_VOTES: f"{CORE}/articles.py",
    Entity.ARTICLE_VOTE: f"{CORE}/articles.py",
    Entity.SEARCH_INDEX: f"{CORE}/search_index.py",
    Entity.AUTOMATION_RULE: f"{CORE}/automation_rules.py",
    Entity.AUTOMATION_ORDER: f"{CORE}/automation_rules.py",
    # issue 14, the automation runtime
    Entity.AUTOMATION_TRACE: f"{CORE}/automation_traces.py",
    Entity.AUTOMATION_SCHEDULE: "functions/automation/schedules.py",
    Entity.ROUND_ROBIN: "functions/automation/assignment.py",
}


def sources() -> list[Path]:
    return sorted(path for folder in ("functions", CORE) for path in (ROOT / folder).rglob("*.py"))


def built_items() -> list[tuple[str, int, str]]:
    """(file, line, entity name) of every stamped(Entity.X, ...) call."""
    found = []
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "stamped" and node.args:
                entity = node.args[0]
                assert isinstance(entity, ast.Attribute), f"{path}:{node.lineno}: name the entity as Entity.X"
                found.append((str(path.relative_to(ROOT)), node.lineno, entity.attr))
    return found


def test_every_entity_has_an_owner() -> None:
    assert set(OWNERS) == set(Entity)


@pytest.mark.parametrize(("where", "line", "entity"), built_items(), ids=lambda value: str(value))
def test_an_item_is_built_only_by_its_entitys_owner(where: str, line: int, entity: str) -> None:
    assert where == OWNERS[Entity[entity]], (
        f"{where}:{line} builds a {entity} item, which {OWNERS[Entity[entity]]} owns"
    )


def test_every_entity_is_built_somewhere_and_only_through_stamped() -> None:
    assert {Entity[name] for _, _, name in built_items()} == set(Entity)
    for path in sources():
        if path.name != "table.py":
            assert '"type": Entity.' not in path.read_text(), f"{path}: build items with deskless.table.stamped"
