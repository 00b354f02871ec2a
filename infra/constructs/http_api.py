"""The HTTP API behind CloudFront: routes from deskless.catalog.HTTP_ROUTES, each integrated with
its function and guarded by the Lambda authorizer when it allows a signed-in caller with a token
(route.auth is Auth.TOKEN); a customer's route (Auth.COOKIE) goes straight to its function, which
checks the session cookie; one throttled stage."""

from __future__ import annotations

import json

import jsii
from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_logs as logs
from constructs import Construct

from deskless.catalog import API_KEY, HTTP_AUTHORIZER, HTTP_AUTHORIZER_CACHE_SECONDS, HTTP_ROUTES, Auth
from infra.constructs.functions import LOG_RETENTION, Functions
from infra.nag import suppress

# What each request leaves in the access log: HTTP API context variables only.
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "routeKey": "$context.routeKey",
    "path": "$context.path",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "latency": "$context.responseLatency",
    "authorizerError": "$context.authorizer.error",
    "integrationError": "$context.integrationErrorMessage",
}


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLog:
    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._log_group = log_group

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return apigwv2.LogGroupLogDestination(self._log_group)

    @property
    def format(self) -> apigateway.AccessLogFormat:
        return apigateway.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FORMAT))


class HttpApi(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, functions: Functions, throttle: apigwv2.ThrottleSettings
    ) -> None:
        super().__init__(scope, construct_id)
        self.api = apigwv2.HttpApi(self, "Api", create_default_stage=False, description="Deskless API and portals")
        access_log = logs.LogGroup(self, "AccessLog", retention=LOG_RETENTION)
        self.stage = apigwv2.HttpStage(
            self,
            "DefaultStage",
            http_api=self.api,
            stage_name="$default",
            auto_deploy=True,
            throttle=throttle,
            access_log_settings=_AccessLog(access_log),
        )
        token_authorizer = authorizers.HttpLambdaAuthorizer(
            "TokenAuthorizer",
            functions[HTTP_AUTHORIZER],
            response_types=[authorizers.HttpLambdaResponseType.SIMPLE],
            identity_source=["$request.header.Authorization"],
            results_cache_ttl=Duration.seconds(HTTP_AUTHORIZER_CACHE_SECONDS),
        )
        targets: dict[str, integrations.HttpLambdaIntegration] = {}
        for route in HTTP_ROUTES:
            integration = targets.get(route.function) or integrations.HttpLambdaIntegration(
                f"{route.function}-integration", functions[route.function]
            )
            targets[route.function] = integration
            authorizer = token_authorizer if route.auth is Auth.TOKEN else apigwv2.HttpNoneAuthorizer()
            for added in self.api.add_routes(
                path=route.path,
                methods=[apigwv2.HttpMethod[route.method]],
                integration=integration,
                authorizer=authorizer,
            ):
                if route.auth is Auth.PUBLIC:
                    kind = "for integrations, whose API key its function checks" if route.allow == API_KEY else "public"
                    suppress(added, "APIG4", f"{route.route_key} is {kind} by design (deskless.catalog).")
                elif route.auth is Auth.COOKIE:
                    suppress(
                        added,
                        "APIG4",
                        f"{route.route_key} is for signed-in customers, whose session cookie and CSRF token its "
                        "function checks (deskless.http): an authorizer would see neither the session nor its host.",
                    )
