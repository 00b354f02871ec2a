"""Tickets through the tickets function, with real-shaped HTTP API events against moto, and their
lists kept from the table's stream by the events function (the local stream poller delivers the
records through the catalog's mappings).

Technicians open tickets for contacts, reply, write internal notes, change status, priority,
team and assignee (conflict-safe), merge; contacts submit theirs on the portal, follow them in
"My activities" and reply; primary contacts see their company's; CC'd people read and reply;
the submission policy closes a non-primary's ticket with the reason; an integration opens one
with an API key. DynamoDB's request counts are asserted where they are the design."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from deskless.api_keys import create_key, revoke_key
from deskless.attachments import contact_uploader, staff_uploader
from deskless.auth import Principal, Role
from deskless.categories import create_category
from deskless.contacts import Contact, CreatedVia, create_contact, update_contact
from deskless.credentials import SESSION_COOKIE
from deskless.data import table
from deskless.preferences import forget_cached, update_preferences
from deskless.table import ticket_timer_key
from deskless.teams import NewTeam, create_team
from local.metering import count_requests
from local.streams import StreamPoller
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, HttpResult, add_staff, call_http, current, http_event, ok, refused
from tests.integration.test_events_sessions import deliver, record
from tests.integration.test_portal_accounts import ACME, Browser, contact

OTHER = Principal(user_id="0b0b0b0b0b0b0b0b", role=Role.TECHNICIAN, name="Bo Tech", email="bo@example.com")


class Staff:
    def __init__(self, aws: LocalAws, caller: Principal = TECHNICIAN) -> None:
        self.aws, self.caller = aws, caller

    def call(self, route_key: str, body: Any = None, **query: str) -> HttpResult:
        base = "http_staff_create" if body is not None else "http_staff_list"
        event = http_event(
            base, origin_secret=self.aws.origin_secret, principal=self.caller, body=body, route_key=route_key
        )
        if query:
            event["rawQueryString"] = urlencode(query)
            event["queryStringParameters"] = query
        return call_http("tickets", event)

    def open(self, requester: Contact, title: str = "Printer on fire", **more: Any) -> dict[str, Any]:
        body = {"requester_id": requester.id, "title": title, "description": "It smokes.", **more}
        view: dict[str, Any] = ok(self.call("POST /api/tickets", body), 201)
        return view

    def ticket(self, number: int) -> dict[str, Any]:
        view: dict[str, Any] = ok(self.call(f"GET /api/tickets/{number}"))
        return view

    def change(self, number: int, **body: Any) -> HttpResult:
        return self.call(f"PATCH /api/tickets/{number}", body)

    def numbers(self, **query: str) -> list[int]:
        return [listed["number"] for listed in ok(self.call("GET /api/tickets", **query))["tickets"]]


class Customer:
    """A contact signed in on their portal, calling the tickets function as its pages' scripts do."""

    def __init__(self, aws: LocalAws, person: Contact, host: str = ACME) -> None:
        self.aws, self.host, self.person = aws, host, person
        browser = Browser(aws, host)
        browser.sign_in(person.emails[0])
        self.cookie = browser.cookie
        self.csrf = json.loads(browser.request("GET /api/portal/me").body)["csrf_token"]

    def call(self, route_key: str, body: Any = None, **query: str) -> HttpResult:
        headers = {"x-deskless-host": self.host, "x-deskless-viewer-ip": "198.51.100.7"}
        if route_key.startswith("POST"):
            headers |= {"origin": f"http://{self.host}", "x-csrf-token": self.csrf, "content-type": "application/json"}
        event = http_event(
            "http_portal_home",
            origin_secret=self.aws.origin_secret,
            route_key=route_key,
            body=body if body is not None else ("{}" if route_key.startswith("POST") else None),
            headers=headers,
        )
        event["cookies"] = [f"{SESSION_COOKIE}={self.cookie}"]
        if query:
            event["rawQueryString"] = urlencode(query)
            event["queryStringParameters"] = query
        return call_http("tickets", event)

    def submit(self, title: str = "Cannot print", **more: Any) -> dict[str, Any]:
        ticket: dict[str, Any] = ok(
            self.call("POST /api/portal/tickets", {"title": title, "description": "Help.", **more}), 201
        )
        return ticket

    def numbers(self, **query: str) -> list[int]:
        return [listed["number"] for listed in ok(self.call("GET /api/portal/tickets", **query))["tickets"]]


