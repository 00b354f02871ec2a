"""NAT traversal for screen sharing (issue 15): one Kinesis Video Streams signaling channel per
deployment, whose STUN and TURN servers the realtime function hands both browsers of a share
(functions/realtime/ice.py), so no TURN server is run by hand.

Only its ICE configuration is used: the offers, answers and candidates go over Deskless' own
WebSocket API, and the media from one browser to the other (through TURN when no direct path
exists), never through Lambda. The realtime function may ask for the channel's HTTPS endpoint and
for its ICE servers' short-lived credentials, on this channel only, and nothing else of the
service (no other function may touch it at all)."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisvideo as kinesisvideo
from constructs import Construct

CHANNEL_TYPE = "SINGLE_MASTER"  # the only type the service has
ICE_ACTIONS = ("kinesisvideo:GetSignalingChannelEndpoint", "kinesisvideo:GetIceServerConfig")


class SignalingChannel(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        # No name: CloudFormation makes one unique to the stack, so deployments in one account never collide.
        self.channel = kinesisvideo.CfnSignalingChannel(self, "Channel", type=CHANNEL_TYPE)

    @property
    def arn(self) -> str:
        return self.channel.attr_arn

    def grant_ice(self, grantee: iam.IGrantable) -> None:
        """Ask for this channel's endpoint and its ICE servers, and nothing else."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=list(ICE_ACTIONS), resources=[self.arn])
        )
