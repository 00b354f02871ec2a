"""The Deskless stack: one construct per concern, composed in the order data flows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aws_cdk import Aspects, CfnOutput, Stack
from aws_cdk import aws_apigatewayv2 as apigwv2
from constructs import Construct

from deskless.catalog import Trigger
from deskless.edge import page_origins
from infra.constructs.access_logs import AccessLogs
from infra.constructs.alarms import AlarmNotices, Alarms, NotifyOnAlarm
from infra.constructs.attachments import Attachments
from infra.constructs.automation import AutomationSchedules
from infra.constructs.data import Data
from infra.constructs.email import Email
from infra.constructs.functions import Functions, Reach
from infra.constructs.http_api import HttpApi
from infra.constructs.portals_cdn import PortalsCdn
from infra.constructs.search_index import SearchIndex
from infra.constructs.secrets import Secrets
from infra.constructs.signaling import SignalingChannel
from infra.constructs.streams import Streams
from infra.constructs.web_assets import WebAssets
from infra.constructs.websocket_api import WebSocketApi
from infra.settings import DeploymentSettings
from layers.deps.build import Layer


class DesklessStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploymentSettings,
        dependencies: Layer,
        web_source: Path | None,
        reference: Sequence[Path],
        shared: Mapping[str, Path],
        web_acl_arn: str | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, description="Deskless: remote support and help desk", **kwargs)
        throttle = apigwv2.ThrottleSettings(rate_limit=settings.api_rate_limit, burst_limit=settings.api_burst_limit)

        access_logs = AccessLogs(self, "AccessLogs")
        data = Data(self, "Data")
        secrets = Secrets(self, "Secrets")
        email = Email(
            self,
            "Email",
            mail_domain=settings.mail_domain,
            support_addresses=settings.support_addresses,
            keep_days=settings.inbound_mail_days,
            access_logs=access_logs.bucket,
        )
        attachments = Attachments(
            self, "Attachments", page_origins=page_origins(settings.public_url), access_logs=access_logs.bucket
        )
        search_index = SearchIndex(self, "SearchIndex", access_logs=access_logs.bucket)
        realtime = WebSocketApi(self, "Realtime", throttle=throttle)
        automation = AutomationSchedules(self, "Automation")
        signaling = SignalingChannel(self, "ScreenSharing")
        functions = Functions(
            self,
            "Functions",
            settings=settings,
            dependencies=dependencies,
            reach=Reach(
                table=data.table,
                secrets=secrets,
                email=email,
                connections=realtime.stage,
                attachments=attachments,
                search_index=search_index,
                automation=automation,
                signaling=signaling,
            ),
        )
        automation.invokes(functions["automation"])
        api = HttpApi(self, "Api", functions=functions, throttle=throttle)
        realtime.route_to(functions)
        email.receive_with(functions.triggered_by(Trigger.EMAIL))
        Streams(self, "Streams", table=data.table, functions=functions)
        Alarms(self, "Alarms")
        notices = AlarmNotices(self, "AlarmNotices", emails=settings.alarm_emails)
        Aspects.of(self).add(NotifyOnAlarm(notices.topic))
        web = WebAssets(
            self, "Web", source=web_source, access_logs=access_logs.bucket, reference=reference, shared=shared
        )
        cdn = PortalsCdn(
            self,
            "Portals",
            domain=settings.domain,
            certificate_arn=settings.certificate_arn,
            api=api.api,
            websocket_url=realtime.stage.url,
            attachments_origin=attachments.origin,
            assets=web.bucket,
            origin_secret=secrets.origin,
            access_logs=access_logs.bucket,
            web_acl_arn=web_acl_arn,
        )

        CfnOutput(
            self,
            "DistributionDomainName",
            value=cdn.distribution.distribution_domain_name,
            description=f"Point {settings.domain} and *.{settings.domain} here (CNAME or alias).",
        )
        CfnOutput(self, "WebSocketUrl", value=realtime.stage.url)
