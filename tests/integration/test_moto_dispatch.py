"""moto's server in local mode (local.moto_dispatch) lists its service modules once, and finds the
service of a request as moto finds it."""

from __future__ import annotations

import inspect

import pytest
from moto import backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from local import moto_dispatch
from tests.conftest import LocalAws


def test_the_list_read_once_is_motos_list() -> None:
    assert set(moto_dispatch.listed_once()) == set(moto_dispatch._MOTO_LIST_OF_MOTO_MODULES())
    assert {"dynamodb", "dynamodbstreams", "s3", "secretsmanager", "sesv2"} <= set(moto_dispatch.listed_once())


def test_motos_dispatcher_still_asks_for_the_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """If this fails, moto's server no longer asks `backends.list_of_moto_modules` which service a
    request is for (local.moto_dispatch was written against moto 5.2.5): read get_backend_for_host again."""
    asked: list[bool] = []

    def listing() -> list[str]:
        asked.append(True)
        return ["dynamodb"]

    monkeypatch.setattr(backends, "list_of_moto_modules", listing)

    dispatcher = DomainDispatcherApplication(create_backend_app)

    assert dispatcher.get_backend_for_host("dynamodb") == "dynamodb"
    assert asked


def test_local_aws_answers_every_service_it_provisions(aws: LocalAws) -> None:
    # The fast path is on (local mode's default): requests of every service reach their backend
    assert backends.list_of_moto_modules is moto_dispatch.listed_once
    assert aws.client("dynamodb").describe_table(TableName=aws.names.table)["Table"]["TableName"] == aws.names.table
    assert aws.client("s3").list_buckets()["Buckets"]
    assert aws.secret(aws.names.origin_secret)
    assert aws.client("sesv2").list_email_identities()["EmailIdentities"]


def test_a_handlers_method_names_read_once_are_motos() -> None:
    from moto.dynamodb.responses import DynamoHandler

    names = moto_dispatch.method_names_once(DynamoHandler)

    assert names == moto_dispatch._MOTO_METHOD_NAMES_FROM_CLASS(DynamoHandler)
    assert {"get_item", "query", "transact_write_items"} <= set(names)
    assert moto_dispatch.method_names_once(DynamoHandler) is names  # listed once


def test_moto_still_asks_for_a_handlers_method_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """If this fails, moto's BaseResponse.call_action no longer asks `method_names_from_class` for
    the action's method (local.moto_dispatch was written against moto 5.2.5): read it again."""
    from moto.core import responses

    assert "method_names_from_class(self.__class__)" in inspect.getsource(responses.BaseResponse.call_action)
    assert vars(responses)["method_names_from_class"] is moto_dispatch.method_names_once  # the fast path, on
