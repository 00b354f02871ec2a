"""The automation rules' API (helpdesk function, admins only): the presets are written once, on
the first listing, inactive; rules are created last in order, replaced, switched and deleted on
the revision read (409 on a stale one), reordered in one conditional write; a refused rule says
why; a rule is tested against a ticket without changing anything; listing is one Query.

The handler runs in this process with real-shaped HTTP API events against moto."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest

from deskless.auth import signing_key
from deskless.categories import CategoryContent, create_category
from deskless.data import table
from deskless.table import AUTOMATION_RULES
from deskless.templates import QuickReplyContent, create_quick_reply
from deskless.tickets import Author, AuthorKind, Draft, Source, open_ticket, ticket_with_timeline
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, ok, refused
from tests.integration.test_helpdesk_api import HelpdeskApi, dynamodb_requests

PRESETS = [
    "[Portal Credentials]",
    "Reopen on customer response",
    "Ticket received email",
    "Round-robin assignment of new tickets",
]


@pytest.fixture
def api(aws: LocalAws) -> HelpdeskApi:
    from tests.helpers import add_staff

    add_staff(ADMIN, TECHNICIAN)
    return HelpdeskApi(aws)


def a_rule(name: str = "Tag VIPs", **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "trigger": {"kind": "ticket_created"},
        "conditions": [{"property": "requester_domain", "operator": "equals", "value": "acme.example.com"}],
        "actions": [{"kind": "add_tags", "tags": ["vip"]}],
        **more,
    }


def names(api: HelpdeskApi) -> list[str]:
    return [rule["name"] for rule in ok(api.call("GET /api/automation/rules"))]


def test_the_presets_are_written_once_inactive_and_listing_is_then_one_query(api: HelpdeskApi) -> None:
    # When the rules are listed the first time
    with dynamodb_requests() as first:
        listed = ok(api.call("GET /api/automation/rules"))
    # Then the four presets are there, inactive, in order, written in one transaction
    assert [rule["name"] for rule in listed] == PRESETS
    assert [rule["position"] for rule in listed] == [0, 1, 2, 3]
    assert not any(rule["active"] for rule in listed)
    assert listed[0]["preset"] == "portal-credentials"
    assert first == {"Query": 2, "TransactWriteItems": 1}
    # And from then on listing is one Query, and nothing is written again
    with dynamodb_requests() as then:
        assert ok(api.call("GET /api/automation/rules")) == listed
    assert then == {"Query": 1}


def test_an_admin_creates_a_rule_placed_last_and_reads_it(api: HelpdeskApi) -> None:
    names(api)
    with dynamodb_requests() as calls:
        made = ok(api.call("POST /api/automation/rules", body=a_rule(active=True)), 201)
    assert calls == {"Query": 1, "TransactWriteItems": 1}  # the rules and their order; the rule with the order
    assert (made["position"], made["revision"], made["active"]) == (4, 1, True)
    assert ok(api.call(f"GET /api/automation/rules/{made['id']}")) == made
    assert names(api) == [*PRESETS, "Tag VIPs"]


def test_a_rule_created_before_the_first_listing_comes_after_the_presets(api: HelpdeskApi) -> None:
    made = ok(api.call("POST /api/automation/rules", body=a_rule()), 201)
    assert made["position"] == 4
    assert names(api) == [*PRESETS, "Tag VIPs"]


def test_a_refused_rule_says_which_condition_or_action_and_why_and_nothing_is_stored(api: HelpdeskApi) -> None:
    names(api)
    body = a_rule(
        conditions=[{"property": "title", "operator": "greater_than", "value": 3}],
        actions=[{"kind": "send_email", "to": "requester", "template_id": "no-such-template"}],
    )
    response = api.call("POST /api/automation/rules", body=body)
    assert refused(response) == (400, "invalid_request")
    assert "Condition 1: greater_than does not fit title" in response.json()["message"]
    body["conditions"] = []
    response = api.call("POST /api/automation/rules", body=body)
    assert "Action 1: there is no email template no-such-template" in response.json()["message"]
    assert names(api) == PRESETS


def test_a_refusal_says_where_each_reason_is_in_the_rule_for_the_editor(api: HelpdeskApi) -> None:
    # Given a rule whose second condition names a team that does not exist, and whose only action an
    # email template that does not exist
    body = a_rule(
        conditions=[
            {"property": "title", "operator": "equals", "value": "Printer"},
            {"property": "team", "operator": "equals", "value": "0123456789abcdef"},
        ],
        actions=[{"kind": "send_email", "to": "requester", "template_id": "no-such-template"}],
    )

    # When it is saved, it is refused
    response = api.call("POST /api/automation/rules", body=body)
    assert refused(response) == (400, "invalid_request")

    # Then each reason says where its part is (the editor says it there), in the words of the message
    details = response.json()["details"]
    assert [detail["field"] for detail in details] == ["actions.0", "conditions.1"]
    assert details[0]["problem"] == "Action 1: there is no email template no-such-template"
    assert all(detail["problem"] in response.json()["message"] for detail in details)


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ({"kind": "set_team", "value": "0123456789abcdef"}, "there is no team 0123456789abcdef"),
        ({"kind": "set_category", "value": "0123456789abcdef"}, "there is no ticket category"),
        ({"kind": "set_assignee", "value": "nobody"}, "nobody is not an active staff user"),
        ({"kind": "add_reply", "quick_reply_id": "0123456789abcdef"}, "there is no shared quick reply"),
    ],
)
def test_a_rule_naming_what_does_not_exist_is_refused(api: HelpdeskApi, action: dict[str, Any], reason: str) -> None:
    response = api.call("POST /api/automation/rules", body=a_rule(actions=[action]))
    assert refused(response) == (400, "invalid_request")
    assert reason in response.json()["message"]


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ({"property": "team", "operator": "equals", "value": "0123456789abcdef"}, "Condition 1: there is no team"),
        ({"property": "category", "operator": "any_of", "value": ["0123456789abcdef"]}, "there is no ticket category"),
        ({"property": "assignee", "operator": "none_of", "value": ["nobody"]}, "there is no staff user nobody"),
        (
            {"property": "category_field", "operator": "equals", "value": "x", "field": "seats"},
            "Condition 1: no ticket category has a field seats",
        ),
    ],
)
def test_a_condition_naming_what_does_not_exist_is_refused(
    api: HelpdeskApi, condition: dict[str, Any], reason: str
) -> None:
    response = api.call("POST /api/automation/rules", body=a_rule(conditions=[condition]))
    assert refused(response) == (400, "invalid_request")
    assert reason in response.json()["message"]


def test_a_rule_may_name_what_exists(api: HelpdeskApi) -> None:
    reply = create_quick_reply(
        ADMIN,
        QuickReplyContent.model_validate(
            {"variants": {"en": {"title": "Thanks", "body": "Thank you, {[Contact First Name]}."}}}
        ),
        shared=True,
    )
    actions = [
        {"kind": "add_reply", "quick_reply_id": reply.id},
        {"kind": "set_assignee", "value": TECHNICIAN.user_id},
        {"kind": "send_email", "to": "address", "address": "boss@example.com", "template_id": "ticket-received"},
    ]
    create_category(
        CategoryContent.model_validate(
            {"name": "Licences", "fields": [{"key": "seats", "kind": "number", "labels": {"en": "Seats"}}]}
        )
    )
    conditions = [
        {"property": "assignee", "operator": "changed_to", "value": TECHNICIAN.user_id},
        {"property": "category_field", "operator": "greater_than", "value": 10, "field": "seats"},
    ]
    ok(
        api.call(
            "POST /api/automation/rules",
            body=a_rule(actions=actions, conditions=conditions, trigger={"kind": "ticket_updated"}),
        ),
        201,
    )


def test_a_change_names_the_revision_it_was_made_from_and_a_stale_one_is_refused(api: HelpdeskApi) -> None:
    made = ok(api.call("POST /api/automation/rules", body=a_rule()), 201)
    path = f"/api/automation/rules/{made['id']}"
    # When one admin renames it
    changed = ok(api.call(f"PUT {path}", body={**a_rule("VIP tagging"), "revision": 1}))
    assert (changed["name"], changed["revision"], changed["position"]) == ("VIP tagging", 2, made["position"])
    # Then another's change made from the first revision is refused, and so is a stale switch
    assert refused(api.call(f"PUT {path}", body={**a_rule("Other"), "revision": 1})) == (409, "conflict")
    assert refused(api.call(f"PATCH {path}", body={"active": True, "revision": 1})) == (409, "conflict")
    # And a switch from the current revision is made
    switched = ok(api.call(f"PATCH {path}", body={"active": True, "revision": 2}))
    assert (switched["active"], switched["revision"], switched["name"]) == (True, 3, "VIP tagging")


def test_deleting_a_rule_takes_it_out_of_the_order(api: HelpdeskApi) -> None:
    first = ok(api.call("POST /api/automation/rules", body=a_rule("First")), 201)
    ok(api.call("POST /api/automation/rules", body=a_rule("Second")), 201)
    with dynamodb_requests() as calls:
        assert ok(api.call(f"DELETE /api/automation/rules/{first['id']}"), 204) is None
    assert calls == {"Query": 1, "TransactWriteItems": 1}
    listed = ok(api.call("GET /api/automation/rules"))
    assert [rule["name"] for rule in listed] == [*PRESETS, "Second"]
    assert listed[-1]["position"] == 4
    assert refused(api.call(f"DELETE /api/automation/rules/{first['id']}")) == (404, "not_found")
    assert refused(api.call(f"GET /api/automation/rules/{first['id']}")) == (404, "not_found")


def test_reordering_is_one_conditional_write_of_every_rule_and_a_stale_order_is_refused(api: HelpdeskApi) -> None:
    listed = ok(api.call("GET /api/automation/rules"))
    ids, revision = [rule["id"] for rule in listed], listed[0]["order_revision"]
    reversed_ids = ids[::-1]
    with dynamodb_requests() as calls:
        moved = ok(api.call("PUT /api/automation/order", body={"rule_ids": reversed_ids, "revision": revision}))
    assert calls == {"Query": 1, "UpdateItem": 1}
    assert [rule["id"] for rule in moved] == reversed_ids
    assert [rule["position"] for rule in moved] == [0, 1, 2, 3]
    assert names(api) == PRESETS[::-1]
    # The same order again from the old revision: someone moved it meanwhile
    assert refused(api.call("PUT /api/automation/order", body={"rule_ids": ids, "revision": revision})) == (
        409,
        "conflict",
    )
    # An order that leaves a rule out, or names another, is refused
    current = moved[0]["order_revision"]
    for wrong in (reversed_ids[:-1], [*reversed_ids, "stranger"], [*reversed_ids[:-1], reversed_ids[0]]):
        response = api.call("PUT /api/automation/order", body={"rule_ids": wrong, "revision": current})
        assert refused(response) == (400, "invalid_request")
    assert names(api) == PRESETS[::-1]


def test_at_most_two_hundred_rules(api: HelpdeskApi) -> None:
    from deskless import automation_rules

    names(api)
    original = automation_rules.MAX_RULES
    automation_rules.MAX_RULES = 5
    try:
        ok(api.call("POST /api/automation/rules", body=a_rule()), 201)
        response = api.call("POST /api/automation/rules", body=a_rule("One too many"))
    finally:
        automation_rules.MAX_RULES = original
    assert refused(response) == (400, "invalid_request")
    assert "There are 5 rules already" in response.json()["message"]
    assert original == 200


def test_the_options_are_the_engines_tables(api: HelpdeskApi) -> None:
    options = ok(api.call("GET /api/automation/options"))
    properties = {entry["property"]: entry for entry in options["properties"]}
    assert properties["priority"]["operators"][-2:] == ["greater_than", "less_than"]
    assert properties["created_at"]["operators"] == ["within_last_hours", "older_than_hours"]
    assert properties["status"]["choices"] == ["new", "open", "pending", "resolved", "closed", "merged"]
    actions = {entry["kind"]: entry for entry in options["actions"]}
    assert actions["send_email"]["parameters"] == ["to", "template_id", "address"]
    assert actions["set_status"]["choices"]["value"] == ["new", "open", "pending", "resolved", "closed"]
    assert {t["kind"] for t in options["triggers"] if t["time_based"]} == {
        "no_public_reply",
        "pending_for",
        "due_passed",
    }


def test_only_admins_keep_rules(api: HelpdeskApi) -> None:
    assert refused(api.call("GET /api/automation/rules", caller=TECHNICIAN))[0] == 403
    assert refused(api.call("POST /api/automation/rules", caller=TECHNICIAN, body=a_rule()))[0] == 403


def test_the_webhook_secret_is_derived_from_the_signing_key(api: HelpdeskApi) -> None:
    secret = ok(api.call("GET /api/automation/webhook-secret"))["secret"]
    assert secret == hmac.new(signing_key(), b"automation-webhook", hashlib.sha256).hexdigest()


# --- testing a rule against a ticket ------------------------------------------------------------------


def a_ticket(title: str = "[Portal Credentials]") -> int:
    carla = Author(kind=AuthorKind.CONTACT, id="c1", name="Carla", email="carla@acme.example.com")
    draft = Draft(title=title, description="Please", requester=carla, company_id="acme", source=Source.PORTAL, by=carla)
    return open_ticket(draft).number


def test_testing_a_rule_shows_what_it_would_do_and_changes_nothing(api: HelpdeskApi) -> None:
    # Given a ticket, and the [Portal Credentials] preset as the editor holds it (inactive)
    number = a_ticket()
    preset = ok(api.call("GET /api/automation/rules"))[0]
    content = {name: preset[name] for name in ("name", "trigger", "conditions", "actions", "active")}
    before = ticket_with_timeline(number)
    stored = table().query(AUTOMATION_RULES, consistent=True)
    # When it is tested against the ticket
    with dynamodb_requests() as calls:
        evaluation = ok(api.call("POST /api/automation/test", body={"rule": content, "ticket": number}))
    # Then the dry run shows the condition held and the email it would send
    assert calls == {"GetItem": 2}  # the template it names, the ticket
    assert evaluation["number"] == number
    assert evaluation["triggers"] == ["ticket_created"]
    [result] = evaluation["rules"]
    assert result["outcome"] == "matched"
    assert result["conditions"] == [
        {"index": 0, "group": None, "held": True, "detail": "title equals [Portal Credentials]"}
    ]
    assert result["actions"] == [{"index": 0, "kind": "send_email", "outcome": "dry_run", "reason": "", "detail": ""}]
    # And nothing changed: the ticket, its timeline, the rules
    assert ticket_with_timeline(number) == before
    assert table().query(AUTOMATION_RULES, consistent=True) == stored


def test_a_rule_that_does_not_hold_on_the_ticket_says_which_condition_failed(api: HelpdeskApi) -> None:
    number = a_ticket("Printer on fire")
    body = {
        "rule": a_rule(conditions=[{"property": "title", "operator": "contains", "value": "portal"}]),
        "ticket": number,
    }
    [result] = ok(api.call("POST /api/automation/test", body=body))["rules"]
    assert (result["outcome"], result["detail"], result["actions"]) == ("not_matched", "condition 1 did not hold", [])


def test_testing_against_a_missing_ticket_or_with_an_invalid_rule_is_refused(api: HelpdeskApi) -> None:
    assert refused(api.call("POST /api/automation/test", body={"rule": a_rule(), "ticket": 999_999})) == (
        404,
        "not_found",
    )
    wrong = a_rule(conditions=[{"property": "status", "operator": "changed"}])  # ticket_created changes nothing
    response = api.call("POST /api/automation/test", body={"rule": wrong, "ticket": a_ticket()})
    assert refused(response) == (400, "invalid_request")
    assert "changed needs a change" in response.json()["message"]
