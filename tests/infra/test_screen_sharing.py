"""Screen sharing (issue 15) in the synthesized template: the deployment's one Kinesis Video
Streams signaling channel, which only the realtime function may use, and only to ask for the
channel's endpoint and its ICE servers; the shared WebRTC script among the console's files; and
the console's static files allowed to capture a screen, and nothing else."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from deskless.catalog import FUNCTIONS
from deskless.edge import CONSOLE_PEER_SCRIPT, SHARED_FILES, page_permissions
from deskless.settings import Settings
from infra import paths
from infra.constructs.signaling import ICE_ACTIONS
from tests.infra.conftest import Resource, Synthesized, actions_of, logical_id_of

CHANNEL_ARN_VARIABLE = "DESKLESS_SIGNALING_CHANNEL_ARN"  # deskless.settings.Settings.signaling_channel_arn


@pytest.fixture(scope="module")
def channel(synthesized: Synthesized) -> str:
    """The logical id of the one signaling channel."""
    return synthesized.only("AWS::KinesisVideo::SignalingChannel")


def kinesis_video_statements(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in statements if any(a.lower().startswith("kinesisvideo:") for a in actions_of(s))]


def test_the_deployment_has_one_single_master_signaling_channel(synthesized: Synthesized, channel: str):
    properties = synthesized.resources[channel]["Properties"]
    assert properties["Type"] == "SINGLE_MASTER"
    assert "Name" not in properties  # CloudFormation names it: two deployments in one account never collide


def test_the_realtime_function_may_only_ask_for_the_channels_endpoint_and_ice_servers(
    synthesized: Synthesized, channel: str
):
    # Given every statement of the realtime function's role that names the service
    (statement,) = kinesis_video_statements(synthesized.role_statements("realtime"))
    # Then it allows the two calls of functions/realtime/ice.py, on that one channel, unconditionally scoped
    assert statement["Effect"] == "Allow"
    assert sorted(actions_of(statement)) == sorted(ICE_ACTIONS)
    assert sorted(ICE_ACTIONS) == ["kinesisvideo:GetIceServerConfig", "kinesisvideo:GetSignalingChannelEndpoint"]
    assert statement["Resource"] == {"Fn::GetAtt": [channel, "Arn"]}


def test_no_other_role_may_do_anything_with_kinesis_video(synthesized: Synthesized):
    # Given the realtime function's role
    realtime, _ = synthesized.function("realtime")
    realtime_role = synthesized.resources[realtime]["Properties"]["Role"]["Fn::GetAtt"][0]
    # Then no policy of the template, attached to any other role, names the service, nor any wildcard that covers it
    for policy in synthesized.of_type("AWS::IAM::Policy").values():
        roles = [logical_id_of(role) for role in policy["Properties"].get("Roles", [])]
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        if roles == [realtime_role]:
            continue
        assert not kinesis_video_statements(statements), roles
        assert not [s for s in statements if "*" in actions_of(s)], roles
    for role in synthesized.of_type("AWS::IAM::Role").values():
        inline = role["Properties"].get("Policies", [])
        assert not [p for p in inline if kinesis_video_statements(p["PolicyDocument"]["Statement"])]


def test_only_the_realtime_function_is_told_the_channel(synthesized: Synthesized, channel: str):
    for spec in FUNCTIONS:
        _, function = synthesized.function(spec.name)
        variables: Resource = function["Properties"]["Environment"]["Variables"]
        if spec.name == "realtime":
            assert variables[CHANNEL_ARN_VARIABLE] == {"Fn::GetAtt": [channel, "Arn"]}
        else:
            assert CHANNEL_ARN_VARIABLE not in variables, spec.name


def test_the_console_gets_the_shared_webrtc_script_the_portals_inline(synthesized: Synthesized):
    # Given the deployment of the static files (the one under static/)
    (deployment,) = [
        resource["Properties"]
        for resource in synthesized.of_type("Custom::CDKBucketDeployment").values()
        if resource["Properties"]["DestinationBucketKeyPrefix"] == "static/"
    ]
    staged = [synthesized.asset_directory({"S3Key": key}) for key in deployment["SourceObjectKeys"]]
    # Then among its sources is the portals' peer.js, as it is in the repository, at the console's path
    assert CONSOLE_PEER_SCRIPT == "/static/console/peer.js"
    assert SHARED_FILES[CONSOLE_PEER_SCRIPT] == "functions/portals/assets/peer.js"
    deployed = [folder / "console" / "peer.js" for folder in staged if (folder / "console" / "peer.js").is_file()]
    assert len(deployed) == 1
    assert deployed[0].read_bytes() == (paths.REPOSITORY / SHARED_FILES[CONSOLE_PEER_SCRIPT]).read_bytes()
    # beside the console's own files, in the same deployment (which prunes what its sources lack)
    assert any((folder / "console" / "index.html").is_file() for folder in staged)


def test_the_console_may_capture_a_screen_and_use_no_camera_microphone_or_location(synthesized: Synthesized):
    (policy,) = [
        resource["Properties"]["ResponseHeadersPolicyConfig"]
        for resource in synthesized.of_type("AWS::CloudFront::ResponseHeadersPolicy").values()
        if "CustomHeadersConfig" in resource["Properties"]["ResponseHeadersPolicyConfig"]
    ]
    custom = {item["Header"]: item for item in policy["CustomHeadersConfig"]["Items"]}
    assert custom["permissions-policy"] == {
        "Header": "permissions-policy",
        "Value": "camera=(), microphone=(), geolocation=(), display-capture=(self)",
        "Override": True,
    }
    assert custom["permissions-policy"]["Value"] == page_permissions(display_capture=True)


def test_the_realtime_function_reads_the_channels_arn_from_its_environment(
    synthesized: Synthesized, channel: str, monkeypatch: pytest.MonkeyPatch
):
    if "signaling_channel_arn" not in Settings.model_fields:
        pytest.skip("deskless.settings.Settings gains signaling_channel_arn with the realtime actions (SERVER)")
    # Given the realtime function's environment as Lambda would set it (deploy-time values as placeholders)
    _, function = synthesized.function("realtime")
    variables: dict[str, Any] = function["Properties"]["Environment"]["Variables"]
    for name in [name for name in os.environ if name.startswith("DESKLESS_")]:
        monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, value if isinstance(value, str) else json.dumps(value))
    # When its code reads its settings, then the channel it is told is the stack's one
    read = Settings()  # type: ignore[call-arg]  # pydantic-settings fills fields from the environment
    assert read.model_dump()["signaling_channel_arn"] == json.dumps({"Fn::GetAtt": [channel, "Arn"]})
