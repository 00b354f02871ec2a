"""deskless.catalog is the one list of functions, routes and stream filters: the CDK app and
the local platform both build from it. These tests keep it and the code in step."""

from __future__ import annotations

import importlib
from collections import Counter
from typing import Any

import pytest
from fastapi.routing import APIRoute

from deskless import catalog
from deskless.auth import Role
from deskless.catalog import (
    API_KEY,
    CUSTOMERS,
    FUNCTIONS,
    HTTP_AUTHORIZER,
    HTTP_ROUTES,
    PUBLIC,
    ROUTES,
    STREAM_SUBSCRIPTIONS,
    WEBSOCKET_AUTHORIZER,
    WEBSOCKET_ROUTES,
    Auth,
    Caller,
    Function,
    Trigger,
    function,
    http_route,
    websocket_route,
)
from deskless.http import Api
from deskless.table import TYPE_ATTRIBUTE, Entity
from deskless.websocket import Action, WebSocketApp
from local.routes import ROOT, entry_of, rows, table


def by_trigger(trigger: Trigger) -> list[Function]:
    return [f for f in FUNCTIONS if f.trigger == trigger]


def endpoints(function_: Function) -> set[tuple[str, str]]:
    """(method, path) of every endpoint the function's FastAPI app serves."""
    served = entry_of(function_.name).routes.values()
    module = importlib.import_module(next(iter(served)).__module__)
    app = module.api.app
    return {
        (method, route.path) for route in app.routes if isinstance(route, APIRoute) for method in route.methods or ()
    }


def test_function_names_are_unique() -> None:
    assert [name for name, n in Counter(f.name for f in FUNCTIONS).items() if n > 1] == []


@pytest.mark.parametrize("function_", FUNCTIONS, ids=lambda f: f.name)
def test_each_function_has_a_callable_handler_where_lambda_will_look(function_: Function) -> None:
    handler: Any = getattr(importlib.import_module(function_.module), function_.attribute)

    assert callable(handler)
    assert function_.lambda_handler == f"{function_.folder}.{function_.entry}"


@pytest.mark.parametrize("function_", FUNCTIONS, ids=lambda f: f.name)
def test_each_function_fits_in_lambda_limits(function_: Function) -> None:
    assert 128 <= function_.memory_mb <= 10_240
    assert 1 <= function_.timeout_s <= 900
    if function_.trigger in (Trigger.HTTP, Trigger.HTTP_AUTHORIZER):
        assert function_.timeout_s <= 30, "API Gateway HTTP APIs give up after 30 s"


def test_http_route_keys_are_unique() -> None:
    assert [key for key, n in Counter(r.route_key for r in HTTP_ROUTES).items() if n > 1] == []


def test_websocket_route_keys_are_unique() -> None:
    assert [key for key, n in Counter(r.route_key for r in WEBSOCKET_ROUTES).items() if n > 1] == []


@pytest.mark.parametrize("route", HTTP_ROUTES, ids=lambda r: r.route_key)
def test_each_http_route_is_spelled_as_api_gateway_spells_it(route: Any) -> None:
    assert route.method in {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
    assert route.path.startswith("/")
    assert route.route_key == f"{route.method} {route.path}"
    assert http_route(route.route_key) == route


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.route_key)
def test_each_route_says_who_may_call_it(route: Any) -> None:
    assert route.allow, "a route that allows nobody would be dead code"
    if Caller.PUBLIC in route.allow or Caller.API_KEY in route.allow:
        assert route.allow in (PUBLIC, API_KEY), "public and API-key routes ask for no token, so allow nobody else"


@pytest.mark.parametrize("route", HTTP_ROUTES, ids=lambda r: r.route_key)
def test_api_gateway_asks_for_a_token_exactly_where_a_signed_in_caller_is_named(route: Any) -> None:
    # customers sign in with a cookie, which their function checks: the gateway asks them for nothing
    assert (route.auth is Auth.TOKEN) == (route.allow not in (PUBLIC, API_KEY) and not route.allow <= CUSTOMERS)
    assert (route.auth is Auth.COOKIE) == (route.allow <= CUSTOMERS)


@pytest.mark.parametrize("route", WEBSOCKET_ROUTES, ids=lambda r: r.route_key)
def test_websocket_routes_are_for_token_holders_only(route: Any) -> None:
    assert not route.allow & (PUBLIC | API_KEY)


def test_every_role_a_token_can_carry_is_a_caller_the_catalog_can_name() -> None:
    assert {role.value for role in Role} <= {caller.value for caller in Caller}


def test_an_endpoint_whose_route_the_catalog_does_not_list_is_refused_when_it_is_written() -> None:
    api = Api("meta")

    with pytest.raises(KeyError):
        api.route("GET /api/nothing-like-this")
    with pytest.raises(KeyError, match="belongs to 'codes'"):
        api.route("POST /api/codes")


def test_a_websocket_action_the_catalog_does_not_list_is_refused() -> None:
    with pytest.raises(KeyError):
        WebSocketApp("realtime", {"teleport": Action(lambda request: None)})
    with pytest.raises(KeyError):
        websocket_route("teleport")