@pytest.fixture
def staff(aws: LocalAws) -> Staff:
    add_staff(TECHNICIAN, ADMIN, OTHER)
    return Staff(aws)


@pytest.fixture
def carla(aws: LocalAws) -> Contact:
    return contact("Acme", "carla@acme.example.com", subdomain="acme")


def colleague(of: Contact, email: str, *, primary: bool = False) -> Contact:
    person = create_contact(
        "Pat Primary" if primary else "Cy Colleague", [email], created_via=CreatedVia.CONSOLE, company_id=of.company_id
    )
    from urllib.parse import parse_qs, urlsplit

    from deskless.credentials import issuer_for

    token = parse_qs(urlsplit(issuer_for(person).password_link()).query)["token"][0]
    current("deskless.credentials").set_password_with_link(token, "violet tractor under the bridge")
    if primary:
        update_contact(person.id, primary=True)
        person = person.model_copy(update={"primary": True})
    return person


def dynamodb_requests() -> Any:
    return count_requests(current("deskless.aws").client("dynamodb"))


# --- opening ----------------------------------------------------------------------------------------


def test_tickets_are_numbered_from_1001_and_open_new_with_the_matrix_priority(staff: Staff, carla: Contact) -> None:
    first = staff.open(carla, impact="high", urgency="very_high")
    second = staff.open(carla, "Mouse is slow")

    assert (first["ticket"]["number"], second["ticket"]["number"]) == (1001, 1002)
    ticket = first["ticket"]
    assert (ticket["status"], ticket["source"], ticket["requester"]["id"]) == ("new", "console", carla.id)
    assert (ticket["priority"], ticket["priority_overridden"]) == ("very_high", False)  # GLPI: urgency 5, impact 4
    (opened,) = first["timeline"]
    assert (opened["kind"], opened["author"]["name"], opened["changes"]) == (
        "event",
        TECHNICIAN.name,
        [{"field": "opened", "before": None, "after": None}],
    )


def test_a_ticket_page_is_one_query(staff: Staff, carla: Contact) -> None:
    number = staff.open(carla)["ticket"]["number"]
    staff.call(f"POST /api/tickets/{number}/notes", {"body": "Checked the toner."})

    with dynamodb_requests() as calls:
        view = staff.ticket(number)

    assert len(view["timeline"]) == 2
    assert calls == {"Query": 1}


def test_a_deactivated_or_unknown_contact_gets_no_ticket(staff: Staff, carla: Contact) -> None:
    current("deskless.contacts").deactivate_contact(carla.id)

    assert refused(staff.call("POST /api/tickets", {"requester_id": carla.id, "title": "x", "description": "y"})) == (
        409,
        "contact_deactivated",
    )
    unknown = staff.call("POST /api/tickets", {"requester_id": "nobody", "title": "x", "description": "y"})
    assert refused(unknown) == (404, "not_found")


# --- the lifecycle -------------------------------------------------------------------------------------


def test_a_technicians_first_reply_opens_a_new_ticket_and_a_status_can_go_with_it(staff: Staff, carla: Contact) -> None:
    number = staff.open(carla)["ticket"]["number"]

    opened = ok(staff.call(f"POST /api/tickets/{number}/replies", {"body": "On it."}), 201)
    waiting = ok(staff.call(f"POST /api/tickets/{number}/replies", {"body": "Which model?", "status": "pending"}), 201)

    assert opened["ticket"]["status"] == "open"
    assert waiting["ticket"]["status"] == "pending"
    kinds = [(entry["kind"], [c["after"] for c in entry["changes"]]) for entry in waiting["timeline"]]
    assert kinds == [("event", [None]), ("reply", []), ("event", ["open"]), ("reply", []), ("event", ["pending"])]


