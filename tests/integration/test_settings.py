"""Admin settings: the global preferences (active-code limit and lifetime, chat wait, and what
shapes the operator console: chat limit, auto-away, channel lock, away reasons, notification
repeat) and a staff user's own code limit; only admins may read or change them, and a value out
of range or of the wrong type is a clear 400 naming the setting."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from deskless.auth import Principal, Role
from deskless.companies import create_company, create_portal
from deskless.data import table
from deskless.priorities import DEFAULT_MATRIX
from deskless.table import SETTINGS_KEY, code_limit_key
from deskless.users import create_staff
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, HttpResult, call_http, current, http_event
from tests.integration.test_codes import CodesApi, forget_caches


class StaffApi:
    def __init__(self, aws: LocalAws) -> None:
        self.origin_secret = aws.origin_secret

    def call(self, route_key: str, body: Any = None, caller: Principal = ADMIN) -> HttpResult:
        base = "http_staff_create" if body is not None else "http_staff_list"
        event = http_event(base, origin_secret=self.origin_secret, principal=caller, body=body, route_key=route_key)
        return call_http("staff", event)


@pytest.fixture
def staff(aws: LocalAws) -> Iterator[StaffApi]:
    forget_caches()
    yield StaffApi(aws)
    forget_caches()


@pytest.fixture
def theo(aws: LocalAws) -> Principal:
    user = create_staff("theo@example.com", "Theo Tech", Role.TECHNICIAN, "a long first password")
    return Principal(user_id=user.id, role=user.role, name=user.name, email=user.email)


# --- global preferences ---------------------------------------------------------------------------


DEFAULTS = {
    "code_limit": 8,
    "code_lifetime_minutes": 20,
    "chat_wait_seconds": 180,
    "chat_limit": 3,
    "auto_away_minutes": 0,
    "channels_locked": False,
    "away_reasons": ["Lunch", "Personal", "Meeting"],
    "notification_repeat_seconds": 30,
    "support_addresses": ["support@deskless.example.com"],  # the deployment's (here: its mail_from)
    "create_contacts_from_email": True,
    "welcome_new_contacts": True,
    "welcome_template_id": "welcome",
    "customer_session_hours": 12,
    "temporary_password_hours": 72,
    "password_link_hours": 72,
    "reset_link_minutes": 60,
    "priority_matrix": {
        urgency.value: {impact.value: priority.value for impact, priority in row.items()}
        for urgency, row in DEFAULT_MATRIX.items()
    },
    "ticket_submission": "everyone",
    "auto_close_days": 7,
    "automatic_mail_cap": 10,
}


def test_an_admin_reads_the_defaults(staff: StaffApi) -> None:
    response = staff.call("GET /api/settings")

    assert response.status == 200
    assert response.json() == DEFAULTS


def test_an_admin_changes_one_setting_and_the_others_stay(staff: StaffApi) -> None:
    response = staff.call("PATCH /api/settings", {"code_limit": 3})

    assert response.status == 200
    changed = {**DEFAULTS, "code_limit": 3}
    assert response.json() == changed
    forget_caches()  # another function's environment reads the table
    assert staff.call("GET /api/settings").json() == changed
    stored = table().get(SETTINGS_KEY)
    assert stored is not None
    assert stored["code_limit"] == 3


def test_the_new_limit_and_lifetime_apply_to_codes(staff: StaffApi, aws: LocalAws) -> None:
    create_portal(create_company("Acme"), "acme")
    staff.call("PATCH /api/settings", {"code_limit": 1, "code_lifetime_minutes": 2})
    codes = CodesApi(aws)

    first = codes.create("first")
    second = codes.create("second")

    assert first.status == 201
    assert first.json()["seconds_left"] <= 120
    assert (second.status, second.json()["error"]) == (409, "code_limit_reached")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code_limit": 0}, "code_limit"),
        ({"code_limit": 101}, "code_limit"),
        ({"code_limit": "eight"}, "code_limit"),
        ({"code_limit": None}, "code_limit"),
        ({"code_limit": 2.5}, "code_limit"),
        ({"code_lifetime_minutes": 0}, "code_lifetime_minutes"),
        ({"code_lifetime_minutes": 24 * 60 + 1}, "code_lifetime_minutes"),
        ({"theme": "dark"}, "theme"),
        ({"chat_limit": 0}, "chat_limit"),
        ({"chat_limit": 21}, "chat_limit"),
        ({"chat_limit": "3"}, "chat_limit"),
        ({"auto_away_minutes": -1}, "auto_away_minutes"),
        ({"auto_away_minutes": 241}, "auto_away_minutes"),
        ({"auto_away_minutes": 1.5}, "auto_away_minutes"),
        ({"channels_locked": "yes"}, "channels_locked"),
        ({"channels_locked": 1}, "channels_locked"),
        ({"channels_locked": None}, "channels_locked"),
        ({"notification_repeat_seconds": -1}, "notification_repeat_seconds"),
        ({"notification_repeat_seconds": 601}, "notification_repeat_seconds"),
        ({"notification_repeat_seconds": True}, "notification_repeat_seconds"),
        ({"away_reasons": "Lunch"}, "away_reasons"),
        ({"away_reasons": None}, "away_reasons"),
        ({"away_reasons": [f"reason {n}" for n in range(11)]}, "away_reasons"),
        ({"customer_session_hours": 0}, "customer_session_hours"),
        ({"temporary_password_hours": 30 * 24 + 1}, "temporary_password_hours"),
        ({"password_link_hours": "72"}, "password_link_hours"),
        ({"reset_link_minutes": 5}, "reset_link_minutes"),
    ],
)
def test_an_invalid_setting_is_a_400_naming_it_and_nothing_changes(
    staff: StaffApi, body: dict[str, Any], field: str
) -> None:
    response = staff.call("PATCH /api/settings", body)

    assert response.status == 400
    assert response.json()["error"] == "invalid_request"
    assert [d["field"] for d in response.json()["details"]] == [field]
    assert field in response.json()["message"]
    assert table().get(SETTINGS_KEY) is None


@pytest.mark.parametrize(
    ("reasons", "problem"),
    [
        (["Lunch", ""], "at least 1 character"),
        (["Lunch", "   "], "at least 1 character"),
        (["x" * 41], "at most 40 characters"),
        (["Lunch", 3], "valid string"),
        (["Lunch", "lunch"], "each away reason must be listed once"),
    ],
)
def test_an_invalid_away_reason_is_a_400_saying_what_is_wrong(
    staff: StaffApi, reasons: list[Any], problem: str
) -> None:
    response = staff.call("PATCH /api/settings", {"away_reasons": reasons})

    assert response.status == 400
    assert response.json()["error"] == "invalid_request"
    assert all(d["field"].startswith("away_reasons") for d in response.json()["details"])
    assert problem in response.json()["message"]
    assert table().get(SETTINGS_KEY) is None


def test_an_admin_sets_every_console_setting_at_once_and_they_are_kept(staff: StaffApi) -> None:
    console = {
        "chat_limit": 5,
        "auto_away_minutes": 15,
        "channels_locked": True,
        "away_reasons": [" Training ", "Phone call"],
        "notification_repeat_seconds": 0,
    }

    response = staff.call("PATCH /api/settings", console)

    expected = {**DEFAULTS, **console, "away_reasons": ["Training", "Phone call"]}
    assert (response.status, response.json()) == (200, expected)
    forget_caches()
    assert staff.call("GET /api/settings").json() == expected


def test_the_away_reasons_may_be_emptied_and_ten_are_allowed(staff: StaffApi) -> None:
    ten = [f"reason {n}" for n in range(10)]

    assert staff.call("PATCH /api/settings", {"away_reasons": []}).json()["away_reasons"] == []
    assert staff.call("PATCH /api/settings", {"away_reasons": ten}).json()["away_reasons"] == ten


def test_a_body_that_is_not_an_object_is_a_400(staff: StaffApi) -> None:
    assert staff.call("PATCH /api/settings", [1, 2]).status == 400


@pytest.mark.parametrize(
    ("route_key", "body"),
    [
        ("GET /api/settings", None),
        ("PATCH /api/settings", {"code_limit": 50}),
        ("PATCH /api/staff/x", {"code_limit": 9}),
    ],
)
def test_a_technician_may_not_read_or_change_settings(staff: StaffApi, route_key: str, body: Any) -> None:
    response = staff.call(route_key, body, caller=TECHNICIAN)

    assert (response.status, response.json()["error"]) == (403, "forbidden")
    assert table().get(SETTINGS_KEY) is None


# --- a technician's own limit ---------------------------------------------------------------------


def test_an_admin_gives_a_technician_their_own_limit(staff: StaffApi, theo: Principal) -> None:
    response = staff.call(f"PATCH /api/staff/{theo.user_id}", {"code_limit": 2})

    assert response.status == 200
    user = response.json()
    assert (user["id"], user["email"], user["code_limit"]) == (theo.user_id, "theo@example.com", 2)
    assert "password_hash" not in response.body
    stored = table().get(code_limit_key(theo.user_id))
    assert stored is not None
    assert stored["limit"] == 2


def test_the_own_limit_applies_to_that_technician_only(staff: StaffApi, theo: Principal, aws: LocalAws) -> None:
    create_portal(create_company("Acme"), "acme")
    staff.call(f"PATCH /api/staff/{theo.user_id}", {"code_limit": 2})
    codes = CodesApi(aws)

    theirs = [codes.create(f"customer {n}", caller=theo).status for n in range(3)]
    others = [codes.create(f"customer {n}", caller=TECHNICIAN).status for n in range(3)]

    assert theirs == [201, 201, 409]
    assert others == [201, 201, 201]


def test_null_returns_the_technician_to_the_global_limit(staff: StaffApi, theo: Principal) -> None:
    staff.call(f"PATCH /api/staff/{theo.user_id}", {"code_limit": 2})

    response = staff.call(f"PATCH /api/staff/{theo.user_id}", {"code_limit": None})

    assert (response.status, response.json()["code_limit"]) == (200, None)
    assert table().get(code_limit_key(theo.user_id)) is None


def test_an_unknown_user_is_a_404(staff: StaffApi) -> None:
    response = staff.call("PATCH /api/staff/0000000000000000", {"code_limit": 2})

    assert response.status == 404
    assert table().get(code_limit_key("0000000000000000")) is None


@pytest.mark.parametrize(
    "body", [{"code_limit": 0}, {"code_limit": 101}, {"code_limit": "2"}, {"code_limit": 2.5}, {}, {"limit": 2}]
)
def test_an_invalid_own_limit_is_a_400(staff: StaffApi, theo: Principal, body: dict[str, Any]) -> None:
    response = staff.call(f"PATCH /api/staff/{theo.user_id}", body)

    assert response.status == 400
    assert table().get(code_limit_key(theo.user_id)) is None


def test_settings_are_read_fresh_by_admins(staff: StaffApi) -> None:
    current("deskless.preferences").get_preferences()  # cached: defaults
    table().put({**SETTINGS_KEY, "type": "settings", "code_limit": 5, "code_lifetime_minutes": 20})

    assert staff.call("GET /api/settings").json()["code_limit"] == 5


# --- email settings -------------------------------------------------------------------------------


def test_an_admin_sets_the_email_settings_and_they_are_kept(staff: StaffApi) -> None:
    email = {
        "support_addresses": ["Help@Deskless.Example.com ", "billing@deskless.example.com"],
        "create_contacts_from_email": False,
        "welcome_new_contacts": False,
        "welcome_template_id": "welcome",
    }

    response = staff.call("PATCH /api/settings", email)

    # Then the addresses are kept in lower case, without spaces
    expected = {**DEFAULTS, **email, "support_addresses": ["help@deskless.example.com", "billing@deskless.example.com"]}
    assert (response.status, response.json()) == (200, expected)
    forget_caches()
    assert staff.call("GET /api/settings").json() == expected


@pytest.mark.parametrize(
    ("addresses", "problem"),
    [
        (["help@elsewhere.example.com"], "not at the mail domain deskless.example.com"),
        (["not an address"], "is not an email address"),
        (["help@deskless.example.com", "HELP@deskless.example.com"], "each support address must be listed once"),
        ([], "at least 1 item"),
        ([f"help{n}@deskless.example.com" for n in range(21)], "at most 20 items"),
        ("help@deskless.example.com", "valid list"),
    ],
)
def test_a_support_address_off_the_mail_domain_or_invalid_is_refused(
    staff: StaffApi, addresses: Any, problem: str
) -> None:
    response = staff.call("PATCH /api/settings", {"support_addresses": addresses})

    assert (response.status, response.json()["error"]) == (400, "invalid_request")
    assert all(d["field"].startswith("support_addresses") for d in response.json()["details"])
    assert problem in response.json()["message"]
    assert table().get(SETTINGS_KEY) is None


def test_a_welcome_template_that_does_not_exist_is_refused_naming_it(staff: StaffApi) -> None:
    response = staff.call("PATCH /api/settings", {"welcome_template_id": "no-such-template", "code_limit": 3})

    assert (response.status, response.json()["error"]) == (400, "invalid_request")
    assert [d["field"] for d in response.json()["details"]] == ["welcome_template_id"]
    assert "there is no email template 'no-such-template'" in response.json()["message"]
    assert table().get(SETTINGS_KEY) is None  # nothing of the change is stored


def test_a_custom_template_may_be_the_welcome_email(staff: StaffApi) -> None:
    from deskless.templates import EmailTemplateContent, EmailVariant, TemplatePurpose, create_email_template

    mine = create_email_template(
        EmailTemplateContent(
            name="Our welcome",
            purpose=TemplatePurpose.WELCOME,
            variants={"en": EmailVariant(subject="Hi {[Contact First Name]}", body="{[Portal Password Link]}")},
        )
    )

    response = staff.call("PATCH /api/settings", {"welcome_template_id": mine.id})

    assert (response.status, response.json()["welcome_template_id"]) == (200, mine.id)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"create_contacts_from_email": "yes"}, "create_contacts_from_email"),
        ({"welcome_new_contacts": None}, "welcome_new_contacts"),
        ({"welcome_template_id": ""}, "welcome_template_id"),
    ],
)
def test_an_invalid_email_setting_is_a_400_naming_it(staff: StaffApi, body: dict[str, Any], field: str) -> None:
    response = staff.call("PATCH /api/settings", body)

    assert response.status == 400
    assert [d["field"] for d in response.json()["details"]] == [field]
    assert table().get(SETTINGS_KEY) is None
