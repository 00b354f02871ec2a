"""The operator console's WebSocket API: routes from deskless.catalog.WEBSOCKET_ROUTES, a Lambda
authorizer on $connect reading the token from the query string, and the stage `live`.

The API and its stage come first, because every function is told the stage's URLs; the routes
are added once the functions exist (`route_to`).

API Gateway may invoke each function through one Lambda permission for the whole API, not one per
route as CDK's WebSocketLambdaIntegration adds: a stack holds at most 500 resources, and every
WebSocket action would otherwise cost three (route, route response, permission)."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from deskless.catalog import (
    WEBSOCKET_AUTHORIZER,
    WEBSOCKET_ROUTE_SELECTION,
    WEBSOCKET_ROUTES,
    WEBSOCKET_TOKEN_PARAMETER,
)
from infra.constructs.functions import Functions
from infra.nag import suppress

STAGE_NAME = "live"
CONNECT = "$connect"  # the one route a WebSocket authorizer can guard


class WebSocketApi(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, throttle: apigwv2.ThrottleSettings) -> None:
        super().__init__(scope, construct_id)
        self.api = apigwv2.WebSocketApi(
            self, "Api", route_selection_expression=WEBSOCKET_ROUTE_SELECTION, description="Deskless operator console"
        )
        self.stage = apigwv2.WebSocketStage(
            self, "Stage", web_socket_api=self.api, stage_name=STAGE_NAME, auto_deploy=True, throttle=throttle
        )
        suppress(
            self.stage,
            "APIG1",
            "WebSocket access logging needs the account-wide API Gateway CloudWatch role, which a stack for one "
            "product must not own; the realtime function logs every connect, disconnect and message.",
        )

    def route_to(self, functions: Functions) -> None:
        authorizer = authorizers.WebSocketLambdaAuthorizer(
            "ConnectAuthorizer",
            functions[WEBSOCKET_AUTHORIZER],
            identity_source=[f"route.request.querystring.{WEBSOCKET_TOKEN_PARAMETER}"],
        )
        targets: dict[str, _LambdaIntegration] = {}
        for route in WEBSOCKET_ROUTES:
            integration = targets.get(route.function) or self._integration(route.function, functions[route.function])
            targets[route.function] = integration
            guarded = route.route_key == CONNECT
            added = self.api.add_route(
                route.route_key,
                integration=integration,
                authorizer=authorizer if guarded else None,
                return_response=route.returns_response,
            )
            if not guarded:
                suppress(
                    added,
                    "APIG4",
                    f"{route.route_key} is reached only on a connection the $connect authorizer accepted; "
                    "WebSocket APIs authorize once, at connect.",
                )

    def _integration(self, name: str, handler: lambda_.IFunction) -> _LambdaIntegration:
        """A function's integration, and its one permission: any route of this API may invoke it."""
        handler.add_permission(
            f"WebSocketInvoke-{name}",
            principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
            source_arn=Stack.of(self).format_arn(service="execute-api", resource=self.api.api_id, resource_name="*"),
            scope=self,
        )
        return _LambdaIntegration(f"{name}-integration", handler)


class _LambdaIntegration(apigwv2.WebSocketRouteIntegration):
    """A Lambda proxy integration that adds no permission of its own (see the module's docstring)."""

    def __init__(self, integration_id: str, handler: lambda_.IFunction) -> None:
        super().__init__(integration_id)
        self.handler = handler

    def bind(self, *, route: apigwv2.IWebSocketRoute, scope: Construct) -> apigwv2.WebSocketRouteIntegrationConfig:
        uri = Stack.of(route).format_arn(
            service="apigateway",
            account="lambda",
            resource="path/2015-03-31/functions",
            resource_name=f"{self.handler.function_arn}/invocations",
        )
        return apigwv2.WebSocketRouteIntegrationConfig(type=apigwv2.WebSocketIntegrationType.AWS_PROXY, uri=uri)