def test_closed_is_final_and_the_transition_table_is_enforced(staff: Staff, carla: Contact) -> None:
    ticket = staff.open(carla)["ticket"]
    closed = ok(staff.change(ticket["number"], revision=ticket["revision"], status="closed"))["ticket"]

    reopen = staff.change(ticket["number"], revision=closed["revision"], status="open")
    reply = staff.call(f"POST /api/tickets/{ticket['number']}/replies", {"body": "Hello?"})

    assert refused(reopen) == (409, "transition_not_allowed")
    assert "A closed ticket cannot become open" in reopen.json()["message"]
    assert refused(reply) == (409, "ticket_closed")
    assert staff.ticket(ticket["number"])["ticket"]["revision"] == closed["revision"]


def test_two_technicians_changing_one_ticket_the_second_is_told_and_nothing_is_lost(
    staff: Staff, carla: Contact, aws: LocalAws
) -> None:
    ticket = staff.open(carla)["ticket"]
    bo = Staff(aws, OTHER)

    first = staff.change(ticket["number"], revision=ticket["revision"], urgency="high")
    second = bo.change(ticket["number"], revision=ticket["revision"], urgency="low")

    assert ok(first)["ticket"]["urgency"] == "high"
    assert refused(second) == (409, "ticket_changed")
    assert staff.ticket(ticket["number"])["ticket"]["urgency"] == "high"


def test_a_priority_set_by_hand_stays_until_put_back_to_the_matrix(staff: Staff, carla: Contact) -> None:
    ticket = staff.open(carla)["ticket"]
    number = ticket["number"]

    major = ok(staff.change(number, revision=ticket["revision"], priority="major"))["ticket"]
    still = ok(staff.change(number, revision=major["revision"], impact="very_low"))["ticket"]
    back = ok(staff.change(number, revision=still["revision"], priority="matrix"))["ticket"]

    assert (major["priority"], major["priority_overridden"]) == ("major", True)
    assert still["priority"] == "major"
    assert (back["priority"], back["priority_overridden"]) == ("low", False)  # GLPI: urgency 3, impact 1
    events = [c for e in staff.ticket(number)["timeline"] for c in e["changes"] if c["field"] == "priority"]
    assert [(c["before"], c["after"]) for c in events] == [("medium", "major"), ("major", "low")]


def test_an_assignee_must_be_a_member_of_the_tickets_team(staff: Staff, carla: Contact) -> None:
    team = create_team(NewTeam(name="Printers", members=[TECHNICIAN.user_id]))
    ticket = staff.open(carla)["ticket"]

    outsider = staff.change(ticket["number"], revision=ticket["revision"], team_id=team.id, assignee_id=OTHER.user_id)
    member = staff.change(
        ticket["number"], revision=ticket["revision"], team_id=team.id, assignee_id=TECHNICIAN.user_id
    )

    assert refused(outsider) == (422, "not_team_member")
    assert "Bo Tech is not a member of the team Printers" in outsider.json()["message"]
    changed = ok(member)["ticket"]
    assert (changed["team_id"], changed["assignee"]["id"]) == (team.id, TECHNICIAN.user_id)


def test_a_deactivated_assignee_leaves_the_team_and_keeps_the_ticket_which_is_still_worked(
    aws: LocalAws, staff: Staff, carla: Contact
) -> None:
    # Given a ticket of the team Printers assigned to Bo
    team = create_team(NewTeam(name="Printers", members=[TECHNICIAN.user_id, OTHER.user_id]))
    opened = staff.open(carla)["ticket"]
    assigned = ok(
        staff.change(opened["number"], revision=opened["revision"], team_id=team.id, assignee_id=OTHER.user_id)
    )["ticket"]

    # When an admin deactivates Bo
    event = http_event(
        "http_staff_create",
        origin_secret=aws.origin_secret,
        principal=ADMIN,
        body={"active": False},
        route_key=f"PATCH /api/staff/{OTHER.user_id}",
    )
    ok(call_http("staff", event))

    # Then Bo is no longer in the team, the ticket is still his, and it is still worked
    assert current("deskless.teams").team_of(team.id).members == {TECHNICIAN.user_id}
    assert staff.ticket(opened["number"])["ticket"]["assignee"]["id"] == OTHER.user_id
    worked = ok(staff.change(opened["number"], revision=assigned["revision"], status="pending"))["ticket"]
    assert (worked["status"], worked["assignee"]["id"]) == ("pending", OTHER.user_id)
    # and it cannot be given to him anew
    again = staff.change(opened["number"], revision=worked["revision"], team_id=None, assignee_id=OTHER.user_id)
    assert refused(again) == (400, "invalid_request")
    assert "active" in again.json()["message"]


