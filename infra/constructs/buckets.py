"""Every bucket Deskless makes is private, encrypted, TLS-only and kept when the stack goes."""

from __future__ import annotations

from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.nag import arn_of

READ_ACTIONS = ("Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*")
WRITE_ACTIONS = ("Action::s3:DeleteObject*", "Action::s3:Abort*")


def private_bucket(scope: Construct, construct_id: str, **options: Any) -> s3.Bucket:
    return s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        removal_policy=RemovalPolicy.RETAIN,
        **options,
    )


def object_grant_findings(bucket: s3.IBucket, *, write: bool, keys: str = "*") -> list[str]:
    """What cdk-nag's IAM5 names in `bucket.grant_read` (or `grant_read_write`) of the objects
    `keys` matches: the wildcard actions and the objects' ARN; a suppression applies to these."""
    return [*READ_ACTIONS, *(WRITE_ACTIONS if write else ()), f"Resource::{arn_of(bucket)}/{keys}"]
