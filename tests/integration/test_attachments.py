"""Attachments against moto's S3 (deskless.attachments, the attachments function): a form, a real
multipart POST to the URL it names (as a browser sends it), the ticket taking the upload, and a
download link that answers the bytes as a download; each way it is refused: too large a file
declared or sent, a type not taken, another's upload, a ticket's total, an upload that is not there.

moto makes none of S3's checks of a presigned POST; local mode makes them (local.moto_post_policy),
so what S3 refuses is refused here too."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from deskless.attachments import Attachment, UploadForm, download_url, store, take_uploads, upload_form
from deskless.auth import Principal, Role
from deskless.contacts import Contact
from deskless.credentials import SESSION_COOKIE
from deskless.errors import AttachmentNameRefused, AttachmentTooLarge, AttachmentTypeRefused, UploadMissing
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, HttpResult, add_staff, call_http, current, http_event, ok, refused
from tests.integration.test_portal_accounts import ACME, Browser, contact

MB = 1024 * 1024
CARLA = "contact:c0ffee"
OTHER = "contact:0ther"


def post(form: UploadForm, body: bytes, *, filename: str = "upload.bin", **changed: str) -> requests.Response:
    """The upload as a browser's form sends it: the fields as given (some changed), then the file."""
    return requests.post(form.url, data={**form.fields, **changed}, files={"file": (filename, body)}, timeout=10)


def bucket_keys(aws: LocalAws) -> list[str]:
    listed = aws.client("s3").list_objects_v2(Bucket=aws.names.attachments_bucket)
    return sorted(item["Key"] for item in listed.get("Contents", []))


@contextmanager
def s3_requests() -> Iterator[Counter[str]]:
    with count_requests(current("deskless.aws").client("s3")) as calls:
        yield calls


# --- the whole way: form, upload, take, download ----------------------------------------------------


def test_an_upload_is_taken_by_its_ticket_and_downloads_with_its_name(aws: LocalAws) -> None:
    body = "Přehled,2026\n1,2\n".encode()
    form = upload_form(CARLA, "C:\\Users\\carla\\Přehled 2026.csv", "text/csv", len(body))

    uploaded = post(form, body)
    with s3_requests() as calls:
        [taken] = take_uploads(CARLA, [form.attachment_id], 1001, already_bytes=0)
    answer = requests.get(download_url(taken), timeout=10)

    assert uploaded.status_code == 204
    assert taken == Attachment(
        form.attachment_id, "Přehled 2026.csv", "text/csv", len(body), f"tickets/1001/{form.attachment_id}"
    )
    assert bucket_keys(aws) == [taken.key]  # the staged copy is gone
    assert calls == Counter({"HeadObject": 1, "CopyObject": 1, "DeleteObject": 1})
    assert answer.status_code == 200
    assert answer.content == body
    assert answer.headers["content-type"] == "text/csv"
    assert answer.headers["content-disposition"] == "attachment; filename*=UTF-8''P%C5%99ehled%202026.csv"


def test_an_image_or_a_pdf_may_show_inline_anything_else_only_downloads(aws: LocalAws) -> None:
    image = store(1001, "screen.png", "image/png", b"\x89PNG\r\n")
    text = store(1001, "notes.txt", "text/plain", b"hello")

    assert requests.get(download_url(image), timeout=10).headers["content-disposition"].startswith("inline;")
    assert requests.get(download_url(text), timeout=10).headers["content-disposition"].startswith("attachment;")


def test_a_form_pins_type_and_size_and_expires_in_ten_minutes(aws: LocalAws) -> None:
    form = upload_form(CARLA, "a.txt", "text/plain", 5)

    assert form.url == f"{aws.url}/{aws.names.attachments_bucket}"  # what the pages' CSP allows
    assert form.fields["Content-Type"] == "text/plain"
    assert form.fields["key"].startswith("staged/")
    assert form.fields["key"].endswith(form.attachment_id)
    assert 590 <= form.expires_at - __import__("time").time() <= 600


# --- what S3 refuses -------------------------------------------------------------------------------


def test_a_file_larger_than_declared_is_refused_by_s3(aws: LocalAws) -> None:
    form = upload_form(CARLA, "a.txt", "text/plain", 5)

    answer = post(form, b"123456")

    assert answer.status_code == 400
    assert "<Code>EntityTooLarge</Code>" in answer.text
    assert bucket_keys(aws) == []
    with pytest.raises(UploadMissing):
        take_uploads(CARLA, [form.attachment_id], 1001, already_bytes=0)


def test_a_form_whose_type_or_name_was_changed_is_refused_by_s3(aws: LocalAws) -> None:
    form = upload_form(CARLA, "a.txt", "text/plain", 5)

    as_page = post(form, b"<b>", **{"Content-Type": "text/html"})
    renamed = post(form, b"hi", **{"x-amz-meta-name": "evil.html"})

    assert (as_page.status_code, renamed.status_code) == (403, 403)
    assert "<Code>AccessDenied</Code>" in as_page.text
    assert bucket_keys(aws) == []


