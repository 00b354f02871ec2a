"""The attachments bucket as synthesized: private (every public access blocked, TLS only,
encrypted, unversioned), forgetting staged uploads after a day, reachable by the deployment's pages
only through CORS for uploads and downloads; and each function granted exactly what it does with
it: the attachments function puts objects in the staging area and nothing else, the functions the
catalog gives Access.ATTACHMENTS read and write, the others nothing."""

from __future__ import annotations

from typing import Any

from deskless import catalog
from deskless.catalog import ATTACHMENTS_STAGED_PREFIX, Access
from tests.infra.conftest import (
    Synthesized,
    actions_of,
    assert_private_and_encrypted,
    assert_tls_only,
    cdk_json_context,
    mentions,
)


def bucket_properties(synthesized: Synthesized) -> dict[str, Any]:
    properties: dict[str, Any] = synthesized.resources[synthesized.attachments_bucket()]["Properties"]
    return properties


def test_the_bucket_is_private_encrypted_and_unversioned(synthesized: Synthesized) -> None:
    properties = bucket_properties(synthesized)

    assert_private_and_encrypted(properties)
    assert properties["LoggingConfiguration"]["LogFilePrefix"] == "attachments/"


def test_the_bucket_refuses_anything_but_tls(synthesized: Synthesized) -> None:
    assert_tls_only(synthesized, synthesized.attachments_bucket())


def test_staged_uploads_are_forgotten_after_a_day(synthesized: Synthesized) -> None:
    (rule,) = bucket_properties(synthesized)["LifecycleConfiguration"]["Rules"]

    assert (rule["Prefix"], rule["ExpirationInDays"], rule["Status"]) == (ATTACHMENTS_STAGED_PREFIX, 1, "Enabled")
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}


def test_only_the_deployments_pages_may_upload_and_download_from_a_browser(synthesized: Synthesized) -> None:
    domain = cdk_json_context()["deskless:domain"]

    (rule,) = bucket_properties(synthesized)["CorsConfiguration"]["CorsRules"]

    assert sorted(rule["AllowedOrigins"]) == sorted([f"https://{domain}", f"https://*.{domain}"])
    assert sorted(rule["AllowedMethods"]) == ["GET", "POST"]


def bucket_statements(synthesized: Synthesized, function: str) -> list[dict[str, Any]]:
    bucket = synthesized.attachments_bucket()
    return [s for s in synthesized.role_statements(function) if mentions(s["Resource"], bucket)]


def test_the_attachments_function_may_only_put_objects_in_the_staging_area(synthesized: Synthesized) -> None:
    (statement,) = bucket_statements(synthesized, "attachments")

    assert actions_of(statement) == ["s3:PutObject"]
    assert statement["Resource"]["Fn::Join"][1][-1] == f"/{ATTACHMENTS_STAGED_PREFIX}*"


def test_functions_with_attachments_access_read_and_write_the_others_nothing(synthesized: Synthesized) -> None:
    for spec in catalog.FUNCTIONS:
        if spec.name == "attachments":
            continue
        actions = {action for s in bucket_statements(synthesized, spec.name) for action in actions_of(s)}
        if Access.ATTACHMENTS in spec.access:
            assert {"s3:GetObject*", "s3:PutObject", "s3:DeleteObject*"} <= actions, spec.name
        else:
            assert actions == set(), spec.name


def test_taking_storing_and_downloading_functions_are_granted_it(synthesized: Synthesized) -> None:
    granted = {spec.name for spec in catalog.FUNCTIONS if Access.ATTACHMENTS in spec.access}

    assert {"inbound_email", "events"} <= granted


def test_functions_know_the_bucket_and_where_browsers_reach_it(synthesized: Synthesized) -> None:
    bucket = synthesized.attachments_bucket()
    _, function = synthesized.function("attachments")
    variables = function["Properties"]["Environment"]["Variables"]

    assert variables["DESKLESS_ATTACHMENTS_BUCKET"] == {"Ref": bucket}
    assert variables["DESKLESS_ATTACHMENT_MAX_BYTES"] == str(10 * 1024 * 1024)  # the defaults, in bytes
    assert variables["DESKLESS_TICKET_ATTACHMENTS_MAX_BYTES"] == str(25 * 1024 * 1024)
    assert variables["DESKLESS_ATTACHMENTS_ORIGIN"] == {
        "Fn::Join": ["", ["https://", {"Fn::GetAtt": [bucket, "RegionalDomainName"]}]]
    }
