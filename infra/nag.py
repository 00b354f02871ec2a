"""cdk-nag suppressions, each on the one construct it concerns and with its reason."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import CfnResource, Stack
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import IConstruct


def suppress(construct: IConstruct, rule: str, reason: str, *, applies_to: Sequence[str | RegexAppliesTo] = ()) -> None:
    """Suppress AwsSolutions-<rule> on this construct and the resources it holds now.

    Call it after the finding's resource exists (a grant's policy appears with the grant).
    """
    suppression = NagPackSuppression(id=f"AwsSolutions-{rule}", reason=reason, applies_to=list(applies_to) or None)
    NagSuppressions.add_resource_suppressions(construct, [suppression], apply_to_children=True)


def arn_of(construct: IConstruct) -> str:
    """How cdk-nag spells `Fn::GetAtt <resource>.Arn` in a finding, e.g. `<DataTable1234.Arn>`."""
    resource = construct.node.default_child or construct
    assert isinstance(resource, CfnResource), f"{construct.node.path} is not a CloudFormation resource"
    return f"<{Stack.of(resource).get_logical_id(resource)}.Arn>"
