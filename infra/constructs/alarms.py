"""Alarms on what the functions count: a guessing run spread over many sources shows as a rise
in failed code redemptions in total, even when no single source is throttled."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from deskless.observability import METRICS_NAMESPACE, Metric

# 10^9 codes: even 200 failed guesses a minute, all day, find a given live code with odds of about
# 1 in 3,500 — but no honest population of customers mistypes codes that often.
FAILED_REDEMPTIONS_PER_5_MINUTES = 200


class Alarms(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        failed = cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=Metric.FAILED_CODE_REDEMPTIONS,
            dimensions_map={"service": "codes"},  # Powertools adds the function's service name
            statistic="Sum",
            period=Duration.minutes(5),
        )
        self.code_guessing = failed.create_alarm(
            self,
            "CodeGuessing",
            alarm_description="Many failed session-code redemptions across all sources: someone may be guessing codes.",
            threshold=FAILED_REDEMPTIONS_PER_5_MINUTES,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
