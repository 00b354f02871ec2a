"""Each catalog function, as synthesized: runtime, architecture, layers, logs, handler, code
asset, environment, and permissions that follow its declared Access and nothing more."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from deskless.catalog import FUNCTIONS, Access, Function
from deskless.settings import Settings
from infra.constructs.functions import PYTHON_VERSION
from layers.deps.build import PROVIDED_BY_RUNTIME, ensure_built
from tests.infra.conftest import Synthesized, actions_of, logical_id_of, mentions

NAMES = [spec.name for spec in FUNCTIONS]


@pytest.mark.parametrize("spec", FUNCTIONS, ids=NAMES)
def test_function_runs_on_arm64_with_the_latest_python_and_the_catalog_sizes(synthesized: Synthesized, spec: Function):
    _, function = synthesized.function(spec.name)
    properties = function["Properties"]
    assert properties["Runtime"] == "python3.14"
    assert properties["Architectures"] == ["arm64"]
    assert properties["Handler"] == spec.lambda_handler
    assert properties["MemorySize"] == spec.memory_mb
    assert properties["Timeout"] == spec.timeout_s
    assert properties["TracingConfig"] == {"Mode": "Active"}


@pytest.mark.parametrize("spec", FUNCTIONS, ids=NAMES)
def test_function_has_the_dependency_and_core_layers(synthesized: Synthesized, spec: Function):
    _, function = synthesized.function(spec.name)
    layers = [synthesized.resources[logical_id_of(layer)] for layer in function["Properties"]["Layers"]]
    contents = [synthesized.asset_directory(layer["Properties"]["Content"]) for layer in layers]
    # Dependencies first, then the shared package (python/deskless) on top.
    assert (contents[0] / "python" / "pydantic").is_dir()
    assert (contents[1] / "python" / "deskless" / "catalog.py").is_file()
    for layer in layers:
        assert layer["Properties"]["CompatibleRuntimes"] == ["python3.14"]
        assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]


@pytest.mark.parametrize("spec", FUNCTIONS, ids=NAMES)
def test_function_has_its_own_log_group_with_retention(synthesized: Synthesized, spec: Function):
    _, function = synthesized.function(spec.name)
    log_group = logical_id_of(function["Properties"]["LoggingConfig"]["LogGroup"])
    assert synthesized.resources[log_group]["Properties"]["RetentionInDays"] == 30
    others = [synthesized.function(other.name)[1] for other in FUNCTIONS if other.name != spec.name]
    assert all(logical_id_of(other["Properties"]["LoggingConfig"]["LogGroup"]) != log_group for other in others)
    writes_logs = [s for s in synthesized.role_statements(spec.name) if "logs:PutLogEvents" in actions_of(s)]
    assert writes_logs
    assert all(mentions(s["Resource"], log_group) for s in writes_logs)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=NAMES)
def test_function_environment_names_every_setting_and_powertools(synthesized: Synthesized, spec: Function):
    _, function = synthesized.function(spec.name)
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["POWERTOOLS_SERVICE_NAME"] == spec.name
    assert variables["POWERTOOLS_LOG_LEVEL"] == "INFO"
    required = [name for name, field in Settings.model_fields.items() if field.is_required()]
    assert all(f"DESKLESS_{name.upper()}" in variables for name in required)
    assert variables["DESKLESS_SUPPORT_DOMAIN"] == "support.example.com"
    assert variables["DESKLESS_PUBLIC_URL"] == "https://support.example.com"


def test_websocket_urls_are_the_live_stage_wss_for_browsers_https_for_callbacks(synthesized: Synthesized):
    _, function = synthesized.function("realtime")
    variables = function["Properties"]["Environment"]["Variables"]
    browser = variables["DESKLESS_WEBSOCKET_URL"]["Fn::Join"][1]
    callback = variables["DESKLESS_WEBSOCKET_CALLBACK_URL"]["Fn::Join"][1]
    assert browser[0] == "wss://"
    assert browser[-1] == "/live"
    assert callback[0] == "https://"
    assert callback[-1] == "/live"
    api = synthesized.api("WEBSOCKET")
    assert mentions(browser, api)
    assert mentions(callback, api)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=NAMES)
def test_function_asset_is_its_own_package_and_nothing_else(synthesized: Synthesized, spec: Function):
    _, function = synthesized.function(spec.name)
    asset = synthesized.asset_directory(function["Properties"]["Code"])
    module = spec.entry.rsplit(".", 1)[0].replace(".", "/")
    assert (asset / spec.folder / f"{module}.py").is_file()
    assert (asset / spec.folder / "__init__.py").is_file()
    assert [path.name for path in asset.iterdir()] == [spec.folder]
    assert not [path for path in asset.rglob("*") if path.name == "__pycache__" or path.suffix == ".pyc"]


def test_dependency_layer_is_cached_by_its_fingerprint_and_leaves_the_sdk_to_the_runtime(synthesized: Synthesized):
    layer = ensure_built(python_version=PYTHON_VERSION)  # already built by the session: the stamp matches
    _, function = synthesized.function("meta")
    dependencies = synthesized.resources[logical_id_of(function["Properties"]["Layers"][0])]
    content = dependencies["Properties"]["Content"]
    assert content["S3Key"] == hashlib.sha256(layer.fingerprint.encode()).hexdigest() + ".zip"
    site_packages = synthesized.asset_directory(content) / "python"
    assert list(site_packages.glob("pydantic_core/*.cpython-314-aarch64-linux-gnu.so"))
    assert not [name for name in PROVIDED_BY_RUNTIME if (site_packages / name).exists()]


def test_the_templates_function_renders_markdown_from_the_dependency_layer_and_sends_no_mail(
    synthesized: Synthesized,
):
    _, function = synthesized.function("templates")
    dependencies = synthesized.resources[logical_id_of(function["Properties"]["Layers"][0])]
    site_packages = synthesized.asset_directory(dependencies["Properties"]["Content"]) / "python"
    assert (site_packages / "markdown_it" / "main.py").is_file()
    assert (site_packages / "mdurl").is_dir()
    assert (site_packages / "jinja2").is_dir()
    statements = synthesized.role_statements("templates")
    assert not [s for s in statements if any(action.startswith("ses:") for action in actions_of(s))]
    assert writes_table(statements, synthesized.only("AWS::DynamoDB::Table"))


def reads_table(statements: list[dict[str, Any]], table: str) -> bool:
    return any("dynamodb:GetItem" in actions_of(s) and mentions(s["Resource"], table) for s in statements)


def writes_table(statements: list[dict[str, Any]], table: str) -> bool:
    return any("dynamodb:PutItem" in actions_of(s) and mentions(s["Resource"], table) for s in statements)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=NAMES)
def test_table_permissions_follow_the_declared_access(synthesized: Synthesized, spec: Function):
    table = synthesized.only("AWS::DynamoDB::Table")
    statements = synthesized.role_statements(spec.name)
    assert reads_table(statements, table) == (Access.TABLE_READ in spec.access)
    assert writes_table(statements, table) == (Access.TABLE_WRITE in spec.access)


def test_meta_cannot_read_the_table_and_the_authorizers_cannot_write_it(synthesized: Synthesized):
    table = synthesized.only("AWS::DynamoDB::Table")
    assert not reads_table(synthesized.role_statements("meta"), table)
    for authorizer in ("http_authorizer", "websocket_authorizer"):
        assert not writes_table(synthesized.role_statements(authorizer), table)
    assert writes_table(synthesized.role_statements("auth"), table)


def secret_named(synthesized: Synthesized, description_start: str) -> str:
    found = [
        key
        for key, value in synthesized.of_type("AWS::SecretsManager::Secret").items()
        if value["Properties"]["Description"].startswith(description_start)
    ]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("spec", FUNCTIONS, ids=NAMES)
def test_secret_permissions_follow_the_declared_access(synthesized: Synthesized, spec: Function):
    signing = secret_named(synthesized, "Deskless: the key")
    origin = secret_named(synthesized, "Deskless: the header")
    statements = [s for s in synthesized.role_statements(spec.name) if "secretsmanager:GetSecretValue" in actions_of(s)]
    assert any(mentions(s["Resource"], signing) for s in statements) == (Access.SIGNING_KEY in spec.access)
    assert any(mentions(s["Resource"], origin) for s in statements) == (Access.ORIGIN_SECRET in spec.access)
    _, function = synthesized.function(spec.name)
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["DESKLESS_SIGNING_SECRET_ID"] == {"Ref": signing}
    assert variables["DESKLESS_ORIGIN_SECRET_ID"] == {"Ref": origin}


@pytest.mark.parametrize("spec", FUNCTIONS, ids=NAMES)
def test_mail_and_connection_permissions_follow_the_declared_access(synthesized: Synthesized, spec: Function):
    statements = synthesized.role_statements(spec.name)
    actions = {action for statement in statements for action in actions_of(statement)}
    inbound = synthesized.inbound_bucket()
    reads_inbound = any("s3:GetObject*" in actions_of(s) and mentions(s["Resource"], inbound) for s in statements)
    assert reads_inbound == (Access.INBOUND_MAIL in spec.access)
    assert ("execute-api:ManageConnections" in actions) == (Access.CONNECTIONS in spec.access)
    assert ("ses:SendEmail" in actions) == (Access.SEND_EMAIL in spec.access)