def test_the_assignees_offered_are_the_active_staff_or_a_teams_members(staff: Staff) -> None:
    users = current("deskless.users")
    ida = users.create_staff("ida@example.com", "Ida Idle", Role.TECHNICIAN, "long enough password")
    zed = users.create_staff("zed@example.com", "Zed Zero", Role.ADMIN, "long enough password")
    gone = users.create_staff("gus@example.com", "Gus Gone", Role.TECHNICIAN, "long enough password")
    team = create_team(NewTeam(name="Printers", members=[zed.id, gone.id]))
    users.update_staff(gone.id, active=False)

    with dynamodb_requests() as calls:
        everyone = ok(staff.call("GET /api/tickets/assignees"))
    printers = ok(staff.call("GET /api/tickets/assignees", team_id=team.id))
    unknown = staff.call("GET /api/tickets/assignees", team_id="0123456789abcdef")

    assert calls == {"Query": 1}
    assert [(person["name"], person["role"]) for person in everyone] == [
        ("Ida Idle", "technician"),
        ("Zed Zero", "admin"),
    ]
    assert [person["id"] for person in printers] == [zed.id]
    assert ida.id not in [person["id"] for person in printers]
    assert refused(unknown) == (404, "not_found")


def test_a_merged_ticket_points_at_the_other_and_takes_nothing_more(staff: Staff, carla: Contact) -> None:
    first = staff.open(carla)["ticket"]
    second = staff.open(carla, "Printer on fire again", cc=["boss@acme.example.com"])["ticket"]

    merged = ok(
        staff.call(f"POST /api/tickets/{second['number']}/merge", {"into": 1001, "revision": second["revision"]})
    )

    assert (merged["ticket"]["status"], merged["ticket"]["merged_into"]) == ("merged", first["number"])
    target = staff.ticket(first["number"])
    assert target["ticket"]["cc"] == ["boss@acme.example.com"]
    assert target["timeline"][-1]["changes"] == [{"field": "merged", "before": "#1002", "after": "#1001"}]
    reply = staff.call(f"POST /api/tickets/{second['number']}/replies", {"body": "x"})
    assert refused(reply) == (409, "ticket_closed")


def test_a_resolved_ticket_closes_when_its_timer_runs_out_unless_it_was_reopened(staff: Staff, carla: Contact) -> None:
    ticket = staff.open(carla)["ticket"]
    number = ticket["number"]
    resolved = ok(staff.change(number, revision=ticket["revision"], status="resolved"))["ticket"]
    timer = table().get(ticket_timer_key(number))
    assert timer is not None
    assert timer["expires_at"] - resolved["updated_at"] // 1000 == 7 * 86400

    deliver(record("REMOVE", timer, ttl=True))

    closed = staff.ticket(number)
    assert closed["ticket"]["status"] == "closed"
    assert closed["timeline"][-1]["reason"] == "auto_close"
    deliver(record("REMOVE", timer, ttl=True))  # delivered again: nothing more
    assert len(staff.ticket(number)["timeline"]) == len(closed["timeline"])


# --- customers ------------------------------------------------------------------------------------------


def test_a_contact_submits_on_the_portal_and_follows_it_in_my_activities(
    aws: LocalAws, carla: Contact, staff: Staff, stream: StreamPoller
) -> None:
    customer = Customer(aws, carla)

    forget_cached()  # the settings as a cold function reads them
    with dynamodb_requests() as calls:
        ticket = customer.submit("Cannot print", urgency="high")
    stream.poll_once()

    assert (ticket["number"], ticket["status"], ticket["source"]) == (1001, "new", "portal")
    # the session with its contact, the settings, the number, the ticket and its first entry, the page
    assert calls == {"BatchGetItem": 1, "GetItem": 1, "UpdateItem": 1, "TransactWriteItems": 1, "Query": 1}
    assert customer.numbers() == [1001]
    assert staff.numbers(scope="unassigned", status="active") == [1001]


