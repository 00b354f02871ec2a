"""Alarms on what the functions count: guessing spread over many sources shows as a rise in
failures in total, even when no single source is throttled — failed code redemptions (someone
guessing session codes) and failed staff sign-ins (someone guessing or spraying passwords)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from deskless.observability import METRICS_NAMESPACE, Metric

# 10^9 codes: even 200 failed guesses a minute, all day, find a given live code with odds of about
# 1 in 3,500 — but no honest population of customers mistypes codes that often.
FAILED_REDEMPTIONS_PER_5_MINUTES = 200
# Staff are tens, or a few hundred, people who sign in about once a shift with a password manager
# or their fingers: a typo each at the same moment stays well below 30. A spray is not honest at
# any rate, but above one guess every ten seconds, kept up for five minutes, it shows here.
FAILED_SIGN_INS_PER_5_MINUTES = 30


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
