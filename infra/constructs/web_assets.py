"""The console's and widget's static files: a private bucket CloudFront reads through origin
access control, filled from the repository's web/ folder when there is one, with the files of
deskless.edge.SHARED_FILES beside them (the shared WebRTC script at static/console/peer.js), and
the API's description (docs/openapi.json and docs/api.html) under deskless.edge.REFERENCE_PREFIX."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from aws_cdk import Stack
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from cdk_nag import RegexAppliesTo
from constructs import Construct

from deskless.edge import REFERENCE_PREFIX, STATIC_PATH
from infra.constructs.buckets import private_bucket
from infra.nag import arn_of, suppress

# The CDN serves /<STATIC_PREFIX>/* from the bucket's <STATIC_PREFIX>/ keys.
STATIC_PREFIX = STATIC_PATH.strip("/")
DEPLOYMENT_HANDLER = "Custom::CDKBucketDeployment"  # id prefix of CDK's singleton deployment function


class WebAssets(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        source: Path | None,
        access_logs: s3.IBucket,
        reference: Sequence[Path] = (),
        shared: Mapping[str, Path] | None = None,
    ) -> None:
        """`shared`: files to serve among the static files, by path (deskless.edge.SHARED_FILES's)."""
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self,
            "Bucket",
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="web-assets/",
        )
        static = [s3_deployment.Source.asset(str(source))] if source is not None else []
        # One deployment for all of static/: each prunes what its sources lack under its prefix.
        static += [
            s3_deployment.Source.data(path.removeprefix(STATIC_PATH), file.read_text(encoding="utf-8"))
            for path, file in (shared or {}).items()
        ]
        if static:
            self._deploy("Deployment", static, f"{STATIC_PREFIX}/")
        if reference:
            files = [s3_deployment.Source.data(path.name, path.read_text(encoding="utf-8")) for path in reference]
            self._deploy("Reference", files, REFERENCE_PREFIX)
        if static or reference:
            self._suppress_deployment_findings()

    def _deploy(self, construct_id: str, sources: list[s3_deployment.ISource], prefix: str) -> None:
        s3_deployment.BucketDeployment(
            self,
            construct_id,
            sources=sources,
            destination_bucket=self.bucket,
            destination_key_prefix=prefix,
            # Files keep their names across deploys: CloudFront and browsers revalidate them on use.
            cache_control=[s3_deployment.CacheControl.no_cache()],
            memory_limit=256,
        )

    def _suppress_deployment_findings(self) -> None:
        # CDK's deployment function is a singleton at the stack's root, built the way CDK builds it.
        stack = Stack.of(self)
        for handler in [child for child in stack.node.children if child.node.id.startswith(DEPLOYMENT_HANDLER)]:
            suppress(
                handler,
                "IAM4",
                "CDK's BucketDeployment function uses the AWS managed basic execution policy (CloudWatch Logs only).",
                applies_to=["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
            )
            suppress(
                handler,
                "IAM5",
                "CDK's BucketDeployment function copies the asset zip into the web bucket: CDK's object-level "
                "read/write grants on the CDK asset bucket and on the web bucket, which is all it touches.",
                applies_to=[
                    *(
                        f"Action::s3:{action}*"
                        for action in ("GetObject", "GetBucket", "List", "DeleteObject", "Abort")
                    ),
                    f"Resource::{arn_of(self.bucket)}/*",
                    RegexAppliesTo(regex="/^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-.*\\/\\*$/"),
                ],
            )
            suppress(handler, "L1", "CDK's BucketDeployment function runtime is chosen and updated by aws-cdk-lib.")
