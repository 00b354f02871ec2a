"""Tickets' attachments: a bucket of their own (deskless.attachments is the only code that touches
it). Private, encrypted and TLS-only like every bucket (buckets.py); browsers reach it only
through presigned URLs, so its CORS rule lets the deployment's pages (the console's origin and
every portal's) POST uploads and GET downloads, and nothing else. What is left in the staging area
(an upload no ticket took) expires after a day.

Two grants: a function that only signs upload forms may put objects in the staging area and
nothing more (a presigned POST carries its signer's rights); a function that takes uploads, stores
files from email and signs downloads reads and writes the bucket."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from deskless.catalog import ATTACHMENTS_STAGED_PREFIX as STAGED_PREFIX
from infra.constructs.buckets import object_grant_findings, private_bucket
from infra.nag import arn_of, suppress

STAGED_DAYS = 1  # an upload is taken within minutes of its form, or never


class Attachments(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, page_origins: Sequence[str], access_logs: s3.IBucket
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self,
            "Bucket",
            versioned=False,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ForgetStagedUploads",
                    prefix=STAGED_PREFIX,
                    expiration=Duration.days(STAGED_DAYS),
                    abort_incomplete_multipart_upload_after=Duration.days(STAGED_DAYS),
                )
            ],
            cors=[
                s3.CorsRule(
                    allowed_origins=list(page_origins),
                    allowed_methods=[s3.HttpMethods.POST, s3.HttpMethods.GET],
                    allowed_headers=["*"],
                    max_age=3000,
                )
            ],
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="attachments/",
        )

    @property
    def origin(self) -> str:
        """Where browsers reach the bucket: what presigned URLs point at and pages' CSP allows."""
        return f"https://{self.bucket.bucket_regional_domain_name}"

    def grant_staged_uploads(self, function: lambda_.IFunction, role: iam.IRole) -> None:
        """PutObject in the staging area only: what the upload forms this function signs may do."""
        iam.Grant.add_to_principal(
            grantee=function, actions=["s3:PutObject"], resource_arns=[self.bucket.arn_for_objects(f"{STAGED_PREFIX}*")]
        )
        suppress(
            role,
            "IAM5",
            "Signs upload forms for any key of the staging area: each upload's key is a new attachment id.",
            applies_to=[f"Resource::{arn_of(self.bucket)}/{STAGED_PREFIX}*"],
        )

    def grant_read_write(self, function: lambda_.IFunction, role: iam.IRole) -> None:
        """Read, copy, write and delete attachments (take uploads, store mail's files, sign downloads)."""
        self.bucket.grant_read_write(function)
        suppress(
            role,
            "IAM5",
            "Moves staged uploads to their ticket and reads any attachment: keys are attachment ids, "
            "known only at run time.",
            applies_to=object_grant_findings(self.bucket, write=True),
        )