# --- what Deskless refuses -------------------------------------------------------------------------


def test_a_form_for_too_large_a_file_is_refused(aws: LocalAws) -> None:
    with pytest.raises(AttachmentTooLarge, match="10 MB at most"):
        upload_form(CARLA, "big.zip", "application/zip", 10 * MB + 1)


@pytest.mark.parametrize("content_type", ["text/html", "image/svg+xml", "application/javascript"])
def test_a_form_for_a_type_not_taken_is_refused(aws: LocalAws, content_type: str) -> None:
    with pytest.raises(AttachmentTypeRefused):
        upload_form(CARLA, "page.html", content_type, 10)


def test_a_form_for_a_name_that_is_no_name_is_refused(aws: LocalAws) -> None:
    with pytest.raises(AttachmentNameRefused):
        upload_form(CARLA, "../", "text/plain", 10)


def test_nobody_takes_anothers_upload(aws: LocalAws) -> None:
    form = upload_form(CARLA, "a.txt", "text/plain", 2)
    post(form, b"hi")

    with pytest.raises(UploadMissing):
        take_uploads(OTHER, [form.attachment_id], 1001, already_bytes=0)
    assert bucket_keys(aws) == [form.fields["key"]]  # still Carla's to attach


@pytest.mark.parametrize("attachment_id", ["0" * 24, "../tickets/1001/x", ""])
def test_an_upload_that_is_not_there_is_named_in_the_refusal(aws: LocalAws, attachment_id: str) -> None:
    with pytest.raises(UploadMissing, match="no upload"):
        take_uploads(CARLA, [attachment_id], 1001, already_bytes=0)


