"""moto's server on loopback, in a thread of this process or in a process of its own, provisioned
as the CDK app provisions AWS: the table (from deskless.table), the inbound mail bucket, the
attachments bucket (with the CORS rule browsers upload and download through), the knowledge
index's bucket, the secrets, the SES identity and its configuration set. Functions reach it through
boto3's normal endpoint variables."""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3

from deskless.edge import page_origins
from deskless.table import TABLE

if TYPE_CHECKING:
    from local.cli import MotoMode

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
# The one signaling channel of local mode (screen sharing's ICE servers): moto 5.2.5 has none, so
# local/moto_app.py answers the two calls the realtime function makes about it.
LOCAL_SIGNALING_CHANNEL_ARN = f"arn:aws:kinesisvideo:{REGION}:{ACCOUNT}:channel/deskless-local/1700000000000"


@dataclass(frozen=True)
class LocalNames:
    """Names of the local resources; in AWS the CDK app chooses them."""

    table: str = "deskless"
    inbound_bucket: str = "deskless-inbound-mail"
    attachments_bucket: str = "deskless-attachments"
    search_index_bucket: str = "deskless-search-index"
    signing_secret: str = "deskless/token-signing-key"
    origin_secret: str = "deskless/origin-verify"
    mail_domain: str = "deskless.example.com"
    configuration_set: str = "deskless"
    # Ticket automation's time-based moments (EventBridge Scheduler): its group, and the role that
    # Scheduler would assume to invoke the automation function (moto checks no role).
    schedule_group: str = "deskless-automation"
    scheduler_role: str = f"arn:aws:iam::{ACCOUNT}:role/deskless-automation-scheduler"

    @property
    def mail_from(self) -> str:
        return f"support@{self.mail_domain}"


def function_environment(
    names: LocalNames,
    *,
    moto_url: str,
    public_url: str,
    websocket_url: str,
    callback_url: str,
    support_domain: str = "localhost",
    log_level: str = "INFO",
) -> dict[str, str]:
    """The environment every function runs with locally (the CDK app sets the same names in AWS)."""
    return {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "POWERTOOLS_SERVICE_NAME": "deskless",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": log_level,
        "DESKLESS_STAGE": "local",
        "DESKLESS_TABLE_NAME": names.table,
        "DESKLESS_SIGNING_SECRET_ID": names.signing_secret,
        "DESKLESS_ORIGIN_SECRET_ID": names.origin_secret,
        "DESKLESS_SUPPORT_DOMAIN": support_domain,
        "DESKLESS_PUBLIC_URL": public_url,
        "DESKLESS_WEBSOCKET_URL": websocket_url,
        "DESKLESS_WEBSOCKET_CALLBACK_URL": callback_url,
        "DESKLESS_MAIL_FROM": names.mail_from,
        "DESKLESS_SES_CONFIGURATION_SET": names.configuration_set,
        "DESKLESS_INBOUND_BUCKET": names.inbound_bucket,
        "DESKLESS_ATTACHMENTS_BUCKET": names.attachments_bucket,
        "DESKLESS_ATTACHMENTS_ORIGIN": moto_url,  # browsers upload to and download from moto itself
        "DESKLESS_SEARCH_INDEX_BUCKET": names.search_index_bucket,
        "DESKLESS_AUTOMATION_SCHEDULE_GROUP": names.schedule_group,
        "DESKLESS_AUTOMATION_SCHEDULER_ROLE_ARN": names.scheduler_role,
        "DESKLESS_SIGNALING_CHANNEL_ARN": LOCAL_SIGNALING_CHANNEL_ARN,  # answered by local/moto_app.py
    }


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a block (the functions run in this process)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@cache
def local_client(service: str, endpoint_url: str) -> Any:
    """A client of one local service, made once per service and endpoint (botocore reads a service's
    model for each new client: about 0.2 s)."""
    return boto3.session.Session().client(
        service, endpoint_url=endpoint_url, region_name=REGION, aws_access_key_id="local", aws_secret_access_key="local"
    )