@pytest.mark.parametrize("route", HTTP_ROUTES, ids=lambda r: r.route_key)
def test_each_http_route_goes_to_an_http_function_that_serves_it(route: Any) -> None:
    target = function(route.function)

    assert target.trigger == Trigger.HTTP
    assert (route.method, route.path) in endpoints(target)


@pytest.mark.parametrize("function_", by_trigger(Trigger.HTTP), ids=lambda f: f.name)
def test_no_http_function_serves_an_endpoint_the_catalog_does_not_list(function_: Function) -> None:
    listed = {(r.method, r.path) for r in HTTP_ROUTES if r.function == function_.name}

    assert endpoints(function_) == listed


@pytest.mark.parametrize("function_", [*by_trigger(Trigger.HTTP), *by_trigger(Trigger.WEBSOCKET)], ids=lambda f: f.name)
def test_each_api_function_serves_exactly_its_catalog_routes_from_its_lambda_entry(function_: Function) -> None:
    listed = {r.route_key for r in ROUTES if r.function == function_.name}

    assert set(entry_of(function_.name).routes) == listed


def test_deskless_routes_lists_every_route_with_who_may_call_it_and_where_its_endpoint_is() -> None:
    found = list(rows())
    printed = table(found)

    assert [row.route_key for row in found] == [r.route_key for r in ROUTES]
    http_keys = {r.route_key for r in HTTP_ROUTES}
    for row in found:
        path, line = row.where.rsplit(":", 1)
        first_line, second_line = (ROOT / path).read_text().splitlines()[int(line) - 1 : int(line) + 1]
        if row.route_key in http_keys:
            # the decorator names its route first, on its own line when its arguments take several
            decorator = first_line if first_line.strip() != "@api.route(" else first_line.strip() + second_line.strip()
            assert f'@api.route("{row.route_key}"' in decorator, "the endpoint's decorator names its route"
        assert row.route_key in printed
    codes_line = next(line for line in printed.splitlines() if line.startswith("POST /api/codes "))
    assert "technicians and admins" in codes_line
    assert "functions/codes/api.py:" in codes_line


def test_every_websocket_route_goes_to_a_websocket_function() -> None:
    assert {function(r.function).trigger for r in WEBSOCKET_ROUTES} == {Trigger.WEBSOCKET}


def test_the_websocket_api_has_the_routes_api_gateway_requires() -> None:
    keys = {r.route_key for r in WEBSOCKET_ROUTES}

    assert {"$connect", "$disconnect", "$default"} <= keys


def test_the_authorizers_are_functions_with_authorizer_triggers() -> None:
    assert function(HTTP_AUTHORIZER).trigger == Trigger.HTTP_AUTHORIZER
    assert function(WEBSOCKET_AUTHORIZER).trigger == Trigger.WEBSOCKET_AUTHORIZER
    assert len(by_trigger(Trigger.HTTP_AUTHORIZER)) == len(by_trigger(Trigger.WEBSOCKET_AUTHORIZER)) == 1


@pytest.mark.parametrize("subscription", STREAM_SUBSCRIPTIONS, ids=lambda s: s.function)
def test_each_stream_subscription_feeds_a_stream_function(subscription: Any) -> None:
    assert function(subscription.function).trigger == Trigger.STREAM


def test_each_stream_function_has_a_subscription() -> None:
    assert {f.name for f in by_trigger(Trigger.STREAM)} <= {s.function for s in STREAM_SUBSCRIPTIONS}


@pytest.mark.parametrize("subscription", STREAM_SUBSCRIPTIONS, ids=lambda s: s.function)
def test_stream_filters_match_entity_types_that_exist(subscription: Any) -> None:
    assert subscription.filters, "an unfiltered subscription would invoke the function for every write"
    for pattern in subscription.filters:
        for image in ("NewImage", "OldImage"):
            wanted = pattern.get("dynamodb", {}).get(image, {}).get(TYPE_ATTRIBUTE, {}).get("S", [])
            assert set(wanted) <= {entity.value for entity in Entity}
        assert set(pattern.get("eventName", [])) <= {"INSERT", "MODIFY", "REMOVE"}


def test_asking_for_something_the_catalog_lacks_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        function("nope")
    with pytest.raises(KeyError):
        http_route("GET /nope")


def test_every_stream_mapping_fits_lambdas_quotas():
    # Lambda refuses a mapping with more filters than its quota (five unless raised), and a
    # DynamoDB stream throttles a third reader of a shard: the catalog stays inside both.
    for subscription in catalog.STREAM_SUBSCRIPTIONS:
        assert len(subscription.filters) <= catalog.MAX_FILTERS, subscription.mapping
    assert len(catalog.STREAM_SUBSCRIPTIONS) <= catalog.MAX_STREAM_READERS
    names = [subscription.mapping for subscription in catalog.STREAM_SUBSCRIPTIONS]
    assert len(set(names)) == len(names)
