"""The knowledge base's search index: a bucket of its own (deskless.search_index is the only code
that touches it), private, encrypted and TLS-only like every bucket (buckets.py). It holds one object
per generation of the index; a generation no longer current is tagged superseded by the writer that
replaced it, and the lifecycle rule deletes it a day later (readers download a generation within
seconds of its being current, so none still needs it then).

Two grants: functions that search read it; the function that publishes (from the table's stream)
reads, writes, tags and deletes."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from deskless.catalog import SEARCH_INDEX_SUPERSEDED_TAG
from infra.constructs.buckets import object_grant_findings, private_bucket
from infra.nag import suppress

SUPERSEDED_DAYS = 1


class SearchIndex(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, access_logs: s3.IBucket) -> None:
        super().__init__(scope, construct_id)
        name, value = SEARCH_INDEX_SUPERSEDED_TAG
        self.bucket = private_bucket(
            self,
            "Bucket",
            versioned=False,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ForgetSupersededGenerations",
                    tag_filters={name: value},
                    expiration=Duration.days(SUPERSEDED_DAYS),
                ),
                s3.LifecycleRule(id="AbortIncompleteUploads", abort_incomplete_multipart_upload_after=Duration.days(1)),
            ],
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="search-index/",
        )

    def grant_read(self, function: lambda_.IFunction, role: iam.IRole) -> None:
        """Download any generation (readers learn its key from the table's pointer)."""
        self.bucket.grant_read(function)
        suppress(
            role,
            "IAM5",
            "Downloads the current generation of the search index: its key is known only at run time.",
            applies_to=object_grant_findings(self.bucket, write=False),
        )

    def grant_publish(self, function: lambda_.IFunction, role: iam.IRole) -> None:
        """Read, upload, tag (superseded) and delete (a generation that lost the race) generations."""
        self.bucket.grant_read_write(function)
        suppress(
            role,
            "IAM5",
            "Publishes generations of the search index: each is a new object whose key is made at run time.",
            applies_to=object_grant_findings(self.bucket, write=True),
        )