def table_request(name: str) -> dict[str, Any]:
    """CreateTable parameters for the one table, from its definition."""
    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [
            {"AttributeName": TABLE.partition_key, "KeyType": "HASH"},
            {"AttributeName": TABLE.sort_key, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [{"AttributeName": name, "AttributeType": "S"} for name in TABLE.key_attributes],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in TABLE.indexes
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": TABLE.stream_view},
    }


def provision(names: LocalNames, endpoint_url: str, *, public_url: str = "http://localhost:8000") -> None:
    """Create every resource the functions use, as the CDK app does in AWS (`public_url`: where the
    console is, whose portals' pages upload attachments)."""
    dynamodb = local_client("dynamodb", endpoint_url)
    dynamodb.create_table(**table_request(names.table))
    dynamodb.update_time_to_live(
        TableName=names.table, TimeToLiveSpecification={"Enabled": True, "AttributeName": TABLE.ttl_attribute}
    )
    s3 = local_client("s3", endpoint_url)
    s3.create_bucket(Bucket=names.inbound_bucket)
    s3.create_bucket(Bucket=names.attachments_bucket)
    s3.put_bucket_cors(Bucket=names.attachments_bucket, CORSConfiguration=attachments_cors(public_url))
    s3.create_bucket(Bucket=names.search_index_bucket)
    secretsmanager = local_client("secretsmanager", endpoint_url)
    for secret in (names.signing_secret, names.origin_secret):
        secretsmanager.create_secret(Name=secret, SecretString=secrets.token_urlsafe(48))
    sesv2 = local_client("sesv2", endpoint_url)
    sesv2.create_email_identity(EmailIdentity=names.mail_domain)
    sesv2.create_configuration_set(ConfigurationSetName=names.configuration_set)
    local_client("scheduler", endpoint_url).create_schedule_group(Name=names.schedule_group)


def attachments_cors(public_url: str) -> dict[str, Any]:
    """The attachments bucket's CORS rule, as the CDK app sets it (infra/constructs/attachments.py)."""
    return {
        "CORSRules": [
            {
                "AllowedOrigins": list(page_origins(public_url)),
                "AllowedMethods": ["POST", "GET"],
                "AllowedHeaders": ["*"],
                "MaxAgeSeconds": 3000,
            }
        ]
    }


def secret_value(names: LocalNames, endpoint_url: str, secret: str) -> str:
    return str(local_client("secretsmanager", endpoint_url).get_secret_value(SecretId=secret)["SecretString"])


def stream_arn(names: LocalNames, endpoint_url: str) -> str:
    return str(local_client("dynamodb", endpoint_url).describe_table(TableName=names.table)["Table"]["LatestStreamArn"])


class MotoServer:
    """moto's server on 127.0.0.1 (local.moto_app: the fast paths when `moto` is "fast", moto as it
    is when "as-is"), and the one place that decides where it runs: in a process of its own when
    `own_process` (`deskless dev`: the platform and moto then work on two cores), else in a thread
    of this process (the integration tests and the in-process tools, which patch moto's modules
    and read its backends directly). The fast paths are switched on where moto runs: in its
    process, or in this one for all of this process's moto."""

    def __init__(
        self, port: int = 0, *, moto: MotoMode = "fast", own_process: bool = False, log_level: str = "WARNING"
    ) -> None:
        from local.moto_process import HOST, MotoProcess

        self._process = MotoProcess(port, moto=moto, log_level=log_level) if own_process else None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        if self._process is None:
            from werkzeug.serving import make_server

            from local.moto_app import moto_app

            app, handler = moto_app(moto)
            self._server = make_server(HOST, port, app, threaded=True, request_handler=handler)
            self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)

    @property
    def pid(self) -> int:
        """The id of the process moto runs in (to profile it, say)."""
        return self._process.pid if self._process is not None and self._process.pid else os.getpid()

    def start(self) -> str:
        """Start serving; moto's URL."""
        if self._process is not None:
            return self._process.start()
        assert self._thread is not None
        self._thread.start()
        return f"http://{self._server.host}:{self._server.port}"

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()
            return
        assert self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@dataclass(frozen=True)
class LocalRun:
    """Local AWS for one block: where moto is, and what it was provisioned with."""

    names: LocalNames
    moto_url: str

    @property
    def origin_secret(self) -> str:
        return secret_value(self.names, self.moto_url, self.names.origin_secret)


# How the tests and the benchmarks run the functions, in their own process: no gateway listens for
# WebSocket callbacks, and logs are quiet.
IN_PROCESS = {
    "public_url": "http://localhost:8000",
    "websocket_url": "ws://localhost:8000/ws",
    "callback_url": "http://127.0.0.1:9",
    "log_level": "WARNING",
}


def provisioned_environment(names: LocalNames, moto_url: str, **options: str) -> dict[str, str]:
    """Provision the moto at `moto_url` as the stack is, and return the environment the functions
    run with against it (function_environment's, IN_PROCESS unless `options` say otherwise); the
    caller sets it for as long as the functions run in this process."""
    provision(names, moto_url)
    return function_environment(names, moto_url=moto_url, **(IN_PROCESS | options))


@contextmanager
def local_run(**options: str) -> Iterator[LocalRun]:
    """moto's server started on loopback, provisioned as the stack is, and the functions'
    environment pointing at it (`options`: provisioned_environment's), for the block; the functions
    in this process start cold in it."""
    from local.functions import forget_cold_start

    names = LocalNames()
    moto = MotoServer()
    moto_url = moto.start()
    try:
        with environment(provisioned_environment(names, moto_url, **options)):
            forget_cold_start()
            try:
                yield LocalRun(names, moto_url)
            finally:
                forget_cold_start()
    finally:
        moto.stop()
