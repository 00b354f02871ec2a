"""The web application firewall in front of the CloudFront distribution: a web ACL that refuses a
client IP address sending more than its share (one client's flood otherwise spends the API's
stage-wide throttle, and everyone gets 429), addresses AWS knows for bots and attacks, and
requests shaped like known exploits, before they reach CloudFront's origins.

CloudFront takes only a web ACL of scope CLOUDFRONT, which AWS keeps in us-east-1: this
construct belongs in the companion stack there (infra/edge.py).

What the web ACL refused is logged (the requests it let through are not: CloudFront's access
logs have every request), without the credentials a request carries.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

RATE_WINDOW_S = 300  # the window waf_rate_limit counts in
LOG_RETENTION = logs.RetentionDays.THREE_MONTHS  # to answer "why was I refused last month?"
REDACTED_HEADERS = ("authorization", "cookie")  # staff tokens and customers' sessions

# AWS' managed rule groups, in the order they are evaluated (after the rate rule), and the rules
# of each that only count instead of blocking, because they would refuse what Deskless needs.
MANAGED_RULE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AWSManagedRulesAmazonIpReputationList", ()),
    ("AWSManagedRulesKnownBadInputsRuleSet", ()),
    (
        "AWSManagedRulesCommonRuleSet",
        (
            # Refuses bodies over 8 KB: a portal message may be 4,000 characters, which in Czech,
            # Greek or Chinese is more, and tickets and articles will be longer. Each function
            # bounds its own input (pydantic), and API Gateway its payload.
            "SizeRestrictions_BODY",
            # Refuses bodies holding a URL with an IPv4 address: customers describe their trouble
            # with exactly those ("http://192.168.1.1 does not open") in portal messages and chat
            # requests. The functions fetch no URL they are given.
            "GenericRFI_BODY",
        ),
    ),
)


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    """CloudWatch metrics and sampled requests, for the web ACL and each rule."""
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True
    )


def rate_rule(limit: int) -> wafv2.CfnWebACL.RuleProperty:
    """More than `limit` requests from one client IP address in RATE_WINDOW_S: 429 for that address
    until its rate falls below the limit."""
    return wafv2.CfnWebACL.RuleProperty(
        name="RequestsPerClientIp",
        priority=0,
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                aggregate_key_type="IP", limit=limit, evaluation_window_sec=RATE_WINDOW_S
            )
        ),
        action=wafv2.CfnWebACL.RuleActionProperty(
            block=wafv2.CfnWebACL.BlockActionProperty(
                custom_response=wafv2.CfnWebACL.CustomResponseProperty(response_code=429)
            )
        ),
        visibility_config=_visibility("RequestsPerClientIp"),
    )


def managed_rule(name: str, counted: tuple[str, ...], priority: int) -> wafv2.CfnWebACL.RuleProperty:
    """An AWS managed rule group, each of its rules blocking but those `counted`."""
    count = wafv2.CfnWebACL.RuleActionProperty(count={})
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS",
                name=name,
                rule_action_overrides=[
                    wafv2.CfnWebACL.RuleActionOverrideProperty(name=rule, action_to_use=count) for rule in counted
                ]
                or None,
            )
        ),
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),  # the group's own actions
        visibility_config=_visibility(name),
    )


class Firewall(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, rate_limit: int) -> None:
        super().__init__(scope, construct_id)
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="CLOUDFRONT",
            description="Deskless: in front of the console, the API and the portals",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=[
                rate_rule(rate_limit),
                *(
                    managed_rule(name, counted, priority)
                    for priority, (name, counted) in enumerate(MANAGED_RULE_GROUPS, start=1)
                ),
            ],
            visibility_config=_visibility("Deskless"),
        )
        # WAF logs only to a log group whose name starts so.
        log_group = logs.LogGroup(
            self,
            "Refused",
            log_group_name=f"aws-waf-logs-{Stack.of(self).stack_name}",
            retention=LOG_RETENTION,
        )
        wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.web_acl.attr_arn,
            # WAF wants the log group's ARN without the ":*" that CloudFormation's Arn attribute ends with.
            log_destination_configs=[
                Stack.of(self).format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name=log_group.log_group_name,
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                )
            ],
            # CloudFormation's names as they are: CDK passes this property on untranslated.
            logging_filter={
                "DefaultBehavior": "DROP",
                "Filters": [
                    {
                        "Behavior": "KEEP",
                        "Requirement": "MEETS_ANY",
                        "Conditions": [{"ActionCondition": {"Action": "BLOCK"}}],
                    }
                ],
            },
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": name})
                for name in REDACTED_HEADERS
            ],
        )