def test_customers_never_see_internal_notes_and_their_reply_reopens_a_pending_ticket(
    aws: LocalAws, carla: Contact, staff: Staff
) -> None:
    customer = Customer(aws, carla)
    number = customer.submit()["number"]
    staff.call(f"POST /api/tickets/{number}/notes", {"body": "Customer is grumpy."})
    staff.call(f"POST /api/tickets/{number}/replies", {"body": "Which printer?", "status": "pending"})

    seen = ok(customer.call(f"GET /api/portal/tickets/{number}"))
    answered = ok(customer.call(f"POST /api/portal/tickets/{number}/replies", {"body": "The HP."}), 201)

    assert "grumpy" not in json.dumps(seen)
    assert [entry["kind"] for entry in seen["timeline"]] == ["event", "reply", "event"]
    assert answered["status"] == "open"
    assert answered["timeline"][-2]["author"]["id"] == carla.id


def test_a_primary_contact_sees_a_colleagues_ticket_and_a_plain_contact_does_not(
    aws: LocalAws, carla: Contact, stream: StreamPoller
) -> None:
    pat = colleague(carla, "pat@acme.example.com", primary=True)
    cy = colleague(carla, "cy@acme.example.com")
    number = Customer(aws, carla).submit()["number"]
    stream.poll_once()

    primary, plain = Customer(aws, pat), Customer(aws, cy)

    assert ok(primary.call(f"GET /api/portal/tickets/{number}"))["title"] == "Cannot print"
    assert primary.numbers(list="company") == [number]
    assert refused(plain.call(f"GET /api/portal/tickets/{number}")) == (404, "not_found")
    assert refused(plain.call("GET /api/portal/tickets", list="company")) == (403, "forbidden")
    assert plain.numbers() == []


def test_a_ccd_contact_reads_and_replies_but_only_the_requester_closes(
    aws: LocalAws, carla: Contact, stream: StreamPoller
) -> None:
    cy = colleague(carla, "cy@acme.example.com")
    requester = Customer(aws, carla)
    number = requester.submit(cc=["CY@acme.example.com"])["number"]
    stream.poll_once()
    follower = Customer(aws, cy)

    assert follower.numbers(list="cc") == [number]
    assert (
        ok(follower.call(f"POST /api/portal/tickets/{number}/replies", {"body": "Me too."}), 201)["may_close"] is False
    )
    assert refused(follower.call(f"POST /api/portal/tickets/{number}/close")) == (403, "forbidden")
    assert ok(requester.call(f"POST /api/portal/tickets/{number}/close"))["status"] == "closed"


def test_the_submission_policy_closes_a_non_primarys_ticket_and_says_who_may_submit(
    aws: LocalAws, carla: Contact
) -> None:
    colleague(carla, "pat@acme.example.com", primary=True)
    update_preferences({"ticket_submission": "primary_contacts"})

    ticket = Customer(aws, carla).submit()

    assert (ticket["status"], ticket["status_reason"]) == (
        "closed",
        "Only your company's primary contacts may submit tickets.",
    )
    assert ticket["may_submit"] == ["Pat Primary"]
    assert ticket["timeline"][-1]["changes"] == [{"field": "status", "before": "new", "after": "closed"}]


def test_a_categorys_required_fields_are_checked_and_its_default_team_takes_the_ticket(
    aws: LocalAws, carla: Contact
) -> None:
    team = create_team(NewTeam(name="Printers", members=[]))
    category = create_category(
        current("deskless.categories").CategoryContent.model_validate(
            {
                "name": "Printing",
                "labels": {"en": "Printing"},
                "default_team_id": team.id,
                "fields": [
                    {
                        "key": "model",
                        "kind": "single_choice",
                        "labels": {"en": "Model"},
                        "required": True,
                        "choices": [{"key": "hp", "labels": {"en": "HP"}}, {"key": "canon", "labels": {"en": "Canon"}}],
                    }
                ],
            }
        )
    )
    customer = Customer(aws, carla)

    missing = customer.call(
        "POST /api/portal/tickets", {"title": "x", "description": "y", "category_id": category.id, "fields": {}}
    )
    ticket = customer.submit(category_id=category.id, fields={"model": "hp"})

    assert refused(missing) == (422, "invalid_field_values")
    assert missing.json()["details"] == [{"field": "model", "problem": "Required"}]
    assert ticket["fields"] == {"model": "hp"}
    stored = table().get({"pk": f"TICKET#{ticket['number']}", "sk": "TICKET"})
    assert stored is not None
    assert stored["team_id"] == team.id


