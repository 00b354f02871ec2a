"""Every route of the catalog is in the synthesized template, integrated with its function and
authorized as declared."""

from __future__ import annotations

import pytest

from deskless.catalog import (
    HTTP_AUTHORIZER,
    HTTP_ROUTES,
    WEBSOCKET_AUTHORIZER,
    WEBSOCKET_ROUTE_SELECTION,
    WEBSOCKET_ROUTES,
    WEBSOCKET_TOKEN_PARAMETER,
    Auth,
    HttpRoute,
    WebSocketRoute,
    http_route,
)
from tests.infra.conftest import Resource, Synthesized, logical_id_of, mentions


def route(synthesized: Synthesized, api: str, route_key: str) -> tuple[str, Resource]:
    found = [
        (key, value)
        for key, value in synthesized.of_type("AWS::ApiGatewayV2::Route").items()
        if value["Properties"]["RouteKey"] == route_key and value["Properties"]["ApiId"] == {"Ref": api}
    ]
    assert len(found) == 1, f"{route_key}: {found}"
    return found[0]


def integrated_function(synthesized: Synthesized, route_resource: Resource) -> str:
    """The logical id of the Lambda function a route's integration invokes."""
    target = route_resource["Properties"]["Target"]["Fn::Join"][1]
    assert target[0] == "integrations/"
    integration = synthesized.resources[logical_id_of(target[1])]["Properties"]
    assert integration["IntegrationType"] == "AWS_PROXY"
    return next(
        logical_id
        for logical_id in synthesized.of_type("AWS::Lambda::Function")
        if mentions(integration["IntegrationUri"], logical_id)
    )


def authorizer_function(synthesized: Synthesized, authorizer: Resource) -> str:
    return next(
        logical_id
        for logical_id in synthesized.of_type("AWS::Lambda::Function")
        if mentions(authorizer["Properties"]["AuthorizerUri"], logical_id)
    )


@pytest.mark.parametrize("declared", HTTP_ROUTES, ids=[r.route_key for r in HTTP_ROUTES])
def test_http_route_is_integrated_and_authorized_as_declared(synthesized: Synthesized, declared: HttpRoute):
    _, resource = route(synthesized, synthesized.api("HTTP"), declared.route_key)
    assert integrated_function(synthesized, resource) == synthesized.function(declared.function)[0]
    properties = resource["Properties"]
    if declared.auth is Auth.TOKEN:
        assert properties["AuthorizationType"] == "CUSTOM"
        authorizer = synthesized.resources[logical_id_of(properties["AuthorizerId"])]
        assert authorizer_function(synthesized, authorizer) == synthesized.function(HTTP_AUTHORIZER)[0]
        assert authorizer["Properties"]["EnableSimpleResponses"] is True
        assert authorizer["Properties"]["IdentitySource"] == ["$request.header.Authorization"]
        # a verdict is reused for a minute at most: deactivating a user locks them out within it
        assert authorizer["Properties"]["AuthorizerResultTtlInSeconds"] == 60
    else:
        assert properties["AuthorizationType"] == "NONE"
        assert "AuthorizerId" not in properties


def test_http_api_stage_is_throttled_and_logged(synthesized: Synthesized):
    (stage,) = [
        value["Properties"]
        for value in synthesized.of_type("AWS::ApiGatewayV2::Stage").values()
        if value["Properties"]["ApiId"] == {"Ref": synthesized.api("HTTP")}
    ]
    assert stage["StageName"] == "$default"
    assert stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] > 0
    assert "DestinationArn" in stage["AccessLogSettings"]


@pytest.mark.parametrize("declared", WEBSOCKET_ROUTES, ids=[r.route_key for r in WEBSOCKET_ROUTES])
def test_websocket_route_is_integrated_and_authorized_as_declared(synthesized: Synthesized, declared: WebSocketRoute):
    api = synthesized.api("WEBSOCKET")
    logical_id, resource = route(synthesized, api, declared.route_key)
    assert integrated_function(synthesized, resource) == synthesized.function(declared.function)[0]
    properties = resource["Properties"]
    if declared.route_key == "$connect":
        assert properties["AuthorizationType"] == "CUSTOM"
        authorizer = synthesized.resources[logical_id_of(properties["AuthorizerId"])]
        assert authorizer_function(synthesized, authorizer) == synthesized.function(WEBSOCKET_AUTHORIZER)[0]
        assert authorizer["Properties"]["IdentitySource"] == [f"route.request.querystring.{WEBSOCKET_TOKEN_PARAMETER}"]
    else:
        assert properties["AuthorizationType"] == "NONE"
    responses = [
        value
        for value in synthesized.of_type("AWS::ApiGatewayV2::RouteResponse").values()
        if value["Properties"]["RouteId"] == {"Ref": logical_id}
    ]
    assert bool(responses) == declared.returns_response
    assert ("RouteResponseSelectionExpression" in properties) == declared.returns_response


