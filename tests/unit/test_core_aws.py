"""boto3 clients are kept per service and per place the environment names: a process pointed
elsewhere (the tests, one local AWS after another) reaches the new place, and the same place
reuses its client (making one costs about 0.2 s)."""

from __future__ import annotations

import pytest

from deskless.aws import client


def test_a_client_is_kept_for_its_endpoint_and_made_anew_for_another(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    first = client("dynamodb")

    assert client("dynamodb") is first
    assert first.meta.endpoint_url == "http://127.0.0.1:1"

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:2")
    moved = client("dynamodb")

    assert moved is not first
    assert moved.meta.endpoint_url == "http://127.0.0.1:2"