# --- lists ---------------------------------------------------------------------------------------------


def test_lists_follow_changes_one_query_each(staff: Staff, carla: Contact, stream: StreamPoller) -> None:
    one = staff.open(carla, "Printer on fire")["ticket"]
    two = staff.open(carla, "Mouse is slow", urgency="very_high", impact="very_high")["ticket"]
    stream.poll_once()
    ok(staff.change(one["number"], revision=one["revision"], assignee_id=TECHNICIAN.user_id))
    stream.poll_once()

    with dynamodb_requests() as calls:
        mine = staff.numbers(scope="mine", status="active")
    assert calls == {"Query": 1}
    assert mine == [one["number"]]
    assert staff.numbers(scope="unassigned") == [two["number"]]
    assert staff.numbers(sort="priority", status="active") == [two["number"], one["number"]]
    assert refused(staff.call("GET /api/tickets", sort="priority")) == (400, "invalid_request")
    assert staff.numbers() == [one["number"], two["number"]]  # latest change first
    assert staff.numbers(q="print fire") == [one["number"]]
    assert staff.numbers(q="#1002") == [two["number"]]
    assert staff.numbers(q="carla") == [one["number"], two["number"]]
    assert staff.numbers(q=carla.emails[0].upper()) == [one["number"], two["number"]]  # cut and folded as stored
    assert staff.numbers(q="printer-on") == [one["number"]]
    assert staff.numbers(q="-.@") == []
    counts = ok(staff.call("GET /api/tickets/counts"))["counts"]
    assert (counts["all|new"], counts["mine|active"], counts["unassigned|active"], counts["all|closed"]) == (2, 1, 1, 0)
    assert (counts["priority:very_high|active"], counts["priority:medium|active"]) == (1, 1)


def test_a_list_is_paged_by_its_cursor(staff: Staff, carla: Contact, stream: StreamPoller) -> None:
    for n in range(3):
        staff.open(carla, f"Ticket {n}")
    stream.poll_once()

    lists = current("deskless.ticket_lists")
    page = lists.list_tickets("all", limit=2)
    rest = lists.list_tickets("all", after=page.next, limit=2)
    assert [t.number for t in page.tickets] + [t.number for t in rest.tickets] == [1003, 1002, 1001]
    assert rest.next is None


def test_a_priority_set_by_hand_is_marked_in_the_lists(staff: Staff, carla: Contact, stream: StreamPoller) -> None:
    ticket = staff.open(carla)["ticket"]
    ok(staff.change(ticket["number"], revision=ticket["revision"], priority="major"))
    stream.poll_once()

    (listed,) = ok(staff.call("GET /api/tickets"))["tickets"]

    assert (listed["priority"], listed["priority_overridden"]) == ("major", True)


def test_a_ticket_page_names_the_statuses_it_may_take(staff: Staff, carla: Contact) -> None:
    view = staff.open(carla)
    resolved = ok(staff.change(view["ticket"]["number"], revision=view["ticket"]["revision"], status="resolved"))
    closed = ok(staff.change(view["ticket"]["number"], revision=resolved["ticket"]["revision"], status="closed"))

    assert view["transitions"] == ["open", "pending", "resolved", "closed", "merged"]
    assert resolved["transitions"] == ["open", "closed"]
    assert closed["transitions"] == []


def test_a_bad_list_name_is_refused(staff: Staff) -> None:
    assert refused(staff.call("GET /api/tickets", scope="everything")) == (400, "invalid_request")


# --- integrations -----------------------------------------------------------------------------------


def test_an_integration_opens_a_ticket_for_a_new_address_and_a_revoked_key_cannot(aws: LocalAws) -> None:
    issued = create_key("Monitoring", ADMIN)

    def post(presented: str) -> HttpResult:
        event = http_event(
            "http_staff_create",
            origin_secret=aws.origin_secret,
            route_key="POST /api/v1/tickets",
            body={"requester_email": "nina@newco.example.com", "title": "Disk full", "description": "On srv1."},
            headers={"x-api-key": presented},
        )
        return call_http("tickets", event)

    ticket = ok(post(issued.key), 201)
    revoke_key(issued.id)

    assert (ticket["source"], ticket["requester"]["email"], ticket["requester"]["name"]) == (
        "api",
        "nina@newco.example.com",
        "nina",
    )
    assert refused(post(issued.key)) == (401, "invalid_api_key")


