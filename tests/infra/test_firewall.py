"""The web ACL on the CloudFront distribution: in its own stack in us-east-1 (the only region
CloudFront takes one from), read by the distribution from that stack's output; a rate limit per
client IP address from context, then AWS' managed rule groups, with the rules that would refuse
Deskless' own traffic only counting; metrics, sampled requests, and a log of what it refused
without credentials. `deskless:waf=false` leaves it out."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import App, Token

from infra.app import EDGE_STACK_NAME
from infra.edge import DesklessEdgeStack
from tests.infra.conftest import Resource, Synthesized, cdk_json_context, synthesize


def web_acl(edge: Synthesized) -> tuple[str, Resource]:
    logical_id = edge.only("AWS::WAFv2::WebACL")
    return logical_id, edge.resources[logical_id]["Properties"]


def rules_by_name(acl: Resource) -> dict[str, Resource]:
    return {rule["Name"]: rule for rule in acl["Rules"]}


def distribution_config(synthesized: Synthesized) -> Resource:
    config: Resource = synthesized.resources[synthesized.only("AWS::CloudFront::Distribution")]["Properties"][
        "DistributionConfig"
    ]
    return config


def test_the_web_acl_is_cloudfronts_in_us_east_1_and_lets_through_what_no_rule_refuses(edge: Synthesized):
    assert edge.stack.region == "us-east-1"
    _, acl = web_acl(edge)
    assert acl["Scope"] == "CLOUDFRONT"
    assert acl["DefaultAction"] == {"Allow": {}}


def test_the_distribution_reads_the_web_acls_arn_from_the_edge_stack(synthesized: Synthesized, edge: Synthesized):
    # Given the edge stack's output holding the web ACL's ARN
    logical_id, _ = web_acl(edge)
    outputs = edge.template.to_json()["Outputs"]
    (output,) = [name for name, value in outputs.items() if value["Value"] == {"Fn::GetAtt": [logical_id, "Arn"]}]
    # Then the distribution's web ACL is that output, read in us-east-1 when Deskless' stack deploys,
    assert distribution_config(synthesized)["WebACLId"] == {
        "Fn::GetStackOutput": {"StackName": EDGE_STACK_NAME, "OutputName": output, "Region": "us-east-1"}
    }
    # which it does after the edge stack, and in whatever region it is deployed to
    assert edge.stack in synthesized.stack.dependencies
    assert Token.is_unresolved(synthesized.stack.region)


def test_one_client_ip_address_over_the_rate_limit_is_answered_429_before_any_other_rule(edge: Synthesized):
    _, acl = web_acl(edge)
    rule = rules_by_name(acl)["RequestsPerClientIp"]
    assert rule["Priority"] == min(r["Priority"] for r in acl["Rules"])
    assert rule["Statement"] == {
        "RateBasedStatement": {"AggregateKeyType": "IP", "Limit": 2000, "EvaluationWindowSec": 300}
    }
    assert rule["Action"] == {"Block": {"CustomResponse": {"ResponseCode": 429}}}


def test_aws_managed_rule_groups_block_with_their_own_actions_but_for_the_rules_deskless_needs(edge: Synthesized):
    _, acl = web_acl(edge)
    rules = rules_by_name(acl)
    groups = {
        name: rule["Statement"]["ManagedRuleGroupStatement"]
        for name, rule in rules.items()
        if "ManagedRuleGroupStatement" in rule["Statement"]
    }
    assert set(groups) == {
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesCommonRuleSet",
    }
    for name, group in groups.items():
        assert (group["VendorName"], group["Name"]) == ("AWS", name)
        assert rules[name]["OverrideAction"] == {"None": {}}
    # Bodies over 8 KB (long messages, tickets) and bodies naming a URL with an IP address (a router's
    # page, in a customer's message) are Deskless' own traffic: those rules only count.
    overrides = groups["AWSManagedRulesCommonRuleSet"]["RuleActionOverrides"]
    assert {o["Name"]: o["ActionToUse"] for o in overrides} == {
        "SizeRestrictions_BODY": {"Count": {}},
        "GenericRFI_BODY": {"Count": {}},
    }
    assert all("RuleActionOverrides" not in groups[name] for name in groups if name != "AWSManagedRulesCommonRuleSet")


def test_the_web_acl_and_each_rule_have_metrics_and_sampled_requests(edge: Synthesized):
    _, acl = web_acl(edge)
    configs = [acl["VisibilityConfig"], *(rule["VisibilityConfig"] for rule in acl["Rules"])]
    for config in configs:
        assert (config["CloudWatchMetricsEnabled"], config["SampledRequestsEnabled"]) == (True, True)
    names = [config["MetricName"] for config in configs]
    assert len(set(names)) == len(names)


def test_what_the_web_acl_refused_is_logged_without_credentials(edge: Synthesized):
    logical_id, _ = web_acl(edge)
    logging = edge.resources[edge.only("AWS::WAFv2::LoggingConfiguration")]["Properties"]
    assert logging["ResourceArn"] == {"Fn::GetAtt": [logical_id, "Arn"]}
    # Only what it blocked: what it let through is in CloudFront's access logs
    assert logging["LoggingFilter"] == {
        "DefaultBehavior": "DROP",
        "Filters": [
            {"Behavior": "KEEP", "Requirement": "MEETS_ANY", "Conditions": [{"ActionCondition": {"Action": "BLOCK"}}]}
        ],
    }
    assert logging["RedactedFields"] == [
        {"SingleHeader": {"Name": "authorization"}},
        {"SingleHeader": {"Name": "cookie"}},
    ]
    # to a log group WAF accepts (its name starts so, its ARN has no ":*"), with a retention
    log_group_id = edge.only("AWS::Logs::LogGroup")
    log_group = edge.resources[log_group_id]["Properties"]
    assert log_group["LogGroupName"].startswith("aws-waf-logs-")
    assert log_group["RetentionInDays"] > 0
    (destination,) = logging["LogDestinationConfigs"]
    separator, parts = destination["Fn::Join"]
    assert (separator, parts[-2:]) == ("", [":log-group:", {"Ref": log_group_id}])


def test_the_rate_limit_is_the_deployments(tmp_path: Path):
    # (tests/infra/test_settings.py reads deskless:waf_rate_limit from context)
    app = App(outdir=str(tmp_path))
    edge = Synthesized.of(DesklessEdgeStack(app, EDGE_STACK_NAME, waf_rate_limit=500), tmp_path)

    _, acl = web_acl(edge)
    assert rules_by_name(acl)["RequestsPerClientIp"]["Statement"]["RateBasedStatement"]["Limit"] == 500


def test_without_the_web_acl_there_is_no_edge_stack_and_the_distribution_has_none(tmp_path: Path):
    synthesized, edge = synthesize(tmp_path, cdk_json_context() | {"deskless:waf": "false"})

    assert edge is None
    assert "WebACLId" not in distribution_config(synthesized)
    distribution = synthesized.resources[synthesized.only("AWS::CloudFront::Distribution")]
    suppressed = [rule["id"] for rule in distribution["Metadata"]["cdk_nag"]["rules_to_suppress"]]
    assert "AwsSolutions-CFR2" in suppressed  # said why, on the distribution
    assert not synthesized.stack.dependencies


def test_the_distribution_has_no_suppression_of_its_missing_web_acl_when_it_has_one(synthesized: Synthesized):
    distribution = synthesized.resources[synthesized.only("AWS::CloudFront::Distribution")]
    suppressed = [rule["id"] for rule in distribution["Metadata"]["cdk_nag"]["rules_to_suppress"]]
    assert "AwsSolutions-CFR2" not in suppressed
