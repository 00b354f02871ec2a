"""`deskless invoke` (local/invoke.py): a sample event, run against fresh local services,
prints the function's result. The samples carry AWS's values (CloudFront's origin secret,
tokens signed by another key, callers' ids from another table): invoke makes them local."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from deskless.auth import Principal, Role, verify_token
from deskless.catalog import INBOUND_MAIL_PREFIX
from deskless.edge import ORIGIN_VERIFY_HEADER
from deskless.users import create_staff
from local.invoke import prepare
from tests.conftest import LocalAws
from tests.helpers import EVENTS, load_event

ROOT = Path(__file__).resolve().parents[2]


def run(function: str, event: str | Path, *, seed: bool = True) -> subprocess.CompletedProcess[str]:
    code = f"import sys; from local.invoke import main; sys.exit(main({function!r}, {str(event)!r}, seed={seed}))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


# --- end to end, as the command runs ---------------------------------------------------------


def test_the_login_sample_signs_in_the_demo_admin() -> None:
    done = run("auth", EVENTS / "http_login.json")

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)  # stdout holds the result alone; logs went to stderr
    assert result["statusCode"] == 200
    assert json.loads(result["body"])["user"]["email"] == "admin@example.com"


def test_the_me_sample_finds_its_caller_among_the_demo_users() -> None:
    done = run("auth", EVENTS / "http_me.json")

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["statusCode"] == 200
    assert json.loads(result["body"])["name"] == "Ada Admin"


def test_without_the_demo_data_the_login_sample_is_refused() -> None:
    done = run("auth", EVENTS / "http_login.json", seed=False)

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["statusCode"] == 401
    assert json.loads(result["body"])["error"] == "invalid_credentials"


def test_the_ses_sample_finds_its_message_in_the_bucket() -> None:
    done = run("inbound_email", EVENTS / "ses_receipt.json")

    assert done.returncode == 0, done.stderr
    message_id = load_event("ses_receipt")["Records"][0]["ses"]["mail"]["messageId"]
    assert json.loads(done.stdout) == {"received": [message_id]}


def test_a_handler_that_raises_exits_1_with_the_error_on_stderr(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"body": "{}"}))  # a WebSocket event without its requestContext

    done = run("realtime", broken, seed=False)

    assert done.returncode == 1
    assert done.stdout == ""
    assert "KeyError" in done.stderr
    assert "requestContext" in done.stderr


@pytest.mark.parametrize(("function", "event"), [("nope", EVENTS / "http_me.json"), ("auth", Path("missing.json"))])
def test_an_unknown_function_or_event_file_exits_2(function: str, event: Path) -> None:
    done = run(function, event, seed=False)

    assert done.returncode == 2
    assert done.stdout == ""
    assert "deskless invoke:" in done.stderr


# --- what invoke changes in a sample ---------------------------------------------------------


@pytest.fixture
def alice(aws: LocalAws) -> Principal:
    user = create_staff("alice@example.com", "Alice Local", Role.TECHNICIAN, "a long enough password")
    return Principal(user_id=user.id, role=user.role, name=user.name, email=user.email)


def test_the_origin_header_gets_the_local_secret(aws: LocalAws) -> None:
    event = prepare(load_event("http_login"), aws.names, aws.url)

    assert event["headers"][ORIGIN_VERIFY_HEADER] == aws.origin_secret


def test_the_sample_itself_is_left_as_it_was(aws: LocalAws) -> None:
    sample = load_event("http_me")

    prepare(sample, aws.names, aws.url)

    assert sample == load_event("http_me")


def test_a_bearer_token_is_signed_again_for_the_local_user_with_that_email(aws: LocalAws, alice: Principal) -> None:
    alice_token = load_event("authorizer_websocket")["queryStringParameters"]["token"]  # the sample's, for alice@
    sample = load_event("authorizer_http")
    sample["headers"]["authorization"] = sample["identitySource"][0] = f"Bearer {alice_token}"

    event = prepare(sample, aws.names, aws.url)

    token = event["headers"]["authorization"].removeprefix("Bearer ")
    assert verify_token(token) == alice
    assert event["identitySource"] == [event["headers"]["authorization"]]


def test_a_token_for_an_email_with_no_local_user_keeps_its_caller(aws: LocalAws) -> None:
    event = prepare(load_event("authorizer_http"), aws.names, aws.url)

    principal = verify_token(event["headers"]["authorization"].removeprefix("Bearer "))
    assert (principal.user_id, principal.email) == ("4f1c2a9be07d3c65", "admin@example.com")


def test_the_websocket_token_and_the_authorizers_context_name_the_local_user(aws: LocalAws, alice: Principal) -> None:
    event = prepare(load_event("websocket_connect"), aws.names, aws.url)

    assert verify_token(event["queryStringParameters"]["token"]) == alice
    assert event["multiValueQueryStringParameters"]["token"] == [event["queryStringParameters"]["token"]]
    authorizer = event["requestContext"]["authorizer"]
    assert Principal.from_context(authorizer) == alice
    assert authorizer["principalId"] == alice.user_id


def test_an_http_authorizer_context_names_the_local_user(aws: LocalAws) -> None:
    admin = create_staff("admin@example.com", "Local Admin", Role.ADMIN, "a long enough password")

    event = prepare(load_event("http_me"), aws.names, aws.url)

    context: dict[str, Any] = event["requestContext"]["authorizer"]["lambda"]
    assert (context["user_id"], context["name"]) == (admin.id, "Local Admin")


def test_an_ses_receipt_stores_the_message_first_unless_it_is_there(aws: LocalAws) -> None:
    sample = load_event("ses_receipt")
    key = INBOUND_MAIL_PREFIX + sample["Records"][0]["ses"]["mail"]["messageId"]
    s3 = aws.client("s3")

    prepare(sample, aws.names, aws.url)
    stored = s3.get_object(Bucket=aws.names.inbound_bucket, Key=key)["Body"].read()
    assert b"Subject: Printer on floor 3 is offline" in stored

    s3.put_object(Bucket=aws.names.inbound_bucket, Key=key, Body=b"Subject: mine\r\n\r\nkeep me")
    prepare(sample, aws.names, aws.url)
    assert s3.get_object(Bucket=aws.names.inbound_bucket, Key=key)["Body"].read() == b"Subject: mine\r\n\r\nkeep me"
