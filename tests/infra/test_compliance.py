"""The synthesized template passes cdk-nag's AwsSolutions checks (every finding fixed or
suppressed where it arises, with its reason) and cfn-lint without errors."""

from __future__ import annotations

from aws_cdk.assertions import Annotations, Match
from cfnlint.api import ManualArgs, lint_file  # type: ignore[import-untyped]

from tests.infra.conftest import Synthesized


def test_cdk_nag_reports_no_unsuppressed_error(synthesized: Synthesized):
    errors = Annotations.from_stack(synthesized.stack).find_error("*", Match.string_like_regexp("AwsSolutions-.*"))
    assert [f"{error.id}: {error.entry.data}" for error in errors] == []


def test_no_blanket_suppression_on_the_stack(synthesized: Synthesized):
    assert "cdk_nag" not in synthesized.template.to_json().get("Metadata", {})


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


def test_cfn_lint_reports_no_error(synthesized: Synthesized):
    matches = lint_file(synthesized.template_file, config=ManualArgs(regions=["us-east-1"]))
    errors = [f"{match.rule.id} {match.message} ({match.path})" for match in matches if match.rule.id.startswith("E")]
    assert errors == []
