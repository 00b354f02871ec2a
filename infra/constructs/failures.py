"""Where an event that exhausted its retries waits, instead of being dropped: an encrypted,
TLS-only queue that keeps it for SQS' longest (14 days), with an alarm as soon as one waits,
since nothing else would tell anyone that work was left undone."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.nag import suppress

KEEP = Duration.days(14)


def failure_queue(scope: Construct, construct_id: str, *, holds: str) -> sqs.Queue:
    """The queue `construct_id` in `scope`, and its alarm; `holds` says what waits there."""
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=KEEP,
    )
    suppress(queue, "SQS3", f"This queue is itself the dead end: it holds {holds}.")
    queue.metric_approximate_number_of_messages_visible(period=Duration.minutes(5), statistic="Maximum").create_alarm(
        scope,
        f"{construct_id}-waiting",
        alarm_description=f"Something waits in a failure queue: {holds}. Read it, fix the cause, replay it.",
        threshold=0,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods=1,
        # SQS stops reporting on a queue that has been empty and untouched for six hours.
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    return queue
