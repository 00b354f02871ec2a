"""Every function of deskless.catalog.FUNCTIONS, made by one factory.

Each gets its own role (no managed policy) and log group, arm64, the latest Python runtime,
the dependency and core layers, tracing, the Powertools variables, the Deskless settings its
code reads (named by deskless.settings.Settings) and one scoped grant per Access it declares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from aws_cdk import AssetHashType, Duration, IgnoreMode
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from cdk_nag import RegexAppliesTo
from constructs import Construct

from deskless import catalog
from deskless.catalog import INBOUND_MAIL_PREFIX, Access, Trigger
from deskless.settings import Settings
from infra import paths
from infra.constructs.attachments import Attachments
from infra.constructs.automation import AutomationSchedules
from infra.constructs.buckets import object_grant_findings
from infra.constructs.email import Email
from infra.constructs.search_index import SearchIndex
from infra.constructs.secrets import Secrets
from infra.constructs.signaling import SignalingChannel
from infra.nag import arn_of, suppress
from infra.settings import DeploymentSettings
from layers.deps.build import STAMP_NAME, Layer

RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
PYTHON_VERSION = RUNTIME.name.removeprefix("python")  # what the dependency layer is built for
MB = 1024 * 1024


def function_code(folder: str) -> lambda_.Code:
    """functions/<folder>/ as a package at the asset root, and nothing of the other functions."""
    return lambda_.Code.from_asset(
        str(paths.FUNCTIONS),
        ignore_mode=IgnoreMode.GIT,
        exclude=["*", f"!/{folder}/", f"!/{folder}/**", "__pycache__/", "*.pyc"],
    )


def settings_environment(values: Mapping[str, str]) -> dict[str, str]:
    """DESKLESS_<FIELD> variables, checked against the Settings model the functions read."""
    fields = Settings.model_fields
    unknown = sorted(set(values) - set(fields))
    missing = sorted(name for name, field in fields.items() if field.is_required() and name not in values)
    if unknown or missing:
        raise ValueError(
            f"function settings do not match deskless.settings.Settings: unknown {unknown}, missing {missing}"
        )
    return {setting_variable(name): value for name, value in values.items()}


def setting_variable(name: str) -> str:
    """The environment variable a field of deskless.settings.Settings is read from (DESKLESS_<FIELD>)."""
    return f"{Settings.model_config.get('env_prefix', '')}{name}".upper()


class SharedLayers(Construct):
    """Third-party dependencies (built by layers/deps/build.py) and the shared deskless package."""

    def __init__(self, scope: Construct, construct_id: str, *, dependencies: Layer) -> None:
        super().__init__(scope, construct_id)
        self.dependencies = lambda_.LayerVersion(
            self,
            "Dependencies",
            description="Deskless: third-party dependencies, from layers/deps/requirements.txt",
            # The stamp's fingerprint says what the build holds; hashing tens of MB again would only slow synth.
            code=lambda_.Code.from_asset(
                str(dependencies.root),
                asset_hash_type=AssetHashType.CUSTOM,
                asset_hash=dependencies.fingerprint,
                exclude=[STAMP_NAME, "python.partial-*"],
            ),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
        )
        self.core = lambda_.LayerVersion(
            self,
            "Core",
            description="Deskless: the shared deskless package",
            code=lambda_.Code.from_asset(str(paths.CORE_LAYER), exclude=["__pycache__", "*.pyc"]),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
        )

    def __iter__(self) -> Iterator[lambda_.ILayerVersion]:
        return iter((self.dependencies, self.core))


class DesklessFunction(Construct):
    """One catalog function: its role, its log group and the Lambda function (the factory of defaults)."""

    def __init__(
        self,
        scope: Construct,
        spec: catalog.Function,
        *,
        layers: SharedLayers,
        environment: Mapping[str, str],
        log_level: str,
    ) -> None:
        super().__init__(scope, spec.name)
        self.spec = spec
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Deskless {spec.name} function",
        )
        self.log_group = logs.LogGroup(self, "Logs", retention=LOG_RETENTION)
        self.log_group.grant_write(self.role)
        self.function = lambda_.Function(
            self,
            "Function",
            description=spec.description,
            code=function_code(spec.folder),
            handler=spec.lambda_handler,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_s),
            layers=list(layers),
            role=self.role,
            log_group=self.log_group,
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                "POWERTOOLS_SERVICE_NAME": spec.name,
                "POWERTOOLS_LOG_LEVEL": log_level,
                **environment,
            },
        )
        suppress(
            self.role,
            "IAM5",
            "X-Ray's PutTraceSegments and PutTelemetryRecords accept no resource but *.",
            applies_to=["Resource::*"],
        )


@dataclass(frozen=True)
class Reach:
    """What functions can be granted; each Access of the catalog names part of it."""

    table: dynamodb.Table
    secrets: Secrets
    email: Email
    connections: apigwv2.WebSocketStage
    attachments: Attachments
    search_index: SearchIndex
    automation: AutomationSchedules
    signaling: SignalingChannel


def _grant_table_read(fn: DesklessFunction, reach: Reach) -> None:
    reach.table.grant_read_data(fn.function)
    _suppress_indexes(fn, reach)


def _grant_table_write(fn: DesklessFunction, reach: Reach) -> None:
    # Writes only: a function that also reads declares TABLE_READ, and gets both.
    reach.table.grant_write_data(fn.function)
    _suppress_indexes(fn, reach)


def _suppress_indexes(fn: DesklessFunction, reach: Reach) -> None:
    suppress(
        fn.role,
        "IAM5",
        "The table grant covers the table's own indexes (<table>/index/*), which the access patterns query.",
        applies_to=[f"Resource::{arn_of(reach.table)}/index/*"],
    )


def _grant_inbound_mail(fn: DesklessFunction, reach: Reach) -> None:
    bucket = reach.email.inbound_bucket
    bucket.grant_read(fn.function, f"{INBOUND_MAIL_PREFIX}*")
    suppress(
        fn.role,
        "IAM5",
        "Reads received messages: any object under the inbound prefix, whose keys are SES message ids.",
        applies_to=object_grant_findings(bucket, write=False, keys=f"{INBOUND_MAIL_PREFIX}*"),
    )


def _grant_attachments(fn: DesklessFunction, reach: Reach) -> None:
    reach.attachments.grant_read_write(fn.function, fn.role)


def _grant_attachment_uploads(fn: DesklessFunction, reach: Reach) -> None:
    reach.attachments.grant_staged_uploads(fn.function, fn.role)


def _grant_search_index(fn: DesklessFunction, reach: Reach) -> None:
    reach.search_index.grant_read(fn.function, fn.role)


def _grant_search_index_publish(fn: DesklessFunction, reach: Reach) -> None:
    reach.search_index.grant_publish(fn.function, fn.role)


def _grant_automation_schedules(fn: DesklessFunction, reach: Reach) -> None:
    reach.automation.grant_scheduling(fn.function, fn.role)


def _grant_connections(fn: DesklessFunction, reach: Reach) -> None:
    reach.connections.grant_management_api_access(fn.function)
    suppress(
        fn.role,
        "IAM5",
        "Pushes to any connection of the one WebSocket stage: connection ids are only known at run time.",
        applies_to=[RegexAppliesTo(regex="/^Resource::arn:<AWS::Partition>:execute-api:.*\\/@connections\\/\\*$/")],
    )


def _grant_signaling_channel(fn: DesklessFunction, reach: Reach) -> None:
    # Only the function that hands out ICE servers is told the channel (Settings.signaling_channel_arn).
    reach.signaling.grant_ice(fn.function)
    fn.function.add_environment(setting_variable("signaling_channel_arn"), reach.signaling.arn)


def _grant_signing_key(fn: DesklessFunction, reach: Reach) -> None:
    reach.secrets.signing_key.grant_read(fn.function)


def _grant_origin_secret(fn: DesklessFunction, reach: Reach) -> None:
    reach.secrets.origin.grant_read(fn.function)


def _grant_send_email(fn: DesklessFunction, reach: Reach) -> None:
    reach.email.grant_send(fn.function)


GRANTS: Mapping[Access, Callable[[DesklessFunction, Reach], None]] = {
    Access.TABLE_READ: _grant_table_read,
    Access.TABLE_WRITE: _grant_table_write,
    Access.SIGNING_KEY: _grant_signing_key,
    Access.ORIGIN_SECRET: _grant_origin_secret,
    Access.SEND_EMAIL: _grant_send_email,
    Access.INBOUND_MAIL: _grant_inbound_mail,
    Access.CONNECTIONS: _grant_connections,
    Access.ATTACHMENTS: _grant_attachments,
    Access.ATTACHMENT_UPLOADS: _grant_attachment_uploads,
    Access.SEARCH_INDEX: _grant_search_index,
    Access.SEARCH_INDEX_PUBLISH: _grant_search_index_publish,
    Access.AUTOMATION_SCHEDULES: _grant_automation_schedules,
    Access.SIGNALING_CHANNEL: _grant_signaling_channel,
}


class Functions(Construct):
    """The catalog's functions by name: `functions["meta"]` is the meta Lambda function."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploymentSettings,
        dependencies: Layer,
        reach: Reach,
    ) -> None:
        super().__init__(scope, construct_id)
        layers = SharedLayers(self, "Layers", dependencies=dependencies)
        environment = settings_environment(
            {
                "table_name": reach.table.table_name,
                "signing_secret_id": reach.secrets.signing_key.secret_arn,
                "origin_secret_id": reach.secrets.origin.secret_arn,
                "support_domain": settings.domain,
                "public_url": settings.public_url,
                "websocket_url": reach.connections.url,
                "websocket_callback_url": reach.connections.callback_url,
                "mail_from": settings.mail_from,
                "support_addresses": ",".join(settings.support_addresses),
                "ses_configuration_set": reach.email.configuration_set.configuration_set_name,
                "inbound_bucket": reach.email.inbound_bucket.bucket_name,
                "attachments_bucket": reach.attachments.bucket.bucket_name,
                "attachments_origin": reach.attachments.origin,
                "attachment_max_bytes": str(settings.attachment_max_mb * MB),
                "ticket_attachments_max_bytes": str(settings.ticket_attachments_max_mb * MB),
                "search_index_bucket": reach.search_index.bucket.bucket_name,
                "automation_schedule_group": reach.automation.group.ref,
                "automation_scheduler_role_arn": reach.automation.role.role_arn,
                "automation_moments_failures_arn": reach.automation.failures.queue_arn,
            }
        )
        self._made: dict[str, DesklessFunction] = {}
        for spec in catalog.FUNCTIONS:
            made = DesklessFunction(self, spec, layers=layers, environment=environment, log_level=settings.log_level)
            for access in sorted(spec.access):
                GRANTS[access](made, reach)
            self._made[spec.name] = made

    def __getitem__(self, name: str) -> lambda_.Function:
        return self._made[name].function

    def made(self, name: str) -> DesklessFunction:
        return self._made[name]

    def triggered_by(self, trigger: Trigger) -> list[lambda_.Function]:
        return [made.function for made in self._made.values() if made.spec.trigger is trigger]
