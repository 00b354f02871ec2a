"""Email: the SES identity and configuration set mail is sent with, and the receipt rule that
stores each message for a support address in the inbound bucket, then hands it to a function.

SES invokes that function asynchronously: Lambda retries a failed invocation, then hands the
event to the function's on-failure destination, a failure queue with an alarm (failures.py),
where it waits to be replayed; the message itself is in the inbound bucket all along."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ses as ses
from aws_cdk import aws_ses_actions as ses_actions
from constructs import Construct

from deskless.catalog import INBOUND_MAIL_PREFIX
from infra.constructs.buckets import private_bucket
from infra.constructs.failures import failure_queue

# Lambda's own limits for asynchronous invocations, stated: two retries (about one and then two
# minutes apart), and an event not yet handled after six hours goes to the failure queue too.
RETRIES = 2
MAX_EVENT_AGE = Duration.hours(6)


class Email(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        mail_domain: str,
        support_addresses: Sequence[str],
        keep_days: int,
        access_logs: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)
        self.mail_domain = mail_domain
        self.support_addresses = tuple(support_addresses)
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            reputation_metrics=True,
            sending_enabled=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        )
        self.identity = ses.EmailIdentity(
            self, "Identity", identity=ses.Identity.domain(mail_domain), configuration_set=self.configuration_set
        )
        self.inbound_bucket = private_bucket(
            self,
            "InboundBucket",
            lifecycle_rules=[s3.LifecycleRule(prefix=INBOUND_MAIL_PREFIX, expiration=Duration.days(keep_days))],
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="inbound-mail/",
        )

    def receive_with(self, functions: Sequence[lambda_.IFunction]) -> ses.ReceiptRuleSet:
        """Mail to any address at the mail domain: stored under INBOUND_MAIL_PREFIX, then each function
        is invoked; an event a function still fails on after its retries waits in the failure queue.

        The rule takes the whole domain, not the deployment's support addresses: which addresses are
        support addresses is an admin's email setting (deskless.preferences; the deployment's
        `support_addresses` are its default), changed without a deployment. The function records
        every message and acts only on those to a support address."""
        failures = failure_queue(
            self,
            "ReceivingFailures",
            holds="the SES receipt events a receiving function failed on after Lambda's retries "
            "(each names a message kept in the inbound bucket)",
        )
        for fn in functions:
            fn.configure_async_invoke(
                on_failure=destinations.SqsDestination(failures), retry_attempts=RETRIES, max_event_age=MAX_EVENT_AGE
            )
        actions: list[ses.IReceiptRuleAction] = [
            ses_actions.S3(bucket=self.inbound_bucket, object_key_prefix=INBOUND_MAIL_PREFIX)
        ]
        actions += [
            ses_actions.Lambda(function=fn, invocation_type=ses_actions.LambdaInvocationType.EVENT) for fn in functions
        ]
        # SES receives with the rule set that is active in the region: activate this one after deploying.
        return ses.ReceiptRuleSet(
            self,
            "Receiving",
            rules=[ses.ReceiptRuleOptions(recipients=[self.mail_domain], scan_enabled=True, actions=actions)],
        )

    def grant_send(self, grantee: iam.IGrantable) -> None:
        """SendEmail from the identity, with the configuration set (SES authorizes both)."""
        self.identity.grant_send_email(grantee)
        configuration_set_arn = Stack.of(self).format_arn(
            service="ses",
            resource="configuration-set",
            resource_name=self.configuration_set.configuration_set_name,
        )
        iam.Grant.add_to_principal(
            grantee=grantee, actions=["ses:SendEmail", "ses:SendRawEmail"], resource_arns=[configuration_set_arn]
        )