def test_a_tickets_total_is_kept_and_nothing_is_moved_when_it_would_pass_it(
    aws: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESKLESS_TICKET_ATTACHMENTS_MAX_BYTES", "10")
    current("deskless.settings").get_settings.cache_clear()
    forms = [upload_form(CARLA, f"{n}.txt", "text/plain", 4) for n in range(2)]
    for form in forms:
        post(form, b"1234")

    with pytest.raises(AttachmentTooLarge, match="together"):
        take_uploads(CARLA, [form.attachment_id for form in forms], 1001, already_bytes=3)
    taken = take_uploads(CARLA, [form.attachment_id for form in forms], 1001, already_bytes=2)

    assert [attachment.size for attachment in taken] == [4, 4]


def test_a_file_by_email_of_a_type_not_taken_is_kept_as_a_download_only(aws: LocalAws) -> None:
    kept = store(1001, "invoice.html", "text/html", b"<script>alert(1)</script>")
    answer = requests.get(download_url(kept), timeout=10)

    assert kept.content_type == "application/octet-stream"
    assert answer.headers["content-type"] == "application/octet-stream"
    assert answer.headers["content-disposition"].startswith("attachment;")


def test_a_file_by_email_over_the_limit_is_refused(aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKLESS_ATTACHMENT_MAX_BYTES", "4")
    current("deskless.settings").get_settings.cache_clear()

    with pytest.raises(AttachmentTooLarge):
        store(1001, "a.txt", "text/plain", b"12345")
    assert bucket_keys(aws) == []


# --- the routes --------------------------------------------------------------------------------------

FILE = {"name": "screen.png", "content_type": "image/png", "size": 1000}


def staff_call(aws: LocalAws, caller: Principal | None, body: Any = FILE) -> HttpResult:
    event = http_event(
        "http_staff_create",
        origin_secret=aws.origin_secret,
        principal=caller,
        body=body,
        route_key="POST /api/attachments",
    )
    if caller is None:
        event["requestContext"].pop("authorizer", None)  # no token: the authorizer let nobody in
    return call_http("attachments", event)


def customer_call(aws: LocalAws, browser: Browser, *, csrf: str | None = None, origin: str | None = None) -> HttpResult:
    headers = {
        "x-deskless-host": browser.host,
        "x-deskless-viewer-ip": browser.ip,
        "content-type": "application/json",
        "origin": origin or f"http://{browser.host}",
        "x-csrf-token": browser.csrf if csrf is None else csrf,
    }
    event = http_event(
        "http_portal_home",
        origin_secret=aws.origin_secret,
        body=FILE,
        route_key="POST /api/portal/attachments",
        headers=headers,
    )
    event["cookies"] = [f"{SESSION_COOKIE}={browser.cookie}"] if browser.cookie else []
    return call_http("attachments", event)


def test_staff_get_a_form_they_can_upload_with(aws: LocalAws) -> None:
    add_staff(TECHNICIAN)

    form = ok(staff_call(aws, TECHNICIAN), 201)
    uploaded = requests.post(form["url"], data=form["fields"], files={"file": ("s.png", b"x" * 1000)}, timeout=10)
    taken = take_uploads(f"user:{TECHNICIAN.user_id}", [form["attachment_id"]], 1001, already_bytes=0)

    assert uploaded.status_code == 204
    assert taken[0].name == "screen.png"


def test_the_staff_route_refuses_the_signed_out_and_says_what_is_wrong(aws: LocalAws) -> None:
    add_staff(ADMIN)

    assert refused(staff_call(aws, None)) == (401, "unauthorized")
    assert refused(staff_call(aws, ADMIN, {**FILE, "size": 11 * MB})) == (413, "attachment_too_large")
    assert refused(staff_call(aws, ADMIN, {**FILE, "content_type": "text/html"})) == (415, "attachment_type_refused")
    assert refused(staff_call(aws, ADMIN, {**FILE, "name": "/"})) == (422, "attachment_name_refused")
    assert refused(staff_call(aws, ADMIN, {**FILE, "size": -1})) == (400, "invalid_request")


def test_a_visitor_token_is_not_enough(aws: LocalAws) -> None:
    visitor = Principal(user_id="v1", role=Role.VISITOR, name="Vic", scope="session:1")

    assert refused(staff_call(aws, visitor)) == (403, "forbidden")


@pytest.fixture
def carla_signed_in(aws: LocalAws) -> tuple[Contact, Browser]:
    carla = contact("Acme", "carla@acme.example.com", subdomain="acme")
    browser = Browser(aws, ACME)
    browser.sign_in(carla.emails[0])
    browser.page()  # the page holds the CSRF token
    return carla, browser


def test_a_signed_in_contact_gets_a_form_for_their_own_staging_area(
    aws: LocalAws, carla_signed_in: tuple[Contact, Browser]
) -> None:
    carla, browser = carla_signed_in

    form = ok(customer_call(aws, browser), 201)
    requests.post(form["url"], data=form["fields"], files={"file": ("s.png", b"x" * 10)}, timeout=10)

    assert take_uploads(f"contact:{carla.id}", [form["attachment_id"]], 1001, already_bytes=0)[0].size == 10


def test_the_portal_route_asks_for_the_session_and_its_csrf_token(
    aws: LocalAws, carla_signed_in: tuple[Contact, Browser]
) -> None:
    _, browser = carla_signed_in
    stranger = Browser(aws, ACME)

    assert refused(customer_call(aws, stranger)) == (401, "unauthorized")
    assert refused(customer_call(aws, browser, csrf="forged")) == (403, "forbidden")
    assert refused(customer_call(aws, browser, origin="https://evil.example")) == (403, "forbidden")


def test_each_uploader_gets_sixty_forms_an_hour(aws: LocalAws) -> None:
    add_staff(TECHNICIAN)
    for _ in range(60):
        ok(staff_call(aws, TECHNICIAN), 201)

    answer = staff_call(aws, TECHNICIAN)

    assert refused(answer) == (429, "too_many_requests")
    assert int(answer.headers["retry-after"]) > 0


def test_a_form_costs_one_write_of_the_callers_budget(aws: LocalAws) -> None:
    add_staff(TECHNICIAN)

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        ok(staff_call(aws, TECHNICIAN), 201)

    assert calls == Counter({"UpdateItem": 1})


def test_a_contacts_form_reads_the_session_once_and_writes_the_budget(
    aws: LocalAws, carla_signed_in: tuple[Contact, Browser]
) -> None:
    _, browser = carla_signed_in

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        ok(customer_call(aws, browser), 201)

    assert calls == Counter({"BatchGetItem": 1, "UpdateItem": 1})


# --- the bucket's CORS rule, as provisioned locally (and in AWS by the CDK app) --------------------


@pytest.mark.parametrize("origin", ["http://localhost:8000", "http://acme.localhost:8000"])
def test_the_deployments_pages_may_post_and_get_across_origins(aws: LocalAws, origin: str) -> None:
    form = upload_form(CARLA, "a.txt", "text/plain", 2)

    preflight = requests.options(
        form.url, headers={"Origin": origin, "Access-Control-Request-Method": "POST"}, timeout=10
    )
    uploaded = requests.post(
        form.url, data=form.fields, files={"file": ("a.txt", b"hi")}, headers={"Origin": origin}, timeout=10
    )

    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin
    assert uploaded.headers["access-control-allow-origin"] == origin


def test_another_website_gets_no_preflight_through(aws: LocalAws) -> None:
    form = upload_form(CARLA, "a.txt", "text/plain", 2)

    preflight = requests.options(
        form.url, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}, timeout=10
    )

    assert preflight.status_code == 403
