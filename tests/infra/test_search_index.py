"""The knowledge index's bucket as synthesized: private (every public access blocked, TLS only,
encrypted, unversioned, access logged), forgetting superseded generations a day after they were
superseded; the publishing function may read, write, tag and delete, the searching functions only
read, the others nothing; and every function knows the bucket's name."""

from __future__ import annotations

from typing import Any

from deskless import catalog
from deskless.catalog import SEARCH_INDEX_SUPERSEDED_TAG, Access
from tests.infra.conftest import Synthesized, actions_of, assert_private_and_encrypted, assert_tls_only, mentions


def search_index_bucket(synthesized: Synthesized) -> str:
    """The bucket whose access logs go under search-index/."""
    found = [
        key
        for key, value in synthesized.of_type("AWS::S3::Bucket").items()
        if value["Properties"].get("LoggingConfiguration", {}).get("LogFilePrefix") == "search-index/"
    ]
    assert len(found) == 1, found
    return found[0]


def bucket_properties(synthesized: Synthesized) -> dict[str, Any]:
    properties: dict[str, Any] = synthesized.resources[search_index_bucket(synthesized)]["Properties"]
    return properties


def test_the_bucket_is_private_encrypted_and_unversioned(synthesized: Synthesized) -> None:
    properties = bucket_properties(synthesized)

    assert_private_and_encrypted(properties)
    assert "CorsConfiguration" not in properties  # no browser reaches it


def test_the_bucket_refuses_anything_but_tls(synthesized: Synthesized) -> None:
    assert_tls_only(synthesized, search_index_bucket(synthesized))


def test_superseded_generations_are_deleted_a_day_later_and_nothing_else_expires(synthesized: Synthesized) -> None:
    rules = {rule["Id"]: rule for rule in bucket_properties(synthesized)["LifecycleConfiguration"]["Rules"]}
    name, value = SEARCH_INDEX_SUPERSEDED_TAG

    superseded = rules["ForgetSupersededGenerations"]
    assert superseded["TagFilters"] == [{"Key": name, "Value": value}]
    assert (superseded["ExpirationInDays"], superseded["Status"]) == (1, "Enabled")
    assert not any("ExpirationInDays" in rule for rule in rules.values() if "TagFilters" not in rule)


def bucket_actions(synthesized: Synthesized, function: str) -> set[str]:
    bucket = search_index_bucket(synthesized)
    statements = [s for s in synthesized.role_statements(function) if mentions(s["Resource"], bucket)]
    return {action for s in statements for action in actions_of(s)}


def test_the_publisher_writes_the_searchers_read_the_others_nothing(synthesized: Synthesized) -> None:
    for spec in catalog.FUNCTIONS:
        actions = bucket_actions(synthesized, spec.name)
        if Access.SEARCH_INDEX_PUBLISH in spec.access:
            assert {"s3:GetObject*", "s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject*"} <= actions, spec.name
        elif Access.SEARCH_INDEX in spec.access:
            assert "s3:GetObject*" in actions, spec.name
            assert not any(action.startswith(("s3:Put", "s3:Delete")) for action in actions), spec.name
        else:
            assert actions == set(), spec.name


def test_the_events_function_publishes_and_portals_tickets_and_knowledge_search(synthesized: Synthesized) -> None:
    publishing = {spec.name for spec in catalog.FUNCTIONS if Access.SEARCH_INDEX_PUBLISH in spec.access}
    searching = {spec.name for spec in catalog.FUNCTIONS if Access.SEARCH_INDEX in spec.access}

    assert publishing == {"events"}
    assert {"portals", "tickets", "knowledge"} <= searching


def test_functions_know_the_bucket(synthesized: Synthesized) -> None:
    bucket = search_index_bucket(synthesized)
    _, function = synthesized.function("portals")

    assert function["Properties"]["Environment"]["Variables"]["DESKLESS_SEARCH_INDEX_BUCKET"] == {"Ref": bucket}
