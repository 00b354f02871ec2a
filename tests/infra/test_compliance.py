"""Each synthesized template (Deskless' stack and its edge stack) passes cdk-nag's AwsSolutions
checks (every finding fixed or suppressed where it arises, with its reason) and cfn-lint without
errors."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Annotations, Match
from cfnlint.api import ManualArgs, lint_file  # type: ignore[import-untyped]

from tests.infra.conftest import Synthesized


@pytest.fixture(params=["synthesized", "edge"])
def each_stack(request: pytest.FixtureRequest) -> Synthesized:
    stack: Synthesized = request.getfixturevalue(request.param)
    return stack


def test_cdk_nag_reports_no_unsuppressed_error(each_stack: Synthesized):
    errors = Annotations.from_stack(each_stack.stack).find_error("*", Match.string_like_regexp("AwsSolutions-.*"))
    assert [f"{error.id}: {error.entry.data}" for error in errors] == []


def test_no_blanket_suppression_on_the_stack(each_stack: Synthesized):
    assert "cdk_nag" not in each_stack.template.to_json().get("Metadata", {})


def test_every_suppression_gives_a_reason(synthesized: Synthesized):
    suppressions = [
        rule
        for resource in synthesized.resources.values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    assert suppressions
    assert all(len(rule["reason"]) >= 30 for rule in suppressions)
    wildcard_suppressions = [rule for rule in suppressions if rule["id"] == "AwsSolutions-IAM5"]
    assert all(rule.get("applies_to") for rule in wildcard_suppressions)


def test_cfn_lint_reports_no_error(each_stack: Synthesized):
    matches = lint_file(each_stack.template_file, config=ManualArgs(regions=["us-east-1"]))
    errors = [f"{match.rule.id} {match.message} ({match.path})" for match in matches if match.rule.id.startswith("E")]
    assert errors == []