def test_websocket_api_selects_routes_as_the_catalog_says_and_deploys_the_live_stage(synthesized: Synthesized):
    api = synthesized.api("WEBSOCKET")
    assert synthesized.resources[api]["Properties"]["RouteSelectionExpression"] == WEBSOCKET_ROUTE_SELECTION
    (stage,) = [
        value["Properties"]
        for value in synthesized.of_type("AWS::ApiGatewayV2::Stage").values()
        if value["Properties"]["ApiId"] == {"Ref": api}
    ]
    assert stage["StageName"] == "live"
    assert stage["AutoDeploy"] is True


def test_the_contacts_and_domain_routes_reach_their_functions_within_api_gateway_s_30_seconds(
    synthesized: Synthesized,
) -> None:
    contacts_id, contacts = synthesized.function("contacts")
    portals_id, _ = synthesized.function("portals")
    expected = {
        "GET /api/contacts": contacts_id,
        "POST /api/contacts": contacts_id,
        "PATCH /api/contacts/{contact_id}": contacts_id,
        "POST /api/contacts/import/preview": contacts_id,
        "POST /api/contacts/import": contacts_id,
        "POST /api/v1/contacts": contacts_id,
        "POST /api/companies/{company_id}/domains": portals_id,
        "DELETE /api/companies/{company_id}/domains/{domain}": portals_id,
    }
    for route_key, function in expected.items():
        _, resource = route(synthesized, synthesized.api("HTTP"), route_key)
        assert integrated_function(synthesized, resource) == function, route_key
    # a CSV import of the most rows allowed must finish before API Gateway gives up on it (30 s)
    assert contacts["Properties"]["Timeout"] < 30
    # an integration's route is checked by the function (its API key), not by the token authorizer
    _, v1 = route(synthesized, synthesized.api("HTTP"), "POST /api/v1/contacts")
    assert v1["Properties"].get("AuthorizationType", "NONE") == "NONE"


def test_the_customers_routes_reach_their_functions_without_the_token_authorizer(
    synthesized: Synthesized,
) -> None:
    contacts_id, _ = synthesized.function("contacts")
    customer_routes = [r for r in HTTP_ROUTES if r.auth is Auth.COOKIE]
    assert {r.route_key for r in customer_routes} >= {"POST /help/sign-out", "GET /api/portal/me"}
    for declared in [*customer_routes, http_route("POST /help/sign-in"), http_route("GET /help")]:
        _, resource = route(synthesized, synthesized.api("HTTP"), declared.route_key)
        function_id, _ = synthesized.function(declared.function)
        assert integrated_function(synthesized, resource) == function_id, declared.route_key
        # the session cookie is checked by the function, which sees the host it was started on
        assert resource["Properties"]["AuthorizationType"] == "NONE", declared.route_key
        rules = resource["Metadata"]["cdk_nag"]["rules_to_suppress"]
        assert [rule["id"] for rule in rules] == ["AwsSolutions-APIG4"]
    # a technician's reset of a contact's password goes through the authorizer like every staff route
    _, reset = route(synthesized, synthesized.api("HTTP"), "POST /api/contacts/{contact_id}/password-reset")
    assert integrated_function(synthesized, reset) == contacts_id
    assert reset["Properties"]["AuthorizationType"] == "CUSTOM"


def test_api_gateway_may_invoke_each_websocket_function_through_one_permission_for_the_whole_api(
    synthesized: Synthesized,
) -> None:
    # One permission per function, not per route: a stack holds at most 500 resources
    api = synthesized.api("WEBSOCKET")
    permissions = [
        value["Properties"]
        for value in synthesized.of_type("AWS::Lambda::Permission").values()
        if mentions(value["Properties"].get("SourceArn"), api)
    ]
    functions = {route.function for route in WEBSOCKET_ROUTES} | {WEBSOCKET_AUTHORIZER}
    assert sorted(logical_id_of(p["FunctionName"]) for p in permissions) == sorted(
        synthesized.function(name)[0] for name in functions
    )
    assert all(p["Principal"] == "apigateway.amazonaws.com" for p in permissions)
    assert len(synthesized.resources) <= 500