# --- attachments --------------------------------------------------------------------------------------


def _uploaded(uploader: str, name: str, body: bytes, content_type: str = "text/plain") -> str:
    from deskless.attachments import upload_form

    form = upload_form(uploader, name, content_type, len(body))
    posted = requests.post(form.url, data=form.fields, files={"file": (name, body)}, timeout=10)
    assert posted.status_code in (200, 201, 204)
    return form.attachment_id


def test_files_go_with_a_ticket_and_a_reply_and_download_only_for_those_who_may_see_them(
    aws: LocalAws, carla: Contact, staff: Staff
) -> None:
    customer = Customer(aws, carla)
    log = _uploaded(contact_uploader(carla.id), "printer.log", b"paper jam\n")
    ticket = customer.submit(attachments=[log])
    number = ticket["number"]
    note_file = _uploaded(staff_uploader(TECHNICIAN.user_id), "internal.txt", b"secret")
    note = ok(staff.call(f"POST /api/tickets/{number}/notes", {"body": "See file.", "attachments": [note_file]}), 201)

    assert [(f["name"], f["size"]) for f in ticket["attachments"]] == [("printer.log", 10)]
    assert note["timeline"][-1]["attachments"][0]["name"] == "internal.txt"
    assert note["ticket"]["attachment_bytes"] == 16
    link = ok(staff.call(f"GET /api/tickets/{number}/attachments/{note_file}"))["url"]
    assert requests.get(link, timeout=10).content == b"secret"
    mine = customer.call(f"GET /api/portal/tickets/{number}/attachments/{log}")
    assert mine.status == 303
    assert requests.get(mine.headers["location"], timeout=10).content == b"paper jam\n"
    assert refused(customer.call(f"GET /api/portal/tickets/{number}/attachments/{note_file}")) == (404, "not_found")
    cy = Customer(aws, colleague(carla, "cy@acme.example.com"))
    assert refused(cy.call(f"GET /api/portal/tickets/{number}/attachments/{log}")) == (404, "not_found")


def test_another_ones_upload_cannot_be_attached_and_nothing_is_stored(aws: LocalAws, carla: Contact) -> None:
    someone_elses = _uploaded(staff_uploader(TECHNICIAN.user_id), "x.txt", b"x")
    customer = Customer(aws, carla)

    answer = customer.call(
        "POST /api/portal/tickets", {"title": "x", "description": "y", "attachments": [someone_elses]}
    )

    assert refused(answer) == (404, "upload_missing")
    assert customer.numbers() == []


# --- from a chat -----------------------------------------------------------------------------------


def test_a_technician_turns_their_chat_into_a_ticket_with_its_transcript(aws: LocalAws, staff: Staff) -> None:
    from deskless.sessions import add_message, new_session

    session, item = new_session(
        technician_id=TECHNICIAN.user_id,
        technician_name=TECHNICIAN.name,
        visitor_name="Vera Visitor",
        origin="code",
        origin_ref="123456789",
    )
    table().put(item)
    add_message(session, TECHNICIAN, "Hello Vera, what happened?")
    body = {"email": "vera@example.org", "title": "VPN drops", "description": "Talked it through in chat."}

    view = ok(staff.call(f"POST /api/sessions/{session.id}/ticket", body), 201)
    others = Staff(aws, OTHER).call(f"POST /api/sessions/{session.id}/ticket", body)

    ticket = view["ticket"]
    assert (ticket["source"], ticket["requester"]["name"], ticket["requester"]["email"]) == (
        "chat",
        "Vera Visitor",
        "vera@example.org",
    )
    (transcript,) = ticket["attachments"]
    assert (transcript["name"], transcript["content_type"]) == ("chat-transcript.txt", "text/plain")
    link = ok(staff.call(f"GET /api/tickets/{ticket['number']}/attachments/{transcript['id']}"))["url"]
    assert "Ted Tech: Hello Vera, what happened?" in requests.get(link, timeout=10).text
    assert refused(others) == (404, "not_found")
