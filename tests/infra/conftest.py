"""The app synthesized once per test session, as `cdk synth` would with cdk.json's context (Deskless'
stack, and its companion in us-east-1 with the web ACL), and ways to find a catalog function's
resources in its template."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk.assertions import Template

from infra import paths
from infra.app import EDGE_STACK_NAME, build_app

Resource = dict[str, Any]


def cdk_json_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads(paths.CDK_JSON.read_text())["context"]
    return context


@dataclass
class Synthesized:
    stack: Stack
    template: Template
    outdir: Path

    @classmethod
    def of(cls, stack: Stack, outdir: Path) -> Synthesized:
        return cls(stack=stack, template=Template.from_stack(stack), outdir=outdir)

    @cached_property
    def resources(self) -> dict[str, Resource]:
        """The template's resources, read from the synthesized template once: each `to_json` is a
        call into the CDK's Node.js process that copies every resource across (about half a second),
        and a test may look up a dozen functions."""
        resources: dict[str, Resource] = self.template.to_json()["Resources"]
        return resources

    @property
    def template_file(self) -> Path:
        return self.outdir / self.stack.template_file

    def of_type(self, resource_type: str) -> dict[str, Resource]:
        return {key: value for key, value in self.resources.items() if value["Type"] == resource_type}

    def only(self, resource_type: str) -> str:
        """The logical id of the one resource of this type."""
        found = list(self.of_type(resource_type))
        assert len(found) == 1, found
        return found[0]

    def api(self, protocol: str) -> str:
        """The logical id of the HTTP or the WEBSOCKET API."""
        found = [
            key
            for key, value in self.of_type("AWS::ApiGatewayV2::Api").items()
            if value["Properties"]["ProtocolType"] == protocol
        ]
        assert len(found) == 1, found
        return found[0]

    def inbound_bucket(self) -> str:
        """The bucket the SES receipt rule stores messages in."""
        rule = self.resources[self.only("AWS::SES::ReceiptRule")]
        (s3_action,) = [action["S3Action"] for action in rule["Properties"]["Rule"]["Actions"] if "S3Action" in action]
        return logical_id_of(s3_action["BucketName"])

    def attachments_bucket(self) -> str:
        """The bucket with a CORS rule: the attachments' (browsers reach no other bucket directly)."""
        found = [
            key for key, value in self.of_type("AWS::S3::Bucket").items() if "CorsConfiguration" in value["Properties"]
        ]
        assert len(found) == 1, found
        return found[0]

    def function(self, name: str) -> tuple[str, Resource]:
        """A catalog function's AWS::Lambda::Function (each carries its name as the Powertools service)."""
        for logical_id, resource in self.of_type("AWS::Lambda::Function").items():
            variables = resource["Properties"].get("Environment", {}).get("Variables", {})
            if variables.get("POWERTOOLS_SERVICE_NAME") == name:
                return logical_id, resource
        raise KeyError(f"no function for {name!r}")

    def role_statements(self, function_name: str) -> list[dict[str, Any]]:
        """Every statement of every policy attached to the function's role."""
        _, function = self.function(function_name)
        role = function["Properties"]["Role"]["Fn::GetAtt"][0]
        assert not self.resources[role]["Properties"].get("ManagedPolicyArns"), "no managed policies"
        statements: list[dict[str, Any]] = []
        for policy in self.of_type("AWS::IAM::Policy").values():
            if {"Ref": role} in policy["Properties"]["Roles"]:
                statements += policy["Properties"]["PolicyDocument"]["Statement"]
        return statements

    def asset_directory(self, code: Resource) -> Path:
        """Where synth staged the asset behind a Code/Content property ({S3Bucket, S3Key})."""
        return self.outdir / f"asset.{code['S3Key'].removesuffix('.zip')}"


def synthesize(outdir: Path, context: dict[str, Any]) -> tuple[Synthesized, Synthesized | None]:
    """Deskless' stack and its edge stack, if the context gives it one, synthesized into `outdir`."""
    app, stack = build_app(context, outdir=str(outdir))
    app.synth()
    edge = app.node.try_find_child(EDGE_STACK_NAME)
    return Synthesized.of(stack, outdir), Synthesized.of(edge, outdir) if isinstance(edge, Stack) else None


@pytest.fixture(scope="session")
def synthesized_app(tmp_path_factory: pytest.TempPathFactory) -> tuple[Synthesized, Synthesized | None]:
    return synthesize(tmp_path_factory.mktemp("cdk.out"), cdk_json_context())


@pytest.fixture(scope="session")
def synthesized(synthesized_app: tuple[Synthesized, Synthesized | None]) -> Synthesized:
    """Deskless' own stack."""
    return synthesized_app[0]


@pytest.fixture(scope="session")
def edge(synthesized_app: tuple[Synthesized, Synthesized | None]) -> Synthesized:
    """The companion stack in us-east-1 (the web ACL is on by default)."""
    assert synthesized_app[1] is not None
    return synthesized_app[1]


def logical_id_of(reference: Any) -> str:
    """The logical id a {"Ref": ...} or {"Fn::GetAtt": [...]} points at."""
    if "Ref" in reference:
        return str(reference["Ref"])
    return str(reference["Fn::GetAtt"][0])


def mentions(value: Any, logical_id: str) -> bool:
    """Whether a template value refers to the resource (Ref, GetAtt, inside joins)."""
    return f'"{logical_id}"' in json.dumps(value)


def actions_of(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


BLOCK_ALL_PUBLIC_ACCESS = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}


def assert_private_and_encrypted(properties: dict[str, Any]) -> None:
    """A bucket's properties: every public access blocked, encrypted at rest, unversioned."""
    assert properties["PublicAccessBlockConfiguration"] == BLOCK_ALL_PUBLIC_ACCESS
    (encryption,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert "VersioningConfiguration" not in properties


def assert_tls_only(synthesized: Synthesized, bucket: str) -> None:
    """The bucket's policy denies every request without TLS and lets nobody in by itself."""
    (statements,) = [
        value["Properties"]["PolicyDocument"]["Statement"]
        for value in synthesized.of_type("AWS::S3::BucketPolicy").values()
        if logical_id_of(value["Properties"]["Bucket"]) == bucket
    ]
    assert any(
        s["Effect"] == "Deny" and s["Action"] == "s3:*" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in statements
    )
    assert not any(s["Effect"] == "Allow" for s in statements)
