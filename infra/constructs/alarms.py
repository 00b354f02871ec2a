"""Alarms on what the functions count: guessing spread over many sources shows as a rise in
failures in total, even when no single source is throttled — failed code redemptions (someone
guessing session codes) and failed staff and customer sign-ins (someone guessing or spraying
passwords).

And who hears of any alarm: every alarm of the stack (these, the failure queues', any later one)
notifies one SNS topic when it goes off and when it clears, added by an aspect so no alarm can be
made without it; the deployment's `alarm_emails` are subscribed to the topic.
"""

from __future__ import annotations

from collections.abc import Sequence

import jsii
from aws_cdk import Duration, IAspect
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct, IConstruct

from deskless.observability import METRICS_NAMESPACE, Metric
from infra.nag import suppress

# 10^9 codes: even 200 failed guesses a minute, all day, find a given live code with odds of about
# 1 in 3,500 — but no honest population of customers mistypes codes that often.
FAILED_REDEMPTIONS_PER_5_MINUTES = 200
# Staff are tens, or a few hundred, people who sign in about once a shift with a password manager
# or their fingers: a typo each at the same moment stays well below 30. A spray is not honest at
# any rate, but above one guess every ten seconds, kept up for five minutes, it shows here.
FAILED_SIGN_INS_PER_5_MINUTES = 30
# Customers are many more, sign in rarely and forget passwords often: a spray still shows as a
# rise far above what a few hundred forgetful contacts type in five minutes.
FAILED_CUSTOMER_SIGN_INS_PER_5_MINUTES = 100


class Alarms(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.code_guessing = self._too_many(
            "CodeGuessing",
            Metric.FAILED_CODE_REDEMPTIONS,
            service="codes",
            threshold=FAILED_REDEMPTIONS_PER_5_MINUTES,
            description="Many failed session-code redemptions across all sources: someone may be guessing codes.",
        )
        self.sign_in_guessing = self._too_many(
            "SignInGuessing",
            Metric.FAILED_LOGINS,
            service="auth",
            threshold=FAILED_SIGN_INS_PER_5_MINUTES,
            description="Many failed staff sign-ins across all sources: someone may be guessing passwords.",
        )
        self.customer_sign_in_guessing = self._too_many(
            "CustomerSignInGuessing",
            Metric.FAILED_LOGINS,
            service="portals",
            threshold=FAILED_CUSTOMER_SIGN_INS_PER_5_MINUTES,
            description="Many failed customer sign-ins on the portals across all sources: someone may be "
            "guessing or spraying contacts' passwords.",
        )

    def _too_many(
        self, construct_id: str, metric: Metric, *, service: str, threshold: int, description: str
    ) -> cloudwatch.Alarm:
        """An alarm when a function counts more than `threshold` of `metric` in five minutes."""
        counted = cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=metric,
            dimensions_map={"service": service},  # Powertools adds the function's service name
            statistic="Sum",
            period=Duration.minutes(5),
        )
        return counted.create_alarm(
            self,
            construct_id,
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )


class AlarmNotices(Construct):
    """The topic every alarm notifies, and the addresses subscribed to it (each confirms first)."""

    def __init__(self, scope: Construct, construct_id: str, *, emails: Sequence[str]) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "Topic", display_name="Deskless alarms", enforce_ssl=True)
        suppress(
            self.topic,
            "SNS2",
            "An alarm's notice names the alarm and its metric, no customer data; CloudWatch cannot publish to a "
            "topic encrypted with the AWS-managed SNS key, and a customer-managed key would protect nothing here.",
        )
        for email in emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))


@jsii.implements(IAspect)
class NotifyOnAlarm:
    """Aspect: each CloudWatch alarm in the scope notifies `topic` when it goes off and when it clears."""

    def __init__(self, topic: sns.ITopic) -> None:
        self.action = cloudwatch_actions.SnsAction(topic)

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, cloudwatch.Alarm):
            node.add_alarm_action(self.action)
            node.add_ok_action(self.action)
