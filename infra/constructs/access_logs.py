"""The bucket that receives the other buckets' server access logs and CloudFront's standard logs."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constructs.buckets import private_bucket
from infra.nag import suppress

KEEP_DAYS = 365


class AccessLogs(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self,
            "Bucket",
            # CloudFront's standard logging writes with object ACLs.
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(KEEP_DAYS))],
        )
        suppress(self.bucket, "S1", "This is the access log bucket; logging it into itself would log its own logging.")
